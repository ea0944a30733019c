"""Pydantic models of the SOP language: the format-neutral model every other part reads.

Shapes only; cross-references (a transition naming an unknown state, a form naming an unknown
option list...) are checked by :mod:`mno_workflow.sop.lint`, which knows the YAML positions.

Durations are written as ``"<amount> <unit>"`` where the unit is one of ``minutes``, ``hours``,
``days`` (calendar days), ``working days`` (the SOP calendar's work week and public holidays),
``weeks`` or ``months`` (singular accepted). See DESIGN.md, "The SOP language".
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date as _date
from datetime import time
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    field_validator,
    model_serializer,
    model_validator,
)

from .diagnostics import said

IDENT_RE = r"^[a-z][a-z0-9_]*$"
Ident = Annotated[str, Field(pattern=IDENT_RE, max_length=64)]

# A label in every language the SOP lists: {fr: "...", en: "..."}. Languages are checked by lint.
Label = dict[str, str]


class Strict(BaseModel):
    """Base for every model of the language: unknown keys are errors, models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Unit(StrEnum):
    minutes = "minutes"
    hours = "hours"
    days = "days"
    working_days = "working_days"
    weeks = "weeks"
    months = "months"


_UNIT_WORDS = {
    "minute": Unit.minutes, "minutes": Unit.minutes, "min": Unit.minutes,
    "hour": Unit.hours, "hours": Unit.hours, "h": Unit.hours,
    "day": Unit.days, "days": Unit.days,
    "working day": Unit.working_days, "working days": Unit.working_days,
    "business day": Unit.working_days, "business days": Unit.working_days,
    "week": Unit.weeks, "weeks": Unit.weeks,
    "month": Unit.months, "months": Unit.months,
    # French, as caseworkers type them ("jours ouvrables" and "jours ouvrés" both mean the
    # working days of the SOP calendar: its work week minus its public holidays).
    "heure": Unit.hours, "heures": Unit.hours,
    "jour": Unit.days, "jours": Unit.days,
    "jour ouvré": Unit.working_days, "jours ouvrés": Unit.working_days,
    "jour ouvrable": Unit.working_days, "jours ouvrables": Unit.working_days,
    "semaine": Unit.weeks, "semaines": Unit.weeks,
    "mois": Unit.months,
}
_DURATION_RE = re.compile(r"^\s*(\d+)\s*([^\d]+?)\s*$")


class Duration(Strict):
    """An amount of a unit, e.g. ``10 working days``. ``amount`` is a whole number ≥ 0.

    The one parser of typed durations (SOP YAML, CLI ``--by``, API, web forms, scenarios):
    English or French words, singular or plural, any case (``5 working days``, ``3 jours
    ouvrés``, ``3 jours ouvrables``, ``48 heures``, ``2 semaines``, ``1 mois``). Written back in
    English (``str()``). ValueError otherwise."""

    amount: int = Field(ge=0)
    unit: Unit

    @model_validator(mode="before")
    @classmethod
    def _parse_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            m = _DURATION_RE.match(unicodedata.normalize("NFC", value).lower())
            words = " ".join(m.group(2).replace("_", " ").split()) if m else ""
            if not m or words not in _UNIT_WORDS:
                raise ValueError(said(
                    "invalid duration {value!r}: write '<number> <unit>' with unit minutes, hours, "
                    "days, working days, weeks or months, in English or French (e.g. '10 working "
                    "days', '3 jours ouvrés', '48 heures', '2 semaines', '1 mois')", value=value))
            return {"amount": int(m.group(1)), "unit": _UNIT_WORDS[words]}
        return value

    def __str__(self) -> str:
        return f"{self.amount} {self.unit.value.replace('_', ' ')}"

    @model_serializer
    def _as_text(self) -> str:
        """Dumped as authors write it: ``"10 working days"``."""
        return str(self)


class ByField(Strict):
    """A duration chosen by the value of a choice field, e.g. referral deadline by priority.

    ``by`` is a field path ``form.field``; ``cases`` maps each option code to a duration.
    """

    by: str = Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
    cases: dict[str, Duration]


