"""Real types and readable date helpers for CEL conditions (``days_between``, ``working_days_between``).

Form data is stored as JSON (dates as ``"2025-07-01"``, datetimes as ISO instants). Before a
condition runs, :func:`typed` turns the values of ``date`` and ``datetime`` fields (found from the
SOP's form definitions, repeat groups and ``item`` included) and ``today`` / ``now`` into CEL
timestamps: a **date** is the timestamp of its midnight UTC (``timestamp('2025-07-01T00:00:00Z')``),
a **datetime** its instant, ``today`` the SOP-local date (as a date), ``now`` the current instant.
So ``intake.return_date <= today``, ``now - report.incident_at < duration('72h')`` and
``consent.expires_on >= today`` compare real values.

Helpers every condition may call (registered by :func:`functions`):

* ``days_between(a, b)`` → int: calendar days from the date of ``a`` to the date of ``b``
  (negative when ``b`` is earlier). A value at exactly midnight UTC counts as that date (it is a
  date field or ``today``); any other instant counts as its local date in the SOP time zone.
* ``working_days_between(a, b)`` → int: working days of the SOP calendar (work week, public holidays
  and administrator overrides) counted after ``a``'s date through ``b``'s date
  (:meth:`mno_workflow.engine.calendar.BusinessCalendar.working_days_between`).

Both accept timestamps or ISO ``YYYY-MM-DD`` / datetime strings. "Seen within the last 10 days" is
``days_between(closure.last_seen_on, today) <= 10``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # pragma: no cover
    from .schema import SOP, FormField

# Key of the condition context holding the :class:`TypeEnv` (never visible to CEL).
ENV_KEY = "$env"
DATE_TYPES = ("date", "datetime")


@dataclass
class TypeEnv:
    """What a condition needs to see real types: ``forms`` = ``{form: {field: kind}}`` and
    ``items`` = ``{sub_field: kind}`` (repeat groups, i.e. ``item``) with kind ``date``,
    ``datetime`` or ``repeat:<form>.<field>``; ``timezone`` of the SOP; ``calendar`` a factory of the
    SOP's :class:`~mno_workflow.engine.calendar.BusinessCalendar` (called at most once)."""

    forms: dict[str, dict[str, str]]
    items: dict[str, str]
    timezone: str = "UTC"
    calendar: Callable[[], Any] | None = None
    _cal: Any = field(default=None, repr=False)
    _functions: Any = field(default=None, repr=False)  # functions(self), built once

    def business_calendar(self) -> Any:
        if self._cal is None:
            if self.calendar is not None:
                self._cal = self.calendar()
            else:
                from ..engine.calendar import BusinessCalendar
                self._cal = BusinessCalendar(self.timezone)
        return self._cal


def _kinds(fields: list[FormField], items: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in fields:
        if f.type in DATE_TYPES:
            out[f.id] = str(f.type)
        elif f.type == "repeat" and f.fields:
            out[f.id] = "repeat"
            sub = _kinds(f.fields, items)
            items.update({k: v for k, v in sub.items() if v in DATE_TYPES})
            out.update({f"{f.id}[]{k}": v for k, v in sub.items()})
    return out


_KINDS: dict[tuple, tuple[dict, dict]] = {}


def type_env(sop: SOP, calendar: Callable[[], Any] | None = None) -> TypeEnv:
    """The :class:`TypeEnv` of ``sop`` (``calendar``: factory of its business calendar, e.g. with
    the stored holiday overrides; when it is absent or returns None: the SOP's calendar block
    without overrides)."""
    key = (sop.sop, sop.version, id(sop))
    if key not in _KINDS:
        items: dict[str, str] = {}
        forms = {fid: _kinds(form.fields, items) for fid, form in sop.forms.items()}
        if len(_KINDS) > 256:
            _KINDS.clear()
        _KINDS[key] = (forms, items)
    forms, items = _KINDS[key]
    given = calendar

    def factory() -> Any:  # the caller's calendar (with overrides), else the SOP's calendar block
        cal = given() if given is not None else None
        if cal is None:
            from ..engine.calendar import BusinessCalendar
            cal = BusinessCalendar.from_sop(sop.calendar)
        return cal
    return TypeEnv(forms, items, sop.calendar.timezone, factory)


def as_instant(value: Any, kind: str = "datetime") -> Any:
    """A ``date`` / ISO text as an aware UTC datetime (midnight UTC for a date); other values as they
    are (a value that does not parse stays text, so the condition reports a type error)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=UTC)
    if isinstance(value, str):
        try:
            if kind == "date" or len(value) == 10:
                return datetime.combine(date.fromisoformat(value[:10]), time(0), tzinfo=UTC)
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
        except ValueError:
            return value
    return value


def _typed_record(data: Any, kinds: dict[str, str], prefix: str = "") -> Any:
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for key, value in data.items():
        kind = kinds.get(prefix + key)
        if kind in DATE_TYPES and value is not None:
            out[key] = as_instant(value, kind)
        elif kind == "repeat" and isinstance(value, list):
            out[key] = [_typed_record(v, kinds, f"{prefix}{key}[]") for v in value]
    return out


def typed(context: dict[str, Any]) -> dict[str, Any]:
    """``context`` with date/datetime values as instants (see the module doc); the
    :data:`ENV_KEY` entry is removed. Without it, only ``today`` and ``now`` are typed."""
    env: TypeEnv | None = context.get(ENV_KEY)
    out = {k: v for k, v in context.items() if k != ENV_KEY}
    if env is not None:
        forms = env.forms
        for fid in [k for k in out if k in forms]:  # the names present (fewer than the forms)
            out[fid] = _typed_record(out[fid], forms[fid])
        if isinstance(out.get("item"), dict):
            out["item"] = _typed_record(out["item"], env.items)
    if "today" in out:
        out["today"] = as_instant(out["today"], "date")
    if "now" in out:
        out["now"] = as_instant(out["now"])
    return out


def _day(value: Any, tz: str) -> date:
    inst = as_instant(value)
    if not isinstance(inst, datetime):
        raise ValueError(f"not a date: {value!r}")
    if inst.astimezone(UTC).time() == time(0):
        return inst.astimezone(UTC).date()
    return inst.astimezone(ZoneInfo(tz)).date()


def functions(env: TypeEnv | None) -> dict[str, Callable[..., Any]]:
    """The helper functions of the module doc, bound to ``env`` (SOP time zone and calendar)."""
    if env is not None and env._functions is not None:
        return env._functions
    tz = env.timezone if env else "UTC"

    def days_between(a: Any, b: Any) -> int:
        return (_day(b, tz) - _day(a, tz)).days

    def working_days_between(a: Any, b: Any) -> int:
        cal = env.business_calendar() if env else TypeEnv({}, {}).business_calendar()
        da, db = _day(a, tz), _day(b, tz)
        return cal.working_days_between(cal.start_of_day(da), cal.start_of_day(db))

    made = {"days_between": days_between, "working_days_between": working_days_between}
    if env is not None:
        env._functions = made
    return made


FUNCTION_NAMES = frozenset({"days_between", "working_days_between"})
