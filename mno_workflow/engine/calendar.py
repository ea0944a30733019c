"""The SOP's business calendar: local time, work week, public holidays and deadline arithmetic.

A :class:`BusinessCalendar` is built from the SOP's ``calendar:`` block (IANA time zone, ``holidays``
code ``BF`` or ``GB-ENG``, work week, extra holidays and observance, see
:mod:`mno_workflow.engine.holiday_sources`)
plus administrator :class:`HolidayOverride` rows (an Eid confirmed after
the moon sighting, an estimated date removed). Every method takes aware instants and returns aware
**UTC** datetimes; dates (``datetime.date``) are local dates of the SOP time zone.

The counting rules (what "N working days after" means, cut-off times, DST) are documented with a
table in ``docs/working-days.md``; the short version:

* minutes, hours: exact elapsed time;
* days, weeks: same local wall-clock time N days later (DST-safe); months: same local day of the
  month, clamped to the month's end;
* working days: due at the **end** (23:59:59.999999 local) of the Nth counted working day; day one
  is the first working day *after* the start's local date; with a cut-off time, a start on a
  working day strictly before the cut-off makes that day day one;
* days/weeks/months with a cut-off: calendar days, day one the start's date before the cut-off,
  else the next calendar date; due at the end of day N.
"""

from __future__ import annotations

import calendar as _stdcal
import threading
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, model_validator

from mno_workflow.engine.clock import require_aware
from mno_workflow.engine.holiday_sources import check_code, year_holidays
from mno_workflow.sop.schema import Calendar, Duration, Unit

__all__ = ["WEEKDAYS", "BusinessCalendar", "HolidayOverride", "add_months"]

WEEKDAYS: dict[str, int] = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}

# Safety net: a calendar whose overrides make years of consecutive days non-working is a data error.
_MAX_NON_WORKING_RUN = 3 * 366


class HolidayOverride(BaseModel):
    """An administrator's correction of the holiday list, stored by the caller (e.g. in a table).

    ``action="add"``: ``date`` is a holiday named ``name`` (a confirmed Eid, an exceptional day off);
    ``action="remove"``: ``date`` is *not* a holiday even if the ``holidays`` package says so (an
    estimate that turned out wrong); ``name`` is then an optional note. Moving a holiday is one
    ``remove`` plus one ``add``. When several overrides name the same date, the last one wins.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: date
    name: str = ""
    action: Literal["add", "remove"] = "add"

    @model_validator(mode="after")
    def _name_for_add(self) -> HolidayOverride:
        if self.action == "add" and not self.name.strip():
            raise ValueError(f"holiday override for {self.date}: an added holiday needs a name")
        return self


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months (may be negative), clamped to the month's end.

    >>> add_months(date(2025, 1, 31), 1)
    datetime.date(2025, 2, 28)
    """
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, _stdcal.monthrange(year, month)[1]))