def _shape(text_tag: str, mapping_tag: str, list_tag: str | None = None,
           text_keys: frozenset[str] = frozenset()):
    """A discriminator choosing a union branch by the YAML shape (text, mapping or list), so an
    author's typo is reported against the shape they wrote, not against every alternative.
    A mapping with one of ``text_keys`` is the text form written out (e.g. amount/unit)."""
    def choose(value: Any) -> str:
        if isinstance(value, dict):
            return text_tag if text_keys & set(value) else mapping_tag
        if isinstance(value, BaseModel):
            return text_tag if text_keys & set(type(value).model_fields) else mapping_tag
        if list_tag and isinstance(value, list):
            return list_tag
        return text_tag
    return Discriminator(choose)


class Expiry(Strict):
    """What happens when a deadline passes: escalate to a role and/or fire a trigger."""

    escalate: Ident | None = None
    fire: Ident | None = None


class RoleFrom(Strict):
    """A notification target read from case data: ``role_from: form.field`` names a choice field
    whose value (an option code) is a role id of the SOP, e.g. the lead agency chosen at intake."""

    role_from: str = Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


# Who a ``notify:`` entry addresses: a role id, ``assignee`` (the case's assigned caseworker),
# ``recipient`` (the organisation a step instance is addressed to), or a role taken from case data.
NotifyTarget = Annotated[Annotated[Ident, Tag("name")] | Annotated[RoleFrom, Tag("role_from")],
                         _shape("name", "role_from")]


_REMIND_RE = re.compile(
    r"^\s*(?:(\d{1,3})\s*%|(?:every\s+)?(\d+\s*[^\d%]+?)\s+(before|after))\s*$"
)


