"""Intake of Kobo/ODK submissions: new cases (all or nothing per row, per-row errors in French and
English), idempotent by submission uuid (imported twice → cases once), a step's form data on
existing cases, JSON exports with repeat groups, on SQLite and PostgreSQL, and through the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.engine.engine import Actor
from mno_workflow.interop.intake import IntakeError, intake
from mno_workflow.store.models import Case, IntakeSubmission
from tests.cli.users import add_users

from ..conftest import BF_SOP, snapshot

AWA = Actor("awa", "caseworker")
HEADER = ["start", "end", "identification/first_name", "identification/last_name", "sex", "birth_date",
          "estimated_age", "return_date", "region", "vulnerabilities", "vulnerabilities/pregnant_woman",
          "vulnerabilities/disability", "phone", "meta/instanceID", "_uuid", "_submission_time"]


def _row(uuid: str, first: str, sex: str = "female", vulns: str = "pregnant_woman disability") -> list[str]:
    return ["2025-06-01T09:00:00Z", "2025-06-01T09:10:00Z", first, "Kaboré", sex, "", "30", "2025-05-20",
            "kadiogo", vulns, "1", "1", "+226 70 12 34 56", f"uuid:{uuid}", uuid, "2025-06-01T10:00:00"]


def _kobo_csv(path: Path, rows: list[list[str]], delimiter: str = ";") -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def _sop(wf):
    with wf.sessions() as s:
        return wf.registry.compiled(wf.registry.latest(s, "mnr_bf")).sop


def test_submissions_become_cases_once(wf, tmp_path: Path) -> None:
    rows = [_row("a-1", "Zoé"), _row("a-2", "Awa", sex="x"), _row("a-3", "Ali")]
    path = _kobo_csv(tmp_path / "kobo.csv", rows)
    sop = _sop(wf)
    first = intake(wf, sop, path, form="identification", actor=AWA)
    # (PostgreSQL may skip the number of the refused row: references are not asserted consecutive)
    assert [(r, u) for r, u, _ref in first.created] == [(2, "a-1"), (4, "a-3")]
    first_ref = first.created[0][2]
    assert len(first.errors) == 1
    row, uuid, message = first.errors[0]
    assert (row, uuid) == (3, "a-2") and message.startswith("sex : ") and " / " not in message, message
    # one language, the current one (mno --lang), never a « fr / en » pair
    with wf.sessions() as s:
        case = s.scalar(select(Case).where(Case.reference == first_ref))
        data = case.data["identification"]
        assert data["first_name"] == "Zoé" and data["vulnerabilities"] == ["pregnant_woman", "disability"]
        assert data["estimated_age"] == 30
        assert s.scalar(select(func.count()).select_from(Case)) == 2  # the bad row left nothing
    before = snapshot(wf)
    again = intake(wf, sop, path, form="identification", actor=AWA)
    assert [u for _r, u, _ref in again.skipped] == ["a-1", "a-3"]
    assert again.created == [] and len(again.errors) == 1
    assert snapshot(wf) == before


def test_duplicate_uuid_within_one_file_is_imported_once(wf, tmp_path: Path) -> None:
    path = _kobo_csv(tmp_path / "k.csv", [_row("d-1", "Zoé"), _row("d-1", "Zoé")], delimiter=",")
    report = intake(wf, _sop(wf), path, form="identification", actor=AWA)
    assert len(report.created) == 1 and len(report.skipped) == 1
    with wf.sessions() as s:
        assert s.scalar(select(func.count()).select_from(IntakeSubmission)) == 1


def test_step_form_data_on_existing_cases_from_json(wf, tmp_path: Path) -> None:
    sop = _sop(wf)
    created = intake(wf, sop, _kobo_csv(tmp_path / "k.csv", [_row("c-1", "Zoé")]), form="identification",
                     actor=AWA)
    ref = created.created[0][2]
    consent = {"_uuid": "c-2", "reference": ref.lower(), "given": "true", "given_by": "self",
               "consent_date": "2025-06-01", "channel": "verbal", "data_categories": "identity",
               "share_with": "service_provider", "purposes": "referral"}
    path = tmp_path / "consent.json"
    path.write_text(json.dumps({"results": [consent]}), encoding="utf-8")
    report = intake(wf, sop, path, form="consent", actor=AWA, trigger="record_consent",
                    case_column="reference")
    assert report.updated == [(1, "c-2", ref)], report.errors
    with wf.sessions() as s:
        case = s.scalar(select(Case).where(Case.reference == ref))
        assert case.data["consent"]["given"] is True


def test_unreadable_file_and_missing_uuid_are_refused(wf, tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(IntakeError, match="illisible"):
        intake(wf, _sop(wf), bad, form="identification", actor=AWA)
    no_id = tmp_path / "n.csv"
    no_id.write_text("first_name\nZoé\n", encoding="utf-8")
    with pytest.raises(IntakeError, match="pas d'identifiant de soumission"):
        intake(wf, _sop(wf), no_id, form="identification", actor=AWA)


def test_cli_intake_twice(tmp_path: Path) -> None:
    runner = CliRunner()
    db = f"sqlite:///{tmp_path}/cli.db"
    add_users(db)  # --as must name an existing account (the CLI checks it)
    path = _kobo_csv(tmp_path / "kobo.csv", [_row("e-1", "Zoé"), _row("e-2", "Ali")])
    first = runner.invoke(
        app, ["--db", db, "intake", "kobo", str(path), "--sop", str(BF_SOP), "--as", "awa:caseworker"]
    )
    assert first.exit_code == 0, first.output
    assert "2 créés, 0 complété, 0 déjà importée, 0 en erreur" in first.output
    second = runner.invoke(app, ["--db", db, "intake", "kobo", str(path), "--as", "awa:caseworker"])
    assert second.exit_code == 0, second.output
    assert "0 créé, 0 complété, 2 déjà importées" in second.output
    bad = _kobo_csv(tmp_path / "bad.csv", [_row("e-3", "Zoé", sex="x")])
    failed = runner.invoke(app, ["--db", db, "intake", "kobo", str(bad), "--as", "awa:caseworker"])
    assert failed.exit_code == 1 and "ligne 2 (e-3) : sex : " in failed.output
