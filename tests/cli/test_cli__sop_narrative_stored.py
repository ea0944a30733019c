"""Narrative files (``narrative: [narrative.yaml]``) are part of the published version (issue 14):
``mno sop load`` of the Burkina Faso SOP stores ``narrative.yaml`` with the version (in its
digest); the documents of the stored version show the published narrative after the disk file
changed; ``mno sop export`` writes ``mnr.yaml`` and ``narrative.yaml`` back byte for byte. A
version registered before narrative files were stored (Burkina Faso "2026.2" in existing
databases) is neither refused nor duplicated when loaded again: the row is completed; until
then its documents say, in a warning chapter, that the narrative was not stored, and export
says it leaves the file out. On SQLite and PostgreSQL."""

from __future__ import annotations

import filecmp
import hashlib
import shutil
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.render.narrative_text import UNSTORED_CHAPTER, find_narrative
from mno_workflow.render.sop_document import render_sop_document
from mno_workflow.render.training import render_training
from mno_workflow.sop import cache
from mno_workflow.sop.imports import content_sha256
from mno_workflow.sop.listed_narrative import unstored
from mno_workflow.sop.loader import load_stored
from mno_workflow.store.base import make_engine
from mno_workflow.store.models import SopVersion
from tests.conftest import BF_VERSION

ROOT = Path(__file__).resolve().parents[2]
BF = ROOT / "sops" / "burkina_faso"
runner = CliRunner()
PUBLISHED = "Le Burkina Faso accueille chaque année des milliers de migrants de retour"
CHANGED = "TEXTE MODIFIÉ SUR LE DISQUE APRÈS LA PUBLICATION"
PRINCIPLE = "aucune action ne doit exposer la personne à un risque"  # the training pack's chapter


def mno(db_url, *args):
    result = runner.invoke(app, ["--db", db_url, *args])
    assert "Traceback" not in result.output
    return result


