"""Deadlines on the states of the SOP language: duration (fixed, by a field, or the directory's
response time), start, cut-off, reminders, what happens on expiry and who else is told.

Part of :mod:`mno_workflow.sop.schema` (which re-exports every name here).
"""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, Any, Literal

from pydantic import Field, Tag, field_validator, model_validator

from .diagnostics import said
from .schema_base import ByField, Duration, Ident, Label, Strict, _shape


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


class Cap(Strict):
    """A latest instant for a deadline (an entry of ``no_later_than``): ``within`` (a
    :class:`Duration` or a :class:`ByField`) counted from ``start`` — a date or datetime field of
    a form (``form.field``), of the need the instance is for (``item.field``), when another step
    entered a state (``steps.<step>.<state>``), or, when left out, the deadline's own start.
    ``when`` (CEL, said by ``when_label``) limits it to the cases where it holds.

    A cap applies to a case only when its ``start`` has a value there and its ``when`` holds: "3
    working days, and no later than 72 hours after the incident" (an immediate GBV referral has
    an incident date, the others none: DOMAIN, post-rape care within 72 h counted from the
    incident); "and no later than 24 hours for an immediate need" (``when: "item.spawned_by ==
    'refer_immediately'"``). The earliest instant of the deadline and its caps is the due one."""

    within: Annotated[Annotated[Duration, Tag("duration")] | Annotated[ByField, Tag("by_field")],
                      _shape("duration", "by_field", text_keys=frozenset({"amount", "unit"}))]
    start: str | None = Field(default=None, pattern=r"^(steps\.)?[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
    when: str | None = None
    when_label: Label | None = None


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
    ``no_later_than`` (a :class:`Cap` or a list of them) brings the due instant forward to the
    earliest cap that applies, when it comes first ("3 working days, no later than 72 hours after
    the incident"); not with ``wait_for`` (a minimum period cannot also be a maximum).
    ``start`` and a cap's ``start`` may name ``item.field``: a date of the need an instance of a
    ``for_each`` step is for.
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
    no_later_than: list[Cap] = []

    @field_validator("no_later_than", mode="before")
    @classmethod
    def _one_cap(cls, value: Any) -> Any:
        """``no_later_than: {within, start}`` is a list of one."""
        return [value] if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _cap_not_minimum(self) -> Deadline:
        if self.no_later_than and self.wait_for:
            raise ValueError(said("'no_later_than' cannot go with 'wait_for': a minimum period that "
                                  "waits for an event has no latest instant"))
        return self

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
