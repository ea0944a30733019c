"""``no_later_than``: a deadline that never falls after a date of the need (tryout 4, G23). Post-rape
care (HIV prophylaxis) is due within 72 h **of the incident**, not of intake (DOMAIN.md): the BF
SOP's referral deadlines (to send, the provider's answer, the service, a re-referral after a
decline) are capped at ``item.incident_at`` + 72 h for an immediate GBV referral, and unchanged for
every other referral. Table-tested with real calendar dates (BF and Mali working days, a Bamako
local incident time), property-tested (the due instant is the earlier of the two, and never moves
for a case without an incident), and driven through the engine: deadline rows, audit effect, case
page rule words, pause/resume in the cap's unit, lint of ``item.field`` and of the cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from mno_workflow.engine.calendar import BusinessCalendar
from mno_workflow.engine.deadlines import cap_applies, due_at, due_in_force
from mno_workflow.sop.schema import Calendar, Deadline
from mno_workflow.store import repository
from mno_workflow.store.models import AuditEvent
from mno_workflow.store.models import Deadline as DeadlineRow

from .helpers import CONSENT, CW, IDENT, SUP, referral

BF = BusinessCalendar.from_sop(Calendar(timezone="Africa/Ouagadougou", holidays="BF"))
ML = BusinessCalendar.from_sop(Calendar(timezone="Africa/Bamako", holidays="ML"))
RULE = Deadline.model_validate({"within": "3 working days",
                                "no_later_than": {"within": "72 hours", "start": "item.incident_at"}})
BY_PRIORITY = Deadline.model_validate({
    "within": {"by": "referral.priority",
               "cases": {"emergency": "24 hours", "urgent": "72 hours", "normal": "10 working days"}},
    "no_later_than": {"within": "72 hours", "start": "item.incident_at"}})


def _utc(*a) -> datetime:
    return datetime(*a, tzinfo=UTC)


# rule, entered at, item incident, priority, calendar, due instant, decided by the cap
ROWS = [
    # sent Wed 2 Dec 2026 09:00, incident Mon 30 Nov 22:00: 3 working days → end of Mon 7 Dec;
    # the incident's 72 h end Thu 3 Dec 22:00 first
    (RULE, _utc(2026, 12, 2, 9), "2026-11-30T22:00:00Z", None, BF, _utc(2026, 12, 3, 22), True),
    # no incident (any referral but an immediate GBV one): the plain deadline
    (RULE, _utc(2026, 12, 2, 9), None, None, BF, _utc(2026, 12, 7, 23, 59, 59, 999999), False),
    # an incident an hour before sending on Fri 4 Dec: 72 h end Mon 7 Dec 08:00, before the end
    # of Wed 9 Dec
    (RULE, _utc(2026, 12, 4, 9), "2026-12-04T08:00:00Z", None, BF, _utc(2026, 12, 7, 8), True),
    # Friday 11 Dec 2026 (BF holiday, Proclamation of independence) is skipped by the working
    # days: 3 working days from Thu 10 Dec → end of Wed 16 Dec; the cap (Sun 13 Dec 10:00) first
    (RULE, _utc(2026, 12, 10, 10), "2026-12-10T10:00:00Z", None, BF, _utc(2026, 12, 13, 10), True),
    # emergency priority: 24 h from sending end before the incident's 72 h: the priority decides
    (BY_PRIORITY, _utc(2026, 12, 2, 9), "2026-12-02T06:00:00Z", "emergency", BF,
     _utc(2026, 12, 3, 9), False),
    # normal priority (10 working days) capped by the incident
    (BY_PRIORITY, _utc(2026, 12, 2, 9), "2026-12-01T06:00:00Z", "normal", BF, _utc(2026, 12, 4, 6), True),
    # Bamako, incident typed as local wall time (no offset): Mali is UTC+0 too, the instant is kept
    (RULE, _utc(2026, 5, 22, 12), "2026-05-22T03:30:00", None, ML, _utc(2026, 5, 25, 3, 30), True),
    # sent after the 72 h are over: due at once (in the past), the escalation runs at the next sweep
    (RULE, _utc(2026, 12, 7, 9), "2026-12-03T08:00:00Z", None, BF, _utc(2026, 12, 6, 8), True),
]


@pytest.mark.parametrize(("rule", "entered", "incident", "priority", "cal", "due", "capped"), ROWS)
def test_due_is_the_earlier_of_the_rule_and_the_cap(rule, entered, incident, priority, cal, due, capped):
    data = {"item": {"need": "gbv_services", **({"incident_at": incident} if incident else {})},
            "referral": {"priority": priority} if priority else {}}
    got, decided = due_in_force(rule, entered, data, cal)
    assert got == due
    assert (decided is not rule) == capped
    assert cap_applies(rule, rule.no_later_than[0], data) == bool(incident)


@settings(max_examples=200, deadline=None)
@given(entered=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 1),
                            timezones=st.just(UTC)),
       before=st.integers(min_value=0, max_value=10 * 24 * 60),
       priority=st.sampled_from(["emergency", "urgent", "normal"]))
def test_cap_never_later_and_only_with_its_date(entered, before, priority):
    plain = BY_PRIORITY.model_copy(update={"no_later_than": None})
    incident = entered - timedelta(minutes=before)
    with_date = {"item": {"incident_at": incident.isoformat()}, "referral": {"priority": priority}}
    without = {"item": {}, "referral": {"priority": priority}}
    main = due_at(plain, entered, with_date, BF)
    got, _ = due_in_force(BY_PRIORITY, entered, with_date, BF)
    assert got == min(main, incident + timedelta(hours=72))
    assert due_in_force(BY_PRIORITY, entered, without, BF)[0] == due_at(plain, entered, without, BF)


# --- through the engine, BF SOP ---------------------------------------------------------------

GBV = {"dimension": "social", "need": "gbv_services", "urgency": "Viol signalé à l'accueil"}


def _rows(wf, ref, key="gbv_services"):
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        inst = next(i for i in case.instances if i.step == "referral" and i.key == key and not i.final)
        rows = list(s.query(DeadlineRow).filter_by(instance_id=inst.id, status="pending"))
        return inst.state, rows


def _expiry(wf, ref, key="gbv_services") -> datetime:
    state, rows = _rows(wf, ref, key)
    return next(r for r in rows if r.kind == "expiry").due_at.astimezone(UTC)


def _gbv_case(wf, clock, incident: str, consent: bool = True) -> str:
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, IDENT)
    if consent:
        wf.fire(ref, "record_consent", CW, {**CONSENT, "consent_date": clock.now().date().isoformat()})
    wf.fire(ref, "refer_immediately", CW, {**GBV, "incident_at": incident})
    return ref


def test_immediate_gbv_referral_counts_from_the_incident_on_every_state(wf, clock):
    # Fri 4 Dec 2026 21:14 (UTC = Ouagadougou), incident Tue 1 Dec 22:00: 45 minutes left
    clock.set(_utc(2026, 12, 4, 21, 14))
    ref = _gbv_case(wf, clock, "2026-12-01T22:00:00Z")
    assert _expiry(wf, ref) == _utc(2026, 12, 4, 22)  # not the end of Wed 9 Dec (3 working days)
    with wf.sessions() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.trigger == "refer_immediately")).one()
        effect = next(e["deadline"] for e in ev.effects if "deadline" in e)
    assert effect["capped_by"] == "item.incident_at"
    clock.advance(timedelta(minutes=10))
    wf.fire(ref, "send", CW, {**referral("anpe", "normal"),
                              "referral_date": "2026-12-04"}, instance="gbv_services")
    assert _expiry(wf, ref) == _utc(2026, 12, 4, 22)  # not 10 working days after sending


def test_other_immediate_needs_are_due_within_24_hours_and_the_plan_keeps_3_working_days(wf, clock):
    """An immediate need (here shelter tonight: its item has ``urgency``, no incident date) is
    sent within 24 hours and answered within 24 hours whatever the priority chosen (tryout 5,
    H10); a referral of the approved plan keeps its 3 working days and its priority's delay."""
    from .helpers import to_referrals
    clock.set(_utc(2026, 12, 2, 9))
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, IDENT)
    wf.fire(ref, "record_consent", CW, {**CONSENT, "consent_date": "2026-12-02"})
    wf.fire(ref, "refer_immediately", CW, {"dimension": "social", "need": "housing",
                                           "urgency": "Pas d'abri ce soir"})
    assert _expiry(wf, ref, "housing") == _utc(2026, 12, 3, 9)  # not the end of Mon 7 Dec
    clock.advance(timedelta(hours=2))
    wf.fire(ref, "send", CW, {**referral("anpe", "normal"), "referral_date": "2026-12-02"},
            instance="housing")
    assert _expiry(wf, ref, "housing") == _utc(2026, 12, 3, 11)  # not 10 working days
    planned = to_referrals(wf)  # vocational training and psychosocial support, in draft
    assert _expiry(wf, planned, "psychosocial") == _utc(2026, 12, 7, 23, 59, 59, 999999)
    wf.fire(planned, "send", CW, {**referral("anpe", "normal"), "referral_date": "2026-12-02"},
            instance="psychosocial")
    assert _expiry(wf, planned, "psychosocial") > _utc(2026, 12, 14)  # 10 working days


