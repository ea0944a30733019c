"""Plays scenarios: each on a fresh, migrated SQLite file with its own simulated clock.

Time only moves in ``advance`` steps. While it moves, the reminder sweeper runs at every instant
a deadline row falls due (never between them, never twice), with the clock set to that instant,
so a reminder is sent exactly when the SOP says and ``expect`` sees it with that instant. The
first failing step stops its scenario (later steps depend on it); the next scenario still runs.
Failures carry the scenario file, the step's line and column, and a French message saying what
was expected and what happened.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

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
from ..store.models import AuditEvent, Case, Deadline, OutboxMessage, StepInstance, User
from .coverage import Coverage
from .i18n import LANG
from .model import (
    DeadlineExp,
    ErrorSpec,
    Expectations,
    Scenario,
    Step,
    UserSpec,
    check_against_sop,
    load_scenario,
)


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

    @property
    def ok(self) -> bool:
        return not self.failures

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "scenario": self.name, "ok": self.ok, "sop": self.sop,
                "steps_run": self.steps_run, "steps_total": self.steps_total,
                "seconds": round(self.seconds, 3), "failures": [f.as_dict() for f in self.failures]}


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
        """A new SQLite file at the newest schema: migrated once with Alembic, then copied."""
        if self._template is None:
            self._template = self.workdir / "template.db"
            upgrade(f"sqlite:///{self._template}")
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

    def run_paths(self, paths: Iterable[Path]) -> RunResult:
        results = [self.run_file(p) for p in discover(paths)]
        return RunResult(results, list(self.coverage.values()))

    def run_file(self, path: Path) -> ScenarioResult:
        t0 = time.perf_counter()
        try:
            scn = load_scenario(path)
        except SOPError as e:
            return ScenarioResult(str(path), Path(path).stem, _diag_failures(e.diagnostics))
        result = ScenarioResult(str(path), scn.name, steps_total=len(scn.steps))
        try:
            loaded = self.sop(scn.sop_path)
        except SOPError as e:
            line, col = scn.positions.of(("sop",))
            result.failures.append(Failure(scn.path, line, col, said_fr("POS invalide : {path}",
                                                                        path=str(scn.sop_path))))
            result.failures += _diag_failures(e.diagnostics)
            return result
        result.sop = f"{loaded.model.sop}@{loaded.model.version}"
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


class _Play:
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
            except Exception as e:  # a bug or a database error: say where it happened
                result.failures.append(Failure(self.scn.path, step.line, step.col,
                                               said_fr("erreur inattendue : {kind}: {error}",
                                                       kind=type(e).__name__, error=str(e)),
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

    # -- expectations ------------------------------------------------------------------------
    def _do_expect(self, step: Step) -> None:
        ex: Expectations = step.spec.expect
        problems: list[Any] = []
        since = self.events[self.events_mark:]
        tz = self.sop.calendar.timezone
        with self.wf.sessions() as s:
            case = s.scalar(select(Case).where(Case.reference == self.ref)) if self.ref else None
            if ex.now is not None and ex.now != self.clock.now():
                problems.append(said_fr("instant simulé attendu {expected}, obtenu {got}",
                                        expected=_iso(ex.now), got=_iso(self.clock.now())))
            if (ex.states or ex.case or ex.data or ex.deadline) and case is None:
                raise StepFailed(_NO_CASE)
            if ex.case is not None and case.status != ex.case:
                problems.append(said_fr("dossier : attendu « {expected} », obtenu « {got} »",
                                        expected=_fr_status(ex.case), got=_fr_status(case.status)))
            for key, want in (ex.states or {}).items():
                inst = self._find(case, key)
                got = inst.state if inst else None
                if got != want:
                    problems.append(said_fr("{key} : état attendu « {expected} », obtenu « {got} »",
                                            key=key, expected=want or said_fr("aucun"),
                                            got=got or said_fr("aucun"))
                                    if inst else
                                    said_fr("{key} : état attendu « {expected} », obtenu « {got} » "
                                            "(instances : {instances})", key=key,
                                            expected=want or said_fr("aucun"),
                                            got=got or said_fr("aucun"), instances=_instances(case)))
            for path, want in (ex.data or {}).items():
                form, _, fld = path.partition(".")
                got = ((case.data or {}).get(form) or {}).get(fld)
                if got != want:
                    problems.append(said_fr("donnée {path} : attendu {expected!r}, obtenu {got!r}", path=path,
                                            expected=want, got=got))
            dls = ex.deadline if isinstance(ex.deadline, list) else [ex.deadline] if ex.deadline else []
            for d in dls:
                problems += self._check_deadline(s, case, d)
            for name, label in (("reminders", said_fr("rappels")), ("escalations", said_fr("escalades")),
                                ("auto_fired", said_fr("actions automatiques"))):
                wanted = getattr(ex, name)
                if wanted is None:
                    continue
                kind = name.rstrip("s") if name != "auto_fired" else "auto_fired"
                actual = [e for e in since if e.kind == kind]
                problems += _match_exact(label, wanted, actual, partial(_event_matches, tz=tz),
                                         SweepEvent.describe)
            if ex.outbox is not None:
                msgs = list(s.scalars(select(OutboxMessage).where(OutboxMessage.id > self.outbox_mark)
                                      .order_by(OutboxMessage.id)))
                problems += _match_contains(ex.outbox, msgs)
            self.outbox_mark = s.scalar(select(func.max(OutboxMessage.id))) or 0
        self.events_mark = len(self.events)
        if problems:
            raise StepFailed(joined(problems))

    @staticmethod
    def _find(case: Case, key: str) -> StepInstance | None:
        if ":" in key:
            return next((i for i in case.instances if i.label_key == key), None)
        same_step = [i for i in case.instances if i.step == key]
        if same_step:
            return max(same_step, key=lambda i: i.id)
        return next((i for i in case.instances if i.key == key), None)

    def _check_deadline(self, s: Any, case: Case, d: DeadlineExp) -> list[Any]:
        inst = self._find(case, d.instance)
        if inst is None:
            return [said_fr("délai de {instance} : instance introuvable (instances : {instances})",
                            instance=d.instance, instances=_instances(case))]
        rows = list(s.scalars(select(Deadline).where(Deadline.instance_id == inst.id,
                                                     Deadline.status == "pending")))
        expiry = next((r for r in rows if r.kind == "expiry"), None)
        out = []
        got_due = expiry.due_at if expiry else None
        if not same_when(d.due, got_due, self.sop.calendar.timezone):
            out.append(said_fr("délai de {instance} : échéance attendue {expected}, obtenue {got}",
                               instance=inst.label_key, expected=_iso(d.due) if d.due else said_fr("aucune"),
                               got=_iso(got_due) if got_due else said_fr("aucune")))
        if d.state is not None and expiry is not None and expiry.state != d.state:
            out.append(said_fr("délai de {instance} : état attendu « {expected} », obtenu « {got} »",
                               instance=inst.label_key, expected=d.state, got=expiry.state))
        if d.reminders is not None:
            got = {r.offset: r.fire_at for r in rows if r.kind == "reminder"}
            tz = self.sop.calendar.timezone
            same = set(got) == set(d.reminders) and all(same_when(w, got[k], tz)
                                                        for k, w in d.reminders.items())
            if not same:
                fmt = lambda m: ", ".join(f"{k} → {_iso(v)}" for k, v in m.items()) or said_fr("aucun")  # noqa: E731
                out.append(said_fr("rappels prévus pour {instance} : attendus {expected}, obtenus {got}",
                                   instance=inst.label_key, expected=fmt(d.reminders), got=fmt(got)))
        return out


def _fr_status(status: str) -> Any:
    return {"open": said_fr("ouvert"), "closed": said_fr("clos")}.get(status, status)


def _instances(case: Case) -> Any:
    return ", ".join(f"{i.label_key}={i.state}" for i in case.instances) or said_fr("aucune")


def _same_instance(want: str | None, label_key: str) -> bool:
    if want is None:
        return True
    step, _, key = label_key.partition(":")
    return want in (label_key, step, key)


def same_when(want: date | datetime | None, got: datetime | None, tz: str) -> bool:
    """An instant equals; a date matches any instant of that local day (SOP time zone) except
    its local midnight 00:00:00, which is the end of the day before (``due: 2025-07-16`` must
    not hide a deadline that ends as 16 July begins; see docs/working-days.md)."""
    if want is None or got is None:
        return want is None and got is None
    if isinstance(want, datetime):
        return want == got
    local = got.astimezone(ZoneInfo(tz))
    midnight = (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
    return local.date() == want and not midnight


def _event_matches(want: Any, ev: SweepEvent, tz: str) -> bool:
    if not _same_instance(want.instance, ev.instance):
        return False
    for name in ("to", "state", "offset", "late", "trigger", "ok"):
        w = getattr(want, name, None)
        if w is not None and w != getattr(ev, name):
            return False
    return want.at is None or same_when(want.at, ev.at, tz)


def _describe_want(want: Any) -> str:
    parts = [f"{k}={_iso(v) if isinstance(v, datetime) else v}"
             for k, v in want.model_dump(exclude_none=True).items()]
    return "{" + ", ".join(parts) + "}"


def _matching(wanted: list, actual: list, ok: Any) -> dict[int, int]:
    """A maximum matching expected → actual (each actual used once), by augmenting paths."""
    owner: dict[int, int] = {}

    def place(i: int, seen: set[int]) -> bool:
        for j, a in enumerate(actual):
            if j in seen or not ok(wanted[i], a):
                continue
            seen.add(j)
            if j not in owner or place(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(wanted)):
        place(i, set())
    return {i: j for j, i in owner.items()}


def _match_exact(label: Any, wanted: list, actual: list, ok: Any, describe: Any) -> list[Any]:
    m = _matching(wanted, actual, ok)
    missing = [_describe_want(w) for i, w in enumerate(wanted) if i not in m]
    extra = [describe(a) for j, a in enumerate(actual) if j not in m.values()]
    if not missing and not extra:
        return []
    got = joined([describe(a) for a in actual]) if actual else said_fr("aucun")
    parts: list[Any] = [said_fr("{label} : attendus {expected}, obtenus {n} depuis la dernière vérification",
                                label=label, expected=len(wanted), n=len(actual))]
    if missing:
        parts.append(said_fr("manquants : {items}", items=", ".join(missing)))
    if extra:
        parts.append(said_fr("en trop : {items}", items=joined(extra)))
    return [said_fr("{message} (obtenus : {got})", message=joined(parts, " — "), got=got)]


def _msg_matches(want: Any, m: OutboxMessage) -> bool:
    ctx = m.context or {}
    inst = f"{ctx.get('step')}:{ctx.get('instance')}" if ctx.get("step") else ""
    return ((want.kind is None or want.kind == m.kind)
            and (want.role is None or want.role == m.recipient_role)
            and (want.user is None or want.user == m.recipient_user)
            and (want.channel is None or want.channel == m.channel)
            and (want.late is None or want.late == m.late)
            and (want.instance is None or _same_instance(want.instance, inst)))


def _describe_msg(m: OutboxMessage) -> str:
    ctx = m.context or {}
    who = m.recipient_user or said_fr("rôle {role}", role=m.recipient_role)
    return said_fr("{kind} → {who} ({channel}, {instance})", kind=m.kind, who=who, channel=m.channel,
                   instance=f"{ctx.get('step')}:{ctx.get('instance')}")


def _match_contains(wanted: list, msgs: list[OutboxMessage]) -> list[Any]:
    m = _matching(wanted, msgs, _msg_matches)
    missing = [_describe_want(w) for i, w in enumerate(wanted) if i not in m]
    if not missing:
        return []
    got = joined([_describe_msg(x) for x in msgs]) if msgs else said_fr("aucun")
    return [said_fr("messages : manquants {items} (écrits depuis la dernière vérification : {got})",
                    items=", ".join(missing), got=got)]


__all__ = ["Failure", "RunResult", "Runner", "ScenarioResult", "SweepEvent", "UserSpec", "discover", "run"]
