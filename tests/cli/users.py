"""Users the command-line tests act as (``--as`` must name an existing user since the CLI checks it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from mno_workflow.store import migrate
from mno_workflow.store.base import make_engine
from mno_workflow.store.models import User

from ..dbtemplate import seed_sqlite

PEOPLE = [("awa", "caseworker", None, None), ("bob", "caseworker", None, None),
          ("sup", "supervisor", None, None), ("idrissa", "supervisor", None, None),
          ("idrissa.sanou", "supervisor", None, "kadiogo"), ("mariam.kabore", "caseworker", None, "kadiogo"),
          ("coord", "coordinator", None, None), ("focal.cfp", "provider", "org-cfp", None)]


def add_users(db_url: str, people=PEOPLE) -> None:
    """Create the database if needed and add ``people`` (id, role, organisation, region).

    A new SQLite file is a copy of one Alembic migrated once per session (tests/dbtemplate.py):
    the same file a migration writes, without its ~1 s of CPU per test; ``upgrade`` then finds it
    at the newest revision. (Migrating a new database is tested by the store tests and by every
    command-line test whose first command creates its database.)"""
    seed_sqlite(db_url, datetime.min, "migrated", migrate.upgrade)
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    try:
        with Session(engine) as s, s.begin():
            for uid, role, org, region in people:
                if s.get(User, uid) is None:
                    s.add(User(id=uid, display_name=uid, role=role, organisation=org, region=region,
                               language="fr", active=True))
    finally:
        engine.dispose()
