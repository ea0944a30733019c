"""The engine on the Burkina Faso SOP, on a real SQLite file: the whole path and every refusal."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mno_workflow.engine.engine import Actor
from mno_workflow.engine.errors import (
    AmbiguousInstance,
    CaseClosed,
    CaseNotFound,
    FormInvalid,
    GuardNotMet,
    RoleNotAllowed,
    StaleVersion,
    UnknownTrigger,
)
from mno_workflow.store import repository
from mno_workflow.store.audit import verify_all
from mno_workflow.store.models import AuditEvent

from ..conftest import snapshot
from .helpers import CONSENT, CW, IDENT, NEEDS, SUP, provider, referral, to_referrals


def states(wf, ref):
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        return {i.label_key: i.state for i in case.instances}, case.status, case.version


def test_full_path_to_closure_with_decline_and_re_referral(wf, clock):
    ref = to_referrals(wf)
    got, status, version = states(wf, ref)
    assert got["referral:vocational_training"] == "draft"
    assert got["referral:psychosocial"] == "draft"
    assert "referral:documentation" not in got  # referral_needed: false
    assert version == 5

    wf.fire(ref, "send", CW, referral("cfp"), instance="referral:vocational_training")
    wf.fire(ref, "send", CW, referral("ong_a", "urgent"), instance="psychosocial")
    wf.fire(ref, "decline", provider("ong_a"), {"reason": "no_capacity"})
    wf.fire(ref, "re_refer", CW, referral("ong_b", "urgent"), instance="psychosocial")
    wf.fire(ref, "accept", provider("ong_b"))
    wf.fire(ref, "accept", provider("cfp"))
    wf.fire(ref, "complete", provider("ong_b"), {"delivered_on": "2025-06-02"})
    got, _, _ = states(wf, ref)
    # Issue 13 (behaviour change asked): the follow-up started with the approved plan and runs
    # alongside the referrals; ending it waits for every referral to be final.
    assert got["follow_up:1"] == "scheduled"
    wf.fire(ref, "record_visit", CW, {"visit_date": "2025-06-02", "contact_mode": "phone",
                                      "services_received": True, "risk_level": "low"})
    with pytest.raises(GuardNotMet) as e:
        wf.fire(ref, "end_follow_up", CW)
    assert "référencement est encore en cours" in e.value.text("fr")
    r = wf.fire(ref, "complete", provider("cfp"), {"delivered_on": "2025-06-02"})
    assert r.started == []
    wf.fire(ref, "end_follow_up", CW)
    wf.fire(ref, "propose_closure", CW, {"reason": "goals_met", "closed_on": "2025-06-02"})
    wf.fire(ref, "reject_closure", SUP, {"comment": "Compléter la synthèse"})
    wf.fire(ref, "propose_closure", CW, {"reason": "goals_met", "closed_on": "2025-06-02",
                                         "summary": "Objectifs atteints"})
    r = wf.fire(ref, "approve_closure", SUP)
    assert r.case_closed
    got, status, version = states(wf, ref)
    assert status == "closed"
    assert got["closure:1"] == "closed"
    assert got["referral:psychosocial"] == "completed"
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        assert case.instances[-1].recipient is None
        rec = {i.key: i.recipient for i in case.instances if i.step == "referral"}
        assert rec == {"vocational_training": "cfp", "psychosocial": "ong_b"}
        events = repository.trail(s, case)
        assert [e.seq for e in events] == list(range(1, version + 1))
        # The stored state equals the replay of the audit trail.
        replay: dict[str, str] = {}
        for e in events:
            for eff in e.effects:
                if "started" in eff:
                    replay.setdefault(eff["started"], "?")
            if e.action == "fire":
                replay[f"{e.step}:{e.instance_key}"] = e.to_state
        assert {k: v for k, v in replay.items() if v != "?"} == {
            k: v for k, v in got.items() if k in replay and replay[k] != "?"}
        assert verify_all(s) == (1, [])


def test_consent_refused_goes_on_with_direct_assistance(wf):
    # Issue 13 (behaviour change asked): a refusal no longer starts the closure; the needs
    # assessment starts (direct assistance) and the case stays open.
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, IDENT)
    r = wf.fire(ref, "record_refusal", CW, {"refused_on": "2025-06-02", "given_by": "self"})
    assert r.started == ["needs_assessment:1"]
    assert not r.case_closed


def test_no_referral_needed_starts_follow_up_at_once(wf):
    needs = dict(NEEDS, needs=[{"dimension": "social", "need": "documentation", "referral_needed": False}])
    ref = to_referrals(wf, needs=needs)
    got, _, _ = states(wf, ref)
    assert got["follow_up:1"] == "scheduled"
    assert not any(k.startswith("referral:") for k in got)


def test_screen_out_closes_the_case(wf):
    ref = wf.create_case("mnr_bf", CW)
    r = wf.fire(ref, "screen_out", SUP, {"reason": "duplicate"})
    assert r.case_closed
    with pytest.raises(CaseClosed):
        wf.fire(ref, "register", CW, IDENT)


# -- refusals: each leaves the database exactly as it was -----------------------------------------
def refused(wf, exc_type, *args, **kwargs):
    before = snapshot(wf)
    with pytest.raises(exc_type) as info:
        wf.fire(*args, **kwargs)
    assert snapshot(wf) == before
    assert info.value.text("fr") and info.value.text("en")
    return info.value


def test_unknown_trigger_in_current_state(wf):
    ref = wf.create_case("mnr_bf", CW)
    err = refused(wf, UnknownTrigger, ref, "approve_closure", SUP)
    # tryout 7, J13: ``allowed`` is what the supervisor may do, not the case manager's « register »
    assert "register (identification:1)" not in err.details["allowed"]
    mine = [f"{a['trigger']} ({a['instance']})" for a in err.details["allowed_actions"]]
    assert err.details["allowed"] == mine
    assert "Accueil et dépistage" in err.text("fr")
    refused(wf, UnknownTrigger, ref, "no_such_trigger", CW)


def test_a_refused_trigger_lists_what_the_actors_role_may_do_and_says_an_unknown_one(wf):
    """Tryout 3, F13: ``allowed_actions`` is what the caller's own role may fire now, as
    ``{trigger, instance}`` (``allowed`` the same as text: tryout 7, J13);
    a trigger the SOP has nowhere is said not to exist, not « impossible dans l'état actuel »."""
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("org-ecoute"), instance="referral:psychosocial")
    cw = refused(wf, UnknownTrigger, ref, "approve_closure", CW)
    mine = cw.details["allowed_actions"]
    assert {"trigger": "send", "instance": "referral:vocational_training"} in mine
    assert all(a["trigger"] not in ("accept", "decline", "override_consent") for a in mine), mine
    # tryout 7, J13: ``allowed`` says the same as ``allowed_actions`` (was every role's actions)
    assert not any(x.startswith("accept (") for x in cw.details["allowed"])
    assert "send (referral:vocational_training)" in cw.details["allowed"]
    typo = refused(wf, UnknownTrigger, ref, "fly_away", CW)
    assert "n'existe pas dans cette POS" in typo.text("fr") and "does not exist" in typo.text("en")
    assert "impossible dans l'état actuel" not in typo.text("fr")
    assert "impossible dans l'état actuel" in cw.text("fr")


