"""SQLAlchemy declarative base, portable column types and engine creation (SQLite or PostgreSQL).

Instants are stored as UTC and always read back time-zone aware, on both back ends.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, TypeDecorator, create_engine, event, make_url
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session

from .fastsql import execute_text
from .pg_planner import pg_options
from .wal import set_auto_checkpoint

DEFAULT_URL = "sqlite:///data/mno.db"  # documentation only: see config.default_database_url

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """A time-zone-aware instant stored as UTC. Naive datetimes are refused (ValueError)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: instants must be time-zone aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# JSON on SQLite, JSONB on PostgreSQL.
JSONData = JSON().with_variant(JSONB(), "postgresql")


def database_url(url: str | None = None) -> str:
    """The database URL: ``url``, else ``$MNO_DATABASE_URL`` (or ``database_url`` of ``mno.toml``),
    else the SQLite file ``mno.db`` of the data directory (see :mod:`mno_workflow.config`). A plain
    file path (no ``scheme://``) means a SQLite file. Raises ConfigError (a ValueError) when an old
    ``./mno.db`` would be silently ignored."""
    if not url and not os.environ.get("MNO_DATABASE_URL"):
        from ..config import default_database_url
        url = default_database_url()
    url = url or os.environ.get("MNO_DATABASE_URL") or DEFAULT_URL
    if "://" not in url and url.strip():
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    return url


def private_file(path: str | None) -> None:
    """Create the SQLite file ``path`` (if missing, in an existing folder) readable by its owner
    only (mode 600); SQLite gives its ``-wal``/``-shm`` files the same mode. Existing files are left
    as they are; a missing folder stays an error (SQLite reports it); ``:memory:`` is ignored."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    p = Path(path)
    if p.exists() or not p.parent.is_dir():
        return
    try:
        os.close(os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    except OSError:  # read-only folder…: SQLite reports it with its own message
        pass


BUSY_TIMEOUT_MS = 30_000
WRITE_OPTION = "mno_write"


class WorkflowSession(Session):
    """A session that tells SQLite whether it will write.

    ``with sessions.begin() as s`` (an explicit begin) is a write transaction: on SQLite it starts
    with ``BEGIN IMMEDIATE`` (the write lock is taken at once, so two writers never deadlock on a
    lock upgrade). ``with sessions() as s`` (autobegin, never committed) is a read: a deferred
    ``BEGIN`` that takes no write lock, so reads run beside a writer (WAL) and a second read
    session opened inside a first one does not wait. On PostgreSQL both are plain transactions.
    """

    _mno_write = False

    def begin(self, nested: bool = False):  # type: ignore[override]
        if not nested:
            self._mno_write = True
        return super().begin(nested=nested)

    def _connection_for_bind(self, engine: Any, execution_options: Any = None, **kw: Any):
        root = self._transaction
        while root is not None and root._parent is not None:  # savepoints: ask the outer one
            root = root._parent
        if not execution_options and (root is None or engine not in root._connections):
            execution_options = {WRITE_OPTION: self._mno_write}
        return super()._connection_for_bind(engine, execution_options, **kw)


BIG_CACHE = "mno_big_cache"  # key of a pooled connection's info: its page cache is enlarged
SECURE_DELETE = "mno_secure_delete"  # key of a pooled connection's info: its secure_delete before


def big_page_cache(conn: Any, kib: int = 65536) -> None:
    """SQLite: let the connection ``conn`` (a SQLAlchemy ``Connection`` in a transaction) keep up
    to ``kib`` KiB of database pages in memory until it returns to the pool, then the default
    (2,000 KiB) again. For a batch that touches many B-tree pages in one transaction (the
    reminder sweep: an index entry per marked row and index): with the default cache SQLite reads
    the indexes' inner pages again from the file for each row and writes dirty pages to the WAL
    before the commit. Durability is unchanged (``synchronous`` is not touched). No-op elsewhere."""
    if conn.dialect.name != "sqlite":
        return
    conn.info[BIG_CACHE] = True
    execute_text(conn, f"PRAGMA cache_size = -{int(kib)}")




def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine. SQLite gets WAL mode (automatic checkpoints only past
    :data:`~mno_workflow.store.wal.AUTO_CHECKPOINT_PAGES` pages: the long-running processes
    checkpoint in a thread, :mod:`.wal`), foreign keys on and a 30 s busy timeout (a writer
    waits up to 30 s for another writer's lock instead of failing at once); PostgreSQL sessions
    get :data:`~.pg_planner.PG_OPTIONS` (:func:`~.pg_planner.pg_options`); read sessions start a
    deferred transaction, write sessions ``BEGIN IMMEDIATE`` (see :class:`WorkflowSession`)."""
    url = database_url(url)
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": BUSY_TIMEOUT_MS / 1000})
        # No ceiling on connections (5 kept, the others closed when given back): the database's
        # write lock is what serialises writers. With a ceiling (15), 20 concurrent requests could
        # hold every connection while waiting for that lock, and the transaction holding it then
        # waited for one more connection: all stood still for the 30 s busy timeout (issue 15,
        # bench/http_load.py). Only for a file with the default pool (a caller's poolclass keeps
        # its own; an in-memory database has SQLAlchemy's one-connection-per-thread pool).
        database = make_url(url).database
        if "poolclass" not in kwargs and database and database != ":memory:" \
                and "mode=memory" not in url:
            kwargs.setdefault("max_overflow", -1)
        private_file(database)
    elif url.startswith("postgresql"):
        kwargs.setdefault("connect_args", {}).setdefault("options", pg_options(make_url(url)))
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see below)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
            set_auto_checkpoint(dbapi_conn)  # a bound; the checkpoints: a thread (store/wal.py)

        @event.listens_for(engine, "checkin")
        def _sqlite_cache_back(dbapi_conn: Any, record: Any) -> None:
            # a connection whose page cache a batch enlarged (big_page_cache) gets the default
            # back when it returns to the pool, after its transaction ended (the pages are freed)
            if dbapi_conn is not None and record is not None and record.info.pop(BIG_CACHE, None):
                dbapi_conn.execute("PRAGMA cache_size = -2000")
            # an erasure's connection (store/erasure_disk.py) gets its secure_delete setting back
            secure = record.info.pop(SECURE_DELETE, None) if record is not None else None
            if dbapi_conn is not None and secure is not None:
                dbapi_conn.execute(f"PRAGMA secure_delete = {int(secure)}")

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Writes: BEGIN IMMEDIATE takes the write lock at the start (no lost updates between
            # concurrent writers, no upgrade deadlock). Reads: a deferred BEGIN, no write lock.
            # Core connections (migrations) are treated as writes unless they say otherwise.
            write = conn.get_execution_options().get(WRITE_OPTION, True)
            execute_text(conn, "BEGIN IMMEDIATE" if write else "BEGIN")
    return engine
