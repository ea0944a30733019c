"""Injectable clocks: the only way engine code reads "now", so tests can move time deterministically.

Every clock returns aware UTC datetimes. Naive datetimes are refused with :class:`ValueError`
everywhere in this module: an instant without a time zone is ambiguous.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from mno_workflow.engine.calendar import BusinessCalendar
    from mno_workflow.sop.schema import Duration

__all__ = ["Clock", "SimulatedClock", "SystemClock", "require_aware"]


def require_aware(instant: datetime, what: str = "instant") -> datetime:
    """Return ``instant`` converted to UTC; raise ValueError if it is naive (no tzinfo/offset)."""
    if not isinstance(instant, datetime):
        raise TypeError(f"{what} must be a datetime, not {type(instant).__name__}")
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{what} {instant.isoformat()} is naive: give a time-zone aware datetime")
    return instant.astimezone(UTC)


@runtime_checkable
class Clock(Protocol):
    """Anything with ``now()`` returning the current instant as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real wall clock (``datetime.now(UTC)``)."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class SimulatedClock:
    """A clock that only moves when told to: for tests, simulations and replays.

    ``start`` must be aware (any time zone; it is stored as UTC). Time never moves by itself.
    """

    def __init__(self, start: datetime) -> None:
        self._now = require_aware(start, "start")

    def now(self) -> datetime:
        """The simulated instant, aware UTC."""
        return self._now

    def set(self, instant: datetime) -> datetime:
        """Jump to ``instant`` (aware; may be earlier than now) and return it as UTC."""
        self._now = require_aware(instant)
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by exact elapsed time ``delta`` (≥ 0) and return the new now.

        Raises ValueError for a negative ``delta``: use :meth:`set` to go back in time explicitly.
        """
        if delta < timedelta(0):
            raise ValueError(f"cannot advance by a negative duration {delta}; use set() to go back")
        self._now = self._now + delta
        return self._now

    def advance_duration(self, duration: Duration, calendar: BusinessCalendar) -> datetime:
        """Move to ``calendar.add(now, duration)`` and return it, e.g. "advance 3 working days".

        Uses the deadline arithmetic of :meth:`BusinessCalendar.add`, so advancing by a deadline's
        duration lands exactly on that deadline's due instant (for working days: the end of the
        Nth working day, local time).
        """
        self._now = calendar.add(self._now, duration)
        return self._now

    def __repr__(self) -> str:
        return f"SimulatedClock({self._now.isoformat()})"
