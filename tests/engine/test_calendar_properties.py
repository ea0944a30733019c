"""Hypothesis properties of working-day arithmetic on the BF and Paris calendars (2024–2027)."""

from datetime import UTC, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from mno_workflow.engine.calendar import BusinessCalendar, HolidayOverride
from mno_workflow.sop.schema import Calendar, Duration, Unit

CALENDARS = [
    BusinessCalendar.from_sop(Calendar(timezone="Africa/Ouagadougou", holidays="BF")),
    BusinessCalendar.from_sop(Calendar(timezone="Europe/Paris", holidays="FR")),
    BusinessCalendar.from_sop(
        Calendar(timezone="Africa/Ouagadougou", holidays="BF", workweek=["sun", "mon", "tue", "wed", "thu"]),
        [HolidayOverride(date=datetime(2025, 3, 31).date(), name="Aïd el-Fitr")],
    ),
]

calendars = st.sampled_from(CALENDARS)
instants = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31),
                        timezones=st.just(UTC))
cutoffs = st.one_of(st.none(), st.sampled_from([time(0, 0), time(8, 30), time(13, 0), time(23, 59)]))
counts = st.integers(min_value=1, max_value=40)


def is_utc(x: datetime) -> bool:
    return x.tzinfo is UTC


@settings(max_examples=300)
@given(cal=calendars, start=instants, n=counts, cutoff=cutoffs)
def test_add_working_days_properties(cal, start, n, cutoff):
    due = cal.add_working_days(start, n, cutoff)
    nxt = cal.add_working_days(start, n + 1, cutoff)
    assert is_utc(due) and is_utc(nxt)
    assert start < due < nxt  # strictly monotonic in n
    local = cal.local(due)
    assert cal.is_working_day(local.date())  # always a working day...
    assert local.time() == time.max  # ...at its very end
    assert cal.working_days_between(start, due, cutoff) == n  # inverse
    assert cal.add(start, Duration(amount=n, unit=Unit.working_days), cutoff) == due


@given(cal=calendars, start=instants, n=counts)
def test_no_cutoff_is_cutoff_at_midnight(cal, start, n):
    assert cal.add_working_days(start, n) == cal.add_working_days(start, n, time(0, 0))


@given(cal=calendars, start=instants, n=counts)
def test_cutoff_never_makes_a_deadline_later(cal, start, n):
    assert cal.add_working_days(start, n, time(13, 0)) <= cal.add_working_days(start, n)


@given(cal=calendars, start=instants, n=st.integers(min_value=-40, max_value=40))
def test_shift_working_days_lands_on_working_days(cal, start, n):
    got = cal.shift_working_days(start, n)
    assert is_utc(got)
    if n:
        assert cal.is_working_day(cal.local(got).date())
        assert (got > start) == (n > 0)


@given(cal=calendars, start=instants, n=st.integers(min_value=1, max_value=400))
def test_calendar_days_keep_local_date_distance(cal, start, n):
    got = cal.add(start, Duration(amount=n, unit=Unit.days))
    assert is_utc(got)
    assert cal.local(got).date() - cal.local(start).date() == timedelta(days=n)
    assert abs((got - start) - timedelta(days=n)) <= timedelta(hours=1)  # at most one DST hour off


@given(cal=calendars, start=instants, n=st.integers(min_value=0, max_value=5000))
def test_hours_are_exact(cal, start, n):
    assert cal.add(start, Duration(amount=n, unit=Unit.hours)) - start == timedelta(hours=n)
