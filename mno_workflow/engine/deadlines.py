"""Pure deadline math for SOP states: the due instant and the reminder instants of a ``Deadline``.

No database and no clock here: the engine calls these functions inside the transition that enters
a state and stores the results as deadline rows; the sweeper only compares them with ``now``.
All instants returned are aware UTC datetimes. ``data`` is the case data as
``{form_id: {field_id: value}}``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any

from mno_workflow.engine.calendar import BusinessCalendar
from mno_workflow.engine.clock import require_aware
from mno_workflow.engine.deadline_errors import (
    CapConditionError,
    DeadlineError,
    InvalidStartError,
    MissingFieldError,
    UnknownChoiceError,
)
from mno_workflow.sop.schema import ByField, Cap, Deadline, Duration, Unit

__all__ = [
    "DeadlineError",
    "CapConditionError",
    "cap_applies",
    "due_in_force",
    "InvalidStartError",
    "MissingFieldError",
    "UnknownChoiceError",
    "due_at",
    "extend",
    "later_of",
    "reminder_instants",
    "resolve_duration",
    "resume_after_pause",
    "start_instant",
]

_REMIND_RE = re.compile(r"^\s*(?:(\d{1,3})\s*%|(?:every\s+)?(\d+\s*[^\d%]+?)\s+(before|after))\s*$")
MAX_REPEATS = 10  # a repeated reminder ("every 2 days after") is planned at most this many times
#: Key of ``data`` holding ``{"step.state": aware entered_at}`` for ``start: steps.<step>.<state>``
#: (filled by :func:`mno_workflow.engine.step_start.with_step_instants`).
STEP_INSTANTS = "$entered"


def _lookup(data: dict[str, dict[str, Any]], path: str) -> Any:
    form, field = path.split(".", 1)
    values = data.get(form) or {}
    return values.get(field)


def resolve_duration(deadline: Deadline, data: dict[str, dict[str, Any]]) -> Duration:
    """The deadline's period: ``within`` itself, or for a :class:`ByField` the case chosen by the
    value at ``by`` (``form.field``) in ``data``.

    Raises :class:`MissingFieldError` if that value is absent/None/empty and
    :class:`UnknownChoiceError` if it is not one of the listed codes (both name the field).
    """
    within = deadline.within
    if isinstance(within, Duration):
        return within
    assert isinstance(within, ByField)
    value = _lookup(data, within.by)
    if value is None or value == "":
        raise MissingFieldError(within.by, "it chooses the deadline's duration")
    if not isinstance(value, str) or value not in within.cases:
        raise UnknownChoiceError(within.by, value, sorted(within.cases))
    return within.cases[value]


def start_instant(
    deadline: Deadline,
    entered_at: datetime,
    data: dict[str, dict[str, Any]],
    calendar: BusinessCalendar,
) -> datetime:
    """When the deadline's clock starts, aware UTC.

    ``start`` None or ``"entered"``: ``entered_at`` (aware; naive → ValueError). ``start:
    steps.<step>.<state>``: the instant under ``data[STEP_INSTANTS]`` (see
    :mod:`mno_workflow.engine.step_start`; absent → :class:`MissingFieldError`). ``start:
    form.field``: the field's value in ``data``: a ``date`` (or ISO ``YYYY-MM-DD`` string) means
    local midnight of that date in the SOP time zone; an aware ``datetime`` is used as is; a naive
    ``datetime`` (or ISO string without offset) is read as local wall time of the SOP time zone.
    Raises :class:`MissingFieldError` if absent and :class:`InvalidStartError` if not a date.
    """
    entered = require_aware(entered_at, "entered_at")
    if deadline.start is None or deadline.start == "entered":
        return entered
    field = deadline.start
    if field.startswith("steps."):  # when another step entered a state (issue 13)
        at = (data.get(STEP_INSTANTS) or {}).get(field[len("steps."):])
        if at is None:
            raise MissingFieldError(field, "the deadline starts when that step entered that state")
        return require_aware(at, field).astimezone(UTC)
    value = _lookup(data, field)
    if value is None or value == "":
        raise MissingFieldError(field, "the deadline starts at that date")
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value or " " in value.strip() \
                else date.fromisoformat(value)
        except ValueError:
            raise InvalidStartError(field, value) from None
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return calendar.from_local(value)
        return value.astimezone(UTC)
    if isinstance(value, date):
        return calendar.start_of_day(value)
    raise InvalidStartError(field, value)


def due_at(
    deadline: Deadline,
    entered_at: datetime,
    data: dict[str, dict[str, Any]],
    calendar: BusinessCalendar,
) -> datetime:
    """The due instant (aware UTC): ``calendar.add(start_instant, resolve_duration, cutoff)``.

    See :meth:`BusinessCalendar.add` for each unit; the cut-off only affects day-based units.
    From a date-only ``start`` field D: days/weeks/months are due at the **end** of local day
    D+N (``15 days`` of 1 July → end of 16 July), working days at the end of the Nth working
    day after D, hours/minutes from local midnight of D; the cut-off does not apply.
    Raises the errors of :func:`resolve_duration` and :func:`start_instant`.
    """
    start = start_instant(deadline, entered_at, data, calendar)
    duration = resolve_duration(deadline, data)
    if starts_on_a_date(deadline, data):
        # "within N days of date D" includes day D+N to its end; there is no time of day for a
        # cut-off to compare with, so none applies.
        if duration.unit in (Unit.days, Unit.weeks, Unit.months):
            return calendar.end_of_day(calendar.local_date(calendar.add(start, duration)))
        return calendar.add(start, duration)
    return calendar.add(start, duration, cutoff=deadline.cutoff)


def cap_start(deadline: Deadline, cap: Cap) -> str | None:
    """Where ``cap``'s clock starts: its own ``start``, else the deadline's."""
    return cap.start or deadline.start


def cap_applies(deadline: Deadline, cap: Cap, data: dict[str, Any]) -> bool:
    """Whether ``cap`` (an entry of the deadline's ``no_later_than``) counts for this case: its
    start has a value in ``data`` (a field, the need's ``item.field``, or a step's state under
    ``STEP_INSTANTS``; the state's entry always has one) and its ``when`` holds on ``data`` (the
    CEL context). Raises :class:`CapConditionError` when ``when`` cannot be evaluated."""
    start = cap_start(deadline, cap)
    if start and start != "entered":
        if start.startswith("steps."):
            if (data.get(STEP_INSTANTS) or {}).get(start[len("steps."):]) is None:
                return False
        else:
            value = _lookup(data, start)
            if value is None or value == "":
                return False
    if cap.when:
        from ..sop.expr import compile_expr
        try:
            return bool(compile_expr(cap.when).holds(data))
        except Exception as e:  # noqa: BLE001 — any CEL failure: the deadline is not armed
            raise CapConditionError(cap.when, str(e)) from None
    return True


def cap_deadline(deadline: Deadline, cap: Cap) -> Deadline:
    """``cap`` as a plain :class:`Deadline` (its ``within``, its start or the deadline's;
    reminders, expiry and the rest stay the state's)."""
    return deadline.model_copy(update={"within": cap.within, "start": cap_start(deadline, cap),
                                       "no_later_than": [], "cutoff": None})


def due_in_force(
    deadline: Deadline,
    entered_at: datetime,
    data: dict[str, Any],
    calendar: BusinessCalendar,
) -> tuple[datetime, Deadline]:
    """The due instant (aware UTC) with ``no_later_than`` applied, and the rule that decided it:
    ``deadline`` itself, or the :func:`cap_deadline` of the earliest cap that applies
    (:func:`cap_applies`) when it falls earlier. "3 working days from sending, no later than 72
    hours after the incident": an incident on Mon 30 Nov 2026 22:00 UTC sent on Wed 2 Dec 09:00
    is due Thu 3 Dec 22:00. Raises the errors of :func:`due_at` (for a cap too, once it applies)
    and :class:`CapConditionError`."""
    due, rule = due_at(deadline, entered_at, data, calendar), deadline
    for cap in deadline.no_later_than:
        if not cap_applies(deadline, cap, data):
            continue
        capped = cap_deadline(deadline, cap)
        at = due_at(capped, entered_at, data, calendar)
        if at < due:
            due, rule = at, capped
    return due, rule


def starts_on_a_date(deadline: Deadline, data: dict[str, dict[str, Any]]) -> bool:
    """Whether the deadline's clock starts at a date-only field value (``2025-07-01``, a
    ``date``), not at an instant."""
    if deadline.start is None or deadline.start == "entered" or deadline.start.startswith("steps."):
        return False
    value = _lookup(data, deadline.start)
    if isinstance(value, datetime):
        return False
    if isinstance(value, date):
        return True
    return isinstance(value, str) and "T" not in value and " " not in value.strip()


DAY_UNITS = (Unit.days, Unit.weeks, Unit.months, Unit.working_days)


def reminder_instants(
    deadline: Deadline, start: datetime, due: datetime, calendar: BusinessCalendar,
    unit: Unit | None = None, reminder_time: time = time(8, 0),
) -> list[tuple[str, datetime]]:
    """``[(offset_text, instant), ...]`` for each ``remind`` entry, sorted by instant (aware UTC).

    ``unit`` is the deadline's unit (:func:`resolve_duration`; default: ``within``'s unit, working
    days for a ``by:`` deadline); ``reminder_time`` the SOP's
    ``calendar.reminder_time`` (local, default 08:00).

    Deadlines in **minutes/hours** (emergencies): every reminder is exact: ``N%`` of the elapsed
    time, ``N hours before/after`` exact, ``N days before/after`` the same local wall-clock time.

    Deadlines in **days, weeks, months, working days**: reminders are for people at work:

    * ``N%`` and ``N <day unit> before`` land at ``reminder_time`` of the working day that
      contains (or, on a non-working day, precedes) the raw instant (50 % of ten working days from
      Fri 18 Apr 2025 10:00 → Fri 25 Apr 08:00; "1 working day before" an end-of-Tuesday due →
      Monday 08:00); if that is not after ``start``, the next working day's ``reminder_time``
      (when still before ``due``); else, for calendar-day units only, ``reminder_time`` of the
      raw instant's own date (a two-day deadline over a weekend); else none;
    * ``N <day unit> after`` (and repeats ``every N <unit> after``) land at ``reminder_time`` of
      the target date, moved to the next working day when it is not one;
    * ``N hours/minutes before/after``: exact.

    A repeat ``every N <unit> after`` gives at most :data:`MAX_REPEATS` instants, the k-th
    computed from ``due`` with k×N (never from the previous repeat), so a daily 02:30 keeps 02:30
    local across DST (30 March: 03:30, the gap; 31 March: 02:30 again). Reminders at or before
    ``start`` are left out; duplicates (two repeats moved to the same Monday) are merged.
    """
    start_utc, due_utc = require_aware(start, "start"), require_aware(due, "due")
    if unit is None:
        unit = deadline.within.unit if isinstance(deadline.within, Duration) else Unit.working_days
    day_based = unit in DAY_UNITS
    out: list[tuple[str, datetime]] = []

    def snap_back(at: datetime) -> datetime | None:
        day = calendar.local_date(at)
        if not calendar.is_working_day(day):
            day = calendar.previous_working_day(day)
        snapped = calendar.from_local(datetime.combine(day, reminder_time))
        if snapped > start_utc:
            return snapped
        later = calendar.from_local(datetime.combine(calendar.next_working_day(day), reminder_time))
        if start_utc < later < due_utc:
            return later
        if unit is Unit.working_days:
            return None  # never on a non-working day
        # Calendar days (a 24/7 service): a short deadline over a weekend still gets its reminder.
        same_day = calendar.from_local(datetime.combine(calendar.local_date(at), reminder_time))
        return same_day if start_utc < same_day < due_utc else None

    def snap_forward(day: date) -> datetime:
        return calendar.from_local(datetime.combine(calendar.next_working_day(day, inclusive=True),
                                                    reminder_time))

    for text in deadline.remind:
        m = _REMIND_RE.match(str(text).lower())
        if not m:
            raise ValueError(f"invalid reminder {text!r}")
        if m.group(1):
            at: datetime | None = start_utc + (due_utc - start_utc) * int(m.group(1)) / 100
            if day_based:
                at = snap_back(at)
            if at is not None and at > start_utc:
                out.append((text, at))
            continue
        offset = Duration.model_validate(m.group(2))
        snaps = day_based and offset.unit in DAY_UNITS
        if str(text).strip().lower().startswith("every"):
            seen: set[datetime] = set()
            for k in range(1, MAX_REPEATS + 1):
                at = _after(due_utc, Duration(amount=offset.amount * k, unit=offset.unit), calendar)
                if snaps:
                    at = snap_forward(calendar.local_date(at))
                if at not in seen and at > due_utc:
                    seen.add(at)
                    out.append((text, at))
            continue
        if m.group(3) == "before":
            at = calendar.subtract(due_utc, offset)
            if snaps:
                at = snap_back(at)
        else:
            at = _after(due_utc, offset, calendar)
            if snaps:
                at = snap_forward(calendar.local_date(at))
        if at is not None and at > start_utc:
            out.append((text, at))
    out.sort(key=lambda pair: pair[1])
    return out


def _after(due: datetime, offset: Duration, calendar: BusinessCalendar) -> datetime:
    if offset.unit is Unit.working_days:
        return calendar.shift_working_days(due, offset.amount)
    return calendar.add(due, offset)


def extend(due: datetime, duration: Duration, calendar: BusinessCalendar) -> datetime:
    """A deadline extended by ``duration``: ``calendar.add(due, duration)``, aware UTC.

    For working days this is the end of the Nth working day after the old due date (an end-of-day
    due of Tuesday + 2 working days → end of Thursday). The reason is the caller's to record.
    """
    return calendar.add(due, duration)


def resume_after_pause(
    due: datetime,
    paused_at: datetime,
    resumed_at: datetime,
    calendar: BusinessCalendar,
    unit: Unit,
) -> datetime:
    """The due instant after a pause from ``paused_at`` to ``resumed_at``, aware UTC.

    ``unit`` is the deadline's unit. Working days: ``due`` moves by the working days the pause
    covered (``working_days_between(paused_at, resumed_at)``, i.e. the working days after the pause
    day up to and including the resume day), keeping its local time. Every other unit: ``due`` moves
    by the exact elapsed time of the pause. Raises ValueError if ``resumed_at < paused_at``.
    """
    due_utc = require_aware(due, "due")
    p, r = require_aware(paused_at, "paused_at"), require_aware(resumed_at, "resumed_at")
    if r < p:
        raise ValueError(f"resumed_at {r.isoformat()} is before paused_at {p.isoformat()}")
    if unit is Unit.working_days:
        return calendar.shift_working_days(due_utc, calendar.working_days_between(p, r))
    return due_utc + (r - p)


def later_of(minimum_due: datetime, event_at: datetime | None) -> datetime | None:
    """A minimum period that also waits for an event ("at least 30 days and until the decision,
    whichever is later"): ``max(minimum_due, event_at)``, or None while the event has not happened
    (the period is then still open: nothing is due yet). Aware UTC.
    """
    due_utc = require_aware(minimum_due, "minimum_due")
    if event_at is None:
        return None
    return max(due_utc, require_aware(event_at, "event_at"))
