"""When reminders are sent: at the SOP's ``reminder_time`` on working days for day-based deadlines
(never at night, never on a Sunday), at the same local wall-clock time across DST for repeats
(Europe/Paris, 30 March and 26 October 2025), exact for hour deadlines, and at most once per rule
after downtime (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from mno_workflow.engine.calendar import BusinessCalendar
from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.deadlines import due_at, reminder_instants
from mno_workflow.engine.engine import Actor, WorkflowEngine
from mno_workflow.reminders.sweeper import sweep
from mno_workflow.sop.loader import load_text
from mno_workflow.sop.schema import Calendar, Deadline, Unit
from mno_workflow.store.base import Base, make_engine
from mno_workflow.store.models import Deadline as DeadlineRow

from ..engine.time_sop import TIME_SOP

PARIS_TZ = ZoneInfo("Europe/Paris")
PARIS = BusinessCalendar.from_sop(Calendar(timezone="Europe/Paris", holidays="FR"))
BF = BusinessCalendar.from_sop(Calendar(timezone="Africa/Ouagadougou", holidays="BF"))


def paris(*args, fold=0):
    return datetime(*args, tzinfo=PARIS_TZ, fold=fold).astimezone(UTC)


def local(cal, instant):
    return instant.astimezone(cal.tz)


@pytest.mark.parametrize(("entered", "expected_local"), [
    # due Sat 29 Mar 02:30 CET; the daily repeat keeps 02:30 (30 March: 03:30, the gap)
    (paris(2025, 3, 27, 2, 30), ["2025-03-30 03:30+02:00", "2025-03-31 02:30+02:00",
                                 "2025-04-01 02:30+02:00"]),
    # due Fri 24 Oct 02:30 CEST; 26 October 02:30 is its first occurrence (CEST), then CET
    (paris(2025, 10, 22, 2, 30), ["2025-10-25 02:30+02:00", "2025-10-26 02:30+02:00",
                                  "2025-10-27 02:30+01:00"]),
])
def test_daily_repeats_keep_their_wall_clock_time_across_dst(entered, expected_local):
    dl = Deadline.model_validate({"within": "48 hours", "remind": ["every 1 day after"]})
    due = due_at(dl, entered, {}, PARIS)
    got = [local(PARIS, at).isoformat(sep=" ", timespec="minutes")
           for _, at in reminder_instants(dl, entered, due, PARIS)][:3]
    assert got == expected_local


FRI = datetime(2025, 4, 18, 10, tzinfo=UTC)


@pytest.mark.parametrize(("cal", "start", "within", "remind", "expected"), [
    # 10 working days from Fri 18 Apr 2025 10:00 (BF): due end of Tue 6 May (Easter Monday, 1 May)
    (BF, FRI, "10 working days", "50%", "2025-04-25 08:00"),
    (BF, FRI, "10 working days", "1 working day before", "2025-05-05 08:00"),
    (BF, FRI, "10 working days", "2 days before", "2025-05-02 08:00"),
    (BF, FRI, "10 working days", "1 working day after", "2025-05-07 08:00"),
    (BF, FRI, "10 working days", "3 hours before", "2025-05-06 20:59"),
    # before a Tuesday due, "2 days before" is Sunday: the Friday before, at 08:00 (BF 15 May is
    # a holiday: 3 working days from Mon 12 May end on Fri 16 May)
    (BF, datetime(2025, 5, 12, 10, tzinfo=UTC), "3 working days", "1 working day before", "2025-05-14 08:00"),
    # Paris: 5 days from Mon 24 Mar 14:00 → Sat 29 Mar 14:00 CET; 50 % is Thu 27 Mar 02:00 → 08:00
    (PARIS, paris(2025, 3, 24, 14), "5 days", "50%", "2025-03-27 08:00"),
    (PARIS, paris(2025, 3, 24, 14), "5 days", "1 day before", "2025-03-28 08:00"),
    # after the spring change: "1 day after" Mon 31 Mar at 08:00 CEST (Sun 30 is not a working day)
    (PARIS, paris(2025, 3, 24, 14), "5 days", "1 day after", "2025-03-31 08:00"),
])
def test_reminders_of_day_deadlines_land_at_the_start_of_a_working_day(cal, start, within, remind,
                                                                        expected):
    dl = Deadline.model_validate({"within": within, "remind": [remind]})
    due = due_at(dl, start, {}, cal)
    ((_, at),) = reminder_instants(dl, start, due, cal)
    assert local(cal, at).strftime("%Y-%m-%d %H:%M") == expected


def test_reminder_time_is_the_sop_setting():
    cal = BusinessCalendar.from_sop(Calendar(timezone="Africa/Ouagadougou", holidays="BF",
                                             reminder_time="07:30"))
    dl = Deadline.model_validate({"within": "10 working days", "remind": ["1 working day before"]})
    start = datetime(2025, 4, 18, 10, tzinfo=UTC)
    due = due_at(dl, start, {}, cal)
    ((_, at),) = reminder_instants(dl, start, due, cal, Unit.working_days, cal.reminder_time)
    assert at == datetime(2025, 5, 5, 7, 30, tzinfo=UTC)


@settings(max_examples=200, deadline=None)
@given(start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31),
                          timezones=st.just(UTC)),
       n=st.integers(1, 30),
       unit=st.sampled_from(["working days", "days", "weeks"]),
       remind=st.sampled_from(["50%", "25%", "1 working day before", "2 days before", "1 week before",
                               "1 working day after", "every 1 day after"]))
def test_day_deadline_reminders_never_at_night_nor_on_non_working_days(start, n, unit, remind):
    dl = Deadline.model_validate({"within": f"{n} {unit}", "remind": [remind]})
    due = due_at(dl, start, {}, BF)
    for _, at in reminder_instants(dl, start, due, BF):
        loc = local(BF, at)
        assert loc.time() == time(8, 0), (remind, loc)  # never at night
        if unit == "working days" or not BF.is_working_day(loc.date()):
            # Working days: never on a non-working day. Calendar days: only when no working day's
            # 08:00 lies between start and due (a short deadline over a weekend or holidays).
            assert BF.is_working_day(loc.date()) or (unit != "working days" and not any(
                BF.is_working_day(d) and start < BF.from_local(datetime.combine(d, time(8))) < due
                for d in (BF.local_date(start) + timedelta(days=k)
                          for k in range((due - start).days + 2)))), (remind, loc)


# --------------------------------------------------------------------- catch-up, SQLite
START = datetime(2025, 6, 2, 6, 0, tzinfo=UTC)  # Monday 2 June 2025, 09:00 in Nairobi
CW = Actor("wanjiru", "caseworker")


@pytest.fixture(scope="module")
def tw(tmp_path_factory):
    db = make_engine(f"sqlite:///{tmp_path_factory.mktemp('catchup') / 'mno.db'}")
    Base.metadata.create_all(db)
    engine = WorkflowEngine(db, SimulatedClock(START))
    engine.load_sop(load_text(TIME_SOP, "timing.yaml"))
    yield engine
    db.dispose()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(downtime=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
       second=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=5)))
def test_catch_up_after_any_downtime_sends_each_rule_at_most_once(tw, downtime, second):
    tw.clock = SimulatedClock(START)
    ref = tw.create_case("timing", CW)
    tw.fire(ref, "watch", CW)
    for at in (START + downtime, START + downtime + second):
        report = sweep(tw, now=at)
        offsets = [r[3] for r in report.reminders if r[0] == ref]
        assert len(offsets) == len(set(offsets)), offsets  # one per rule per sweep
    with tw.sessions() as s:
        sent = list(s.scalars(select(DeadlineRow).where(DeadlineRow.kind == "reminder",
                                                        DeadlineRow.status == "done")))
        late = [r for r in sent if r.offset == "every 1 day after" and r.late]
    # the repeat sent after missed ones is marked late
    assert all(r.late for r in late)
