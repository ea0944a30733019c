"""Scenario files: what an SOP author writes to test an SOP, loaded strictly with file:line:col.

A scenario is a YAML mapping (``scenario``, ``sop``, ``start``, optional ``users``, ``steps``).
Each step does one thing: ``create`` a case, ``fire`` a trigger, ``advance`` the simulated clock,
``expect`` what should be true, ``extend`` a deadline, ``reopen`` the case. Unknown keys, bad
values, and names the SOP does not know (triggers, steps, states, roles) are reported in French
as ``file:line:col`` :class:`~mno_workflow.sop.diagnostics.Diagnostic` objects, before anything
runs. Syntax errors come from the SOP loader's strict YAML parser (:func:`parse_yaml`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..sop.diagnostics import Diagnostic, SOPError, said_fr
from ..sop.loader import Positions, parse_yaml
from ..sop.schema import SOP, Duration

ERROR_CODES = ("trigger_not_allowed", "role_not_allowed", "guard_not_met", "guard_error", "form_invalid",
               "case_closed", "ambiguous_instance", "case_not_found", "stale_version", "sop_not_found")
ErrorCode = Literal["trigger_not_allowed", "role_not_allowed", "guard_not_met", "guard_error", "form_invalid",
                    "case_closed", "ambiguous_instance", "case_not_found", "stale_version", "sop_not_found"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class UserSpec(Strict):
    """A user of the scenario, written to the ``users`` table (recipients of messages)."""

    id: str = Field(min_length=1, max_length=100)
    role: str
    organisation: str | None = None
    region: str | None = None
    email: str | None = None
    language: Literal["fr", "en"] = "fr"
    name: str | None = None


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


class ReminderExp(Strict):
    to: str | None = None
    instance: str | None = None
    state: str | None = None
    offset: str | None = None
    at: When | None = None
    late: bool | None = None


class EscalationExp(Strict):
    to: str | None = None
    instance: str | None = None
    state: str | None = None
    at: When | None = None
    late: bool | None = None


class AutoFiredExp(Strict):
    trigger: str | None = None
    instance: str | None = None
    state: str | None = None
    at: When | None = None
    ok: bool | None = None


class OutboxExp(Strict):
    kind: str | None = None
    role: str | None = None
    user: str | None = None
    channel: str | None = None
    instance: str | None = None
    late: bool | None = None


class DeadlineExp(Strict):
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


class Header(Strict):
    scenario: str = Field(min_length=1)
    description: str | None = None
    sop: str = Field(min_length=1)
    start: AwareDatetime
    users: list[UserSpec] = []
    steps: list[Any] = Field(min_length=1)


@dataclass
class Step:
    """One step of a scenario: its 1-based ``number``, ``kind`` and position in the file."""

    number: int
    kind: str
    line: int
    col: int
    spec: Any
    path: tuple


@dataclass
class Scenario:
    path: str
    name: str
    sop_path: Path
    start: datetime
    users: list[UserSpec]
    steps: list[Step]
    positions: Positions = field(repr=False)
    description: str | None = None

    def diag(self, path: tuple, code: str, message: str, hint: str = "") -> Diagnostic:
        line, col = self.positions.of(path)
        return Diagnostic(self.path, line, col, "error", code, message, hint)


def _plain_values(value: Any) -> Any:
    """Dates and instants in form data become ISO text, as a web form would send them."""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_values(v) for v in value]
    return value


def _french(e: dict) -> tuple[str, Any]:
    kind, loc = e["type"], e["loc"]
    key = loc[-1] if loc else ""
    if kind == "extra_forbidden":
        return "S010", said_fr("clé inconnue « {key} »", key=key)
    if kind == "missing":
        return "S011", said_fr("clé obligatoire manquante « {key} »", key=key)
    if kind in ("timezone_aware", "datetime_type", "datetime_parsing", "datetime_from_date_parsing"):
        return "S012", said_fr("instant invalide : écrire par ex. 2025-06-02T08:00:00Z (avec le fuseau)")
    if kind == "literal_error":
        return "S012", said_fr("valeur invalide : attendu : {values}",
                               values=e["msg"].removeprefix("Input should be").strip())
    error = (e.get("ctx") or {}).get("error")
    inner = error.args[0] if isinstance(error, ValueError) and error.args else None
    return "S012", said_fr("valeur invalide : {error}",
                           error=inner if isinstance(inner, str) and hasattr(inner, "msgid")
                           else e["msg"].removeprefix("Value error, "))


def _diagnostics(err: ValidationError, file: str, prefix: tuple, pos: Positions) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    seen: set = set()
    for e in err.errors(include_url=False):
        loc = tuple(e["loc"])
        known: list = []
        for part in loc:
            cand = prefix + tuple(known) + (part,)
            if cand in pos.keys or cand in pos.values:
                known.append(part)
        code, message = _french(e)
        on_key = e["type"] == "extra_forbidden"
        line, col = pos.of(prefix + tuple(known), key=on_key)
        where = ".".join(str(p) for p in prefix + tuple(known))
        if (line, col, message) in seen:
            continue
        seen.add((line, col, message))
        out.append(Diagnostic(file, line, col, "error", code,
                              said_fr("{message} (à {where})", message=message, where=where) if where
                              else said_fr("{message} (à la racine)", message=message)))
    return out


_DATE_RE = re.compile(r"(?<![\w\"'])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w\"'])")


def _parse(text: str, path: str) -> tuple[Any, Positions]:
    """:func:`parse_yaml`, plus a position for a date that does not exist (30 February), which
    the YAML library refuses without saying where."""
    try:
        return parse_yaml(text, path)
    except ValueError as e:
        for n, line in enumerate(text.splitlines(), start=1):
            for m in _DATE_RE.finditer(line.split("#", 1)[0]):
                try:
                    date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                except ValueError:
                    raise SOPError([Diagnostic(
                        path, n, m.start() + 1, "error", "S001",
                        said_fr("date impossible « {date} » ({error})", date=m.group(0), error=str(e)),
                        said_fr("pour tester le refus d'une date invalide, l'écrire entre guillemets"))]) \
                        from None
        raise SOPError([Diagnostic(path, 1, 1, "error", "S001", said_fr("YAML invalide : {error}",
                                                                        error=str(e)))]) from None


def load_scenario_text(text: str, path: str = "<scénario>", base: Path | None = None) -> Scenario:
    """Parse and validate a scenario; ``base`` is the folder ``sop:`` is relative to (default: the
    file's). Raises :class:`SOPError` listing every problem with file:line:col."""
    data, pos = _parse(text, path)
    try:
        head = Header.model_validate(data)
    except ValidationError as e:
        diags = _diagnostics(e, path, (), pos)
        # Still report the steps' own errors, when the list of steps is there.
        if isinstance(data.get("steps"), list):
            diags += _validate_steps(data["steps"], path, pos)[1]
        raise SOPError(diags) from None
    steps, diags = _validate_steps(head.steps, path, pos)
    if diags:
        raise SOPError(diags)
    folder = base if base is not None else Path(path).resolve().parent
    sop_path = (folder / head.sop).resolve()
    return Scenario(path, head.scenario, sop_path, head.start, list(head.users), steps, pos, head.description)


def _validate_steps(raw_steps: list, path: str, pos: Positions) -> tuple[list[Step], list[Diagnostic]]:
    steps: list[Step] = []
    diags: list[Diagnostic] = []
    for i, raw in enumerate(raw_steps):
        where = ("steps", i)
        line, col = pos.of(where)
        if not isinstance(raw, dict):
            diags.append(Diagnostic(path, line, col, "error", "S020",
                                    said_fr("une étape est un dictionnaire (ex. « - fire: register »)")))
            continue
        kinds = [k for k in raw if k in STEP_KINDS]
        if len(kinds) != 1:
            what = ", ".join(STEP_KINDS)
            msg = (said_fr("étape sans action : commencer par l'une de {kinds}", kinds=what) if not kinds else
                   said_fr("une étape ne fait qu'une action, pas {kinds}", kinds=", ".join(kinds)))
            diags.append(Diagnostic(path, line, col, "error", "S021", msg))
            continue
        kind = kinds[0]
        raw = dict(raw)
        if kind == "fire" and "data" in raw:
            raw["data"] = _plain_values(raw["data"])
        try:
            spec = STEP_KINDS[kind].model_validate(raw)
        except ValidationError as e:
            diags += _diagnostics(e, path, where, pos)
            continue
        steps.append(Step(i + 1, kind, line, col, spec, where))
    return steps, diags


def load_scenario(path: str | Path) -> Scenario:
    """Read and load a scenario file (UTF-8). Raises :class:`SOPError`."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise SOPError([Diagnostic(str(path), 1, 1, "error", "S000",
                                   said_fr("fichier illisible : {error}", error=str(e)))]) from None
    return load_scenario_text(text, str(path), p.resolve().parent)


# -- checks against the SOP ----------------------------------------------------------------------
def actor_role(text: str, users: dict[str, UserSpec]) -> str | None:
    """The role of ``as:`` (``user:role[@org]`` or a declared user id), or None if unparsable."""
    if ":" in text:
        return text.split(":", 1)[1].partition("@")[0] or None
    return users[text].role if text in users else None


def check_against_sop(scn: Scenario, sop: SOP) -> list[Diagnostic]:
    """Names the SOP does not know: triggers, steps, states, roles (each with file:line:col)."""
    out: list[Diagnostic] = []
    users = {u.id: u for u in scn.users}
    triggers = {t.trigger for st in sop.steps.values() for t in st.transitions}
    roles = set(sop.roles)

    def role_ok(text: str, where: tuple) -> None:
        role = actor_role(text, users)
        if role is None:
            out.append(scn.diag(where, "S030", said_fr(
                "« {text} » : écrire utilisateur:rôle, utilisateur:rôle@organisation, ou l'identifiant "
                "d'un utilisateur déclaré", text=text)))
        elif role not in roles:
            out.append(scn.diag(where, "S031", said_fr("rôle inconnu « {role} » (rôles de la POS : {roles})",
                                                       role=role, roles=", ".join(sorted(roles)))))

    def instance_ok(text: str, where: tuple) -> str | None:
        step = text.split(":", 1)[0]
        if step in sop.steps:
            return step
        if ":" in text:
            out.append(scn.diag(where, "S032", said_fr("étape inconnue « {step} » (étapes : {steps})",
                                                       step=step, steps=", ".join(sop.steps))))
        return None

    def state_ok(step: str | None, state: str | None, where: tuple) -> None:
        if step is None or state is None:
            if state is not None and not any(state in st.states for st in sop.steps.values()):
                out.append(scn.diag(where, "S033", said_fr("état inconnu « {state} »", state=state)))
            return
        if state not in sop.steps[step].states:
            out.append(scn.diag(where, "S033", said_fr("état inconnu « {state} » pour l'étape {step} "
                                                       "(états : {states})", state=state, step=step,
                                                       states=", ".join(sop.steps[step].states))))

    for i, u in enumerate(scn.users):
        if u.role not in roles:
            out.append(scn.diag(("users", i, "role"), "S031",
                                said_fr("rôle inconnu « {role} »", role=u.role)))
    for st in scn.steps:
        s = st.spec
        if st.kind == "create":
            role_ok(s.create.actor, st.path + ("create", "as"))
        elif st.kind == "fire":
            role_ok(s.actor, st.path + ("as",))
            if s.fire not in triggers:
                out.append(scn.diag(st.path + ("fire",), "S034", said_fr(
                    "action inconnue « {trigger} » (actions de la POS : {triggers})", trigger=s.fire,
                    triggers=", ".join(sorted(triggers)))))
            if s.instance:
                instance_ok(s.instance, st.path + ("instance",))
        elif st.kind == "extend":
            role_ok(s.extend.actor, st.path + ("extend", "as"))
            instance_ok(s.extend.instance, st.path + ("extend", "instance"))
            try:
                Duration.model_validate(s.extend.by)
            except ValueError:
                pass  # the engine's refusal (form_invalid) is what a scenario may test
        elif st.kind == "reopen":
            role_ok(s.reopen.actor, st.path + ("reopen", "as"))
        elif st.kind == "expect":
            ex = s.expect
            base = st.path + ("expect",)
            for key, state in (ex.states or {}).items():
                step = instance_ok(key, base + ("states", key))
                if step is None and key not in sop.steps and ":" not in key:
                    out.append(scn.diag(base + ("states", key), "S032", said_fr("étape inconnue « {step} »",
                                                                                 step=key)))
                state_ok(step, state, base + ("states", key))
            for name in ("reminders", "escalations", "auto_fired"):
                for j, item in enumerate(getattr(ex, name) or []):
                    step = instance_ok(item.instance, base + (name, j, "instance")) if item.instance else None
                    state_ok(step, item.state, base + (name, j, "state"))
                    to = getattr(item, "to", None)
                    if to is not None and to not in roles:
                        out.append(scn.diag(base + (name, j, "to"), "S031",
                                            said_fr("rôle inconnu « {role} »", role=to)))
            for j, item in enumerate(ex.outbox or []):
                if item.role is not None and item.role not in roles:
                    out.append(scn.diag(base + ("outbox", j, "role"), "S031",
                                        said_fr("rôle inconnu « {role} »", role=item.role)))
            dls = ex.deadline if isinstance(ex.deadline, list) else [ex.deadline] if ex.deadline else []
            for j, d in enumerate(dls):
                where = base + ("deadline", j) if isinstance(ex.deadline, list) else base + ("deadline",)
                step = instance_ok(d.instance, where + ("instance",))
                state_ok(step, d.state, where + ("state",))
    return out