def test_a_declined_immediate_need_is_referred_again_within_24_hours(wf, clock):
    """BF 2026.8 (tryout 7, J7): the provider declines an immediate need (shelter tonight) on a
    Saturday morning: the re-referral is due 24 hours after the decline (Sunday morning), not at
    the end of the third working day (Wednesday 9 December). A declined planned referral keeps
    its 3 working days."""
    from .helpers import provider, to_referrals
    clock.set(_utc(2026, 12, 4, 15))  # Fri 4 Dec 2026, Ouagadougou = UTC
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, IDENT)
    wf.fire(ref, "record_consent", CW, {**CONSENT, "consent_date": "2026-12-04"})
    wf.fire(ref, "refer_immediately", CW, {"dimension": "social", "need": "housing",
                                           "urgency": "Pas d'abri ce soir"})
    wf.fire(ref, "send", CW, {**referral("anpe", "normal"), "referral_date": "2026-12-04"},
            instance="housing")
    clock.set(_utc(2026, 12, 5, 6, 1))  # Sat 5 Dec 06:01
    no = {"reason": "other", "details": "Plus de place"}
    wf.fire(ref, "decline", provider("anpe"), no, instance="housing")
    assert _rows(wf, ref, "housing")[0] == "declined"
    assert _expiry(wf, ref, "housing") == _utc(2026, 12, 6, 6, 1)
    planned = to_referrals(wf)
    wf.fire(planned, "send", CW, {**referral("anpe", "normal"), "referral_date": "2026-12-05"},
            instance="psychosocial")
    wf.fire(planned, "decline", provider("anpe"), no, instance="psychosocial")
    assert _expiry(wf, planned, "psychosocial") == _utc(2026, 12, 9, 23, 59, 59, 999999)  # Mon, Tue, Wed


