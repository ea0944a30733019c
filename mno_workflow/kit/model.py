"""Scenario files: what an SOP author writes to test an SOP, loaded strictly with file:line:col.

A scenario is a YAML mapping (``scenario``, ``sop``, ``start``, optional ``users``, ``steps``).
Each step does one thing: ``create`` a case, ``fire`` a trigger, ``advance`` the simulated clock,
``expect`` what should be true, ``extend`` a deadline, ``reopen`` the case. Unknown keys, bad
values, and names the SOP does not know (triggers, steps, states, roles) are reported in French
as ``file:line:col`` :class:`~mno_workflow.sop.diagnostics.Diagnostic` objects, before anything
runs. Syntax errors come from the SOP loader's strict YAML parser (:func:`parse_yaml`).
The step models are in :mod:`.step_specs`, the checks against the SOP in :mod:`.sop_checks`
(both re-exported here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    Field,
    ValidationError,
    field_validator,
)

from ..sop.diagnostics import Diagnostic, SOPError, said_fr
from ..sop.loader import Positions, parse_yaml

# Re-exported (the module was split at ~400 lines): step models from step_specs, SOP checks below.
from .step_specs import (  # noqa: F401
    ERROR_CODES,
    STEP_KINDS,
    AdvanceArgs,
    AdvanceStep,
    AutoFiredExp,
    CreateArgs,
    CreateStep,
    DeadlineExp,
    ErrorCode,
    ErrorSpec,
    EscalationExp,
    Exp,
    Expectations,
    ExpectedError,
    ExpectStep,
    ExtendArgs,
    ExtendStep,
    FireStep,
    OutboxExp,
    ReminderExp,
    ReopenArgs,
    ReopenStep,
    Strict,
    When,
)


class UserSpec(Strict):
    """A user of the scenario, written to the ``users`` table (recipients of messages)."""

    id: str = Field(min_length=1, max_length=100)
    role: str
    organisation: str | None = None
    region: str | None = None
    email: str | None = None
    language: Literal["fr", "en"] = "fr"
    name: str | None = None


class Header(Strict):
    # The title: one text (French), or one per language like the SOP's labels ({fr: …, en: …}).
    scenario: Annotated[dict[Literal["fr", "en"], Annotated[str, Field(min_length=1)]], Field(min_length=1)]
    description: str | None = None
    sop: str = Field(min_length=1)
    start: AwareDatetime
    users: list[UserSpec] = []
    steps: list[Any] = Field(min_length=1)

    @field_validator("scenario", mode="before")
    @classmethod
    def _one_text_is_french(cls, value: Any) -> Any:
        return {"fr": value} if isinstance(value, str) else value


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
    titles: dict[str, str] = field(default_factory=dict)  # {"fr": …, "en": …}: the title per language

    def title(self, lang: str = "fr") -> str:
        """The title in ``lang``; the French one (``name``) when the file has none in ``lang``."""
        return self.titles.get(lang) or self.name

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
    except ValueError:
        for n, line in enumerate(text.splitlines(), start=1):
            for m in _DATE_RE.finditer(line.split("#", 1)[0]):
                try:
                    date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                except ValueError:
                    raise SOPError([Diagnostic(
                        path, n, m.start() + 1, "error", "S001",
                        said_fr("date impossible « {date} »", date=m.group(0)),
                        said_fr("pour tester le refus d'une date invalide, l'écrire entre guillemets"))]) \
                        from None
        raise SOPError([Diagnostic(path, 1, 1, "error", "S001", said_fr(
            "YAML invalide : une valeur n'est pas acceptée (date, nombre ou texte à mettre entre "
            "guillemets ?)"))]) from None


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
    titles = dict(head.scenario)
    name = titles.get("fr") or next(iter(titles.values()))
    return Scenario(path, name, sop_path, head.start, list(head.users), steps, pos, head.description, titles)


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
        from ..i18n.files import file_error
        raise SOPError([Diagnostic(str(path), 1, 1, "error", "S000", file_error(path, e))]) from None
    return load_scenario_text(text, str(path), p.resolve().parent)


from .sop_checks import actor_role, check_against_sop  # noqa: E402, F401  (needs Scenario, UserSpec)