def test_role_not_allowed(wf):
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, IDENT)
    wf.fire(ref, "record_consent", CW, CONSENT)
    wf.fire(ref, "submit_assessment", CW, NEEDS)
    err = refused(wf, RoleNotAllowed, ref, "approve_plan", CW)
    assert "Superviseur" in err.text("fr")
    refused(wf, RoleNotAllowed, ref, "approve_plan", Actor("x", "no_such_role"))


def test_caseworker_scope_is_the_assigned_caseworker(wf):
    ref = wf.create_case("mnr_bf", CW)
    refused(wf, RoleNotAllowed, ref, "register", Actor("other.caseworker", "caseworker"), IDENT)


def test_provider_scope_is_the_addressed_organisation(wf):
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("ong_a"), instance="psychosocial")
    refused(wf, RoleNotAllowed, ref, "accept", provider("ong_b"))
    refused(wf, RoleNotAllowed, ref, "accept", Actor("nobody", "provider"))
    wf.fire(ref, "accept", provider("ong_a"))


@pytest.mark.parametrize("payload,field", [
    ({**IDENT, "birth_date": "2025-02-30"}, "birth_date"),
    ({**IDENT, "birth_date": "2030-01-01"}, "birth_date"),
    ({**IDENT, "return_date": "2025-06-03"}, "return_date"),  # the clock says 2 June 2025
    ({**IDENT, "region": "centre"}, "region"),  # a former region, not an option code
    ({**IDENT, "sex": ""}, "sex"),
    ({k: v for k, v in IDENT.items() if k != "birth_date"}, "estimated_age"),
    ({**IDENT, "phone": "appelle-moi"}, "phone"),
    ({**IDENT, "household_size": "0"}, "household_size"),
    ({**IDENT, "surname": "x"}, "surname"),
    ({**IDENT, "vulnerabilities": ["separated_child"]}, "caregiver_name"),
])
def test_identification_form_errors_per_field(wf, payload, field):
    ref = wf.create_case("mnr_bf", CW)
    err = refused(wf, FormInvalid, ref, "register", CW, payload)
    assert field in err.errors
    assert err.errors[field].fr and err.errors[field].en


