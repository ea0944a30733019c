"""The store behaves the same on SQLite and PostgreSQL: instants, JSON, the test server itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from mno_workflow.store.base import Base, make_engine
from mno_workflow.store.models import Case, SopVersion


@pytest.fixture
def db(db_url):
    engine = make_engine(db_url)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def sop_row(at: datetime) -> SopVersion:
    return SopVersion(sop_id="x", version="1", title="t", source_path="p", source="s", sha256="0" * 64,
                      loaded_at=at)


@pytest.mark.parametrize("instant", [
    datetime(2025, 3, 30, 1, 30, 15, 123456, tzinfo=UTC),
    datetime(2025, 3, 30, 3, 30, 0, 999999, tzinfo=timezone(timedelta(hours=2))),  # Paris summer time
    datetime(1999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5))),
])
def test_instants_come_back_as_the_same_aware_utc_instant(db, instant):
    with Session(db) as s, s.begin():
        s.add(sop_row(instant))
    with Session(db) as s:
        got = s.scalar(select(SopVersion.loaded_at))
    assert got == instant
    assert got.tzinfo is not None and got.utcoffset() == timedelta(0)
    assert (got.hour, got.microsecond) == (instant.astimezone(UTC).hour, instant.microsecond)


def test_naive_instants_are_refused(db):
    with Session(db) as s, pytest.raises(StatementError, match="naive datetime"):
        s.add(sop_row(datetime(2025, 1, 1)))
        s.flush()


def test_json_round_trip(db):
    data = {"identification": {"first_name": "Zoé", "n": 3, "ok": True, "none": None,
                               "needs": [{"need": "médical", "x": 1.5}]}}
    with Session(db) as s, s.begin():
        v = sop_row(datetime(2025, 1, 1, tzinfo=UTC))
        s.add(v)
        s.flush()
        s.add(Case(reference="C-1", sop_version_id=v.id, data=data, created_at=v.loaded_at,
                   updated_at=v.loaded_at))
    with Session(db) as s:
        assert s.scalar(select(Case.data)) == data


def test_json_columns_are_jsonb_on_postgresql(db):
    cols = {c["name"]: c["type"] for c in inspect(db).get_columns("cases")}
    if db.dialect.name == "postgresql":
        assert isinstance(cols["data"], JSONB)
        with db.connect() as conn:  # JSONB operators work on the stored data
            assert conn.execute(text("SELECT '{\"a\": 1}'::jsonb ? 'a'")).scalar() is True
    else:
        assert db.dialect.name == "sqlite"


@pytest.mark.postgresql
def test_each_test_gets_its_own_empty_postgresql_schema(pg_url):
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar()
            assert schema.startswith("t_")
            assert inspect(conn).get_table_names() == []
        Base.metadata.create_all(engine)
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) >= {"cases", "audit_events"}
            assert inspect(conn).get_table_names(schema="public") == []
    finally:
        engine.dispose()
