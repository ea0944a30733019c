"""Shared fixtures: a real SQLite file per test, the reference SOP, a simulated clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.sop.loader import load_file
from mno_workflow.store.base import Base, make_engine

ROOT = Path(__file__).resolve().parent.parent
BF_SOP = ROOT / "sops" / "burkina_faso" / "mnr.yaml"


@pytest.fixture(scope="session")
def bf_loaded():
    return load_file(BF_SOP)


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'mno.db'}"


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC))  # Monday 2 June 2025, 08:00 UTC


@pytest.fixture
def wf(db_url, clock, bf_loaded) -> WorkflowEngine:
    db = make_engine(db_url)
    Base.metadata.create_all(db)
    engine = WorkflowEngine(db, clock)
    engine.load_sop(bf_loaded)
    yield engine
    db.dispose()


def snapshot(engine: WorkflowEngine) -> dict[str, list]:
    """Every row of every table, to assert that a refused action wrote nothing."""
    out = {}
    with engine.db.connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
            out[table] = sorted(tuple(map(str, r)) for r in rows)
    return out
