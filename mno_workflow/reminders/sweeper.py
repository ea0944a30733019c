"""The reminder sweeper: turns due deadline rows into reminders, escalations and automatic triggers.

The scheduler is only a clock: every interval it calls :func:`sweep`, which claims due rows in one
transaction (in bulk: :mod:`.sweep_bulk`; per row only where a rule needs it)
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite, so several
processes never send a reminder twice), re-checks that the instance is still in the state it
entered at that instant and that the case is open, writes outbox messages, fires the SOP's
``on_expiry.fire`` trigger when there is one, and marks each row done, in one transaction (an
automatic trigger in a savepoint of its own, so a refused one is reported and the rest goes on).
Rows found after their time by more than ``late_after`` (e.g. the server was down) are sent once,
marked late; of several due rows of one reminder rule (a repeated reminder during downtime) only
the latest is sent. Source: DESIGN.md "Deadlines and reminders".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ..engine.clock import require_aware
from ..engine.engine import WorkflowEngine
from ..engine.errors import EngineError
from ..engine.notify import notify
from ..engine.until import end_early
from ..logs import work_level
from ..sop.expr import compile_expr
from ..store.audit import append_event
from ..store.base import big_page_cache
from ..store.models import Case, Deadline, SopVersion, StepInstance
from ..store.outbox import enqueue
from . import sweep_bulk
from .stored_message import stored  # issue 18 (helper "mail"): reasons kept as message ids

log = logging.getLogger("mno.reminders")

LATE_AFTER = timedelta(minutes=10)


@dataclass
class SweepReport:
    """What one sweep did; lists hold ``(reference, step:key, state, offset or kind)``."""

    reminders: list[tuple] = field(default_factory=list)
    escalations: list[tuple] = field(default_factory=list)
    auto_fired: list[tuple] = field(default_factory=list)
    skipped: list[tuple] = field(default_factory=list)
    waiting: list[tuple] = field(default_factory=list)
    failed: list[tuple] = field(default_factory=list)
    late: int = 0

    @property
    def claimed(self) -> int:
        return len(self.reminders) + len(self.escalations) + len(self.skipped) + len(self.failed) + \
            len(self.waiting) + len([a for a in self.auto_fired if a not in self.escalations])


def sweep(wf: WorkflowEngine, *, now: datetime | None = None, limit: int = 1000,
          late_after: timedelta = LATE_AFTER) -> SweepReport:
    """Process up to ``limit`` due deadline rows at ``now`` (default: the engine's clock).

    Returns a :class:`SweepReport`. Never raises for one bad row: a row whose automatic trigger
    is refused is marked done with the reason in ``note`` and reported in ``failed``.
    """
    now = require_aware(now or wf.clock.now(), "now")
    report = SweepReport()
    people: dict = {}  # recipients looked up once per sweep
    with wf.sessions.begin() as s:
        big_page_cache(s.connection())  # SQLite: the marked rows' index pages stay in memory
        batch = sweep_bulk.Batch()
        rows, caught_up = sweep_bulk.one_per_rule(sweep_bulk.claim(s, now, limit), now, batch)
        sops: dict[int, object] = {}

        def sop_of(row) -> object:
            if row.sop_version_id not in sops:  # compiled SOP from the registry's cache
                sops[row.sop_version_id] = wf.registry.for_case(_Version(s, row.sop_version_id)).sop
            return sops[row.sop_version_id]

        rules = sweep_bulk.Rules(sop_of)  # decisions per (SOP version, step, state), not per row
        sweep_bulk.prefetch_assignees(s, rows, rules, people)  # one query for the assignees
        changed: set[int] = set()  # cases an automatic trigger (or its failure) changed
        late_before = now - late_after
        for row in rows:
            force_late = row.id in caught_up
            if row.case_id not in changed and not rules.needs_orm(row):
                sweep_bulk.process(s, row, rules, now, late_before, report, people, batch, force_late)
                continue
            # Per row: write the batch first, so this row sees the rows before it processed.
            # Reminders and escalations only add rows: they cannot half-fail. An automatic
            # trigger runs in its own savepoint inside _process, so a refused one leaves the
            # rest of the sweep intact.
            batch.write(s)
            changed.add(row.case_id)
            with s.no_autoflush:
                _process(wf, s, s.get(Deadline, row.id), now, late_after, report, people,
                         force_late=force_late)
            s.flush()
        batch.write(s)
    log.log(work_level(), "sweep at %s: reminders %d, escalations %d, automatic %d, skipped %d, failed %d",
            now.isoformat(), len(report.reminders), len(report.escalations), len(report.auto_fired),
            len(report.skipped), len(report.failed),
            extra={"event": "sweep", "reminders": len(report.reminders),
                   "escalations": len(report.escalations), "auto_fired": len(report.auto_fired),
                   "skipped": len(report.skipped), "failed": len(report.failed)})
    for ref, inst, state, what in report.failed:
        log.warning("sweep: automatic trigger refused on %s [%s] in %s: %s", ref, inst, state, what,
                    extra={"event": "sweep_failed", "case": ref, "step_instance": inst})
    return report


class _Version:
    """What :meth:`Registry.for_case` reads of a case: its SOP version id (and the stored version
    on a cache miss)."""

    def __init__(self, s: Session, version_id: int) -> None:
        self.sop_version_id, self._s = version_id, s

    @property
    def sop_version(self) -> SopVersion:
        return self._s.get(SopVersion, self.sop_version_id)


def _process(wf: WorkflowEngine, s: Session, row: Deadline, now: datetime, late_after: timedelta,
             report: SweepReport, people: dict, force_late: bool = False) -> None:
    inst = s.get(StepInstance, row.instance_id)
    case = s.get(Case, row.case_id)
    ident = (case.reference if case else None, inst.label_key if inst else None, row.state,
             row.offset or row.kind)
    if (case is None or inst is None or case.status != "open" or case.purged_at is not None  # L9
            or inst.state != row.state
            or inst.entered_at != row.entered_at):
        row.status, row.fired_at, row.note = "cancelled", now, "state left or case closed"
        report.skipped.append(ident)
        return
    sop = wf.registry.for_case(case).sop
    row.late = force_late or now - row.fire_at > late_after
    report.late += int(row.late)
    context = {"reference": case.reference, "step": inst.step, "instance": inst.key, "state": inst.state,
               "due_at": row.due_at.isoformat(), "offset": row.offset, "late": row.late}
    if row.kind == "reminder":
        if row.owner_role:
            enqueue(s, case=case, inst=inst, role=row.owner_role, scope=_scope(sop, row.owner_role),
                    kind="reminder", template="reminder", context=context, now=now, deadline_id=row.id,
                    late=row.late, cache=people)
        report.reminders.append(ident)
    else:
        dl = sop.steps[inst.step].states[inst.state].deadline
        if dl is not None and dl.wait_for and not compile_expr(dl.wait_for).holds(
                wf.context(case, inst, sop, now)):
            # A minimum period that also waits for an event: nothing is due yet. The transition
            # that makes the condition true releases the row (timers.release_waiting): no polling.
            row.status, row.note = "waiting", f"waiting for: {dl.wait_for}"
            report.waiting.append(ident)
            return
        if row.escalate_to:
            enqueue(s, case=case, inst=inst, role=row.escalate_to, scope=_scope(sop, row.escalate_to),
                    kind="escalation", template="escalation",
                    context={**context, "owner_role": row.owner_role}, now=now, deadline_id=row.id,
                    late=row.late, cache=people)
            report.escalations.append(ident)
        if dl is not None and dl.notify:  # others told of the expiry (deadline notify:)
            notify(s, case, inst, sop, dl.notify, "expiry", inst.state, now)
        if row.auto_trigger:
            row.status, row.fired_at = "done", now  # before the trigger cancels this state's rows
            try:
                with s.begin_nested():
                    # The new state's clock starts at the due instant, not at this sweep.
                    wf.fire_on_expiry(s, case, inst, row.auto_trigger, min(row.due_at, now))
                    # a state entered by the automatic trigger whose ``until`` already holds
                    end_early(wf, s, case, sop, now)
                report.auto_fired.append(ident)
            except EngineError as e:
                row.note = f"automatic trigger {row.auto_trigger!r} refused: {e.text('en')}"
                report.failed.append(ident)
                _auto_failed(s, sop, case, inst, row, e, context, now, people)
            s.flush()
    row.status, row.fired_at = "done", now


def _auto_failed(s: Session, sop, case: Case, inst: StepInstance, row: Deadline, e: EngineError,
                 context: dict, now: datetime, people: dict) -> None:
    """An automatic ``on_expiry: fire`` was refused (a required form, a guard): tell the state's
    owner and the supervisor once, with the reason in their language, and write one audit event
    (action ``auto_trigger_failed``). The row is done: no silent retry at every sweep."""
    roles = [r for r in dict.fromkeys([row.owner_role, row.escalate_to, *_supervisors(sop)]) if r]
    ctx = {**context, "trigger": row.auto_trigger, "code": e.code,
           # issue 18 (helper "mail"): the message id and parameters, shown in the reader's language
           "reason_msg": stored(e.message)}
    for role in roles:
        enqueue(s, case=case, inst=inst, role=role, scope=_scope(sop, role), kind="escalation",
                template="auto_failed", context=ctx, now=now, deadline_id=row.id, late=row.late,
                cache=people)
    case.version += 1
    case.updated_at = now
    append_event(s, case, at=now, actor="mno.sweeper", role="system", organisation=None,
                 action="auto_trigger_failed", trigger=row.auto_trigger, step=inst.step,
                 instance_key=inst.key, from_state=inst.state, to_state=inst.state,
                 data={"code": e.code, "reason": stored(e.message),  # shown with restored(…).text(lang)
                       "notified": roles, "due_at": row.due_at.isoformat()},
                 sop_version=f"{sop.sop}@{sop.version}")


def _supervisors(sop) -> list[str]:
    """The roles told when an automatic trigger fails besides the owner: ``supervisor`` if the
    SOP has that role."""
    return [r for r in ("supervisor",) if r in sop.roles]


def _scope(sop, role: str) -> str:
    r = sop.roles.get(role)
    return r.scope if r is not None else "all"
