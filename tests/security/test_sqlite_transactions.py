"""SQLite: reads take no write lock (deferred BEGIN), writes take it at once (BEGIN IMMEDIATE),
a busy timeout is set; a read session inside another read session, or beside a writer, works."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import sessionmaker

from mno_workflow.store.base import Base, WorkflowSession, make_engine
from mno_workflow.store.models import User


def _db(tmp_path):
    db = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    Base.metadata.create_all(db)
    return db, sessionmaker(db, class_=WorkflowSession, expire_on_commit=False)


def test_busy_timeout_is_set(tmp_path):
    db, sessions = _db(tmp_path)
    with sessions() as s:
        assert s.execute(text("PRAGMA busy_timeout")).scalar() == 30000
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_a_read_session_inside_a_read_session_and_beside_a_writer(tmp_path):
    db, sessions = _db(tmp_path)
    fast = make_engine(f"sqlite:///{tmp_path / 'x.db'}", connect_args={"timeout": 0.2})
    fast_sessions = sessionmaker(fast, class_=WorkflowSession)
    with sessions() as outer:
        assert outer.scalar(select(func.count()).select_from(User)) == 0
        with sessions() as inner:
            assert inner.scalar(select(func.count()).select_from(User)) == 0
        # A writer can commit while a read transaction is open (no write lock held by reads);
        # with a 0.2 s timeout it would fail with "database is locked" otherwise.
        with fast_sessions.begin() as w:
            w.add(User(id="a", display_name="A", role="caseworker"))
        assert outer.scalar(select(func.count()).select_from(User)) == 0  # its snapshot
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(User)) == 1
    fast.dispose()
    db.dispose()


def test_a_write_session_holds_the_write_lock_from_its_begin(tmp_path):
    db, sessions = _db(tmp_path)
    fast = make_engine(f"sqlite:///{tmp_path / 'x.db'}", connect_args={"timeout": 0.1})
    fast_sessions = sessionmaker(fast, class_=WorkflowSession)
    import pytest
    import sqlalchemy.exc

    with sessions.begin() as w:
        w.scalar(select(func.count()).select_from(User))  # only a read, yet IMMEDIATE
        with pytest.raises(sqlalchemy.exc.OperationalError, match="locked"):
            with fast_sessions.begin() as w2:
                w2.scalar(select(func.count()).select_from(User))
        with fast_sessions() as r:  # a reader is not blocked
            assert r.scalar(select(func.count()).select_from(User)) == 0
    fast.dispose()
    db.dispose()


def test_savepoints_in_a_write_session_give_no_warning(tmp_path):
    import warnings

    db, sessions = _db(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with sessions.begin() as s:
            s.add(User(id="a", display_name="A", role="caseworker"))
            s.flush()  # the outer transaction has its connection before the savepoint
            with s.begin_nested():
                s.scalar(select(func.count()).select_from(User))
                s.add(User(id="b", display_name="B", role="caseworker"))
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(User)) == 2
    db.dispose()
