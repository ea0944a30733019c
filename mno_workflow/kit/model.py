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

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    Field,
    ValidationError,
    field_validator,
)

from ..sop.diagnostics import Diagnostic, SOPError, said_fr
from ..sop.loader import BadDateError, Positions, parse_yaml

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
    """Code and message of one pydantic error: pydantic's English said with the SOP loader's
    words (:func:`~mno_workflow.i18n.pydantic_words.said_error`, every language)."""
    from ..i18n.pydantic_words import said_error
    kind, loc = e["type"], e["loc"]
    key = loc[-1] if loc else ""
    if kind == "extra_forbidden":
        return "S010", said_fr("clé inconnue « {key} »", key=key)
    if kind == "missing":
        return "S011", said_fr("clé obligatoire manquante « {key} »", key=key)
    words = said_error(e)
    impossible = "outside expected range" in str((e.get("ctx") or {}).get("error", ""))  # 30 February
    if kind == "timezone_aware" or (not impossible and kind in (
            "datetime_type", "datetime_parsing", "datetime_from_date_parsing")):
        return "S012", said_fr("instant invalide : écrire par ex. 2025-06-02T08:00:00Z (avec le fuseau)")
    if words is None:  # an uncommon error: pydantic's text, without its "Value error, "
        words = e["msg"].removeprefix("Value error, ")
    return "S012", said_fr("valeur invalide : {error}", error=words)


def _diagnostics(err: ValidationError, file: str, prefix: tuple, pos: Positions) -> list[Diagnostic]:
    """S010/S011/S012 of one model's errors, placed as the SOP loader places its own
    (:func:`~mno_workflow.sop.schema_errors.placed_errors`): one value error per place (the
    branches of ``instant or date`` say the same), each missing key."""
    from ..sop.schema_errors import missing_where, placed_errors
    out: list[Diagnostic] = []
    seen: set = set()
    for p in placed_errors(err, pos, prefix):
        code, message = _french(p.error)
        line, col = pos.of(p.path, key=p.kind == "extra_forbidden")
        where = ".".join(str(x) for x in missing_where(p))
        sig = (line, col, code, message if code != "S012" else None)
        if sig in seen:
            continue
        seen.add(sig)
        out.append(Diagnostic(file, line, col, "error", code,
                              said_fr("{message} (à {where})", message=message, where=where) if where
                              else said_fr("{message} (à la racine)", message=message)))
    return out


def _parse(text: str, path: str) -> tuple[Any, Positions, list[Diagnostic]]:
    """:func:`parse_yaml`, reading on past a date that does not exist (30 February), which YAML
    refuses with the whole file: each is an S001 at its place and is read as quoted text, so
    the file's other errors are said in the same run (tryout 4, G20)."""
    found: list[Diagnostic] = []
    for _ in range(50):
        try:
            data, pos = parse_yaml(text, path)
            return data, pos, found
        except BadDateError as e:
            d = e.diagnostics[0]
            found.append(Diagnostic(path, d.line, d.col, "error", "S001",
                                    said_fr("date impossible « {date} »", date=e.token),
                                    said_fr("écrire une date qui existe ; pour tester le refus d'une "
                                            "date impossible dans « data », l'écrire entre guillemets")))
            lines = text.split("\n")
            at = lines[d.line - 1]
            if not e.token or at[d.col - 1:d.col - 1 + len(e.token)] != e.token:
                raise SOPError(found[:-1] + e.diagnostics) from None  # not found where said: as it is
            lines[d.line - 1] = at[:d.col - 1] + f'"{e.token}"' + at[d.col - 1 + len(e.token):]
            text = "\n".join(lines)
    raise SOPError(found)


class ScenarioError(SOPError):
    """The errors of a scenario file, with what could be read of it (``partial``: the header's
    good parts and the steps that are right, or None without a usable ``sop:``), so that the
    names it uses are still checked against the SOP in the same run (tryout 4, G20)."""

    def __init__(self, diagnostics: list[Diagnostic], partial: Scenario | None):
        super().__init__(diagnostics)
        self.partial = partial


def load_scenario_text(text: str, path: str = "<scénario>", base: Path | None = None) -> Scenario:
    """Parse and validate a scenario; ``base`` is the folder ``sop:`` is relative to (default: the
    file's). Raises :class:`ScenarioError` listing every problem with file:line:col."""
    data, pos, dates = _parse(text, path)
    folder = base if base is not None else Path(path).resolve().parent
    try:
        head = Header.model_validate(data)
    except ValidationError as e:
        diags = _diagnostics(e, path, (), pos)
        # Still report the steps' own errors, when the list of steps is there.
        raw = data.get("steps") if isinstance(data.get("steps"), list) else []
        steps, more = _validate_steps(raw, path, pos)
        raise ScenarioError(_with_dates(dates, diags + more), _partial(data, path, folder, steps, pos)) \
            from None
    steps, diags = _validate_steps(head.steps, path, pos)
    diags = _with_dates(dates, diags)
    titles = dict(head.scenario)
    name = titles.get("fr") or next(iter(titles.values()))
    scn = Scenario(path, name, (folder / head.sop).resolve(), head.start, list(head.users), steps, pos,
                   head.description, titles)
    if diags:
        raise ScenarioError(diags, scn)
    return scn


def _with_dates(dates: list[Diagnostic], diags: list[Diagnostic]) -> list[Diagnostic]:
    """``diags`` and the impossible dates (S001), without a second error at the place of one."""
    places = {(d.line, d.col) for d in dates}
    return dates + [d for d in diags if (d.line, d.col) not in places]


def _partial(data: dict, path: str, folder: Path, steps: list[Step], pos: Positions) -> Scenario | None:
    """What can be checked against the SOP of a scenario whose header has errors: its right users
    and ``steps``; None when ``sop:`` is not a file name."""
    sop = data.get("sop")
    if not isinstance(sop, str) or not sop:
        return None
    users = []
    for raw in data.get("users") if isinstance(data.get("users"), list) else []:
        try:
            users.append(UserSpec.model_validate(raw))
        except ValidationError:
            continue  # said already
    return Scenario(path, Path(path).stem, (folder / sop).resolve(), datetime.min.replace(tzinfo=UTC), users,
                    steps, pos)


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
