"""``mno sandbox``: the trainers' practice database is (re)created with invented data only, and a
database holding real data is never reset. ``mno validate`` checks the SOP narrative file."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from mno_workflow import attachments
from mno_workflow.cli import app
from mno_workflow.store.base import make_engine
from mno_workflow.store.models import Case, StepInstance, User
from mno_workflow.web.models import ExportLog, SandboxReset


def _counts(path: Path) -> tuple[int, int]:
    db = make_engine(f"sqlite:///{path}")
    try:
        with Session(db) as s:
            cases = s.scalar(select(func.count()).select_from(Case))
            return cases, s.scalar(select(func.count()).select_from(User))
    finally:
        db.dispose()


def test_sandbox_reset_and_refusal(tmp_path):
    path = tmp_path / "formation.db"
    r = CliRunner().invoke(app, ["sandbox", str(path), "--cases", "10", "--password", "formation-2025"])
    assert r.exit_code == 0, r.output
    cases, users = _counts(path)
    # --cases is the number of cases, field paths (issue 13, web/demo_practice.py) and the three
    # first-responder alerts (web/demo_alerts.py) included: 10 asked, 10 made (tryout 5, H15)
    assert cases == 10 and users > 0
    paths = 0
    # a trainee attaches a scan to a case: a reset erases the file with the case (issue 19 review)
    db = make_engine(f"sqlite:///{path}")
    with Session(db) as s, s.begin():
        case = s.scalars(select(Case).order_by(Case.id)).first()
        inst = s.scalars(select(StepInstance).where(StepInstance.case_id == case.id)).first()
        scan = attachments.folder() / attachments.add(s, case, inst, "scan.pdf", b"%PDF-1.4 x", "mariam",
                                                       datetime.now(UTC)).stored_name
    db.dispose()
    assert scan.exists()
    # a reset brings the sandbox back to the invented cases only
    again = CliRunner().invoke(app, ["sandbox", str(path), "--cases", "9"])
    assert again.exit_code == 0, again.output
    assert _counts(path)[0] == 9 + paths
    assert not scan.exists() and "1 pièce jointe effacée" in again.output
    db = make_engine(f"sqlite:///{path}")
    with Session(db) as s:
        (log,) = s.scalars(select(SandboxReset))
        assert (log.role, log.removed, log.created, log.files_removed) == ("cli", cases, 9 + paths, 1)
        assert s.scalar(select(func.count()).select_from(ExportLog)) == 0  # a reset is not an export
    db.dispose()
    # a real account makes the file untouchable
    db = make_engine(f"sqlite:///{path}")
    with Session(db) as s, s.begin():
        s.add(User(id="real.person", display_name="Real", role="caseworker"))
    db.dispose()
    refused = CliRunner().invoke(app, ["sandbox", str(path)])
    assert refused.exit_code == 1 and "real.person" in refused.output
    assert _counts(path)[0] == 9 + paths


def test_the_sandbox_has_the_size_asked_for_and_the_web_reset_keeps_it(tmp_path):
    """Tryout 5, H15: ``--cases 30`` made 38 cases (30 drawn at random, plus the 8 field paths and
    alerts) and the web's « Réinitialiser le bac à sable » then made 20 (its own 12, plus 8)."""
    from mno_workflow.engine.clock import SystemClock
    from mno_workflow.engine.engine import WorkflowEngine
    from mno_workflow.web.sandbox_reset import reset_sandbox

    path = tmp_path / "formation.db"
    r = CliRunner().invoke(app, ["sandbox", str(path), "--cases", "30"])
    assert r.exit_code == 0, r.output
    assert _counts(path)[0] == 30 and "30 dossiers fictifs" in r.output
    db = make_engine(f"sqlite:///{path}")
    try:
        wf = WorkflowEngine(db, SystemClock())
        done = reset_sandbox(wf, "formateur", "trainer", datetime.now(UTC))  # as the page does
    finally:
        db.dispose()
    assert (done["removed"], done["created"]) == (30, 30) and _counts(path)[0] == 30


@pytest.mark.parametrize("lang, words", [
    ("fr", ["--cases : entre 8 et 200", "parcours de terrain"]),
    ("en", ["--cases: between 8 and 200", "field paths and alerts"])])
def test_a_size_below_the_field_paths_is_refused_in_words(tmp_path, lang, words):
    r = CliRunner().invoke(app, ["--lang", lang, "sandbox", str(tmp_path / "f.db"), "--cases", "3"])
    assert r.exit_code == 2 and not (tmp_path / "f.db").exists()
    for w in words:
        assert w in r.output, r.output
    # the help says what a sandbox of N cases holds (its numbers are the code's)
    import subprocess
    import sys

    from mno_workflow.web.sandbox_reset import FIELD_CASES, MAX_CASES
    out = subprocess.run([sys.executable, "-m", "mno_workflow", "--lang", lang, "sandbox", "--help"],
                         capture_output=True, text=True, check=True).stdout
    said = f"({FIELD_CASES} à {MAX_CASES})" if lang == "fr" else f"({FIELD_CASES} to {MAX_CASES})"
    assert said in " ".join(out.split()), out


def test_validate_checks_the_narrative_companion(tmp_path):
    """``mno validate sops/`` checks narrative.yaml as the SOP's narrative, not as an SOP."""
    root = Path(__file__).resolve().parents[2]
    ok = CliRunner().invoke(app, ["validate", str(root / "sops")])
    assert ok.exit_code == 0, ok.output
    assert re.search(r"Récit valide : \S*narrative\.yaml", ok.output), ok.output
    bad = tmp_path / "narrative.yaml"
    bad.write_text("narrative:\n  chapters: 3\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["validate", str(bad)])
    assert r.exit_code == 1 and "erreur E046" in r.output and "narrative.chapters" in r.output
