"""The clock that drives the sweeper: one APScheduler 3 interval job, never one job per deadline.

MemoryJobStore, ``coalesce=True``, ``max_instances=1``, ``misfire_grace_time=None``, UTC: the
deadline rows in the database are the only state, so a restart loses nothing and reminders
missed while the process was down go out on the first run (marked late). See LIBRARIES.md.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from ..engine.engine import WorkflowEngine
from .digest import build_digests
from .leader import CHECKPOINT_LOCK, exclusive
from .notifiers import notifiers_from_env
from .outbox import deliver
from .sweeper import SweepReport, sweep

log = logging.getLogger("mno.reminders")


def run_once(wf: WorkflowEngine, after: Callable[[SweepReport], None] | None = None, *,
             deliver_outbox: bool = True) -> SweepReport:
    """One sweep, then ``after(report)``, then outbox delivery (in-app, e-mail from
    ``MNO_SMTP_*``, log) and the daily digests; errors are logged, not raised, so the next
    interval runs again. On PostgreSQL only the process holding the sweeper lock runs
    (:mod:`.leader`); the others return an empty report."""
    report = SweepReport()
    with exclusive(wf.db) as mine:
        if not mine:  # another process (worker, machine) is sweeping now: next interval
            log.debug("sweep skipped: another process holds the sweeper lock")
            return report
        return _run_once(wf, after, report, deliver_outbox)


def _run_once(wf: WorkflowEngine, after, report: SweepReport, deliver_outbox: bool) -> SweepReport:
    try:
        report = sweep(wf)
        if after is not None:
            after(report)
    except Exception:  # noqa: BLE001 - a failed sweep must not stop the scheduler
        log.exception("reminder sweep failed; it will run again at the next interval")
    if deliver_outbox:
        try:
            now = wf.clock.now()
            build_digests(wf, now)
            deliver(wf, notifiers_from_env(), now=now)
        except Exception:  # noqa: BLE001
            log.exception("outbox delivery failed; it will run again at the next interval")
    return report


def make_scheduler(wf: WorkflowEngine, interval_seconds: int = 60, *, blocking: bool = False,
                   after: Callable[[SweepReport], None] | None = None) -> BaseScheduler:
    """A scheduler (not started) running :func:`run_once` every ``interval_seconds`` (≥ 1),
    starting immediately."""
    if interval_seconds < 1:
        raise ValueError("interval_seconds must be at least 1")
    cls = BlockingScheduler if blocking else BackgroundScheduler
    sched = cls(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                              "misfire_grace_time": None})
    sched.add_job(run_once, "interval", seconds=interval_seconds, args=[wf, after], id="mno-sweep",
                  next_run_time=datetime.now(UTC), replace_existing=True)
    _add_audit_checkpoints(sched, wf)
    return sched


def _add_audit_checkpoints(sched: BaseScheduler, wf: WorkflowEngine) -> None:
    """A signed checkpoint of all case heads every ``$MNO_AUDIT_CHECKPOINT_HOURS`` (default 24;
    0: none), so a deleted case is seen by ``mno audit verify`` (see docs/audit.md)."""
    import os

    try:
        hours = float(os.environ.get("MNO_AUDIT_CHECKPOINT_HOURS", "24"))
    except ValueError:
        log.error("MNO_AUDIT_CHECKPOINT_HOURS must be a number of hours; periodic checkpoints are off")
        return
    if hours <= 0:
        return

    sched.add_job(checkpoint_once, "interval", args=[wf, hours], minutes=min(60.0, hours * 60),
                  id="mno-audit-checkpoint", next_run_time=datetime.now(UTC), replace_existing=True)


def checkpoint_once(wf: WorkflowEngine, hours: float):
    """The periodic checkpoint job: a signed checkpoint when the latest is older than ``hours``
    (:func:`mno_workflow.store.checkpoint.checkpoint_if_due`), taken by exactly one process: on
    PostgreSQL only the holder of :data:`~mno_workflow.reminders.leader.CHECKPOINT_LOCK` (every
    web worker runs the scheduler; the others skip this run). Returns the new checkpoint, or None
    (not due, another process holds the lock, or an error, which is logged)."""
    from ..store.checkpoint import checkpoint_if_due
    with exclusive(wf.db, CHECKPOINT_LOCK) as mine:
        if not mine:
            log.debug("audit checkpoint skipped: another process holds the checkpoint lock")
            return None
        try:
            return checkpoint_if_due(wf.sessions, wf.clock.now(), hours)
        except Exception:  # noqa: BLE001 - like the sweep: log, try again at the next run
            log.exception("audit checkpoint failed; it will run again at the next interval")
            return None
