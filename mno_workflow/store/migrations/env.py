"""Alembic environment: the target is ``Base.metadata`` with every model module imported.

Used by :mod:`mno_workflow.store.migrate` (``mno db upgrade``), which passes the URL (and, in
tests, an open connection) through the Alembic config, and by the ``alembic`` command with
``mno_workflow/store/alembic.ini``. SQLite gets batch mode so later ALTERs work there too.
"""

from __future__ import annotations

import importlib

from alembic import context
from sqlalchemy import JSON, pool

from mno_workflow.store import models as _models  # noqa: F401  (registers the tables)
from mno_workflow.store.base import Base, UTCDateTime, database_url, make_engine
from mno_workflow.store.search import include_object


def _import_all_models() -> None:
    """Every package that puts tables on ``Base.metadata``: the store, the service directory and
    the web layer (accounts, API tokens, case views)."""
    for module in ("mno_workflow.directory.tables", "mno_workflow.web.models"):
        importlib.import_module(module)


_import_all_models()

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return database_url(config.get_main_option("sqlalchemy.url") or None)


def _render_item(type_: str, obj, autogen_context) -> str | bool:
    """Render our column types as plain SQLAlchemy types, so scripts need no project import."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, JSON) and "postgresql" in getattr(obj, "_variant_mapping", {}):
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return "sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')"
    return False


def _configure(connection=None, url=None) -> None:
    dialect = connection.dialect.name if connection is not None else url.split(":")[0].split("+")[0]
    context.configure(connection=connection, url=url, target_metadata=target_metadata,
                      render_as_batch=dialect == "sqlite", compare_type=True, render_item=_render_item,
                      include_object=include_object,
                      literal_binds=connection is None)


def run_migrations_offline() -> None:
    _configure(url=_url())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url(), poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            _configure(connection=conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
