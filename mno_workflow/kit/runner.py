"""Plays scenarios: each on a fresh, migrated SQLite file with its own simulated clock.

Time only moves in ``advance`` steps. While it moves, the reminder sweeper runs at every instant
a deadline row falls due (never between them, never twice), with the clock set to that instant,
so a reminder is sent exactly when the SOP says and ``expect`` sees it with that instant. The
first failing step stops its scenario (later steps depend on it); the next scenario still runs.
Failures carry the scenario file, the step's line and column, and a French message saying what
was expected and what happened.
"""

from __future__ import annotations

import atexit
import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ..engine.clock import SimulatedClock
from ..engine.engine import Actor, WorkflowEngine
from ..engine.errors import EngineError, FormInvalid
from ..engine.timers import calendar_for
from ..reminders.sweeper import sweep
from ..sop.diagnostics import Diagnostic, SOPError, joined, said_fr, text_in
from ..sop.loader import LoadedSOP, load_file
from ..store.base import make_engine
from ..store.migrate import upgrade
from ..store.models import AuditEvent, Deadline, StepInstance, User
from .coverage import Coverage
from .expectations import ExpectChecks, same_when  # noqa: F401  (same_when re-exported)
from .i18n import LANG
from .model import (
    ErrorSpec,
    Scenario,
    Step,
    UserSpec,
    check_against_sop,
    load_scenario,
)
from .results import (  # noqa: F401  (re-exported)
    _NO_CASE,
    Failure,
    RunResult,
    ScenarioResult,
    StepFailed,
    SweepEvent,
    _iso,
)

log = logging.getLogger("mno_workflow.kit")

#: an exception the runner did not expect (a bug, a database error): its class and text go to the
#: log, the author reads words
_UNEXPECTED = said_fr("erreur inattendue en jouant cette étape (détails dans le journal) : "
                      "ce n'est pas une erreur du scénario ; signalez-la avec le journal")


