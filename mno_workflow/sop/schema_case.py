"""Case-wide settings of the SOP language: data retention, the flow rules chaining the steps,
roles, the business calendar (time zone, holidays, work week) and the case summary fields.

Part of :mod:`mno_workflow.sop.schema` (which re-exports every name here).
"""

from __future__ import annotations

import re
from datetime import date as _date
from datetime import time
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from .diagnostics import said
from .schema_base import Ident, Label, Strict

_PERIOD_RE = re.compile(r"^\s*(\d+)\s*(years?|months?|days?)\s*$")


class Retention(Strict):
    """How long personal data are kept (law 001-2021/AN, IOM principle "retention").

    ``purge_after_closure``: ``"<n> years"``, ``"<n> months"`` or ``"<n> days"`` (calendar units,
    counted from the instant the case was closed; 29 February + 1 year = 28 February); fields whose
    ``classification`` is in ``classifications`` are then replaced by tombstones in the case data
    and in the audit events (``mno retention run``). ``erase_by``: roles that may erase a person's
    data earlier, at their request (``mno case erase REF --reason``)."""

    purge_after_closure: str
    classifications: list[Literal["personal", "sensitive"]] = Field(
        default=["personal", "sensitive"], min_length=1)
    erase_by: list[Ident] = []

    @field_validator("purge_after_closure")
    @classmethod
    def _check_period(cls, value: str) -> str:
        if not _PERIOD_RE.match(str(value).lower()):
            raise ValueError(said("invalid period {value!r}: write '<number> years', '<number> months' "
                                  "or '<number> days' (e.g. '5 years')", value=value))
        return value

    def period(self) -> tuple[int, str]:
        """(amount, unit) with unit ``years``, ``months`` or ``days``."""
        m = _PERIOD_RE.match(self.purge_after_closure.lower())
        assert m is not None  # checked at load
        unit = m.group(2) if m.group(2).endswith("s") else m.group(2) + "s"
        return int(m.group(1)), unit


class FlowRule(Strict):
    """How steps chain: ``after`` is ``step.state`` (an instance entered that state) or
    ``step.all_final`` (every instance of the step is final) or ``step.any_final``; then
    ``start`` a step and/or ``close_case``, when the CEL condition ``when`` (if any) holds. A step is
    started once per case: a rule whose step already ran does nothing (reopening a case restarts a
    step explicitly). ``when_label`` says the condition in words for documents (lint W126)."""

    after: str = Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
    when: str | None = None
    when_label: Label | None = None
    start: Ident | None = None
    close_case: bool = False

    @model_validator(mode="after")
    def _does_something(self) -> FlowRule:
        if self.start is None and not self.close_case:
            raise ValueError(said("a flow rule needs 'start' or 'close_case: true'"))
        return self


class Role(Strict):
    """A role. ``scope``: ``all`` cases, only cases ``assigned`` to the user, or only step
    instances whose ``recipient`` is the user's organisation; ``reporter``: opens cases only
    through an ``entries`` entry and sees only the entry step's state of the cases it opened
    (a first responder's alerts)."""

    label: Label
    scope: Literal["all", "assigned", "recipient", "reporter"] = "all"


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class ExtraHoliday(Strict):
    """A public holiday the SOP adds to the ``holidays`` package: one ``date`` (``2025-06-02``) or
    a yearly ``every: "MM-DD"`` (optionally ``since``/``until`` a year), with a ``name`` label."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              json_schema_extra={"oneOf": [{"required": ["date"]}, {"required": ["every"]}]})

    date: _date | None = None
    every: str | None = Field(default=None, pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
    since: int | None = None
    until: int | None = None
    name: Label

    @model_validator(mode="after")
    def _one_kind(self) -> ExtraHoliday:
        if (self.date is None) == (self.every is None):
            raise ValueError(said("an extra holiday has either 'date' (one day) or 'every' (MM-DD, yearly)"))
        return self


#: a ``holidays`` code: ISO 3166-1 alpha-2 country, optionally an ISO 3166-2 subdivision
HOLIDAYS_CODE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")


class Calendar(Strict):
    """The SOP's business calendar: IANA time zone, ``holidays`` code (ISO 3166-1 country ``BF``
    or ISO 3166-2 subdivision ``GB-ENG``; checked by lint, E038), work week, extra holidays and
    observance rules (``observed: {sun: mon}``: a holiday on a Sunday is also off the next
    Monday), the local time "before" reminders are sent (``reminder_time``, default 08:00) and
    the roles allowed to confirm, move or remove holidays of this calendar (``managed_by``;
    default: the SOP's roles named ``coordinator`` and ``supervisor``)."""

    timezone: str = "UTC"
    holidays: str | None = Field(default=None, json_schema_extra={"pattern": HOLIDAYS_CODE.pattern})
    workweek: list[Weekday] = ["mon", "tue", "wed", "thu", "fri"]
    extra_holidays: list[ExtraHoliday] = []
    observed: dict[Weekday, Weekday] = {}
    reminder_time: time = time(8, 0)
    managed_by: list[Ident] | None = None

    @field_validator("holidays")
    @classmethod
    def _holidays_code(cls, value: str | None) -> str | None:
        """The shape of a ``holidays`` code, said in words (tryout 3, F4: a regex was shown for
        ``NIG``); a three-letter ISO code the ``holidays`` package knows names its two-letter
        one (``NER`` → ``NE``). Whether the package knows the country is lint E038."""
        if value is None or HOLIDAYS_CODE.match(value):
            return value
        import holidays as package

        if HOLIDAYS_CODE.match(value.upper()):  # written in small letters
            raise ValueError(said("{code!r} is not a holidays code: write it in capitals, {near!r}",
                                  code=value, near=value.upper()))
        alias = getattr(package, value.upper(), None) if value.isalpha() else None
        near = getattr(alias, "country", None)
        if isinstance(near, str):  # a three-letter ISO code the package knows
            raise ValueError(said("{code!r} is not a holidays code: write the two-letter ISO 3166 code, "
                                  "{near!r}", code=value, near=near))
        raise ValueError(said("{code!r} is not a holidays code: write a two-letter ISO 3166 country "
                              "code (e.g. BF, NE, FR) or a subdivision (e.g. GB-ENG)", code=value))

    def managers(self, roles: Any = ()) -> list[str]:
        """Roles that may change this calendar's holidays: ``managed_by``, else those of
        ``roles`` named ``coordinator`` or ``supervisor``."""
        if self.managed_by is not None:
            return list(self.managed_by)
        return [r for r in ("coordinator", "supervisor") if r in roles]

    @property
    def key(self) -> str:
        """The key of administrator holiday overrides: the ``holidays`` code (``GB-ENG``), or
        ``"-"`` for a calendar without public holidays."""
        return self.holidays or "-"


class CaseSummary(Strict):
    """Which fields name a case in lists and search (``name``: field paths joined with spaces)
    and give its ``region`` (a choice field path); all ``form.field``. ``birth_date``,
    ``estimated_age`` and ``phone`` (optional) feed the duplicate check at registration (same
    folded name + birth date or estimated age ± 2 years + region, or same phone)."""

    name: list[str] = []
    region: str | None = None
    birth_date: str | None = None
    estimated_age: str | None = None
    phone: str | None = None
