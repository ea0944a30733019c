"""The ``mno directory`` Typer sub-app: import (dry run, errors), export, search, stale."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from mno_workflow.directory import SAMPLE_DIR
from mno_workflow.directory.cli import app

from .conftest import FIXTURES, MINIMAL

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_import_dry_run_then_import_then_search(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/cli.db"
    dry = run("import", str(SAMPLE_DIR), "--dry-run", "--db", db)
    assert dry.exit_code == 0, dry.output
    assert "simulation, rien n'a été écrit" in dry.output
    # nothing written: a real import still adds everything
    real = run("import", str(SAMPLE_DIR), "--db", db)
    assert real.exit_code == 0, real.output
    # 421 objects + 14 sharing agreements (issue 11: the register is part of the sample directory)
    # + issue 13: the trafficking service type and 2 service-type links (child protection, trafficking)
    assert "438 ajouts et 0 modification ont été faits." in real.output
    found = run("search", "--need", "housing", "--region", "centre", "--format", "json", "--db", db)
    assert found.exit_code == 0, found.output
    rows = json.loads(found.stdout)  # stdout: the note on hidden focal points goes to stderr
    assert rows[0]["service_id"] == "svc-oim-transit"
    assert rows[0]["reasons"][0] == "Zone : Kadiogo (région du dossier)"
    table = run("search", "--need", "legal", "--region", "Guiriko", "--age", "30", "--sex", "f", "--db", db,
                "--as", "system:coordinator")  # focal points: an operator with directory_contacts
    assert (
        table.exit_code == 0
        and "Assistance juridique — Bobo-Dioulasso et Banfora" in table.output
        and "svc-droits-bobo" not in table.output  # ids in --format json only
        and "point focal : focal.droits" in table.output
    )


def test_broken_import_prints_one_line_per_problem_and_exits_1(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(MINIMAL, pkg)
    shutil.copy(FIXTURES / "broken" / "bad_status" / "service.csv", pkg / "service.csv")
    result = run("import", str(pkg), "--db", f"sqlite:///{tmp_path}/cli.db")
    assert result.exit_code == 1
    assert "service.csv:3:status: valeur 'open' invalide" in result.output
    assert "Traceback" not in result.output
    empty = run("export", str(tmp_path / "out"), "--db", f"sqlite:///{tmp_path}/cli.db")
    assert empty.exit_code == 0
    assert (tmp_path / "out" / "service.csv").read_text(encoding="utf-8").count("\n") == 1  # header only


def test_search_unknown_region_is_one_line(tmp_path: Path) -> None:
    result = run("search", "--need", "housing", "--region", "Atlantide", "--db", f"sqlite:///{tmp_path}/c.db")
    assert result.exit_code == 1
    assert result.output.strip() == "erreur : région inconnue « Atlantide »"


def test_export_json_and_stale(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/cli.db"
    assert run("import", str(MINIMAL), "--db", db).exit_code == 0
    out = run("export", str(tmp_path / "d.json"), "--format", "json", "--db", db)
    assert out.exit_code == 0, out.output
    doc = json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))
    assert [s["id"] for s in doc["service"]] == ["svc-a", "svc-b"]
    stale = run("stale", "--today", "2026-11-15", "--db", db)
    assert stale.exit_code == 0
    assert "svc-b" in stale.output and "svc-a" not in stale.output
    assert "1 service non vérifié depuis 6 mois au 2026-11-15" in stale.output
    bad = run("stale", "--today", "2026-13-01", "--db", db)
    assert bad.exit_code == 1 and "date invalide" in bad.output


def test_db_defaults_to_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MNO_DATABASE_URL", f"sqlite:///{tmp_path}/env.db")
    assert run("import", str(MINIMAL)).exit_code == 0
    assert (tmp_path / "env.db").exists()


def test_official_hsds_package_imports_and_exports_through_the_cli(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/cli.db"
    done = run("import", str(FIXTURES / "hsds31_official"), "--db", db)
    assert done.exit_code == 0, done.output
    assert "avertissement : service_capacity.csv:2:service_id:" in done.output
    out = tmp_path / "hsds"
    exported = run("export", str(out), "--format", "hsds", "--db", db)
    assert exported.exit_code == 0, exported.output
    assert json.loads((out / "datapackage.json").read_text())["resources"][0]["path"] == "organizations.csv"
    nested = run("export", str(tmp_path / "h.json"), "--format", "hsds-json", "--db", db)
    assert nested.exit_code == 0, nested.output
    doc = json.loads((tmp_path / "h.json").read_text(encoding="utf-8"))
    assert doc["services"][0]["id"] == "ac148810-d857-441c-9679-408f346de14b"
    bad = run("export", str(out), "--format", "xml", "--db", db)
    assert bad.exit_code == 1 and "csv, json, hsds, hsds-json" in bad.output
