"""One sweeper at a time across processes and machines: a PostgreSQL advisory lock.

With ``mno serve --workers N`` (or several machines on one PostgreSQL) every process runs the
scheduler; each run first tries ``pg_try_advisory_lock(SWEEPER_LOCK)`` on a connection of its own
and, when another process holds it, skips this run (the holder is sweeping; the next interval
tries again). The lock is a session lock: it is released at the end of the run, or by PostgreSQL
when the holder's connection dies (a killed process never blocks the others). SQLite needs no lock
(one process; its writers already take ``BEGIN IMMEDIATE``).

The periodic audit checkpoint job has a lock of its own (:data:`CHECKPOINT_LOCK`): a long sweep does
not hold it back, and only one process signs a checkpoint.

The claim itself stays safe without the lock (``FOR UPDATE SKIP LOCKED``): the lock spares the
duplicate work (digests, outbox delivery, checkpoints) and keeps their order simple.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import Engine

SWEEPER_LOCK = 0x4D4E4F5357  # "MNOSW": the advisory lock key of the sweeper
CHECKPOINT_LOCK = 0x4D4E4F4350  # "MNOCP": the periodic audit checkpoint (one process writes it)


@contextmanager
def exclusive(db: Engine, key: int = SWEEPER_LOCK) -> Iterator[bool]:
    """``with exclusive(db) as mine:`` — ``mine`` is True when this process holds the lock for the
    block (always True on SQLite), False when another process holds it (do nothing then)."""
    if db.dialect.name != "postgresql":
        yield True
        return
    conn = db.connect()
    try:
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
        conn.commit()  # no transaction left open while the block runs
        try:
            yield got
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
    finally:
        conn.close()