def test_form_reports_every_error_at_once(wf):
    ref = wf.create_case("mnr_bf", CW)
    err = refused(wf, FormInvalid, ref, "register", CW, {"first_name": "A", "birth_date": "2001-02-29"})
    assert {"last_name", "sex", "birth_date", "return_date", "region"} <= set(err.errors)


def test_cross_field_rules(wf):
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, {**referral("ong_a"), "referral_date": "2025-06-02"}, instance="psychosocial")
    wf.fire(ref, "accept", provider("ong_a"))
    err = refused(wf, FormInvalid, ref, "complete", provider("ong_a"), {"delivered_on": "2025-06-01"})
    assert "Date du référencement" in err.errors["delivered_on"].fr
    ref2 = wf.create_case("mnr_bf", CW)
    wf.fire(ref2, "register", CW, IDENT)
    bad = {**CONSENT, "expires_on": "2025-06-01"}
    err = refused(wf, FormInvalid, ref2, "record_consent", CW, bad)
    assert "expires_on" in err.errors


def test_decline_details_required_only_for_other(wf):
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("ong_a"), instance="psychosocial")
    err = refused(wf, FormInvalid, ref, "decline", provider("ong_a"), {"reason": "other"})
    assert set(err.errors) == {"details"}
    wf.fire(ref, "decline", provider("ong_a"), {"reason": "other", "details": "Fermé pour travaux"})


def test_guard_not_met_without_consent_to_share(wf):
    consent = {**CONSENT, "share_with": ["government"]}
    ref = to_referrals(wf, consent=consent)
    err = refused(wf, GuardNotMet, ref, "send", CW, referral("ong_a"), instance="psychosocial")
    assert "consentement ne couvre pas" in err.text("fr")
    # Issue 11: the recipient kinds are checked against the organisation's type (here an NGO).
    assert "recipient.type_not_covered" in err.details["condition"]
    assert "ONG ou association" in err.text("fr")


def test_ambiguous_instance_and_unknown_instance(wf):
    ref = to_referrals(wf)
    err = refused(wf, AmbiguousInstance, ref, "send", CW, referral("ong_a"))
    assert set(err.details["instances"]) == {"referral:vocational_training", "referral:psychosocial"}
    refused(wf, UnknownTrigger, ref, "send", CW, referral("ong_a"), instance="referral:housing")


def test_stale_version_keeps_the_payload(wf):
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, IDENT, expected_version=1)
    err = refused(wf, StaleVersion, ref, "record_consent", CW, CONSENT, expected_version=1)
    assert err.details["payload"] == CONSENT
    assert err.details["current_version"] == 2
    wf.fire(ref, "record_consent", CW, CONSENT, expected_version=2)


def test_unknown_case(wf):
    with pytest.raises(CaseNotFound):
        wf.fire("MNR-BF-999999", "register", CW, IDENT)


def test_action_without_form_refuses_data(wf):
    # Issue 18 gave approve_plan an optional comment (form plan_approval): a referral's accept,
    # still without a form, is the formless action checked here.
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("cfp"), instance="referral:vocational_training")
    refused(wf, FormInvalid, ref, "accept", provider("cfp"), {"comment": "ok"},
            instance="referral:vocational_training")


def test_plan_approval_takes_an_optional_comment(wf):
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, IDENT)
    wf.fire(ref, "record_consent", CW, CONSENT)
    wf.fire(ref, "submit_assessment", CW, NEEDS)
    refused(wf, FormInvalid, ref, "approve_plan", SUP, {"comment": "x" * 1001})
    refused(wf, FormInvalid, ref, "approve_plan", SUP, {"note": "ok"})
    wf.fire(ref, "approve_plan", SUP, {"comment": "Bon plan, commencer par la formation"})


def test_audit_chain_detects_edit_and_deletion(wf):
    to_referrals(wf)
    with wf.sessions.begin() as s:
        assert verify_all(s)[1] == []
        ev = s.scalar(select(AuditEvent).where(AuditEvent.seq == 3))
        ev.actor = "someone.else"
    with wf.sessions() as s:
        problems = verify_all(s)[1]
        assert [(p.seq, "edited" in p.problem) for p in problems] == [(3, True)]
    with wf.sessions.begin() as s:
        s.delete(s.scalar(select(AuditEvent).where(AuditEvent.seq == 5)))
    with wf.sessions() as s:
        problems = verify_all(s)[1]
        assert any("deleted" in p.problem for p in problems)


