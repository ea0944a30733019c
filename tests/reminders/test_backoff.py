"""The retry schedule: explicit values, and monotonic and capped for any attempt count."""

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mno_workflow.reminders.outbox import BACKOFF, MAX_ATTEMPTS, backoff


def test_schedule_values():
    got = [backoff(n) for n in range(1, 8)]
    assert got == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
                   timedelta(hours=12), timedelta(hours=12), timedelta(hours=12)]
    assert MAX_ATTEMPTS == 8
    assert sum((backoff(n) for n in range(1, MAX_ATTEMPTS)), timedelta()) == timedelta(hours=38, minutes=36)


@pytest.mark.parametrize("attempts", [0, -1])
def test_no_backoff_before_an_attempt(attempts):
    with pytest.raises(ValueError, match="at least 1"):
        backoff(attempts)


@given(st.integers(min_value=1, max_value=10_000))
def test_monotonic_and_capped(n):
    assert backoff(n) <= backoff(n + 1)
    assert timedelta(minutes=1) <= backoff(n) <= timedelta(hours=12) == BACKOFF[-1]


@given(st.lists(st.integers(min_value=1, max_value=24 * 60), min_size=1, max_size=8).map(sorted))
def test_any_sorted_schedule_is_followed_then_capped(minutes):
    schedule = tuple(timedelta(minutes=m) for m in minutes)
    for n in range(1, len(schedule) + 5):
        expected = schedule[min(n, len(schedule)) - 1]
        assert backoff(n, schedule) == expected
        assert backoff(n, schedule) <= schedule[-1]
