"""What a scenario run reports: failures with file:line:col, results per scenario and per run,
and the sweeper's events as the runner saw them (split from :mod:`.runner`, which re-exports them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..sop.diagnostics import joined, said_fr, text_in
from .coverage import Coverage
from .i18n import LANG


@dataclass
class Failure:
    """A failed step (or a scenario that could not load): where, and why (French)."""

    path: str
    line: int
    col: int
    message: str
    step: int | None = None
    action: str | None = None

    def format(self, lang: str | None = None) -> str:
        """``path:line:col: étape N (action) : message`` in ``lang`` (default: the run's, LANG)."""
        lang = lang or LANG.get()
        text = said_fr("étape {n} ({action}) : {message}", n=self.step, action=self.action,
                       message=self.message) if self.step else self.message
        return f"{self.path}:{self.line}:{self.col}: {text_in(text, lang)}"

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "col": self.col, "step": self.step,
                "action": self.action, "message": self.message}


@dataclass
class ScenarioResult:
    path: str
    name: str
    failures: list[Failure] = field(default_factory=list)
    steps_run: int = 0
    steps_total: int = 0
    sop: str | None = None
    seconds: float = 0.0
    warnings: list[Failure] = field(default_factory=list)  # do not fail the scenario (S040 titles)

    @property
    def ok(self) -> bool:
        return not self.failures

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "scenario": self.name, "ok": self.ok, "sop": self.sop,
                "steps_run": self.steps_run, "steps_total": self.steps_total,
                "seconds": round(self.seconds, 3), "failures": [f.as_dict() for f in self.failures],
                "warnings": [w.as_dict() for w in self.warnings]}


@dataclass
class RunResult:
    scenarios: list[ScenarioResult]
    coverage: list[Coverage]

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.scenarios)


@dataclass
class SweepEvent:
    """What the sweeper did for one deadline row, at ``at``."""

    kind: str  # reminder | escalation | auto_fired
    instance: str
    state: str
    at: datetime
    to: str | None = None
    offset: str | None = None
    late: bool = False
    trigger: str | None = None
    ok: bool = True

    def describe(self) -> str:
        bits: list[Any] = [f"{self.instance} ({self.state})"]
        if self.to:
            bits.append(said_fr("à {role}", role=self.to))
        if self.offset:
            bits.append(said_fr("décalage {offset}", offset=self.offset))
        if self.trigger:
            bits.append(said_fr("action {trigger}", trigger=self.trigger) if self.ok else
                        said_fr("action {trigger} refusée", trigger=self.trigger))
        bits.append(said_fr("le {at} (en retard)", at=_iso(self.at)) if self.late else
                    said_fr("le {at}", at=_iso(self.at)))
        return joined(bits, ", ")


_NO_CASE = said_fr("aucun dossier : commencer le scénario par une étape « create »")


class StepFailed(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _iso(instant: date | datetime | None) -> str:
    if instant is None:
        return "—"
    if not isinstance(instant, datetime):
        return said_fr("le {date}", date=instant.isoformat())
    return instant.isoformat().replace("+00:00", "Z")
