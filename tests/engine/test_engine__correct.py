"""An administrator's correction of a step's state (issue 14): audited with before/after, deadlines
re-armed, flow rules run, refused without a reason or for other roles, or into a state whose form
data the case lacks (tryout 2 #17); replay accepts it."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from mno_workflow.engine.correct import correct_state
from mno_workflow.engine.engine import Actor
from mno_workflow.engine.errors import FormInvalid, RoleNotAllowed, UnknownTrigger
from mno_workflow.engine.replay import replay_all
from mno_workflow.engine.state_needs import StateNeedsData, missing_entry
from mno_workflow.sop.loader import load_text
from mno_workflow.store import repository
from mno_workflow.store.audit import verify_all
from mno_workflow.store.models import Deadline
from mno_workflow.views import audit_lines

from ..conftest import BF_SOP, snapshot
from .helpers import CW, IDENT, SUP, referral, to_referrals
from .sop_variants import dump, parse, rename_state

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
    # the end of the follow-up (entered without a form): the flow starts the closure step
    correct_state(wf, ref, "follow_up", "completed", "support ended outside the system", COORD)
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        assert any(i.step == "closure" and not i.final for i in case.instances)
        assert replay_all(wf, s) == []


def refused(wf) -> str:
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, IDENT)
    wf.fire(ref, "record_refusal", CW, {"refused_on": "2025-06-02", "given_by": "self"})
    return ref


@pytest.mark.parametrize("state, form, action", [
    ("given", "Consentement éclairé", "Enregistrer le consentement"),
    ("overridden", "Dérogation au consentement", "Déroger au consentement (motivé)"),
])
def test_a_refused_consent_is_not_corrected_into_a_consent_without_its_form(wf, clock, state, form, action):
    """Tryout 2 #17: « Consentement donné » (or a supervisor's override) stands for the form that
    records it; a correction without that data is refused, naming the data and the action."""
    ref = refused(wf)
    before = snapshot(wf)
    with pytest.raises(StateNeedsData) as info:
        correct_state(wf, ref, "consent", state, "Erreur de saisie", COORD)
    e = info.value
    assert e.code == "state_needs_data" and e.http_status == 422 and list(e.errors) == ["state"]
    assert f"« {form} »" in e.text("fr") and f"« {action} »" in e.text("fr")
    assert "Correction impossible" in e.text("fr") and "Cannot correct to" in e.text("en")
    assert e.as_dict("en")["missing"] == e.details["missing"] and len(e.details["missing"]) == 1
    assert snapshot(wf) == before


def test_a_consent_once_recorded_may_be_corrected_back_and_forth(wf, clock):
    ref = to_referrals(wf)
    wf.fire(ref, "withdraw_consent", CW, {"withdrawn_on": "2025-06-02", "expressed_by": "self"})
    r = correct_state(wf, ref, "consent", "given", "withdrawal recorded on the wrong case", COORD)
    assert r["after"]["state"] == "given"  # the consent form's data is on the case
    assert correct_state(wf, ref, "consent", "pending", "asked again", COORD)["after"]["state"] == "pending"
    with pytest.raises(StateNeedsData):  # never recorded: no override form on the case
        correct_state(wf, ref, "consent", "overridden", "typo", COORD)


def test_the_rule_is_read_from_the_sop_transitions_not_from_names(bf_loaded):
    """Another SOP's words: the state renamed still needs its form; without a form on the way in,
    it needs nothing."""
    doc = parse(BF_SOP.read_text(encoding="utf-8"))
    rename_state(doc, "consent", "given", "granted")
    sop = load_text(dump(doc), "other.yaml").model
    case, inst = SimpleNamespace(data={}), SimpleNamespace(step="consent", data={})
    assert [(t.trigger, forms) for t, forms in missing_entry(sop, case, inst, "granted")] == [
        ("record_consent", ["consent"])]
    assert missing_entry(sop, SimpleNamespace(data={"consent": {"given": True}}), inst, "granted") == []
    assert missing_entry(sop, case, inst, "pending") == []  # the initial state
    for t in doc["steps"]["consent"]["transitions"]:
        if t["trigger"] == "record_consent":
            del t["form"]
    assert missing_entry(load_text(dump(doc), "other.yaml").model, case, inst, "granted") == []


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
