"""The periodic audit checkpoint job runs in every web worker's scheduler, but exactly one process
signs a checkpoint: on PostgreSQL the holder of the checkpoint advisory lock (tested with a real
second process holding it); on SQLite (one process) the job always runs. Once taken, the next run
finds it fresh and writes nothing."""

from __future__ import annotations

import multiprocessing as mp

import pytest
from sqlalchemy import func, select

from mno_workflow.reminders.leader import CHECKPOINT_LOCK, SWEEPER_LOCK, exclusive
from mno_workflow.reminders.scheduler import checkpoint_once
from mno_workflow.store.base import make_engine
from mno_workflow.store.models import AuditCheckpoint

from ..engine.helpers import to_referrals


def _hold(url: str, key: int, got, release) -> None:
    """In another process: take lock ``key``, say whether it was had, hold it until told."""
    db = make_engine(url)
    try:
        with exclusive(db, key) as mine:
            got.put(mine)
            release.wait(30)
    finally:
        db.dispose()


def _count(wf) -> int:
    with wf.sessions() as s:
        return s.scalar(select(func.count()).select_from(AuditCheckpoint))


def test_checkpoint_job_takes_one_checkpoint_then_waits_until_due(wf):
    to_referrals(wf)
    cp = checkpoint_once(wf, 24)
    assert cp is not None and cp.case_count == 1 and _count(wf) == 1
    assert checkpoint_once(wf, 24) is None and _count(wf) == 1  # fresh: nothing more


@pytest.mark.postgresql
def test_checkpoint_job_skips_while_another_process_holds_its_lock(pg_url, clock, bf_loaded):
    from mno_workflow.engine.engine import WorkflowEngine
    from mno_workflow.store.base import Base

    from ..conftest import TEST_DIRECTORY

    db = make_engine(pg_url)
    Base.metadata.drop_all(db)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, clock, **TEST_DIRECTORY)
    wf.load_sop(bf_loaded)
    try:
        to_referrals(wf)
        ctx = mp.get_context("spawn")
        got, release = ctx.Queue(), ctx.Event()
        holder = ctx.Process(target=_hold, args=(pg_url, CHECKPOINT_LOCK, got, release))
        holder.start()
        try:
            assert got.get(timeout=60) is True
            assert checkpoint_once(wf, 24) is None and _count(wf) == 0  # the other process's turn
        finally:
            release.set()
            holder.join(60)
        # The sweeper's lock is another one: a sweep in progress does not hold checkpoints back.
        with exclusive(db, SWEEPER_LOCK) as sweeping:
            assert sweeping
            assert checkpoint_once(wf, 24) is not None and _count(wf) == 1
        assert checkpoint_once(wf, 24) is None and _count(wf) == 1
    finally:
        Base.metadata.drop_all(db)
        db.dispose()
