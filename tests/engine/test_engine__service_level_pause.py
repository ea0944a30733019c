"""Issue 13, review: resuming a paused referral deadline whose rule comes from the directory
(``within: {from_directory: response_time, default: …}``) counts the pause in the **directory's**
unit, as the deadline was armed — « 5 days » moves by the exact time of the pause, « 3 working
days » by the working days it covered — never in the SOP default's unit (« 10 working days »,
« 72 hours »). Real Burkina Faso calendar (Tabaski, Friday 6 June 2025, is a public holiday;
weekends), SQLite and PostgreSQL; a hypothesis property on SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from mno_workflow import directory
from mno_workflow.directory.tables import TABLES
from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.engine.timers import calendar_for
from mno_workflow.store import repository
from mno_workflow.store.base import Base, make_engine
from mno_workflow.store.models import Deadline as DeadlineRow

from .helpers import CONSENT, CW, IDENT, SUP

START = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)  # Monday; Ouagadougou is UTC+0
EOD = dict(hour=23, minute=59, second=59, microsecond=999999, tzinfo=UTC)


def _engine(url, bf_loaded, clock):
    db = make_engine(url)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, clock)
    wf.load_sop(bf_loaded)
    with wf.sessions.begin() as s:
        directory.load_sample(s)
        # svc-masn-kadiogo-cash answers normal referrals in 5 (calendar) days, urgent ones in 3
        # working days: the SOP's defaults are 10 working days and 72 hours
        ref = TABLES["service_referral"]
        s.execute(update(ref).where(ref.c.service_id == "svc-masn-kadiogo-cash")
                  .values(response_time_normal="5 days", response_time_urgent="3 working days"))
    return db, wf


@pytest.fixture
def pwf(db_url, bf_loaded):
    clock = SimulatedClock(START)
    db, wf = _engine(db_url, bf_loaded, clock)
    yield wf, clock
    db.dispose()


def _sent(wf, clock, priority: str, service: str | None) -> str:
    clock.set(START - timedelta(hours=4))
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, IDENT)
    wf.fire(ref, "record_consent", CW, {**CONSENT, "share_with": ["government", "service_provider"]})
    wf.fire(ref, "submit_assessment", CW, {"assessed_on": "2025-06-02", "risk_level": "low", "needs": [
        {"dimension": "economic", "need": "cash", "referral_needed": True}]})
    wf.fire(ref, "approve_plan", SUP)
    clock.set(START)
    data = {"provider": "org-masn", "priority": priority, "referral_date": "2025-06-02",
            "channel": "system"}
    if service:
        data["service_id"] = service
    wf.fire(ref, "send", CW, data, instance="referral:cash")
    return ref


def _due(wf, ref) -> datetime:
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        inst = next(i for i in case.instances if i.label_key == "referral:cash")
        return s.scalars(select(DeadlineRow.due_at).where(
            DeadlineRow.instance_id == inst.id, DeadlineRow.kind == "expiry",
            DeadlineRow.status == "pending")).one().astimezone(UTC)


# priority, directory service, due when sent (Mon 2 June 08:00), paused at, resumed at, new due
ROWS = [
    # "5 days" (directory) — Saturday 7 June 08:00; a pause of 4 days 4 hours moves it as much
    # (the default's "10 working days" would move it by 2 working days: end of Tuesday 10 June)
    ("normal", "svc-masn-kadiogo-cash", datetime(2025, 6, 7, 8, 0, tzinfo=UTC),
     datetime(2025, 6, 3, 8, 0, tzinfo=UTC), datetime(2025, 6, 7, 12, 0, tzinfo=UTC),
     datetime(2025, 6, 11, 12, 0, tzinfo=UTC)),
    # "3 working days" (directory) — end of Thursday 5 June; paused Tuesday → resumed Saturday
    # covers Wednesday and Thursday (Friday is Tabaski, Saturday a weekend day): 2 working days,
    # Friday and the weekend skipped → end of Tuesday 10 June (the default's "72 hours" would give
    # Tuesday 10 June 03:59)
    ("urgent", "svc-masn-kadiogo-cash", datetime(2025, 6, 5, **EOD),
     datetime(2025, 6, 3, 8, 0, tzinfo=UTC), datetime(2025, 6, 7, 12, 0, tzinfo=UTC),
     datetime(2025, 6, 10, **EOD)),
    # resumed on the Monday: Wednesday, Thursday, Monday → 3 working days → end of Wednesday 11
    ("urgent", "svc-masn-kadiogo-cash", datetime(2025, 6, 5, **EOD),
     datetime(2025, 6, 3, 8, 0, tzinfo=UTC), datetime(2025, 6, 9, 9, 0, tzinfo=UTC),
     datetime(2025, 6, 11, **EOD)),
    # "15 working days" from the directory (svc-masn-liptako-social is org-masn's too)
    ("normal", "svc-masn-liptako-social", datetime(2025, 6, 24, **EOD),
     datetime(2025, 6, 3, 8, 0, tzinfo=UTC), datetime(2025, 6, 7, 12, 0, tzinfo=UTC),
     datetime(2025, 6, 26, **EOD)),
    # no directory service: the SOP default "10 working days" (Tabaski skipped), in its own unit
    ("normal", None, datetime(2025, 6, 17, **EOD),
     datetime(2025, 6, 3, 8, 0, tzinfo=UTC), datetime(2025, 6, 7, 12, 0, tzinfo=UTC),
     datetime(2025, 6, 19, **EOD)),
    # default "72 hours": exact time
    ("urgent", None, datetime(2025, 6, 5, 8, 0, tzinfo=UTC),
     datetime(2025, 6, 3, 8, 0, tzinfo=UTC), datetime(2025, 6, 7, 12, 0, tzinfo=UTC),
     datetime(2025, 6, 9, 12, 0, tzinfo=UTC)),
]


@pytest.mark.parametrize(("priority", "service", "due", "paused", "resumed", "new_due"), ROWS)
def test_resume_counts_the_pause_in_the_directory_rules_unit(pwf, priority, service, due, paused,
                                                             resumed, new_due):
    wf, clock = pwf
    ref = _sent(wf, clock, priority, service)
    assert _due(wf, ref) == due
    clock.set(paused)
    wf.pause_deadline(ref, "referral:cash", "Prestataire fermé (grève)", SUP)
    clock.set(resumed)
    assert wf.resume_deadline(ref, "referral:cash", SUP).astimezone(UTC) == new_due
    assert _due(wf, ref) == new_due
    with wf.sessions() as s:  # reminders still ahead are planned for the new due instant
        case = repository.get_case(s, ref)
        inst = next(i for i in case.instances if i.label_key == "referral:cash")
        reminders = s.scalars(select(DeadlineRow).where(
            DeadlineRow.instance_id == inst.id, DeadlineRow.kind == "reminder",
            DeadlineRow.status == "pending")).all()
        assert all(r.fire_at.astimezone(UTC) > resumed and r.due_at.astimezone(UTC) == new_due
                   for r in reminders)


def test_extending_a_directory_deadline_plans_reminders_in_the_directorys_unit(pwf):
    """"1 working day before" stays a reminder; extension counted from the due instant."""
    wf, clock = pwf
    ref = _sent(wf, clock, "urgent", "svc-masn-kadiogo-cash")
    clock.set(datetime(2025, 6, 3, 8, 0, tzinfo=UTC))
    new_due = wf.extend_deadline(ref, "referral:cash", "2 working days", "Attente d'un document", SUP)
    assert new_due.astimezone(UTC) == datetime(2025, 6, 10, **EOD)  # Fri 6 (Tabaski) skipped


_property_engine: dict = {}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pause_h=st.integers(min_value=0, max_value=4 * 24),
       length_h=st.integers(min_value=0, max_value=20 * 24), urgent=st.booleans())
def test_property_the_resumed_deadline_keeps_what_was_left_in_the_directorys_unit(
        tmp_path_factory, bf_loaded, pause_h, length_h, urgent):
    """Calendar days ("5 days"): the time left at the pause is the time left at the resume.
    Working days ("3 working days"): the resumed due is the end of a working day, and as many
    working days are left after the resume as were left after the pause."""
    if not _property_engine:
        clock = SimulatedClock(START)
        url = f"sqlite:///{tmp_path_factory.mktemp('pause') / 'mno.db'}"
        _property_engine.update(zip(("db", "wf"), _engine(url, bf_loaded, clock), strict=True),
                                clock=clock)
    wf, clock = _property_engine["wf"], _property_engine["clock"]
    ref = _sent(wf, clock, "urgent" if urgent else "normal", "svc-masn-kadiogo-cash")
    due = _due(wf, ref)
    paused = START + timedelta(hours=pause_h)
    if paused >= due:
        paused = due - timedelta(hours=1)
    resumed = paused + timedelta(hours=length_h)
    clock.set(paused)
    wf.pause_deadline(ref, "referral:cash", "Pause", SUP)
    clock.set(resumed)
    new_due = wf.resume_deadline(ref, "referral:cash", SUP).astimezone(UTC)
    if not urgent:  # 5 days
        assert new_due - resumed == due - paused
    else:  # 3 working days
        with wf.sessions() as s:
            sop = wf.registry.for_case(repository.get_case(s, ref)).sop
            cal = calendar_for(s, sop)
        assert (new_due.hour, new_due.minute) == (23, 59) and cal.is_working_day(new_due.date())
        assert cal.working_days_between(resumed, new_due) == cal.working_days_between(paused, due)
