"""SQLAlchemy declarative base, portable column types and engine creation (SQLite or PostgreSQL).

Instants are stored as UTC and always read back time-zone aware, on both back ends.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, TypeDecorator, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

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


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL mode, foreign keys on and a 30 s busy timeout."""
    url = database_url(url)
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
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

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # BEGIN IMMEDIATE takes the write lock at the start: no lost updates between
            # concurrent writers, no upgrade deadlock.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    return engine