def test_a_decline_recorded_later_counts_from_when_it_was_given(wf, clock):
    """Tryout 8, K11: a decline given by phone and typed in later (``record_decline``, whose
    ``effective_at`` is the answer's time) counts the re-referral deadline from the answer. An
    immediate need declined Fri 4 Dec 2026 at 18:00, recorded Sat 5 Dec at 08:00: due Sat 18:00
    (not Sun 08:00). A planned referral declined Thu 3 Dec at 18:00, recorded Mon 7 Dec at 08:00:
    3 working days from Thursday end on Tue 8 Dec (Fri, Mon, Tue), not Thu 10 Dec."""
    from .helpers import to_referrals
    by_phone = {"answer_channel": "phone", "provider_contact": "Mme Ouédraogo", "reason": "no_capacity"}
    clock.set(_utc(2026, 12, 4, 15))
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, IDENT)
    wf.fire(ref, "record_consent", CW, {**CONSENT, "consent_date": "2026-12-04"})
    wf.fire(ref, "refer_immediately", CW, {"dimension": "social", "need": "housing",
                                           "urgency": "Dehors ce soir"})
    wf.fire(ref, "send", CW, {**referral("anpe", "normal"), "referral_date": "2026-12-04"},
            instance="housing")
    clock.set(_utc(2026, 12, 5, 8))
    wf.fire(ref, "record_decline", CW, {**by_phone, "answered_at": "2026-12-04T18:00:00Z"},
            instance="housing")
    assert _expiry(wf, ref, "housing") == _utc(2026, 12, 5, 18)
    clock.set(_utc(2026, 12, 3, 9))
    planned = to_referrals(wf)
    wf.fire(planned, "send", CW, {**referral("anpe", "normal"), "referral_date": "2026-12-03"},
            instance="psychosocial")
    clock.set(_utc(2026, 12, 7, 8))
    wf.fire(planned, "record_decline", CW, {**by_phone, "answered_at": "2026-12-03T18:00:00Z"},
            instance="psychosocial")
    assert _expiry(wf, planned, "psychosocial") == _utc(2026, 12, 8, 23, 59, 59, 999999)


def test_case_page_rule_says_both_clocks(wf, clock):
    from mno_workflow.web.stepview import rule_words
    clock.set(_utc(2026, 12, 2, 9))
    ref = _gbv_case(wf, clock, "2026-12-01T20:00:00Z")
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        sop = wf.registry.for_case(case).sop
        inst = next(i for i in case.instances if i.key == "gbv_services")
        fr, en = rule_words(sop, case, inst, "fr"), rule_words(sop, case, inst, "en")
    assert fr == ("3 jours ouvrables, au plus tard 72 heures après « Date et heure de l'incident », "
                  "au plus tard 24 heures si besoin immédiat")
    assert en == ("3 working days, no later than 72 hours after “Date and time of the incident”, "
                  "no later than 24 hours if immediate need")


def test_pause_and_resume_move_a_capped_deadline_in_hours(wf, clock):
    clock.set(_utc(2026, 12, 4, 9))  # Friday; the cap (Sat 5 Dec 08:00) decides
    ref = _gbv_case(wf, clock, "2026-12-02T08:00:00Z")
    assert _expiry(wf, ref) == _utc(2026, 12, 5, 8)
    wf.pause_deadline(ref, "gbv_services", "Personne hospitalisée", SUP)
    clock.advance(timedelta(hours=30))  # to Sat 5 Dec 15:00: 30 hours, no working day
    wf.resume_deadline(ref, "gbv_services", SUP)
    assert _expiry(wf, ref) == _utc(2026, 12, 6, 14)  # moved by 30 h, not by 0 working days
