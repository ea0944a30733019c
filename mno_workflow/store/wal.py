"""SQLite write-ahead-log checkpoints taken by a background thread, not by the writer that happens
to commit past the threshold (issue 15: the reminder sweep of 1,000 rows at 1,000,000 open
deadlines spent 35–45 ms of its ~125 ms copying its ~1,680 pages from the log to the database
file; a case worker's transition paid the same now and then).

SQLite's own rule (``PRAGMA wal_autocheckpoint``, 1,000 pages by default) runs the checkpoint in
the connection whose commit crossed it, after the commit and after the write lock is released: the
work is not in anyone's transaction, but it is in the latency of that request or sweep. The long-
running processes (``mno serve``, ``mno remind`` in continuous mode) start a
:class:`WalCheckpointer`: every :data:`INTERVAL_S` seconds it runs ``PRAGMA
wal_checkpoint(PASSIVE)`` (copies what it can, never waits for readers or writers) on a connection
of its own. Every connection keeps an automatic checkpoint at :data:`AUTO_CHECKPOINT_PAGES` (about
40 MiB of log) as a bound when no checkpointer runs (the one-shot commands, a stopped thread): the
log never grows without limit. Durability is unchanged (``synchronous`` is not touched; a checkpoint
only moves committed pages). PostgreSQL: nothing to do (its checkpointer is the server's).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy.engine import Engine

log = logging.getLogger("mno.store")

AUTO_CHECKPOINT_PAGES = 10_000  # pages (4 KiB each): the bound when no checkpointer runs
INTERVAL_S = 1.0  # seconds between two passive checkpoints of the background thread


def set_auto_checkpoint(dbapi_conn: Any) -> None:
    """On a new SQLite DB-API connection: the automatic checkpoint at :data:`AUTO_CHECKPOINT_PAGES`
    pages instead of 1,000 (see the module doc)."""
    dbapi_conn.execute(f"PRAGMA wal_autocheckpoint = {AUTO_CHECKPOINT_PAGES}")


def checkpoint(db: Engine) -> tuple[int, int, int] | None:
    """One ``PRAGMA wal_checkpoint(PASSIVE)`` on a pooled connection of ``db``: ``(busy, pages in
    the log, pages copied)`` as SQLite returns them; None on another back end."""
    if db.dialect.name != "sqlite":
        return None
    raw = db.raw_connection()
    try:
        cur = raw.cursor()
        row = cur.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        cur.close()
        return tuple(row) if row else None
    finally:
        raw.close()


class WalCheckpointer:
    """A daemon thread taking a passive checkpoint of ``db`` every ``interval`` seconds while
    started (SQLite only: :meth:`start` does nothing on another back end). An error is logged and
    the thread goes on; :meth:`stop` ends it within one interval."""

    def __init__(self, db: Engine, interval: float = INTERVAL_S) -> None:
        self.db, self.interval = db, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0  # checkpoints taken (for tests and benchmarks)

    def start(self) -> WalCheckpointer:
        if self.db.dialect.name == "sqlite" and self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="mno-wal-checkpoint", daemon=True)
            self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                checkpoint(self.db)
                self.runs += 1
            except Exception:  # noqa: BLE001 - a failed checkpoint is retried at the next interval
                log.exception("WAL checkpoint failed; it will run again in %s s", self.interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=max(5.0, 2 * self.interval))
            self._thread = None

    def __enter__(self) -> WalCheckpointer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
