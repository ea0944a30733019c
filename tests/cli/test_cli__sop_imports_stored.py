"""An SOP split into several files (``imports:``, issue 14): ``mno sop load`` stores the main file
and every imported file as written; a case on that version reads the stored files after the
disk changed; ``mno sop export`` writes them all back byte for byte (and the set validates);
bad imports store nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

import filecmp
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import Actor, WorkflowEngine
from mno_workflow.sop import cache
from mno_workflow.store.base import make_engine
from mno_workflow.store.models import SopVersion

from ..sop.test_imports_and_flow_conditions import SOP
from ..sop.test_sop_imports_files import FORMS, OPTIONS, tree

runner = CliRunner()
FILES = {
    "regional.yaml": "# POS régionale — édition 1\n" + SOP.replace("[shared.yaml]", "[commun/forms.yaml]"),
    "commun/forms.yaml": FORMS.replace("\n", "\r\n").encode("utf-8"),  # written on Windows
    "commun/listes/options.yaml": OPTIONS + "  # accents é à ç, kept\n",
}


def mno(db_url, *args):
    result = runner.invoke(app, ["--db", db_url, *args])
    assert "Traceback" not in result.output
    return result


def originals(root: Path) -> dict[str, bytes]:
    return {rel: (root / rel).read_bytes() for rel in FILES}


def test_published_files_are_the_versions_own_and_export_gives_them_back(db_url, tmp_path):
    pos = tmp_path / "pos"
    main = tree(pos, FILES)
    before = originals(pos)
    assert mno(db_url, "db", "upgrade").exit_code == 0
    r = mno(db_url, "sop", "load", str(main))
    assert r.exit_code == 0, r.output

    db = make_engine(db_url)
    with db.connect() as c:
        [row] = c.execute(select(SopVersion.source, SopVersion.files)).all()
    assert row.source.encode("utf-8") == before["regional.yaml"]
    assert {k: v.encode("utf-8") for k, v in row.files.items()} == {
        k: v for k, v in before.items() if k != "regional.yaml"}

    # a case starts on the version, then the files on the disk change (the emergency code is gone)
    clock = SimulatedClock(datetime(2025, 6, 2, 8, tzinfo=UTC))
    wf = WorkflowEngine(db, clock)
    cw = Actor("awa", "caseworker")
    ref = wf.create_case("regional", cw)
    (pos / "commun" / "listes" / "options.yaml").write_text(
        "options:\n  priority:\n    normal: {fr: Normal, en: Normal}\n", encoding="utf-8")
    (pos / "commun" / "forms.yaml").unlink()
    (pos / "regional.yaml").write_text(FILES["regional.yaml"].replace("Modèle", "Autre"), encoding="utf-8")
    cache.clear_memory()
    fresh = WorkflowEngine(db, clock)  # another process: compiles the version from the database
    result = fresh.fire(ref, "finish", cw, {"text": "vu", "priority": "emergency"})
    assert result.to_state == "done"  # the stored form (gone from the disk) took the stored code
    with fresh.sessions() as s:
        [v] = s.scalars(select(SopVersion))
        assert fresh.registry.compiled(v).sop.options["priority"]["emergency"]["fr"] == "Urgence vitale"

    # export to a fresh folder: every file, byte for byte what was published
    out = tmp_path / "export"
    out.mkdir()
    r = mno(db_url, "sop", "export", "regional", "-o", str(out))
    assert r.exit_code == 0, r.output
    orig = tmp_path / "orig"
    tree(orig, {k: v for k, v in before.items()})
    for rel, data in before.items():
        assert (out / rel).read_bytes() == data, rel
        assert filecmp.cmp(out / rel, orig / rel, shallow=False)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == sorted(FILES)
    assert b"\r\n" in (out / "commun" / "forms.yaml").read_bytes()
    v = runner.invoke(app, ["validate", str(out / "regional.yaml")])
    assert v.exit_code == 0, v.output
    # loading the exported set again is the same version (no conflict, no new row)
    assert mno(db_url, "sop", "load", str(out / "regional.yaml")).exit_code == 0
    # the changed files on the disk are another content under the same version number: refused
    changed = mno(db_url, "sop", "load", str(tree(tmp_path / "changed", {
        **FILES, "commun/listes/options.yaml": "options:\n  priority:\n    emergency: {fr: U, en: E}\n"})))
    assert changed.exit_code != 0 and "existe déjà avec un autre contenu" in changed.output
    with db.connect() as c:
        assert c.scalar(select(func.count()).select_from(SopVersion)) == 1
    db.dispose()


def test_export_to_a_file_name_puts_the_imports_beside_it(db_url, tmp_path):
    main = tree(tmp_path / "pos", FILES)
    assert mno(db_url, "db", "upgrade").exit_code == 0
    assert mno(db_url, "sop", "load", str(main)).exit_code == 0
    out = tmp_path / "ailleurs" / "copie.yaml"
    r = mno(db_url, "sop", "export", "regional", "-o", str(out))
    assert r.exit_code == 0, r.output
    assert out.read_bytes() == main.read_bytes()
    assert (out.parent / "commun" / "listes" / "options.yaml").read_bytes() == (
        main.parent / "commun" / "listes" / "options.yaml").read_bytes()


@pytest.mark.parametrize("entry,files,where,reason", [
    ("../../etc/passwd", {}, 3, "leads out of the SOP's folder"),
    ("/etc/passwd", {}, 3, "absolute path"),
    ("absent.yaml", {}, 3, "file not found"),
    ("commun/forms.yaml", {"commun/forms.yaml": "imports: [../regional.yaml]\n"}, 1, "import cycle"),
])
def test_bad_imports_store_nothing(db_url, tmp_path, entry, files, where, reason):
    main = tree(tmp_path / "pos", {"regional.yaml": SOP.replace("[shared.yaml]", f'["{entry}"]'),
                                   **files})
    assert mno(db_url, "db", "upgrade").exit_code == 0
    r = mno(db_url, "--lang", "en", "sop", "load", str(main))  # the diagnostics in the --lang language
    assert r.exit_code == 1
    at = main if where == 3 else main.parent / "commun" / "forms.yaml"
    assert f"{at}:{where}:" in r.output and "E037" in r.output and reason in r.output
    db = make_engine(db_url)
    with db.connect() as c:
        assert c.scalar(select(func.count()).select_from(SopVersion)) == 0
    db.dispose()


def test_a_version_stored_merged_before_its_files_were_kept_stays_the_same_version(db_url, tmp_path):
    """A database written before revision 0023 holds the merged text of an SOP with imports:
    loading the same files again is that version (no conflict); other file contents conflict."""
    import hashlib

    from sqlalchemy.orm import Session

    from mno_workflow.sop.loader import load_file
    main = tree(tmp_path / "pos", FILES)
    loaded = load_file(main)
    assert loaded.resolved and "imports" not in loaded.resolved
    assert mno(db_url, "db", "upgrade").exit_code == 0
    db = make_engine(db_url)
    with Session(db) as s, s.begin():
        s.add(SopVersion(sop_id="regional", version="1", title="t", source_path=str(main),
                         source=loaded.resolved, sha256=hashlib.sha256(loaded.resolved.encode()).hexdigest(),
                         loaded_at=datetime(2025, 1, 1, tzinfo=UTC)))
    r = mno(db_url, "sop", "load", str(main))
    assert r.exit_code == 0, r.output
    (main.parent / "commun" / "listes" / "options.yaml").write_text(
        OPTIONS.replace("Urgence vitale", "Urgence"), encoding="utf-8")
    r = mno(db_url, "sop", "load", str(main))
    assert r.exit_code == 1 and "existe déjà avec un autre contenu" in r.output
    with db.connect() as c:
        assert c.scalar(select(func.count()).select_from(SopVersion)) == 1
    # its export is the merged text it kept (one file), byte for byte
    out = tmp_path / "old.yaml"
    assert mno(db_url, "sop", "export", "regional", "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8") == loaded.resolved
    db.dispose()


def test_validate_a_folder_checks_nested_imported_files_with_their_sop(tmp_path):
    """``mno validate <folder>``: a file imported through another imported file is checked with
    the SOP, not as an SOP of its own (E011 otherwise)."""
    tree(tmp_path, FILES)
    r = runner.invoke(app, ["validate", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "E011" not in r.output
    nested = (tmp_path / "commun" / "listes" / "options.yaml").resolve()
    assert f"{nested}: importé par" in r.output
