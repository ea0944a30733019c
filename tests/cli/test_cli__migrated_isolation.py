"""The ``migrated`` marker of ``db_url`` (tests/conftest.py): each test gets its own database at
the newest Alembic revision, a copy of one migrated once per session, never another test's data
(the second round fails if the first round's row is still there)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mno_workflow.store import migrate
from mno_workflow.store.base import make_engine
from mno_workflow.store.models import User


@pytest.mark.migrated
@pytest.mark.parametrize("round_", [1, 2])
def test_each_migrated_database_is_new_and_at_the_newest_revision(db_url, round_):
    assert migrate.current(db_url) == migrate.head()
    engine = make_engine(db_url)
    try:
        with Session(engine) as s, s.begin():
            assert s.scalar(select(func.count()).select_from(User)) == 0, round_
            s.add(User(id=f"left.by.round{round_}", display_name="x", role="caseworker", active=True))
    finally:
        engine.dispose()
