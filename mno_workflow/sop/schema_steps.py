"""Steps of the SOP language: forms and their typed fields, states (owner, deadline), transitions,
``for_each`` instances and reopening.

Part of :mod:`mno_workflow.sop.schema` (which re-exports every name here).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, Tag, model_validator

from .diagnostics import said
from .schema_base import Ident, Label, Strict, _shape
from .schema_deadlines import Deadline, NotifyTarget


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


class RowsFrom(Strict):
    """``rows_from: {step: referral, key: need}`` on a repeat field: a form opened fresh on the web
    page shows one row per instance of ``step`` (a ``for_each`` step) of the case, with the row's
    sub-field ``key`` (a choice field) set to that instance's key, and that field offers only those
    keys. Nothing is added to an API or CLI payload."""

    step: Ident
    key: Ident


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
    ``rows_from`` (repeat fields): the page opens the group with one row per instance of a
    ``for_each`` step, the row's ``key`` choice field set to the instance's key (:class:`RowsFrom`).
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
    rows_from: RowsFrom | None = None


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
    and info codes (``W1xx``) can be allowed, never errors. ``reason``: a label in the SOP's
    languages (``{fr: …, en: …}``, shown in the ``--lang`` language), or one text."""

    allow: list[Annotated[str, Field(pattern=r"^W\d{3}$")]] = Field(min_length=1)
    reason: Annotated[str, Field(min_length=3)] | Label


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
    follow-up visit) from the transition's form data. ``effective_at`` (``form.field``, a date or
    datetime field of the transition's form) says when the event really happened when that is
    not when it is typed — an answer given by phone and recorded later on the provider's behalf:
    the engine records that instant on the audit event (effect ``effective_at``) and the
    indicators count the transition at it (indicators/history.py; tryout 5, H21).
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
    effective_at: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")

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
    ``where_label`` says ``where`` in words for the documents (lint W126).
    """

    for_each: str = Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
    where: str | None = None
    where_label: Label | None = None
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
