"""SQLite backup while the application writes, and restore (issue 17, docs/deployment.md): the copy
is consistent (integrity check, audit chains verified), holds every case committed before it, and a
restored file serves as the database again."""

from __future__ import annotations

import json
import threading

from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.engine.engine import Actor, WorkflowEngine
from mno_workflow.sop.loader import load_file
from mno_workflow.store.base import make_engine
from mno_workflow.store.migrate import upgrade

from ..conftest import BF_SOP
from .users import add_users

runner = CliRunner()


def test_backup_while_writing_then_restore(tmp_path):
    db = tmp_path / "live.db"
    url = f"sqlite:///{db}"
    upgrade(url)
    add_users(url)  # --as names an existing account since the CLI checks it
    wf = WorkflowEngine(make_engine(url))
    wf.load_sop(load_file(BF_SOP))
    cw = Actor("awa", "caseworker")
    before = [wf.create_case("mnr_bf", cw) for _ in range(5)]
    stop = threading.Event()
    written: list[str] = []

    def writer():  # the running application keeps writing during the backup
        while not stop.is_set():
            written.append(wf.create_case("mnr_bf", cw))

    t = threading.Thread(target=writer)
    t.start()
    try:
        while len(written) < 3:
            pass
        r = runner.invoke(app, ["--db", url, "backup", str(tmp_path / "copy.db")])
    finally:
        stop.set()
        t.join()
    assert r.exit_code == 0, r.output
    assert "intégrité vérifiée" in r.output
    assert (tmp_path / "copy.db").stat().st_mode & 0o777 == 0o600

    # restore: the service is stopped, the copy put in place of the database; on a new place the
    # audit key (kept apart from the backups, docs/audit.md) is put back next to it too
    restored = tmp_path / "restored" / "mno.db"
    restored.parent.mkdir()
    restored.write_bytes((tmp_path / "copy.db").read_bytes())
    (tmp_path / "restored" / "mno.db.audit-key").write_bytes((tmp_path / "live.db.audit-key").read_bytes())
    r = runner.invoke(app, ["--db", str(restored), "audit", "verify"])
    assert r.exit_code == 0 and "0 problème" in r.output, r.output
    r = runner.invoke(app, ["--db", str(restored), "case", "list", "--format", "json", "--limit", "1000"])
    refs = {c["reference"] for c in json.loads(r.stdout)}
    assert set(before) <= refs and len(refs) <= len(before) + len(written)
    r = runner.invoke(app, ["--db", str(restored), "case", "create", "--sop", "mnr_bf",
                            "--as", "awa:caseworker"])
    assert r.exit_code == 0, r.output


def test_backup_refuses_postgresql_and_existing_files(tmp_path):
    pg = "postgresql+psycopg://u:secret@localhost/x"
    r = runner.invoke(app, ["--db", pg, "backup", str(tmp_path / "b")])
    assert r.exit_code == 1 and "pg_dump" in r.output and "secret" not in r.output
    (tmp_path / "b.db").write_text("keep")
    runner.invoke(app, ["--db", str(tmp_path / "x.db"), "demo"])
    r = runner.invoke(app, ["--db", str(tmp_path / "x.db"), "backup", str(tmp_path / "b.db")])
    assert r.exit_code == 1 and (tmp_path / "b.db").read_text() == "keep"