class Deadline(Strict):
    """A deadline on a state.

    ``within`` is a :class:`Duration` or a :class:`ByField`; the clock starts when the state is
    entered, or at the date/datetime field named by ``start`` (``form.field``), or when another
    step entered a state (``start: steps.identification.identified``). ``cutoff``
    (local time of the SOP calendar, ``HH:MM``) moves a start after that time to the next working
    day. ``remind`` lists offsets: ``"50%"`` of the period elapsed, ``"1 working day before"``,
    ``"every 2 days after"`` (repeated after the due instant, at most 10 times, while the state
    lasts),
    ``"2 hours after"`` the due instant. ``extend_by`` lists the roles that may extend (or pause)
    it with a recorded reason (default: the escalation role). ``wait_for`` (CEL) makes it a
    minimum period that also waits for an event: ``on_expiry`` happens once the period is over
    *and* the condition holds, whichever is later (e.g. "at least 30 days and until the
    decision"). ``optional: true`` lets the state be entered without a deadline when the field it
    depends on is empty (recorded in the audit); otherwise the transition is refused
    (``deadline_not_armed``).
    ``until`` (CEL) ends the period early, as soon as it holds: "the earlier of 90
    days or the decision" (``on_expiry.fire`` runs then; see :mod:`mno_workflow.engine.until`).
    ``notify`` lists who else is told when it expires (like a transition's
    ``notify``: roles, ``assignee``, ``recipient``, ``{role_from: form.field}``).
    """

    within: Annotated[Annotated[Duration, Tag("duration")] | Annotated[ByField, Tag("by_field")],
                      _shape("duration", "by_field", text_keys=frozenset({"amount", "unit"}))]
    start: str | None = Field(default=None, pattern=r"^(entered|(steps\.)?[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*)$")
    cutoff: time | None = None
    remind: list[str] = []
    on_expiry: Expiry | None = None
    wait_for: str | None = None
    until: str | None = None
    extend_by: list[Ident] | None = None
    optional: bool = False
    notify: list[NotifyTarget] = []
    # ``within: {from_directory: response_time, default: <duration or by/cases>}`` is read as
    # ``from_directory: response_time`` with ``within`` = the default (see _from_directory).
    from_directory: Literal["response_time"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_directory(cls, value: Any) -> Any:
        """Provider service levels (issue 13): ``within: {from_directory: response_time,
        default: D}`` means "the directory's response time of the referral's service, else D";
        stored as ``from_directory`` beside ``within: D`` so every reader of ``within`` sees the
        SOP's default (diagrams, handbook, lint) and the engine alone looks the directory up
        (:mod:`mno_workflow.engine.service_levels`). ``default`` is required."""
        if isinstance(value, dict) and isinstance(value.get("within"), dict) \
                and "from_directory" in value["within"]:
            within = dict(value["within"])
            out = dict(value)
            out["from_directory"] = within.pop("from_directory")
            if "default" not in within:
                raise ValueError(said("within: {shape} needs a 'default' duration",
                                      shape="{from_directory: ...}"))
            out["within"] = within.pop("default")
            if within:
                raise ValueError(said("within: {shape} takes only 'default', not {keys}",
                                      shape="{from_directory: ...}", keys=str(sorted(within))))
            return out
        return value

    def extenders(self) -> list[str]:
        """Roles that may extend this deadline (with a reason): ``extend_by``, else the
        escalation role, else nobody."""
        if self.extend_by is not None:
            return list(self.extend_by)
        return [self.on_expiry.escalate] if self.on_expiry and self.on_expiry.escalate else []

    @field_validator("remind")
    @classmethod
    def _check_remind(cls, values: list[str]) -> list[str]:
        for v in values:
            m = _REMIND_RE.match(str(v).lower())
            if not m:
                raise ValueError(said(
                    "invalid reminder {value!r}: write '50%', '1 working day before', '2 hours after' "
                    "or 'every 2 days after'", value=v))
            if m.group(2):
                Duration.model_validate(m.group(2))
                if str(v).strip().lower().startswith("every") and m.group(3) != "after":
                    raise ValueError(said("invalid reminder {value!r}: a repeated reminder comes after the "
                                          "due time", value=v))
            elif not 0 < int(m.group(1)) < 100:
                raise ValueError(said("invalid reminder {value!r}: a percentage is between 1% and 99%",
                                      value=v))
        return values


class FieldType(StrEnum):
    text = "text"
    number = "number"
    integer = "integer"
    date = "date"
    datetime = "datetime"
    boolean = "boolean"
    choice = "choice"
    multi = "multi"
    phone = "phone"
    repeat = "repeat"


class Classification(StrEnum):
    personal = "personal"
    sensitive = "sensitive"
    shareable = "shareable"


class FormField(Strict):
    """One typed field of a form.

    Limits: ``min``/``max`` for numbers; ``max_length`` for text; ``not_future`` for dates
    (against the injected clock, in the SOP time zone); ``not_before`` names another date field
    (``form.field``) this one may not precede; ``min_items``/``max_items`` for repeat groups.
    ``relevant`` is a CEL condition: the field is asked (and required) only when it holds;
    ``relevant_label`` says it in words for paper forms and the SOP document (lint W126).
    ``default: today`` (date and datetime fields) pre-fills the form with today's date in the
    SOP time zone (a suggestion shown to the user, never stored unless submitted).
    ``category`` is the data category (a code of the consent form's ``data_categories`` option
    list) a ``personal`` or ``sensitive`` field belongs to: a provider sees the field only when the
    consent in force covers that category.
    """

    id: Ident
    type: FieldType
    label: Label
    help: Label | None = None
    required: bool = False
    options: Ident | None = None
    relevant: str | None = None
    relevant_label: Label | None = None
    classification: Classification = Classification.shareable
    category: Ident | None = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = Field(default=None, gt=0)
    not_future: bool = False
    not_before: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
    default: Literal["today"] | None = None
    fields: list[FormField] | None = None
    min_items: int | None = Field(default=None, ge=0)
    max_items: int | None = Field(default=None, ge=1)


class FormRule(Strict):
    """A cross-field rule: a CEL ``check`` over the form's fields; ``message`` when it fails."""

    check: str
    message: Label
    field: Ident | None = None


class Form(Strict):
    title: Label
    fields: list[FormField]
    rules: list[FormRule] = []


class LintAllow(Strict):
    """A design warning the SOP author accepts for one state, with the reason (printed by
    ``mno validate`` as a justified info line; ``--strict`` does not fail on it). Only warnings
    and info codes (``W1xx``) can be allowed, never errors."""

    allow: list[Annotated[str, Field(pattern=r"^W\d{3}$")]] = Field(min_length=1)
    reason: str = Field(min_length=3)


class OwnerBy(Strict):
    """An owner that depends on case data: ``by`` is a choice field (``form.field``) and ``cases``
    maps each of its option codes to a role, e.g. ``{by: intake.age_group, cases: {child:
    child_protection, adult: caseworker}}``."""

    by: str = Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
    cases: dict[str, Ident] = Field(min_length=1)


class State(Strict):
    """A state of a step. ``owner`` is the role the case waits for while in this state, or an
    :class:`OwnerBy` choosing it from case data; ``lint`` accepts named design warnings of this
    state with a reason (:class:`LintAllow`)."""

    label: Label
    initial: bool = False
    final: bool = False
    owner: Annotated[Annotated[Ident, Tag("role")] | Annotated[OwnerBy, Tag("by_field")],
                     _shape("role", "by_field")] | None = None
    deadline: Deadline | None = None
    lint: LintAllow | None = None

    @property
    def owner_roles(self) -> list[str]:
        """Every role that may own this state (one, or each case of an :class:`OwnerBy`)."""
        if self.owner is None:
            return []
        if isinstance(self.owner, str):
            return [self.owner]
        return list(dict.fromkeys(self.owner.cases.values()))

    def owner_for(self, data: dict[str, Any]) -> str | None:
        """The owner role for case data ``{form: {field: value}}``; ``None`` when an
        :class:`OwnerBy` field is empty or holds no listed code (the caller says so visibly)."""
        if self.owner is None or isinstance(self.owner, str):
            return self.owner
        form, _, field = self.owner.by.partition(".")
        value = (data.get(form) or {}).get(field)
        return self.owner.cases.get(value) if isinstance(value, str) else None


class Spawn(Strict):
    """Add instances to a running (or not yet started) ``for_each`` step when a transition happens:
    ``step`` is that step, ``from`` the data each new instance is for — a form id (its data is one
    item, e.g. an immediate need) or a repeat field ``form.field`` (one item per row, filtered by
    the target step's ``where``). See :mod:`mno_workflow.engine.spawn`."""

    step: Ident
    source: str = Field(alias="from", pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")


class Transition(Strict):
    """A transition of a step.

    ``source`` (YAML key ``from``) is a state, a list of states or ``"*"`` (every non-final
    state). ``internal: true`` (without ``to``) records data without changing state: no deadline
    is re-armed and no flow rule runs. ``by`` lists the roles that may fire it. ``form`` names the form
    whose data it requires, or a list of forms filled in one submission (``form: [a, b]``, each
    validated, nothing recorded if one fails, field ids different across them). ``when`` a CEL
    guard over case data, checked on the server;
    ``when_label`` says the condition in words (diagrams, handbook) and ``when_message`` explains
    a refusal to the user. ``notify`` lists who is told when it happens (through the outbox: in-app
    and e-mail, never case data): role ids, ``assignee``, ``recipient`` or ``{role_from: form.field}``.
    ``spawn`` adds instances to a ``for_each`` step (an immediate referral, a need found at a
    follow-up visit) from the transition's form data.
    """

    trigger: Ident
    label: Label
    source: Annotated[Annotated[str, Tag("state")] | Annotated[list[str], Tag("states")],
                      _shape("state", "state", "states")] = Field(alias="from")
    dest: Ident | None = Field(default=None, alias="to")
    internal: bool = False
    by: list[Ident] = Field(min_length=1)
    form: Annotated[Annotated[Ident, Tag("form")] | Annotated[list[Ident], Field(min_length=1), Tag("forms")],
                    _shape("form", "form", "forms")] | None = None
    when: str | None = None
    when_label: Label | None = None
    when_message: Label | None = None
    notify: list[NotifyTarget] = []
    spawn: Spawn | None = None

    @model_validator(mode="after")
    def _internal_has_no_dest(self) -> Transition:
        if self.internal and self.dest is not None:
            raise ValueError(said("an internal transition records data without changing state: remove 'to'"))
        if not self.internal and self.dest is None:
            raise ValueError(said("a transition needs 'to' (or 'internal: true' to record data only)"))
        return self

    @property
    def sources(self) -> list[str]:
        return [self.source] if isinstance(self.source, str) else list(self.source)

    @property
    def forms(self) -> list[str]:
        """The form ids of ``form`` in order (``[]`` without a form; one item for ``form: a``)."""
        if self.form is None:
            return []
        return [self.form] if isinstance(self.form, str) else list(self.form)


class ForEach(Strict):
    """Run one instance of a step per item of a repeat field (``form.field``) matching ``where``.

    ``key`` names the item's field used as the instance key (e.g. the need code).
    """

    for_each: str = Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
    where: str | None = None
    key: Ident | None = None


class Step(Strict):
    """A state machine with one initial state; ``recipient`` names the instance field
    (``form.field``) holding the organisation a provider-scoped role must belong to;
    ``disclosure`` is the CEL condition (consent) under which that organisation may see and act
    on the instance: when it stops holding (consent withdrawn), the provider loses access."""

    label: Label
    description: Label | None = None
    instances: Annotated[Annotated[Literal["single"], Tag("single")] | Annotated[ForEach, Tag("for_each")],
                         _shape("single", "for_each")] = "single"
    recipient: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
    # ``service``: the instance field (``form.field``) naming the directory service (its id) of the
    # recipient organisation; lets a deadline say ``within: {from_directory: response_time, ...}``.
    service: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
    disclosure: str | None = None
    states: dict[Ident, State]
    transitions: list[Transition]

    @property
    def initial_state(self) -> str:
        return next(name for name, s in self.states.items() if s.initial)

    @property
    def final_states(self) -> list[str]:
        return [name for name, s in self.states.items() if s.final]


class Reopen(Strict):
    """Who may reopen a closed case (with a reason) and which step it restarts in."""

    by: list[Ident] = Field(min_length=1)
    start: Ident


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


class Calendar(Strict):
    """The SOP's business calendar: IANA time zone, ``holidays`` code (ISO 3166-1 country ``BF``
    or ISO 3166-2 subdivision ``GB-ENG``; checked by lint, E038), work week, extra holidays and
    observance rules (``observed: {sun: mon}``: a holiday on a Sunday is also off the next
    Monday), the local time "before" reminders are sent (``reminder_time``, default 08:00) and
    the roles allowed to confirm, move or remove holidays of this calendar (``managed_by``;
    default: the SOP's roles named ``coordinator`` and ``supervisor``)."""

    timezone: str = "UTC"
    holidays: str | None = Field(default=None, pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
    workweek: list[Weekday] = ["mon", "tue", "wed", "thu", "fri"]
    extra_holidays: list[ExtraHoliday] = []
    observed: dict[Weekday, Weekday] = {}
    reminder_time: time = time(8, 0)
    managed_by: list[Ident] | None = None

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


from ..indicators.schema import Indicators  # noqa: E402  (needs Strict, Ident, Label above)
from .narrative import Chapter, GlossaryEntry, Narrative  # noqa: E402,F401  (the SOP document's text)
from .schema_entries import Entry  # noqa: E402  (needs Strict, Ident, Label above)
from .schema_protection import DataProtection  # noqa: E402  (needs Strict, Duration above)


class SOP(Strict):
    """A whole SOP document (one version)."""

    sop: Ident
    version: str = Field(min_length=1, max_length=32)
    imports: list[str] = []
    title: Label
    description: Label | None = None
    languages: list[str] = Field(min_length=1)
    calendar: Calendar = Calendar()
    roles: dict[Ident, Role]
    options: dict[Ident, dict[str, Label]] = {}
    forms: dict[Ident, Form] = {}
    start: Ident
    entries: dict[Ident, Entry] = {}  # other ways in than ``start`` (schema_entries.py)
    steps: dict[Ident, Step]
    flow: list[FlowRule] = []
    case_summary: CaseSummary = CaseSummary()
    reopen: Reopen | None = None
    data_protection: DataProtection | None = None
    retention: Retention | None = None
    # the SOP document's chapters inline, or narrative files (paths relative to the SOP file, each
    # with one top-level ``narrative:`` key) read when documents are made (render/narrative_text.py)
    narrative: Narrative | list[Annotated[str, Field(min_length=1)]] | None = None
    indicators: Indicators | None = None
    # set by the loader (sop/listed_narrative.py): the listed files' merged narrative as read with
    # the SOP (a stored version's stored texts), and the listed files an old version lacks
    _listed_narrative: Narrative | None = PrivateAttr(default=None)
    _unstored_narrative: tuple[str, ...] = PrivateAttr(default=())

    def __eq__(self, other: object) -> bool:
        """Equal content (the fields): where the loader read the narrative from does not count."""
        if not isinstance(other, SOP):
            return NotImplemented
        return type(self) is type(other) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return super().__hash__()

    @property
    def key(self) -> tuple[str, str]:
        return (self.sop, self.version)

    def label(self, label: Label | None, lang: str = "fr") -> str:
        """The text of ``label`` in ``lang``, falling back to French, then to any language."""
        if not label:
            return ""
        return label.get(lang) or label.get("fr") or next(iter(label.values()))


FormField.model_rebuild()
