"""Extending a deadline: allowed on overdue and escalated deadlines (re-opened), counted from now
unless ``from_due``; durations typed in French or English through one parser; extending by N then
M equals extending by N+M (hypothesis). Engine tests on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import select

from mno_workflow.engine.calendar import BusinessCalendar
from mno_workflow.engine.deadlines import extend
from mno_workflow.engine.errors import FormInvalid
from mno_workflow.reminders.sweeper import sweep
from mno_workflow.sop.schema import Calendar, Duration, Unit
from mno_workflow.store.models import AuditEvent, Deadline, StepInstance

from .helpers import CW, SUP, referral, to_referrals

BF = BusinessCalendar.from_sop(Calendar(timezone="Africa/Ouagadougou", holidays="BF"))
PARIS = BusinessCalendar.from_sop(Calendar(timezone="Europe/Paris", holidays="FR"))
ENG = BusinessCalendar.from_sop(Calendar(timezone="Europe/London", holidays="GB-ENG"))


@pytest.mark.parametrize(("text", "amount", "unit"), [
    ("3 jours ouvrés", 3, Unit.working_days), ("3 jours ouvrables", 3, Unit.working_days),
    ("1 jour ouvré", 1, Unit.working_days), ("48 heures", 48, Unit.hours), ("2 semaines", 2, Unit.weeks),
    ("1 mois", 1, Unit.months), ("5 working days", 5, Unit.working_days), ("5 Working  Days", 5,
                                                                           Unit.working_days),
    ("10 business days", 10, Unit.working_days), ("3 jours", 3, Unit.days), ("2 h", 2, Unit.hours),
    ("30 minutes", 30, Unit.minutes), ("1 JOUR OUVRÉ", 1, Unit.working_days),
])
def test_one_parser_for_french_and_english_durations(text, amount, unit):
    assert Duration.model_validate(text) == Duration(amount=amount, unit=unit)


@pytest.mark.parametrize("text", ["5 jours fériés", "cinq jours", "3", "jours ouvrés", "-2 days", "2.5 days"])
def test_bad_durations_are_refused_with_examples_in_both_languages(text):
    with pytest.raises(ValidationError, match="3 jours ouvrés"):
        Duration.model_validate(text)


@settings(max_examples=300, deadline=None)
@given(due=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31),
                        timezones=st.just(UTC)),
       n=st.integers(0, 40), m=st.integers(0, 40),
       case=st.sampled_from([(BF, "working days"), (PARIS, "working days"), (ENG, "working days"),
                             (PARIS, "hours"), (BF, "weeks"), (BF, "days")]))
def test_extending_by_n_then_m_equals_extending_by_n_plus_m(due, n, m, case):
    # (Calendar days and weeks keep the wall-clock time, so in a DST zone a due time inside the
    # spring gap is the one exception; hence BF for them.)
    cal, unit = case
    once = extend(due, Duration.model_validate(f"{n + m} {unit}"), cal)
    twice = extend(extend(due, Duration.model_validate(f"{n} {unit}"), cal),
                   Duration.model_validate(f"{m} {unit}"), cal)
    assert once == twice
    if unit == "working days" and n + m > 0:
        assert cal.is_working_day(cal.local_date(once))


def queries_overdue(s, now) -> list[str]:
    """Keys of referral instances whose current state's deadline is overdue, as case lists and
    digests count them (expiry pending or done, due before now, state still current)."""
    return [i.key for d, i in s.execute(
        select(Deadline, StepInstance).join(StepInstance, StepInstance.id == Deadline.instance_id)
        .where(Deadline.kind == "expiry", Deadline.status.in_(("pending", "done")), Deadline.due_at < now,
               StepInstance.state == Deadline.state, StepInstance.entered_at == Deadline.entered_at,
               StepInstance.step == "referral", StepInstance.state == "sent"))]


def _escalated_referral(wf, clock):
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("ong_a", "urgent"), instance="psychosocial")  # due Thu 5 June 08:00
    return ref


def test_an_escalated_deadline_is_reopened_counted_from_now(wf, clock):
    ref = _escalated_referral(wf, clock)
    clock.set(datetime(2025, 6, 9, 9, 0, tzinfo=UTC))  # Monday, four days late
    assert ("MNR-BF-000001", "referral:psychosocial", "sent", "expiry") in sweep(wf).escalations
    new_due = wf.extend_deadline(ref, "referral:psychosocial", "2 jours ouvrés", "Le prestataire a appelé.",
                                 SUP)
    # From now (Mon 9 June 09:00): day one Tue 10, day two Wed 11 — not from Thursday 5 June.
    assert new_due == datetime(2025, 6, 11, 23, 59, 59, 999999, tzinfo=UTC)
    with wf.sessions() as s:
        pending = s.scalars(select(Deadline).where(Deadline.kind == "expiry", Deadline.status == "pending",
                                                   Deadline.state == "sent")).all()
        assert [r.due_at for r in pending] == [new_due]
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "extend_deadline")).one()
        assert ev.data["old_due_at"] == "2025-06-05T08:00:00+00:00" and ev.data["from_due"] is False
    with wf.sessions() as s:  # re-opened: the processed expiry no longer counts as overdue
        rows = s.scalars(select(Deadline).where(Deadline.kind == "expiry", Deadline.state == "sent")
                         .order_by(Deadline.id)).all()
        assert [(r.status, r.due_at) for r in rows] == [
            ("extended", datetime(2025, 6, 5, 8, 0, tzinfo=UTC)), ("pending", new_due)]
        assert queries_overdue(s, clock.now()) == []
    clock.set(datetime(2025, 6, 12, 0, 1, tzinfo=UTC))
    assert ("MNR-BF-000001", "referral:psychosocial", "sent", "expiry") in sweep(wf).escalations
    with wf.sessions() as s:
        assert queries_overdue(s, clock.now()) == ["psychosocial"]


def test_an_overdue_deadline_counts_from_now_or_from_due(wf, clock):
    ref = _escalated_referral(wf, clock)
    clock.set(datetime(2025, 6, 5, 10, 0, tzinfo=UTC))  # overdue, not swept yet
    assert wf.extend_deadline(ref, "referral:psychosocial", "48 heures", "Motif.", SUP) == \
        datetime(2025, 6, 7, 10, 0, tzinfo=UTC)
    clock.set(datetime(2025, 6, 8, 10, 0, tzinfo=UTC))  # overdue again
    assert wf.extend_deadline(ref, "referral:psychosocial", "24 hours", "Motif.", SUP, from_due=True) == \
        datetime(2025, 6, 8, 10, 0, tzinfo=UTC)  # 7 June 10:00 + 24 hours


def test_a_running_deadline_is_extended_from_its_due_instant(wf, clock):
    ref = _escalated_referral(wf, clock)
    clock.advance(timedelta(hours=1))
    assert wf.extend_deadline(ref, "referral:psychosocial", "1 semaine", "Motif.", SUP) == \
        datetime(2025, 6, 12, 8, 0, tzinfo=UTC)


def test_a_bad_duration_is_a_field_error(wf, clock):
    ref = _escalated_referral(wf, clock)
    with pytest.raises(FormInvalid) as info:
        wf.extend_deadline(ref, "referral:psychosocial", "5 jours fériés", "Motif.", SUP)
    assert "3 jours ouvrés" in info.value.errors["by"].fr


@pytest.mark.parametrize(("by", "ok"), [
    ("90 days", True), ("64 working days", True), ("12 weeks", True), ("48 hours", True),
    ("0 days", False), ("91 days", False), ("65 working days", False), ("13 weeks", False),
    ("4 months", False), ("100000 weeks", False), ("9999 jours ouvrés", False),
])
def test_an_extension_goes_from_a_minute_to_90_days(wf, clock, by, ok):
    """A typo (« 500 jours ») no longer moves a deadline to another century and out of every
    overdue list; zero is no extension (tryout 5, H3). Nothing is written when refused."""
    ref = _escalated_referral(wf, clock)
    with wf.sessions() as s:
        before = s.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    if ok:
        assert wf.extend_deadline(ref, "referral:psychosocial", by, "Prestataire relancé", SUP)
        return
    with pytest.raises(FormInvalid) as info:
        wf.extend_deadline(ref, "referral:psychosocial", by, "Prestataire relancé", SUP)
    said = info.value.errors["by"]
    assert "90 jours" in said.fr and "90 days" in said.en
    with wf.sessions() as s:
        assert s.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)) == before