# -- discovery -----------------------------------------------------------------------------------
def _is_scenario(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as f:
            return any(line.startswith("scenario:") for line in f)
    except (OSError, UnicodeDecodeError):
        return False


def discover(paths: Iterable[Path]) -> list[Path]:
    """Scenario files among ``paths``: a file is taken as given; a folder gives every ``*.yaml``
    scenario under it (its ``scenarios/`` subfolder when it has one, e.g. an SOP folder)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            root = p / "scenarios" if (p / "scenarios").is_dir() else p
            found = sorted(set(root.rglob("*.yaml")) | set(root.rglob("*.yml")))
            out += [f for f in found if _is_scenario(f)]
        else:
            out.append(p)
    return out


# -- running -------------------------------------------------------------------------------------
class Runner:
    """Runs scenarios and accumulates coverage per SOP version. Use :meth:`run_paths`."""

    def __init__(self, workdir: Path | None = None):
        self._tmp = tempfile.TemporaryDirectory(prefix="mno-test-") if workdir is None else None
        self.workdir = Path(self._tmp.name) if self._tmp else workdir
        self._template: Path | None = None
        self._sops: dict[Path, LoadedSOP | SOPError] = {}
        self.coverage: dict[tuple[str, str], Coverage] = {}
        self._count = 0

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _fresh_db(self) -> str:
        """A new SQLite file at the newest schema: a copy of the process's template (:func:`_template_db`)."""
        if self._template is None:
            self._template = _template_db()
        self._count += 1
        db = self.workdir / f"scenario-{self._count}.db"
        shutil.copyfile(self._template, db)
        return f"sqlite:///{db}"

    def sop(self, path: Path) -> LoadedSOP:
        if path not in self._sops:
            try:
                self._sops[path] = load_file(path)
            except SOPError as e:
                self._sops[path] = e
        got = self._sops[path]
        if isinstance(got, SOPError):
            raise got
        return got

    def _all_errors(self, e: SOPError) -> list[Diagnostic]:
        """The errors of a scenario file and, in the same run, the names it uses that its SOP does
        not know (:func:`check_against_sop` on what could be read: tryout 4, G20), by line."""
        diags = list(e.diagnostics)
        partial = getattr(e, "partial", None)
        if partial is not None:
            try:
                diags += check_against_sop(partial, self.sop(partial.sop_path).model)
            except SOPError:
                pass  # the SOP's own errors are said once the scenario file reads
        return sorted(diags, key=lambda d: (d.line, d.col))

    def run_paths(self, paths: Iterable[Path]) -> RunResult:
        results = [self.run_file(p) for p in discover(paths)]
        return RunResult(results, list(self.coverage.values()))

    def run_file(self, path: Path) -> ScenarioResult:
        t0 = time.perf_counter()
        try:
            scn = load_scenario(path)
        except SOPError as e:
            return ScenarioResult(str(path), Path(path).stem, _diag_failures(self._all_errors(e)))
        result = ScenarioResult(str(path), scn.title(LANG.get()), steps_total=len(scn.steps))
        try:
            loaded = self.sop(scn.sop_path)
        except SOPError as e:
            line, col = scn.positions.of(("sop",))
            result.failures.append(Failure(scn.path, line, col, said_fr("POS invalide : {path}",
                                                                        path=str(scn.sop_path))))
            result.failures += _diag_failures(e.diagnostics)
            return result
        result.sop = f"{loaded.model.sop}@{loaded.model.version}"
        from .titles import missing_titles
        result.warnings = [Failure(w.path, w.line, w.col, text_in(w.message, LANG.get()))  # JSON too
                           for w in _diag_failures(missing_titles(scn, loaded.model))]
        diags = check_against_sop(scn, loaded.model)
        if diags:
            result.failures += _diag_failures(diags)
            return result
        key = (loaded.model.sop, loaded.model.version)
        cov = self.coverage.setdefault(key, Coverage(loaded.model, _shown(scn.sop_path)))
        cov.scenarios += 1
        play = _Play(scn, loaded, self._fresh_db())
        try:
            play.run(result)
        finally:
            cov.add_events(play.audit_events())
            play.close()
            result.seconds = time.perf_counter() - t0
        return result


_template_lock = threading.Lock()
_template_path: Path | None = None


def _template_db() -> Path:
    """A SQLite file migrated to the newest schema, built once per process and then only copied.

    Alembic keeps its running migration in module globals (``alembic.context``): two upgrades at
    once in one process (the training pack rendered for two users at the same time) break each
    other. So the template is written once, under a lock, and every scenario gets a copy of it."""
    global _template_path
    with _template_lock:
        if _template_path is None or not _template_path.exists():
            folder = Path(tempfile.mkdtemp(prefix="mno-kit-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            path = folder / "template.db"
            upgrade(f"sqlite:///{path}")
            _template_path = path
        return _template_path


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it is below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _diag_failures(diags: list[Diagnostic]) -> list[Failure]:
    return [Failure(d.path, d.line, d.col, joined([d.code, d.message] + ([said_fr("({hint})", hint=d.hint)]
                                                                           if d.hint else []), " "))
            for d in diags]


def run(paths: Iterable[Path]) -> RunResult:
    """Run every scenario found in ``paths`` (see :func:`discover`)."""
    with Runner() as r:
        return r.run_paths(paths)


class _Play(ExpectChecks):
    """One scenario on its own database and clock."""

    def __init__(self, scn: Scenario, loaded: LoadedSOP, url: str):
        self.scn, self.loaded, self.sop = scn, loaded, loaded.model
        self.clock = SimulatedClock(scn.start)
        self.db = make_engine(url)
        self.wf = WorkflowEngine(self.db, self.clock)
        self.wf.load_sop(loaded)
        self.users = {u.id: u for u in scn.users}
        self.ref: str | None = None
        self.events: list[SweepEvent] = []
        self.seen_rows: set[int] = set()
        self.events_mark = 0
        self.outbox_mark = 0
        with self.wf.sessions.begin() as s:
            for u in scn.users:
                s.add(User(id=u.id, display_name=u.name or u.id, role=u.role, organisation=u.organisation,
                           region=u.region, email=u.email, language=u.language))

    def close(self) -> None:
        self.db.dispose()

    def audit_events(self) -> list[AuditEvent]:
        with self.wf.sessions() as s:
            return list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))

    # -- steps -------------------------------------------------------------------------------
    def run(self, result: ScenarioResult) -> None:
        for step in self.scn.steps:
            try:
                getattr(self, f"_do_{step.kind}")(step)
            except StepFailed as e:
                result.failures.append(Failure(self.scn.path, step.line, step.col, e.message,
                                               step.number, step.kind))
                return
            except Exception:  # a bug or a database error: say where it happened, in words
                log.exception("unexpected error at %s:%s:%s (step %s, %s)", self.scn.path,
                              step.line, step.col, step.number, step.kind)
                result.failures.append(Failure(self.scn.path, step.line, step.col, _UNEXPECTED,
                                               step.number, step.kind))
                return
            result.steps_run += 1

    def actor(self, text: str) -> Actor:
        if ":" not in text:
            u = self.users[text]
            return Actor(u.id, u.role, u.organisation)
        a = Actor.parse(text)
        if a.organisation is None and a.user in self.users:
            a = Actor(a.user, a.role, self.users[a.user].organisation)
        return a

    def _need_case(self) -> str:
        if self.ref is None:
            raise StepFailed(_NO_CASE)
        return self.ref

    def _attempt(self, what: str, expected: Any, call: Any) -> Any:
        """Run ``call``; compare its refusal (or success) with ``expected`` (code or ErrorSpec)."""
        try:
            out = call()
        except EngineError as e:
            if expected is None:
                raise StepFailed(said_fr("« {what} » refusé ({code}) alors qu'un succès était attendu : "
                                         "{error}", what=what, code=e.code, error=e.message)) from None
            spec = expected if isinstance(expected, ErrorSpec) else ErrorSpec(code=expected)
            if e.code != spec.code:
                raise StepFailed(said_fr("« {what} » : refus attendu « {expected} », obtenu « {code} » : "
                                         "{error}", what=what, expected=spec.code, code=e.code,
                                         error=e.message)) from None
            if spec.field is not None:
                fields = list(e.errors) if isinstance(e, FormInvalid) else []
                if spec.field not in fields:
                    raise StepFailed(said_fr("« {what} » : erreur attendue sur le champ « {field} », "
                                             "obtenue sur : {fields} ({error})", what=what, field=spec.field,
                                             fields=", ".join(fields) or said_fr("aucun champ"),
                                             error=e.message)) from None
            if spec.message is not None and spec.message.lower() not in e.text("fr").lower():
                raise StepFailed(said_fr("« {what} » : message attendu contenant « {expected} », "
                                         "obtenu « {error} »", what=what, expected=spec.message,
                                         error=e.message)) from None
            return None
        if expected is not None:
            code = expected.code if isinstance(expected, ErrorSpec) else expected
            raise StepFailed(said_fr("« {what} » : refus attendu « {code} », mais l'action a réussi",
                                     what=what, code=code))
        return out

    def _do_create(self, step: Step) -> None:
        args = step.spec.create
        actor = self.actor(args.actor)
        if args.entry is not None:  # an alert of a first responder (SOP entries)
            from ..engine.alerts import file_alert
            filed = self._attempt(f"create {args.entry}", args.expect_error,
                                  lambda: file_alert(self.wf, self.sop.sop, actor, dict(args.data),
                                                     entry_id=args.entry))
            self.ref = filed.reference if filed is not None else self.ref
            return
        self.ref = self.wf.create_case(self.sop.sop, actor, assignee=args.assignee)

    def _do_fire(self, step: Step) -> None:
        s = step.spec
        ref = self._need_case()
        self._attempt(s.fire, s.expect_error,
                      lambda: self.wf.fire(ref, s.fire, self.actor(s.actor), dict(s.data),
                                           instance=s.instance))

    def _do_extend(self, step: Step) -> None:
        a = step.spec.extend
        ref = self._need_case()
        self._attempt("extend", a.expect_error,
                      lambda: self.wf.extend_deadline(ref, a.instance, a.by, a.reason, self.actor(a.actor),
                                                      from_due=a.from_due))

    def _do_reopen(self, step: Step) -> None:
        a = step.spec.reopen
        ref = self._need_case()
        self._attempt("reopen", a.expect_error, lambda: self.wf.reopen(ref, self.actor(a.actor), a.reason))

    def _do_advance(self, step: Step) -> None:
        a = step.spec.advance
        now = self.clock.now()
        if a.until is not None:
            target = a.until
            if target < now:
                raise StepFailed(said_fr("« until » ({until}) est avant l'instant simulé ({now}) : "
                                         "le temps ne recule pas", until=_iso(target), now=_iso(now)))
        else:
            with self.wf.sessions() as s:
                cal = calendar_for(s, self.sop)
            target = cal.add(now, a.by)
        self.advance_to(target)

    def advance_to(self, target: datetime) -> None:
        """Move the clock to ``target``, sweeping at each due instant on the way."""
        last: tuple | None = None
        while True:
            with self.wf.sessions() as s:
                nxt = s.scalar(select(func.min(Deadline.fire_at)).where(Deadline.status == "pending"))
            if nxt is None or nxt > target:
                break
            at = max(nxt, self.clock.now())
            if last == (at, nxt):  # nothing moved: do not loop forever
                break
            last = (at, nxt)
            self.clock.set(at)
            sweep(self.wf, now=at)
            self._collect()
        self.clock.set(target)

    def _collect(self) -> None:
        with self.wf.sessions() as s:
            rows = s.execute(select(Deadline, StepInstance).join(StepInstance,
                                                                 StepInstance.id == Deadline.instance_id)
                             .where(Deadline.status == "done").order_by(Deadline.fired_at, Deadline.id)).all()
            for row, inst in rows:
                if row.id in self.seen_rows:
                    continue
                self.seen_rows.add(row.id)
                common = dict(instance=inst.label_key, state=row.state, at=row.fired_at, late=row.late)
                if row.kind == "reminder":
                    self.events.append(SweepEvent("reminder", to=row.owner_role, offset=row.offset, **common))
                    continue
                if row.escalate_to:
                    self.events.append(SweepEvent("escalation", to=row.escalate_to, **common))
                if row.auto_trigger:
                    self.events.append(SweepEvent("auto_fired", trigger=row.auto_trigger,
                                                  ok=not (row.note or "").startswith("automatic trigger"),
                                                  **common))


__all__ = ["Failure", "RunResult", "Runner", "ScenarioResult", "SweepEvent", "UserSpec", "discover", "run"]
