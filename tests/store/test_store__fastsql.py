"""The DB-API path of the engine's hot statements (store/fastsql.py) stores exactly what
SQLAlchemy's own execution stores, raises SQLAlchemy's exception classes, and lets statement
listeners see every statement; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import event, insert, text
from sqlalchemy.exc import IntegrityError

from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.store.base import Base, make_engine
from mno_workflow.store.fastsql import Statement
from mno_workflow.store.models import SopVersion

from ..conftest import TEST_DIRECTORY
from ..engine.helpers import CW, referral, to_referrals

# Columns that differ between two databases by design: the audit key (one per database), the
# random salts and what they feed (digests, hashes, heads).
RANDOM = {"key_id", "hash", "prev_hash", "data_salts", "data_digests", "audit_head"}


def _stored(url: str, bf_loaded, clock_at, listen: bool) -> dict[str, list[dict]]:
    db = make_engine(url)
    Base.metadata.drop_all(db)
    Base.metadata.create_all(db)
    seen: list[str] = []
    if listen:  # a statement listener: every statement goes through Connection.execute
        event.listen(db, "before_cursor_execute", lambda c, cur, stmt, *a: seen.append(stmt))
    wf = WorkflowEngine(db, SimulatedClock(clock_at), **TEST_DIRECTORY)
    wf.load_sop(bf_loaded)
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("cfp"), instance="referral:vocational_training")
    out = {}
    with db.connect() as conn:
        for t in ("cases", "step_instances", "deadlines", "outbox", "audit_events"):
            res = conn.execute(text(f"SELECT * FROM {t} ORDER BY id"))
            cols = list(res.keys())
            out[t] = [{k: v for k, v in zip(cols, r, strict=True) if k not in RANDOM} for r in res]
    db.dispose()
    if listen:
        assert any(s.startswith("INSERT INTO audit_events") for s in seen)
        assert any(s.startswith("UPDATE cases") for s in seen)
    return out


def test_dbapi_path_stores_what_sqlalchemy_stores(db_url, bf_loaded, clock):
    """Raw stored values (text of instants on SQLite, JSON, booleans) are identical."""
    via_core = _stored(db_url, bf_loaded, clock.now(), listen=True)
    direct = _stored(db_url, bf_loaded, clock.now(), listen=False)
    assert {t: len(r) for t, r in direct.items()} == {t: len(r) for t, r in via_core.items()}
    assert len(direct["deadlines"]) > 5 and len(direct["outbox"]) > 2
    assert direct == via_core


def test_dbapi_errors_are_sqlalchemy_errors(db_url, clock):
    """A constraint violation raises sqlalchemy.exc.IntegrityError (callers catch it), and the
    transaction is left for the caller to roll back."""
    db = make_engine(db_url)
    Base.metadata.create_all(db)
    stmt = Statement(insert(SopVersion.__table__), ("id", "sop_id", "version", "title", "source_path",
                                                    "source", "sha256", "loaded_at"))
    row = {"id": 1, "sop_id": "x", "version": "1", "title": "t", "source_path": "p", "source": "s",
           "sha256": "0" * 64, "loaded_at": clock.now()}
    with db.begin() as conn:
        stmt.execute(conn, row)
    with pytest.raises(IntegrityError), db.begin() as conn:
        stmt.execute(conn, row)
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sop_versions")).scalar() == 1
        loaded = conn.execute(text("SELECT loaded_at FROM sop_versions")).scalar()
    if db.dialect.name == "sqlite":  # SQLAlchemy's own text form of an instant
        assert loaded == "2025-06-02 08:00:00.000000"
    db.dispose()


def test_executemany_with_shared_values_and_rows_with_repeated_values(db_url, clock):
    """Parameters of an executemany are built column by column, a value object shared by several
    rows (one ``now``, one context dict) processed once: the stored rows are those SQLAlchemy's
    own executemany stores. Read back, an instant text repeated in a result set is parsed once
    (equal aware datetimes), but a JSON value is never shared between rows (a caller may change
    one row's dict)."""
    from datetime import timedelta

    from mno_workflow.store.models import OutboxMessage

    db = make_engine(db_url)
    Base.metadata.create_all(db)
    table = OutboxMessage.__table__
    now, later = clock.now(), clock.now() + timedelta(hours=1)
    shared = {"reference": "BF-1", "late": False}

    def rows(first_id: int) -> list[dict]:
        return [{"id": first_id + n, "case_id": None, "deadline_id": None, "kind": "reminder",
                 "recipient_role": "caseworker", "template": "reminder",
                 "context": shared if n % 2 else {"reference": f"BF-{n}", "n": n},
                 "status": "pending", "attempts": 0, "next_attempt_at": later if n == 3 else now,
                 "created_at": now, "late": bool(n % 3), "channel": "inapp", "recipient_user": None,
                 "lang": "fr", "recipient_address": None} for n in range(6)]

    stmt = Statement(insert(table), tuple(rows(1)[0]))
    with db.begin() as conn:
        stmt.executemany(conn, rows(1))  # the DB-API path (no listener on this engine)
        conn.execute(insert(table), rows(101))  # SQLAlchemy's own executemany
    cols = ", ".join(c for c in rows(1)[0] if c != "id")
    with db.connect() as conn:
        mine = [tuple(r) for r in conn.execute(text(f"SELECT {cols} FROM outbox WHERE id < 100 ORDER BY id"))]
        core = [tuple(r) for r in conn.execute(text(f"SELECT {cols} FROM outbox WHERE id > 100 ORDER BY id"))]
        assert len(mine) == 6 and mine == core
        read = Statement(table.select().where(table.c.id < 100).order_by(table.c.id)).rows(conn, {})
    i_ctx, i_next = list(table.c.keys()).index("context"), list(table.c.keys()).index("next_attempt_at")
    assert [r[i_next] for r in read] == [now, now, now, later, now, now]
    assert all(r[i_next].utcoffset() == timedelta(0) for r in read)
    assert read[1][i_ctx] == read[3][i_ctx] == shared
    assert read[1][i_ctx] is not read[3][i_ctx]  # equal JSON text, two dicts
    read[1][i_ctx]["changed"] = True
    assert "changed" not in read[3][i_ctx]
    db.dispose()
