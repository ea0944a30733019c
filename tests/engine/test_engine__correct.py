"""An administrator's correction of a step's state (issue 14): audited with before/after, deadlines
re-armed, flow rules run, refused without a reason or for other roles; replay accepts it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from mno_workflow.engine.correct import correct_state
from mno_workflow.engine.engine import Actor
from mno_workflow.engine.errors import FormInvalid, RoleNotAllowed, UnknownTrigger
from mno_workflow.engine.replay import replay_all
from mno_workflow.store import repository
from mno_workflow.store.audit import verify_all
from mno_workflow.store.models import Deadline
from mno_workflow.views import audit_lines

from ..conftest import snapshot
from .helpers import CW, SUP, referral, to_referrals

COORD = Actor("coord.mnr", "coordinator")


def pending_expiry(s, case, key):
    inst = next(i for i in case.instances if i.label_key == key)
    return s.scalars(select(Deadline).where(Deadline.instance_id == inst.id, Deadline.kind == "expiry",
                                            Deadline.status == "pending")).all()


def test_correction_rearms_deadlines_and_is_audited(wf, clock):
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("ong_a"), instance="psychosocial")
    clock.advance(timedelta(days=2))
    r = correct_state(wf, ref, "referral:psychosocial", "draft", "sent to the wrong provider", COORD)
    assert r["before"]["state"] == "sent" and r["after"]["state"] == "draft"
    assert r["before"]["due_at"] != r["after"]["due_at"] and r["after"]["due_at"]
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        rows = pending_expiry(s, case, "referral:psychosocial")
        assert [(x.state, x.start_at) for x in rows] == [("draft", clock.now())]  # re-armed from now
        ev = repository.trail(s, case)[-1]
        assert (ev.action, ev.from_state, ev.to_state, ev.data["reason"]) == (
            "correct", "sent", "draft", "sent to the wrong provider")
        lines = audit_lines(repository.trail(s, case), wf.registry.for_case(case).sop, "fr")
        assert any("Correction d'état" in x and "Envoyé au prestataire → À envoyer" in x for x in lines)
        assert verify_all(s)[1] == [] and replay_all(wf, s) == []
    wf.fire(ref, "send", CW, referral("ong_b"), instance="psychosocial")  # the case goes on


def test_correction_into_a_final_state_runs_the_flow(wf, clock):
    ref = to_referrals(wf)
    for need in ("psychosocial", "vocational_training"):
        correct_state(wf, ref, f"referral:{need}", "closed_unmet", "handled outside the system", COORD)
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        assert any(i.step == "follow_up" and not i.final for i in case.instances)
        assert replay_all(wf, s) == []


@pytest.mark.parametrize("who, reason, state, error, hint", [
    (COORD, "  ", "draft", FormInvalid, "reason"),
    (SUP, "typo", "draft", RoleNotAllowed, "coordinat"),
    (CW, "typo", "draft", RoleNotAllowed, "coordinat"),
    (COORD, "typo", "snet", FormInvalid, "sent"),
    (COORD, "typo", "sent", UnknownTrigger, "already"),
])
def test_refusals_write_nothing(wf, clock, who, reason, state, error, hint):
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("ong_a"), instance="psychosocial")
    before = snapshot(wf)
    with pytest.raises(error) as info:
        correct_state(wf, ref, "referral:psychosocial", state, reason, who)
    assert hint in info.value.message.en
    assert snapshot(wf) == before
