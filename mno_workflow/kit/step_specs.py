"""The steps of a scenario file as strict models: what ``create``, ``fire``, ``advance``, ``expect``,
``extend`` and ``reopen`` accept, and the refusal codes a step may expect (split from
:mod:`.model`, which re-exports them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from ..sop.diagnostics import said_fr
from ..sop.schema import Duration

ERROR_CODES = ("trigger_not_allowed", "role_not_allowed", "guard_not_met", "guard_error", "form_invalid",
               "case_closed", "ambiguous_instance", "case_not_found", "stale_version", "sop_not_found")
ErrorCode = Literal["trigger_not_allowed", "role_not_allowed", "guard_not_met", "guard_error", "form_invalid",
                    "case_closed", "ambiguous_instance", "case_not_found", "stale_version", "sop_not_found"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ErrorSpec(Strict):
    """An expected refusal: its ``code``, optionally a form ``field`` in error and a part of the
    French ``message``."""

    code: ErrorCode
    field: str | None = None
    message: str | None = None


ExpectedError = ErrorCode | ErrorSpec


class CreateArgs(Strict):
    actor: str = Field(alias="as")
    assignee: str | None = None
    entry: str | None = None          # an SOP entry (a first responder's alert): engine/alerts.py
    data: dict[str, Any] = {}         # the entry form's fields
    expect_error: ExpectedError | None = None


class CreateStep(Strict):
    create: CreateArgs


class FireStep(Strict):
    fire: str
    actor: str = Field(alias="as")
    instance: str | None = None
    data: dict[str, Any] = {}
    expect_error: ExpectedError | None = None


class AdvanceArgs(Strict):
    """``until`` an instant, or ``by`` a duration (``3 working days``, ``36 hours``)."""

    until: AwareDatetime | None = None
    by: Duration | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, datetime):
            return {"until": value}
        if isinstance(value, str | int):
            return {"by": value}
        return value

    @model_validator(mode="after")
    def _one(self) -> AdvanceArgs:
        if (self.until is None) == (self.by is None):
            raise ValueError(said_fr(
                "indiquer soit une durée (« 3 working days »), soit « until: <instant> »"))
        return self


class AdvanceStep(Strict):
    advance: AdvanceArgs


class ExtendArgs(Strict):
    instance: str
    by: str
    reason: str
    actor: str = Field(alias="as")
    from_due: bool = False
    expect_error: ExpectedError | None = None


class ExtendStep(Strict):
    extend: ExtendArgs


class ReopenArgs(Strict):
    actor: str = Field(alias="as")
    reason: str
    expect_error: ExpectedError | None = None


class ReopenStep(Strict):
    reopen: ReopenArgs


# An instant, or a date: "some time that local day" (the SOP calendar's time zone), handy for
# working-day deadlines that fall due at the end of a day.
When = AwareDatetime | date


class Exp(Strict):
    """Base of the items an ``expect`` step lists (reminders, escalations, automatic triggers,
    outbox messages, deadlines): a field left out (``None``) is not checked. Each subclass
    declares its own fields, in the order failure messages show them."""

    def given(self) -> dict[str, Any]:
        """The fields the scenario wrote (``{name: value}``, declaration order, ``None`` left out)."""
        return self.model_dump(exclude_none=True)


class ReminderExp(Exp):
    to: str | None = None
    instance: str | None = None
    state: str | None = None
    offset: str | None = None
    at: When | None = None
    late: bool | None = None


class EscalationExp(Exp):
    to: str | None = None
    instance: str | None = None
    state: str | None = None
    at: When | None = None
    late: bool | None = None


class AutoFiredExp(Exp):
    trigger: str | None = None
    instance: str | None = None
    state: str | None = None
    at: When | None = None
    ok: bool | None = None


class OutboxExp(Exp):
    kind: str | None = None
    role: str | None = None
    user: str | None = None
    channel: str | None = None
    instance: str | None = None
    late: bool | None = None


class DeadlineExp(Exp):
    """The running deadline of ``instance``: its ``due`` instant (``null``: none is running) and,
    optionally, the pending ``reminders`` as ``{offset: instant}``."""

    instance: str
    due: When | None
    state: str | None = None
    reminders: dict[str, When] | None = None


class Expectations(Strict):
    """What must be true now. Lists of reminders, escalations and automatic triggers are exact:
    exactly these happened since the previous ``expect`` (``[]``: none). ``outbox`` lists
    messages that must be among those written since the previous ``expect``."""

    states: dict[str, str | None] | None = None
    case: Literal["open", "closed"] | None = None
    now: AwareDatetime | None = None
    data: dict[str, Any] | None = None
    reminders: list[ReminderExp] | None = None
    escalations: list[EscalationExp] | None = None
    auto_fired: list[AutoFiredExp] | None = None
    outbox: list[OutboxExp] | None = None
    deadline: DeadlineExp | list[DeadlineExp] | None = None


class ExpectStep(Strict):
    expect: Expectations


STEP_KINDS: dict[str, type[BaseModel]] = {
    "create": CreateStep, "fire": FireStep, "advance": AdvanceStep, "expect": ExpectStep,
    "extend": ExtendStep, "reopen": ReopenStep,
}