class BusinessCalendar:
    """Work week, public holidays and time zone of one SOP, with deadline arithmetic.

    Holidays of the ``holidays`` package are loaded lazily, one year at a time, in ``language``
    (French by default); ``overrides`` are applied on top. Instances are safe to share between
    threads and hold no reference to a database.

    Raises ValueError for an unknown time zone or country code, an empty or invalid work week.
    """

    def __init__(
        self,
        timezone: str = "UTC",
        country: str | None = None,
        workweek: Iterable[str] = ("mon", "tue", "wed", "thu", "fri"),
        overrides: Iterable[HolidayOverride] = (),
        language: str = "fr",
        extra: Iterable = (),
        observed: dict[str, str] | None = None,
    ) -> None:
        try:
            self.tz = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {timezone!r} (use an IANA name like "
                             "'Africa/Ouagadougou')") from exc
        self.timezone = timezone
        days = list(workweek)
        unknown = [d for d in days if d not in WEEKDAYS]
        if unknown:
            raise ValueError(f"unknown work-week days {unknown}: use {list(WEEKDAYS)}")
        if not days:
            raise ValueError("the work week is empty: no day would ever be a working day")
        self.workweek: frozenset[int] = frozenset(WEEKDAYS[d] for d in days)
        self.country = country
        self.language = language
        if country is not None:
            check_code(country)
        self.extra = tuple(extra)
        self.observed = dict(observed or {})
        self._added: dict[date, str] = {}
        self._removed: set[date] = set()
        for o in overrides:
            if o.action == "add":
                self._added[o.date] = o.name
                self._removed.discard(o.date)
            else:
                self._removed.add(o.date)
                self._added.pop(o.date, None)
        self.reminder_time: time = time(8, 0)  # local time of "before" reminders (SOP setting)
        self._years: dict[int, dict[date, str]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_sop(
        cls, calendar: Calendar, overrides: Iterable[HolidayOverride] = (), language: str = "fr"
    ) -> BusinessCalendar:
        """Build the calendar of an SOP's ``calendar:`` block plus administrator overrides."""
        cal = cls(calendar.timezone, calendar.holidays, calendar.workweek, overrides, language,
                  calendar.extra_holidays, calendar.observed)
        cal.reminder_time = calendar.reminder_time
        return cal

    def __repr__(self) -> str:
        week = [k for k, v in WEEKDAYS.items() if v in self.workweek]
        return (f"BusinessCalendar(timezone={self.timezone!r}, country={self.country!r}, "
                f"workweek={week}, overrides={len(self._added) + len(self._removed)})")

    # ----------------------------------------------------------------- local time
    def local(self, instant: datetime) -> datetime:
        """``instant`` (aware) as an aware datetime in the SOP time zone. Naive → ValueError."""
        return require_aware(instant).astimezone(self.tz)

    def from_local(self, wall: datetime) -> datetime:
        """A local wall-clock time (naive, SOP time zone) as an aware UTC instant.

        A wall time skipped by a DST jump (02:30 on 30 March 2025 in Europe/Paris) is moved forward
        by the jump (03:30 CEST); a repeated one (02:30 on 26 October 2025) is its first occurrence.
        """
        if wall.tzinfo is not None:
            raise ValueError(f"from_local() takes a naive local wall time, got {wall.isoformat()}")
        return wall.replace(tzinfo=self.tz, fold=0).astimezone(UTC)

    def start_of_day(self, day: date) -> datetime:
        """Local midnight at the start of ``day`` (a local date), as aware UTC."""
        return self.from_local(datetime.combine(day, time.min))

    def end_of_day(self, day: date) -> datetime:
        """The last microsecond of ``day`` (23:59:59.999999 local), as aware UTC."""
        return self.from_local(datetime.combine(day, time.max))

    def local_date(self, instant: datetime) -> date:
        """The local date (SOP time zone) of an aware instant."""
        return self.local(instant).date()

    # ------------------------------------------------------------------- holidays
    def _year(self, year: int) -> dict[date, str]:
        table = self._years.get(year)
        if table is None:
            with self._lock:
                table = self._years.get(year)
                if table is None:
                    table = year_holidays(self.country, year, self.language, self.extra,
                                          self.observed)
                    self._years[year] = table
        return table

    @staticmethod
    def _as_date(day: date) -> date:
        if isinstance(day, datetime):
            raise TypeError("pass a local date, not a datetime (use local_date(instant) first)")
        return day

    def holiday_name(self, day: date) -> str | None:
        """The holiday's name on local date ``day`` (in the calendar's language), or None."""
        day = self._as_date(day)
        if day in self._added:
            return self._added[day]
        if day in self._removed:
            return None
        return self._year(day.year).get(day)

    def holidays_between(self, first: date, last: date) -> list[tuple[date, str]]:
        """Holidays (after overrides) from ``first`` to ``last`` inclusive, sorted by date."""
        found: dict[date, str] = {}
        for year in range(first.year, last.year + 1):
            found.update({d: n for d, n in self._year(year).items() if d not in self._removed})
        found.update(self._added)
        return sorted((d, n) for d, n in found.items() if first <= d <= last)

    def is_working_day(self, day: date) -> bool:
        """True if local date ``day`` is in the work week and not a holiday."""
        day = self._as_date(day)
        return day.weekday() in self.workweek and self.holiday_name(day) is None

    def next_working_day(self, day: date, *, inclusive: bool = False) -> date:
        """The first working day after ``day`` (or ``day`` itself if ``inclusive`` and working)."""
        d = day if inclusive else day + timedelta(days=1)
        for _ in range(_MAX_NON_WORKING_RUN):
            if self.is_working_day(d):
                return d
            d += timedelta(days=1)
        raise ValueError(f"no working day within {_MAX_NON_WORKING_RUN} days after {day}")

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before ``day``."""
        d = day - timedelta(days=1)
        for _ in range(_MAX_NON_WORKING_RUN):
            if self.is_working_day(d):
                return d
            d -= timedelta(days=1)
        raise ValueError(f"no working day within {_MAX_NON_WORKING_RUN} days before {day}")

    # ------------------------------------------------------------- working days
    def first_counted_day(self, instant: datetime, cutoff: time | None = None) -> date:
        """Day one of a count starting at ``instant`` (a local working day).

        Without ``cutoff``: the first working day after the instant's local date (the start day
        never counts). With ``cutoff`` (local time, e.g. 13:00): the start's own date if it is a
        working day and the local time is strictly before the cut-off; otherwise the next working
        day. No cut-off behaves exactly like a cut-off at 00:00.
        """
        local = self.local(instant)
        day = local.date()
        if cutoff is not None and local.time() < cutoff.replace(tzinfo=None):
            return self.next_working_day(day, inclusive=True)
        return self.next_working_day(day)

    def add_working_days(self, instant: datetime, n: int, cutoff: time | None = None) -> datetime:
        """Due instant of "``n`` working days after ``instant``", aware UTC.

        The end (23:59:59.999999 local) of the ``n``-th counted working day, day one being
        :meth:`first_counted_day`. ``n == 0`` returns ``instant`` unchanged (as UTC).
        Raises ValueError for a negative ``n`` or a naive ``instant``.
        """
        if n < 0:
            raise ValueError(f"n must be ≥ 0, got {n} (use shift_working_days to go back)")
        start = require_aware(instant)
        if n == 0:
            return start
        day = self.first_counted_day(start, cutoff)
        for _ in range(n - 1):
            day = self.next_working_day(day)
        return self.end_of_day(day)

    def shift_working_days(self, instant: datetime, n: int) -> datetime:
        """Same local wall-clock time on the ``n``-th working day after (n > 0) or before (n < 0)
        the instant's local date, aware UTC. Used for reminders ("1 working day before").

        Counting starts from the instant's date whether or not it is a working day; ``n == 0``
        returns the instant. DST gaps move forward, repeated times take the first occurrence.
        """
        local = self.local(instant)
        if n == 0:
            return local.astimezone(UTC)
        day = local.date()
        step = self.next_working_day if n > 0 else self.previous_working_day
        for _ in range(abs(n)):
            day = step(day)
        return self.from_local(datetime.combine(day, local.time().replace(tzinfo=None)))

    def working_days_between(self, a: datetime, b: datetime, cutoff: time | None = None) -> int:
        """Ordinal of ``b``'s local day in the working-day count started at ``a`` (an int).

        That is the number of working days from :meth:`first_counted_day` (``a``, ``cutoff``)
        through ``b``'s local date inclusive: 0 while still before day one, 1 during day one, and so
        on; ``working_days_between(a, add_working_days(a, n)) == n``. If ``b`` is before ``a`` the
        result is ``-working_days_between(b, a, cutoff)``. Calendar-day based: only dates (and the
        cut-off for ``a``) matter, not the time of day of ``b``.
        """
        a_utc, b_utc = require_aware(a, "a"), require_aware(b, "b")
        if b_utc < a_utc:
            return -self.working_days_between(b_utc, a_utc, cutoff)
        day = self.first_counted_day(a_utc, cutoff)
        last = self.local_date(b_utc)
        count = 0
        while day <= last:
            count += 1
            day = self.next_working_day(day)
        return count

    # ------------------------------------------------------------------ durations
    def _shift_wall(self, instant: datetime, *, days: int = 0, months: int = 0) -> datetime:
        local = self.local(instant)
        wall = local.replace(tzinfo=None)
        if months:
            wall = datetime.combine(add_months(wall.date(), months), wall.time())
        return self.from_local(wall + timedelta(days=days))

    def add(self, instant: datetime, duration: Duration, cutoff: time | None = None) -> datetime:
        """Due instant of ``duration`` after ``instant``, aware UTC.

        * ``minutes``/``hours``: exact elapsed time (a DST night has 23 or 25 hours); ``cutoff`` is
          ignored (an emergency does not wait for office hours).
        * ``days``/``weeks`` without cut-off: same local wall-clock time N×1 / N×7 days later.
        * ``months`` without cut-off: same local time, same day of month, clamped to the month end
          (31 January + 1 month → 28 February).
        * ``working_days``: :meth:`add_working_days`.
        * ``days``/``weeks``/``months`` **with** a cut-off: whole calendar days, day one being the
          start's local date if the local time is before the cut-off, else the next calendar date
          (the cut-off applies to the unit of the deadline: calendar days move to the next
          calendar day, working days to the next working day); due at the end of day N (for
          months: of the day before the same day of month N months after day one).

        ``amount == 0`` returns ``instant``. Raises ValueError for a naive instant.
        """
        start = require_aware(instant)
        n, unit = duration.amount, duration.unit
        if n == 0:
            return start
        if unit is Unit.minutes:
            return start + timedelta(minutes=n)
        if unit is Unit.hours:
            return start + timedelta(hours=n)
        if unit is Unit.working_days:
            return self.add_working_days(start, n, cutoff)
        if cutoff is not None:
            # Calendar-day units count calendar days: before the cut-off the start's own date is
            # day one, otherwise the next calendar date (a 24/7 service works on weekends).
            local = self.local(start)
            day_one = local.date() if local.time() < cutoff.replace(tzinfo=None) \
                else local.date() + timedelta(days=1)
            if unit is Unit.months:
                last = add_months(day_one, n) - timedelta(days=1)
            else:
                last = day_one + timedelta(days=(n if unit is Unit.days else 7 * n) - 1)
            return self.end_of_day(last)
        if unit is Unit.months:
            return self._shift_wall(start, months=n)
        return self._shift_wall(start, days=n if unit is Unit.days else 7 * n)

    def subtract(self, instant: datetime, duration: Duration) -> datetime:
        """``duration`` before ``instant``, aware UTC (for reminders such as "2 days before").

        Minutes/hours: exact elapsed time; days/weeks/months: same local wall-clock time earlier
        (months clamped to the month end); working days: :meth:`shift_working_days` with ``-N``.
        """
        start = require_aware(instant)
        n, unit = duration.amount, duration.unit
        if unit is Unit.minutes:
            return start - timedelta(minutes=n)
        if unit is Unit.hours:
            return start - timedelta(hours=n)
        if unit is Unit.working_days:
            return self.shift_working_days(start, -n)
        if unit is Unit.months:
            return self._shift_wall(start, months=-n)
        return self._shift_wall(start, days=-n if unit is Unit.days else -7 * n)