def copy_bf(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in ("mnr.yaml", "narrative.yaml"):
        shutil.copyfile(BF / name, folder / name)
    return folder / "mnr.yaml"


def change_narrative(folder: Path) -> None:
    path = folder / "narrative.yaml"
    text = path.read_text(encoding="utf-8")
    assert PUBLISHED in text and PRINCIPLE in text
    path.write_text(text.replace(PUBLISHED, CHANGED).replace(PRINCIPLE, CHANGED), encoding="utf-8")


def the_row(db) -> SopVersion:
    from sqlalchemy.orm import Session
    with Session(db) as s:
        [row] = s.scalars(select(SopVersion))
        _ = (row.source, row.files, row.source_path, row.sha256)  # deferred columns, loaded now
        s.expunge(row)
        return row


def test_the_narrative_is_stored_rendered_from_the_version_and_exported(db_url, tmp_path):
    main = copy_bf(tmp_path / "pos")
    orig = tmp_path / "orig"
    shutil.copytree(main.parent, orig)
    assert mno(db_url, "db", "upgrade").exit_code == 0
    r = mno(db_url, "sop", "load", str(main))
    assert r.exit_code == 0, r.output
    db = make_engine(db_url)
    row = the_row(db)
    assert row.files == {"narrative.yaml": (BF / "narrative.yaml").read_bytes().decode("utf-8")}
    assert row.sha256 == content_sha256(row.source, row.files) != content_sha256(row.source)

    # the disk changes after publication; another process renders the version's documents
    change_narrative(main.parent)
    cache.clear_memory()
    fresh = WorkflowEngine(db, SimulatedClock(datetime(2026, 6, 2, 8, tzinfo=UTC)))
    with fresh.sessions() as s:
        sop = fresh.registry.compiled(s.get(SopVersion, row.id)).sop
    assert PUBLISHED in find_narrative(sop, main).chapters[0].text["fr"]
    document, training = render_sop_document(sop, "fr", main, None), render_training(sop, "fr", main)
    assert PUBLISHED in document and PRINCIPLE in document and CHANGED not in document
    assert PRINCIPLE in training and CHANGED not in training

    # export: both files, byte for byte what was published
    out = tmp_path / "export"
    out.mkdir()
    r = mno(db_url, "sop", "export", "mnr_bf", "-o", str(out))
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["mnr.yaml", "narrative.yaml"]
    for name in ("mnr.yaml", "narrative.yaml"):
        assert filecmp.cmp(out / name, orig / name, shallow=False), name

    # the changed narrative under the same version number is another content: refused
    again = mno(db_url, "sop", "load", str(main))
    assert again.exit_code != 0 and "existe déjà avec un autre contenu" in again.output
    with db.connect() as c:
        assert c.scalar(select(func.count()).select_from(SopVersion)) == 1
    db.dispose()


def register_old_version(db, main: Path) -> int:
    """A row as versions were registered before narrative files were stored: the main text
    only, its digest over that text alone."""
    from sqlalchemy.orm import Session
    source = main.read_bytes().decode("utf-8")
    with Session(db) as s, s.begin():
        row = SopVersion(sop_id="mnr_bf", version=BF_VERSION, title="POS", source_path=str(main),
                         source=source, sha256=hashlib.sha256(source.encode("utf-8")).hexdigest(),
                         loaded_at=datetime(2026, 1, 5, tzinfo=UTC))
        s.add(row)
        s.flush()
        return row.id


def test_an_old_version_without_its_narrative_is_completed_when_loaded_again(db_url, tmp_path):
    main = copy_bf(tmp_path / "pos")
    assert f'version: "{BF_VERSION}"' in main.read_text(encoding="utf-8")
    assert mno(db_url, "db", "upgrade").exit_code == 0
    db = make_engine(db_url)
    vid = register_old_version(db, main)
    old = the_row(db)

    # before: loads, says what it lacks; documents warn visibly; export leaves the file out
    cache.clear_memory()
    sop = load_stored(old).model
    assert unstored(sop) == ("narrative.yaml",)
    narrative = find_narrative(sop, main)
    assert narrative.chapters[0].id == UNSTORED_CHAPTER
    warning = narrative.chapters[0].text
    assert BF_VERSION in warning["fr"] and "narrative.yaml" in warning["en"]
    html = render_sop_document(sop, "fr", main, None)
    assert "récit non enregistré avec cette version" in html and PUBLISHED in html
    out = tmp_path / "before"
    out.mkdir()
    r = mno(db_url, "sop", "export", "mnr_bf", "-o", str(out))
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["mnr.yaml"]
    assert "narrative.yaml" in r.output and BF_VERSION in r.output

    # the same SOP loaded again: no conflict, no new version, the row now holds the narrative
    r = mno(db_url, "sop", "load", str(main))
    assert r.exit_code == 0, r.output
    with db.connect() as c:
        assert c.scalar(select(func.count()).select_from(SopVersion)) == 1
    row = the_row(db)
    assert row.id == vid and row.source == old.source
    assert row.files == {"narrative.yaml": (main.parent / "narrative.yaml").read_bytes().decode("utf-8")}
    assert row.sha256 == content_sha256(row.source, row.files) != old.sha256
    assert mno(db_url, "sop", "load", str(main)).exit_code == 0  # idempotent from then on

    # from now on the version's documents are its own, whatever the disk says
    change_narrative(main.parent)
    cache.clear_memory()
    sop = load_stored(row).model
    assert unstored(sop) == ()
    html = render_sop_document(sop, "fr", main, None)
    assert PUBLISHED in html and CHANGED not in html and "récit non enregistré" not in html
    out = tmp_path / "after"
    out.mkdir()
    r = mno(db_url, "sop", "export", "mnr_bf", "-o", str(out))
    assert r.exit_code == 0, r.output
    assert (out / "narrative.yaml").read_bytes() == (BF / "narrative.yaml").read_bytes()
    assert BF_VERSION not in r.output.split("\n", 1)[1]  # no warning line
    db.dispose()


def test_a_bad_narrative_path_stores_nothing(db_url, tmp_path):
    main = copy_bf(tmp_path / "pos")
    text = main.read_text(encoding="utf-8")
    main.write_text(text.replace("narrative: [narrative.yaml]", "narrative: [../narrative.yaml]"),
                    encoding="utf-8")
    line = next(i for i, t in enumerate(main.read_text(encoding="utf-8").splitlines(), 1)
                if t.startswith("narrative:"))
    assert mno(db_url, "db", "upgrade").exit_code == 0
    r = mno(db_url, "--lang", "en", "sop", "load", str(main))  # diagnostics in the --lang language
    assert r.exit_code != 0
    assert f"{main}:{line}:13: error E037" in r.output and "leads out of the SOP's folder" in r.output
    db = make_engine(db_url)
    with db.connect() as c:
        assert c.scalar(select(func.count()).select_from(SopVersion)) == 0
    db.dispose()