def test_instants_are_utc_aware_after_reload(wf, clock):
    ref = wf.create_case("mnr_bf", CW)
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        assert case.created_at == clock.now()
        assert case.created_at.utcoffset().total_seconds() == 0


def test_search_folds_case_and_accents(wf):
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, {**IDENT, "first_name": "Zoé", "last_name": "Ouédraogo"})
    other = wf.create_case("mnr_bf", CW)
    wf.fire(other, "register", CW, {**IDENT, "first_name": "Issa", "last_name": "Façon"})
    with wf.sessions() as s:
        assert [c.reference for c in repository.list_cases(s, search="zoe")] == [ref]
        assert [c.reference for c in repository.list_cases(s, search="OUEDRAOGO")] == [ref]
        assert [c.reference for c in repository.list_cases(s, search="FACON")] == [other]
        assert [c.reference for c in repository.list_cases(s, region="kadiogo")] == [other, ref]
        assert [c.reference for c in repository.list_cases(s, step="consent", state="pending")] == [
            other, ref]


def test_search_overdue_cases(wf, clock):
    from datetime import timedelta
    late = to_referrals(wf)
    wf.fire(late, "send", CW, referral("ong_a", "urgent"), instance="psychosocial")
    on_time = to_referrals(wf)
    wf.fire(on_time, "send", CW, referral("ong_a", "urgent"), instance="psychosocial")
    wf.fire(on_time, "send", CW, referral("ong_b", "urgent"), instance="vocational_training")
    # Issue 13: the follow-up runs from the plan's approval (first visit within 2 working days).
    wf.fire(on_time, "record_visit", CW, {"visit_date": "2025-06-02", "contact_mode": "phone",
                                          "services_received": False, "not_received_reason": "En cours",
                                          "risk_level": "high"})
    clock.advance(timedelta(days=4))  # 72 hours passed; drafts (3 working days) are late too
    wf.fire(on_time, "accept", provider("ong_a"))
    wf.fire(on_time, "accept", provider("ong_b"))
    with wf.sessions() as s:
        assert [c.reference for c in repository.list_cases(s, overdue_at=clock.now())] == [late]
        assert repository.list_cases(s, overdue_at=clock.now() - timedelta(days=3)) == []


def test_an_error_inside_an_effect_rolls_the_whole_transition_back(wf, monkeypatch):
    from mno_workflow.engine import timers
    ref = wf.create_case("mnr_bf", CW)
    before = snapshot(wf)

    def broken_arm(*args, **kwargs):
        raise RuntimeError("template or notifier failure")
    monkeypatch.setattr(timers, "arm", broken_arm)
    with pytest.raises(RuntimeError):
        wf.fire(ref, "register", CW, IDENT)
    assert snapshot(wf) == before  # no state, data, audit event, deadline or outbox row
    monkeypatch.undo()
    assert wf.fire(ref, "register", CW, IDENT).version == 2


def test_control_characters_are_a_field_error_not_a_crash(wf):
    ref = wf.create_case("mnr_bf", CW)
    err = refused(wf, FormInvalid, ref, "register", CW, {**IDENT, "first_name": "A\x00B"})
    assert "caractère invisible" in err.errors["first_name"].fr
    err = refused(wf, FormInvalid, ref, "register", CW, {**IDENT, "nationality": "x\x07"})
    assert set(err.errors) == {"nationality"}


def test_only_sop_roles_that_may_open_cases_do(wf):
    from mno_workflow.engine.errors import RoleNotAllowed as RNA
    for actor in (Actor("mariam", "casewroker"), Actor("focal", "provider", "org-x")):
        before = snapshot(wf)
        with pytest.raises(RNA):
            wf.create_case("mnr_bf", actor)
        assert snapshot(wf) == before


def test_referral_must_name_an_organisation_of_the_directory(wf):
    wf.recipient_known = lambda session, org: org in {"ong_a", "ong_b"}
    ref = to_referrals(wf)
    err = refused(wf, FormInvalid, ref, "send", CW, referral("org-n-existe-pas"), instance="psychosocial")
    assert set(err.errors) == {"provider"} and "répertoire" in err.errors["provider"].fr
    wf.fire(ref, "send", CW, referral("ong_a"), instance="psychosocial")


def test_a_need_appears_once_in_the_plan(wf):
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, IDENT)
    wf.fire(ref, "record_consent", CW, CONSENT)
    need = {"dimension": "psychosocial", "need": "psychosocial", "referral_needed": True}
    twice = dict(NEEDS, needs=[need, need])
    err = refused(wf, FormInvalid, ref, "submit_assessment", CW, twice)
    assert "une fois" in err.errors["needs"].fr
