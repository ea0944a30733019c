"""``mno sandbox``: the trainers' practice database is (re)created with invented data only, and a
database holding real data is never reset. ``mno validate`` checks the SOP narrative file."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

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
    r = CliRunner().invoke(app, ["sandbox", str(path), "--cases", "2", "--password", "formation-2025"])
    assert r.exit_code == 0, r.output
    cases, users = _counts(path)
    paths = 5  # the demo adds one case per field path of issue 13 (web/demo_practice.py)
    paths += 3  # and the three first-responder alerts, one per state (web/demo_alerts.py)
    assert cases == 2 + paths and users > 0
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
    again = CliRunner().invoke(app, ["sandbox", str(path), "--cases", "1"])
    assert again.exit_code == 0, again.output
    assert _counts(path)[0] == 1 + paths
    assert not scan.exists() and "1 pièce jointe effacée" in again.output
    db = make_engine(f"sqlite:///{path}")
    with Session(db) as s:
        (log,) = s.scalars(select(SandboxReset))
        assert (log.role, log.removed, log.created, log.files_removed) == ("cli", cases, 1 + paths, 1)
        assert s.scalar(select(func.count()).select_from(ExportLog)) == 0  # a reset is not an export
    db.dispose()
    # a real account makes the file untouchable
    db = make_engine(f"sqlite:///{path}")
    with Session(db) as s, s.begin():
        s.add(User(id="real.person", display_name="Real", role="caseworker"))
    db.dispose()
    refused = CliRunner().invoke(app, ["sandbox", str(path)])
    assert refused.exit_code == 1 and "real.person" in refused.output
    assert _counts(path)[0] == 1 + paths


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
