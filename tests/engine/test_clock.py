"""Tests of the injectable clocks: aware UTC only, simulated time moves only when told to."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from mno_workflow.engine.calendar import BusinessCalendar
from mno_workflow.engine.clock import Clock, SimulatedClock, SystemClock
from mno_workflow.sop.schema import Calendar, Duration

BF = BusinessCalendar.from_sop(Calendar(timezone="Africa/Ouagadougou", holidays="BF"))


def test_system_clock_is_aware_utc_and_current():
    before = datetime.now(UTC)
    now = SystemClock().now()
    after = datetime.now(UTC)
    assert now.tzinfo is UTC
    assert before <= now <= after
    assert isinstance(SystemClock(), Clock)


def test_simulated_clock_stores_utc_and_stands_still():
    clock = SimulatedClock(datetime(2025, 3, 30, 8, tzinfo=ZoneInfo("Europe/Paris")))
    assert clock.now() == datetime(2025, 3, 30, 6, tzinfo=UTC)
    assert clock.now().tzinfo is UTC
    assert clock.now() == clock.now()
    assert isinstance(clock, Clock)


def test_simulated_clock_advance_and_set():
    clock = SimulatedClock(datetime(2025, 4, 18, 10, tzinfo=UTC))
    assert clock.advance(timedelta(hours=72)) == datetime(2025, 4, 21, 10, tzinfo=UTC)
    assert clock.now() == datetime(2025, 4, 21, 10, tzinfo=UTC)
    assert clock.set(datetime(2025, 1, 1, tzinfo=UTC)) == datetime(2025, 1, 1, tzinfo=UTC)
    assert clock.now() == datetime(2025, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        ("3 working days", datetime.combine(datetime(2025, 4, 24), time.max, tzinfo=UTC)),  # Easter Monday
        ("72 hours", datetime(2025, 4, 21, 10, tzinfo=UTC)),
        ("1 month", datetime(2025, 5, 18, 10, tzinfo=UTC)),
    ],
)
def test_advance_duration_uses_calendar(duration, expected):
    clock = SimulatedClock(datetime(2025, 4, 18, 10, tzinfo=UTC))
    assert clock.advance_duration(Duration.model_validate(duration), BF) == expected
    assert clock.now() == expected


def test_naive_and_backward_are_refused():
    with pytest.raises(ValueError, match="naive"):
        SimulatedClock(datetime(2025, 4, 18, 10))
    clock = SimulatedClock(datetime(2025, 4, 18, 10, tzinfo=UTC))
    with pytest.raises(ValueError, match="naive"):
        clock.set(datetime(2025, 4, 18, 11))
    with pytest.raises(ValueError, match="negative"):
        clock.advance(timedelta(seconds=-1))
    assert clock.now() == datetime(2025, 4, 18, 10, tzinfo=UTC)
