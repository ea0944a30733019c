"""Erased values off the disk (tryout 9, L14): an erasure overwrites what it frees, and once it is
committed the SQLite write-ahead log, which still holds the pages of before, is emptied.

SQLite keeps the old images of changed pages in the ``-wal`` file until a checkpoint copies the
newest ones into the database file; the values an erasure replaced would stay readable there
(and in freed pages) for a while. :func:`overwrite_freed` turns ``secure_delete`` on for the
erasure's connection (freed content is overwritten with zeros; the connection's own setting comes
back when it returns to the pool, :func:`mno_workflow.store.base.make_engine`);
:func:`clear_traces`, after the commit, runs ``PRAGMA wal_checkpoint(TRUNCATE)``. Another process
reading at that instant keeps the log busy: the checkpoint is then partial, said in the log, and
SQLite's next automatic checkpoint finishes it. PostgreSQL: nothing to do here (its own vacuum).
"""

from __future__ import annotations

import logging
from typing import Any

from .base import SECURE_DELETE

log = logging.getLogger("mno.store")

CHECKPOINT_WAIT_MS = 1000  #: how long the checkpoint waits for another connection's read to end


def overwrite_freed(session: Any) -> None:
    """SQLite: ``PRAGMA secure_delete = ON`` on the connection of ``session``'s transaction, its
    former value restored when the connection goes back to the pool. No-op elsewhere."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        return
    raw = conn.connection.dbapi_connection
    info = conn.connection.info
    if SECURE_DELETE not in info:
        info[SECURE_DELETE] = raw.execute("PRAGMA secure_delete").fetchone()[0]
    raw.execute("PRAGMA secure_delete = 1")


def clear_traces(sessions: Any) -> bool:
    """After an erasure's commit, SQLite: copy the write-ahead log into the database file and
    truncate it to zero bytes. Returns False when another connection kept it busy (logged).
    ``sessions``: the engine's session factory (its ``bind``). True elsewhere."""
    bind = sessions.kw.get("bind")
    if bind is None or bind.dialect.name != "sqlite":
        return True
    raw = bind.raw_connection()  # outside any transaction: the DB-API connection is in autocommit
    cur = raw.cursor()
    waited = cur.execute("PRAGMA busy_timeout").fetchone()[0]
    try:  # a reader's snapshot is waited for a moment, not the writers' 30 s
        cur.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
        busy, _pages, _done = cur.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        cur.execute(f"PRAGMA busy_timeout = {int(waited)}")
        raw.close()
    if busy:
        log.warning("erasure: the write-ahead log is in use by another connection; erased values leave "
                    "it at the next checkpoint", extra={"event": "erasure_checkpoint_busy"})
    return not busy
