"""Erased values leave the SQLite files when the erasure says they are erased (tryout 9, L14):
after ``erase_case`` neither the database file nor its write-ahead log (``-wal``) holds the
person's values — the erasure overwrites what it frees (``secure_delete``) and empties the log
(``wal_checkpoint(TRUNCATE)``). A reader holding the log open makes the checkpoint wait for
SQLite's next one: the erasure still succeeds."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.engine.retention import erase_case
from mno_workflow.store.base import Base, make_engine
from mno_workflow.store.erasure_disk import clear_traces

from ..conftest import TEST_DIRECTORY
from ..engine.helpers import CW, IDENT, SUP, close_now

NAME, PHONE = "Zakaria-Wendpouiré", "+226 70 98 76 54"


def files(path: Path) -> bytes:
    wal = Path(f"{path}-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def engine_on(path: Path, clock, bf_loaded) -> WorkflowEngine:
    db = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, clock, **TEST_DIRECTORY)
    wf.load_sop(bf_loaded)
    return wf


def test_erased_values_are_in_neither_the_database_nor_its_wal(tmp_path, clock, bf_loaded):
    path = tmp_path / "mno.db"
    wf = engine_on(path, clock, bf_loaded)
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, {**IDENT, "first_name": NAME, "phone": PHONE})
    close_now(wf, ref)
    raw = files(path)
    assert NAME.encode() in raw and PHONE.encode() in raw  # what the test looks for is there before
    assert Path(f"{path}-wal").stat().st_size > 0
    assert erase_case(wf, ref, SUP, "demande de la personne") > 0
    raw = files(path)
    assert NAME.encode() not in raw and PHONE.encode() not in raw
    assert Path(f"{path}-wal").stat().st_size == 0  # the log was emptied into the database file
    with wf.sessions() as s:  # the application goes on
        assert s.connection().exec_driver_sql("PRAGMA secure_delete").scalar() in (0, 1)
    wf.create_case("mnr_bf", CW)
    wf.db.dispose()


def test_a_reader_keeping_the_wal_busy_does_not_stop_the_erasure(tmp_path, clock, bf_loaded):
    path = tmp_path / "mno.db"
    wf = engine_on(path, clock, bf_loaded)
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, {**IDENT, "first_name": NAME})
    close_now(wf, ref)
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM cases").fetchone()  # a read snapshot: the log must stay
    try:
        assert erase_case(wf, ref, SUP, "demande de la personne") > 0
        assert clear_traces(wf.sessions) is False
    finally:
        reader.execute("COMMIT")
        reader.close()
    assert clear_traces(wf.sessions) is True
    assert NAME.encode() not in files(path)
    wf.db.dispose()
