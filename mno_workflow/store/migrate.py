"""Schema migrations with Alembic: ``upgrade(url)`` and ``current(url)`` (``mno db upgrade``).

The migration scripts live inside the package (``mno_workflow/store/migrations``), so an
installed package can upgrade its database without the source tree or an ini file.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from .base import database_url, make_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations and at ``url``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", database_url(url).replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    """The newest revision shipped with this package."""
    rev = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert rev is not None
    return rev


def upgrade(url: str | None = None, revision: str = "head") -> str | None:
    """Bring the database at ``url`` to ``revision`` (default: the newest). Returns the new one.

    A database whose tables were created straight from the models (``create_all``, as some tools
    and tests do) but never migrated is stamped at the newest revision first: the models and the
    migrations are kept identical by a test, so that is the schema it has."""
    if current(url) is None and _has_tables(url):
        command.stamp(alembic_config(url), "head")
    command.upgrade(alembic_config(url), revision)
    return current(url)


def _has_tables(url: str | None) -> bool:
    from sqlalchemy import inspect
    engine = make_engine(database_url(url))
    try:
        with engine.connect() as conn:
            return inspect(conn).has_table("cases")
    finally:
        engine.dispose()


def current(url: str | None = None) -> str | None:
    """The revision the database at ``url`` is at, or None for a database never migrated."""
    engine = make_engine(database_url(url))
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
