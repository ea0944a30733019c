"""SQLite write-ahead-log checkpoints off the writers' path (issue 15, ``store/wal.py``): a commit
past SQLite's default 1,000 pages no longer copies the log into the database file in the
committing request or sweep; the checkpointer thread of ``mno serve`` (and ``mno remind``) does,
within a second; without it, the automatic checkpoint still bounds the log at 10,000 pages.

What was checkpointed is read from the database file alone: a connection opened with
``immutable=1`` ignores the log, so it sees a row only once its page is in the file."""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import threading
import time
from pathlib import Path

from sqlalchemy import text

from mno_workflow.store.base import make_engine
from mno_workflow.store.wal import AUTO_CHECKPOINT_PAGES, WalCheckpointer

ROWS = 2_000  # one row of ~3 KiB each: about 2,000 pages of log, past SQLite's default threshold


def in_file(path: Path) -> int:
    """Rows of ``t`` in the database file itself (the log ignored)."""
    con = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return con.execute("SELECT count(*) FROM t").fetchone()[0]
    except sqlite3.OperationalError:  # the table itself is not in the file yet
        return 0
    finally:
        con.close()


def write_big(db) -> None:
    with db.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)"))
    with db.begin() as conn:
        conn.execute(text("INSERT INTO t (v) VALUES (:v)"), [{"v": "x" * 3000} for _ in range(ROWS)])


def test_connections_checkpoint_by_themselves_only_past_the_bound(tmp_path):
    path = tmp_path / "w.db"
    db = make_engine(f"sqlite:///{path}")
    try:
        with db.connect() as conn:
            pages = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        assert pages == AUTO_CHECKPOINT_PAGES == 10_000
        write_big(db)
        # SQLite's default (1,000 pages) would have copied the ~2,000 pages at this commit
        assert in_file(path) == 0
        assert Path(f"{path}-wal").stat().st_size > 1_000 * 4096
    finally:
        db.dispose()


def test_the_checkpointer_thread_copies_the_log_within_an_interval(tmp_path):
    path = tmp_path / "w.db"
    db = make_engine(f"sqlite:///{path}")
    try:
        with WalCheckpointer(db, interval=0.05) as wal:
            write_big(db)
            deadline = time.monotonic() + 10
            while (in_file(path) != ROWS or wal.runs < 1) and time.monotonic() < deadline:
                time.sleep(0.05)  # the copy is seen before the thread counts its run
            assert in_file(path) == ROWS
            assert wal.runs >= 1
        assert not [t for t in threading.enumerate() if t.name == "mno-wal-checkpoint"]
        # stopped: a later commit stays in the log
        with db.begin() as conn:
            conn.execute(text("INSERT INTO t (v) VALUES ('after')"))
        time.sleep(0.2)
        assert in_file(path) == ROWS
    finally:
        db.dispose()


def test_the_checkpointer_does_nothing_on_postgresql():
    class FakePg:
        class dialect:  # noqa: N801 - the attribute read by WalCheckpointer
            name = "postgresql"

    wal = WalCheckpointer(FakePg()).start()  # no thread, no connection
    assert wal._thread is None
    wal.stop()


def test_the_web_application_runs_the_checkpointer_while_it_is_up(wf):
    """``create_app``'s lifespan starts the thread (SQLite), whether the sweeper runs or not, and
    stops it when the application stops; the objects that exist once it is up are kept out of the
    garbage collector's full collections while it runs (``gc.freeze``), and given back after."""
    from mno_workflow.web.app import create_app

    app = create_app(wf, secret_key="k" * 32)
    threads = lambda: [t for t in threading.enumerate() if t.name == "mno-wal-checkpoint"]  # noqa: E731
    before = len(threads())

    async def up() -> tuple[int, int]:
        async with app.router.lifespan_context(app):
            return len(threads()), gc.get_freeze_count()

    running, frozen = asyncio.run(up())
    assert running == before + (1 if wf.db.dialect.name == "sqlite" else 0)
    assert frozen > 10_000
    assert len(threads()) == before and gc.get_freeze_count() == 0
