"""Consent as a record (scope, update, expiry, withdrawal, override) and reopening a closed case."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mno_workflow.engine.errors import (
    CaseClosed,
    FormInvalid,
    GuardNotMet,
    RoleNotAllowed,
    UnknownTrigger,
)
from mno_workflow.store import repository
from mno_workflow.store.audit import verify_all
from mno_workflow.store.models import AuditEvent, Deadline, User

from ..conftest import snapshot
from .helpers import CONSENT, CW, IDENT, NEEDS, SUP, provider, referral, refuse_and_close, to_referrals

WITHDRAWAL = {"withdrawn_on": "2025-06-02", "expressed_by": "self", "note": "Ne souhaite plus"}


def state_of(wf, ref, key):
    with wf.sessions() as s:
        return next(i.state for i in repository.get_case(s, ref).instances if i.label_key == key)


def test_withdrawal_blocks_sending_and_removes_provider_access(wf):
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("ong_a"), instance="psychosocial")
    wf.fire(ref, "withdraw_consent", CW, WITHDRAWAL)
    assert state_of(wf, ref, "consent:1") == "withdrawn"
    before = snapshot(wf)
    with pytest.raises(GuardNotMet):
        wf.fire(ref, "send", CW, referral("ong_b"), instance="vocational_training")
    with pytest.raises(RoleNotAllowed) as info:
        wf.fire(ref, "accept", provider("ong_a"))
    assert "ne couvre plus" in info.value.text("fr")
    assert snapshot(wf) == before
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        inst = next(i for i in case.instances if i.key == "psychosocial")
        sop = wf.registry.compiled(case.sop_version).sop
        assert wf.may_disclose(case, inst, sop, wf.clock.now()) is False
        ev = s.scalar(select(AuditEvent).where(AuditEvent.trigger == "withdraw_consent"))
        assert ev.data == {"consent_withdrawal": WITHDRAWAL}
    # The caseworker can still revoke the referral, and a new consent restores sharing.
    wf.fire(ref, "revoke", CW, {"outcome": "client_refused"}, instance="psychosocial")
    wf.fire(ref, "record_consent", CW, CONSENT)
    wf.fire(ref, "send", CW, referral("ong_b"), instance="vocational_training")
    with wf.sessions() as s:
        # Restoring consent does not start a second needs assessment.
        keys = [i.label_key for i in repository.get_case(s, ref).instances]
        assert [k for k in keys if k.startswith("needs_assessment")] == ["needs_assessment:1"]


def test_update_consent_is_internal_and_narrows_scope(wf):
    ref = to_referrals(wf)
    narrower = {**CONSENT, "purposes": ["follow_up"]}
    with wf.sessions() as s:
        deadlines_before = len(s.scalars(select(Deadline)).all())
    r = wf.fire(ref, "update_consent", CW, narrower)
    assert (r.from_state, r.to_state, r.started) == ("given", "given", [])
    with wf.sessions() as s:
        assert len(s.scalars(select(Deadline)).all()) == deadlines_before  # nothing re-armed
    with pytest.raises(GuardNotMet):
        wf.fire(ref, "send", CW, referral("ong_a"), instance="psychosocial")


def test_expired_consent_no_longer_covers_referral(wf, clock):
    ref = to_referrals(wf, consent={**CONSENT, "expires_on": "2025-06-03"})
    from datetime import timedelta
    clock.advance(timedelta(days=2))
    with pytest.raises(GuardNotMet):
        wf.fire(ref, "send", CW, referral("ong_a"), instance="psychosocial")


def test_override_needs_a_supervisor_a_legal_basis_and_a_reason(wf):
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, IDENT)
    with pytest.raises(RoleNotAllowed):
        wf.fire(ref, "override_consent", CW, {"legal_basis": "vital_interests", "reason": "urgence"})
    with pytest.raises(FormInvalid) as info:
        wf.fire(ref, "override_consent", SUP, {"legal_basis": "vital_interests",
                                               "data_categories": ["identity", "needs", "health"],
                                               "share_with": ["service_provider"]})
    assert set(info.value.errors) == {"reason"}
    r = wf.fire(ref, "override_consent", SUP, {"legal_basis": "vital_interests",
                                               "reason": "Blessure grave, personne inconsciente",
                                               "data_categories": ["identity", "needs", "health"],
                                               "share_with": ["service_provider"]})
    assert r.started == ["needs_assessment:1"]
    wf.fire(ref, "submit_assessment", CW, NEEDS)
    wf.fire(ref, "approve_plan", SUP)
    wf.fire(ref, "send", CW, referral("ong_a", "emergency"), instance="psychosocial")
    wf.fire(ref, "accept", provider("ong_a"))
    with wf.sessions() as s:
        ev = s.scalar(select(AuditEvent).where(AuditEvent.trigger == "override_consent"))
        assert (ev.actor, ev.role) == (SUP.user, "supervisor")
        assert ev.data["consent_override"]["legal_basis"] == "vital_interests"


def _close(wf):
    # Issue 13: a refusal no longer closes the case; it is closed by the direct-assistance path.
    return refuse_and_close(wf)


def test_closed_case_accepts_only_reopen(wf):
    ref = _close(wf)
    before = snapshot(wf)
    for trigger, actor in [("register", CW), ("record_consent", CW), ("propose_closure", CW)]:
        with pytest.raises(CaseClosed):
            wf.fire(ref, trigger, actor, {})
    with pytest.raises(RoleNotAllowed):
        wf.reopen(ref, CW, "La personne revient")
    with pytest.raises(FormInvalid):
        wf.reopen(ref, SUP, "   ")
    assert snapshot(wf) == before


def test_reopen_without_assessment_asks_the_risk_level(wf):
    # Issue 13 review (behaviour changed on purpose): a screened-out case has no risk level; the
    # follow-up it restarts in used to start without its first-visit deadline. Now the reopening
    # asks for the risk level (field error, nothing written) and the deadline is armed with it.
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "screen_out", CW, {"reason": "duplicate"})
    before = snapshot(wf)
    with pytest.raises(FormInvalid) as e:
        wf.reopen(ref, SUP, "Erreur de clôture")
    assert set(e.value.errors) == {"risk_level"} and "premier suivi" in e.value.errors["risk_level"].fr
    assert snapshot(wf) == before
    wf.reopen(ref, SUP, "Erreur de clôture", values={"risk_level": "high"})
    with wf.sessions() as s:
        ev = repository.trail(s, repository.get_case(s, ref))[-1]
        assert not [e for e in ev.effects if "deadline_skipped" in e]
        assert [e["deadline"]["instance"] for e in ev.effects if "deadline" in e] == ["follow_up:1"]
        assert ev.data["values"] == {"needs_assessment.risk_level": "high"}


def test_reopen_moves_closure_to_history_and_rearms_deadlines(wf):
    needs = dict(NEEDS, needs=[{"dimension": "social", "need": "documentation", "referral_needed": False}])
    ref = to_referrals(wf, needs=needs)
    visit = {"visit_date": "2025-06-02", "contact_mode": "phone", "services_received": True,
             "risk_level": "low"}
    wf.fire(ref, "record_visit", CW, visit)
    wf.fire(ref, "end_follow_up", CW)
    wf.fire(ref, "propose_closure", CW, {"reason": "goals_met", "closed_on": "2025-06-02"})
    wf.fire(ref, "approve_closure", SUP)
    with pytest.raises(UnknownTrigger):
        wf.reopen(wf.create_case("mnr_bf", CW), SUP, "pas clos")
    r = wf.reopen(ref, SUP, "La personne revient avec un nouveau besoin")
    assert r.started == ["follow_up:1-2"]
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        assert case.status == "open" and case.closed_at is None
        assert "closure" not in case.data
        assert case.data["_closures"][0]["closure"]["reason"] == "goals_met"
        assert case.data["_closures"][0]["reason"] == "La personne revient avec un nouveau besoin"
        armed = s.scalars(select(Deadline).where(Deadline.case_id == case.id, Deadline.status == "pending",
                                                 Deadline.state == "scheduled")).all()
        assert armed  # the follow-up deadline runs again
        assert [e.action for e in repository.trail(s, case)][-1] == "reopen"
        assert verify_all(s)[1] == []
        # Statistics: it is no longer counted as closed.
        assert ref not in [c.reference for c in repository.list_cases(s, status="closed")]
    wf.fire(ref, "record_visit", CW, visit)
    wf.fire(ref, "end_follow_up", CW)
    with wf.sessions() as s:
        keys = [i.label_key for i in repository.get_case(s, ref).instances]
        assert "closure:1-2" in keys  # a second closure, the first one kept


def test_bulk_reassignment_writes_one_event_per_case_and_moves_the_scope(wf):
    from mno_workflow.engine.engine import Actor
    from mno_workflow.engine.errors import CaseNotFound
    a, b = wf.create_case("mnr_bf", CW), wf.create_case("mnr_bf", CW)
    with wf.sessions.begin() as s:  # an active case manager of the region the cases get
        s.add(User(id="awa.ouedraogo", display_name="Awa Ouédraogo", role="caseworker", region="kadiogo"))
    before = snapshot(wf)
    with pytest.raises(RoleNotAllowed):
        wf.reassign([a, b], "awa.ouedraogo", CW, "Congé")
    with pytest.raises(FormInvalid):
        wf.reassign([a, b], "awa.ouedraogo", SUP, " ")
    with pytest.raises(CaseNotFound):
        wf.reassign([a, "MNR-BF-999999"], "awa.ouedraogo", SUP, "Congé")
    assert snapshot(wf) == before  # all or nothing
    assert wf.reassign([a, b, a], "awa.ouedraogo", SUP, "Congé de Mariam") == [a, b]
    with wf.sessions() as s:
        for ref in (a, b):
            case = repository.get_case(s, ref)
            ev = repository.trail(s, case)[-1]
            assert (case.assignee, case.version, ev.action, ev.data["from"], ev.data["reason"]) == (
                "awa.ouedraogo", 2, "reassign", CW.user, "Congé de Mariam")
        assert verify_all(s)[1] == []
    with pytest.raises(RoleNotAllowed):  # the former case manager no longer acts on it
        wf.fire(a, "register", CW, IDENT)
    wf.fire(a, "register", Actor("awa.ouedraogo", "caseworker"), IDENT)
    assert wf.reassign([a], "awa.ouedraogo", SUP, "déjà") == []  # no change, no event
