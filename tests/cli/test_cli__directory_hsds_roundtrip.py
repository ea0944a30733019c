"""Re-importing the directory's own HSDS 3.1 export (tryout 5, H7): ``mno directory export DIR --format
hsds`` then ``mno directory import DIR`` on the same database recognises the export's uuid5 ids and
its ``mno-workflow`` organisation identifiers — an unchanged export is « 0 ajoutés, N inchangés »
for real (not only ``--dry-run``), an edited row « modifiés » with only its edited cell written, a
new row added; the HSDS JSON export likewise; a new database gets the organisations' slugs back."""

from __future__ import annotations

import csv
import json
import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.directory import SAMPLE_DIR, DirAudit
from mno_workflow.directory.hsds31 import hsds_id
from mno_workflow.directory.hsds_io import dump_tables
from mno_workflow.store.base import make_engine

from ..directory.hsds_schemas import errors
from .users import add_users

runner = CliRunner()
pytestmark = pytest.mark.migrated


def mno(db_url: str, *args: str):
    result = runner.invoke(app, ["--db", db_url, *args])
    assert "Traceback" not in result.output, result.output
    return result


def counts(output: str) -> dict[str, tuple[int, int, int]]:
    """The import's table: object → (added, changed, unchanged)."""
    return {m[1]: (int(m[2]), int(m[3]), int(m[4]))
            for m in re.finditer(r"^(\w+)\s+(\d+)\s+(\d+)\s+(\d+)$", output, re.M)}


def snapshot(db_url: str):
    engine = make_engine(db_url)
    with Session(engine) as s:
        out = dump_tables(s), s.scalar(select(func.count()).select_from(DirAudit))
    engine.dispose()
    return out


def rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write(path: Path, header: list[str], body: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(body)


@pytest.fixture
def loaded(db_url: str) -> str:
    add_users(db_url)
    assert mno(db_url, "directory", "import", str(SAMPLE_DIR)).exit_code == 0
    return db_url


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_unchanged_export_imports_back_unchanged_for_real(loaded: str, tmp_path: Path, lang: str):
    out = tmp_path / "hsds"
    assert mno(loaded, "directory", "export", str(out), "--format", "hsds").exit_code == 0
    assert {r["identifier_scheme"] for r in rows(out / "organization_identifiers.csv")[1]} == {"mno-workflow"}
    before = snapshot(loaded)
    result = mno(loaded, "--lang", lang, "directory", "import", str(out))
    assert result.exit_code == 0, result.output
    table = counts(result.output)
    assert table["organization"] == (0, 0, 15) and table["service"] == (0, 0, 29)
    assert table["location"] == (0, 0, 15) and table["service_at_location"] == (0, 0, 29)
    assert all(added == 0 and changed == 0 for added, changed, _ in table.values()), table
    words = (("ajoutés", "modifiés", "inchangés", "0 ajout et 0 modification ont été faits.") if lang == "fr"
             else ("added", "changed", "unchanged", "0 additions and 0 changes were made."))
    for w in words:
        assert w in result.output, (w, result.output)
    assert snapshot(loaded) == before  # no row, no audit row written


def test_an_edited_row_is_changed_and_a_new_row_added(loaded: str, tmp_path: Path):
    out = tmp_path / "hsds"
    assert mno(loaded, "directory", "export", str(out), "--format", "hsds").exit_code == 0
    (tables_before, audits_before) = snapshot(loaded)
    header, services = rows(out / "services.csv")
    oim = hsds_id("service", "svc-oim-transit")
    edited = next(r for r in services if r["id"] == oim)
    edited["fees_description"] = "Gratuit (modifié dans le tableur)"
    new_id = str(uuid.uuid4())
    services.append({**edited, "id": new_id, "name": "Nouveau service (tableur)",
                     "fees_description": ""})
    write(out / "services.csv", header, services)
    result = mno(loaded, "directory", "import", str(out))
    assert result.exit_code == 0, result.output
    table = counts(result.output)
    assert table["service"] == (1, 1, 28) and table["organization"] == (0, 0, 15)
    assert "1 ajout et 1 modification ont été faits." in result.output
    tables, audits = snapshot(loaded)
    by_id = {r["id"]: r for r in tables["service"]}
    assert by_id["svc-oim-transit"]["fees_description"] == "Gratuit (modifié dans le tableur)"
    old = {r["id"]: r for r in tables_before["service"]}["svc-oim-transit"]
    assert {k for k in old if old[k] != by_id["svc-oim-transit"][k]} == {"fees_description"}  # that cell only
    assert by_id[new_id]["name"] == "Nouveau service (tableur)"
    assert by_id[new_id]["organization_id"] == "org-oim"  # the reference back to the slug, not a UUID
    assert len(tables["service"]) == len(tables_before["service"]) + 1
    assert len(tables["organization"]) == len(tables_before["organization"])
    assert audits == audits_before + 2
    engine = make_engine(loaded)
    with Session(engine) as s:
        trail = s.execute(select(DirAudit.object_id, DirAudit.action, DirAudit.diff)
                          .order_by(DirAudit.id.desc()).limit(2)).all()
    engine.dispose()
    update = next(t for t in trail if t.action == "update")
    assert update.object_id == "svc-oim-transit" and set(update.diff) == {"fees_description"}
    # and again: the same file is now unchanged
    again = counts(mno(loaded, "directory", "import", str(out)).output)
    assert again["service"] == (0, 0, 30)


def test_the_hsds_json_export_imports_back_unchanged(loaded: str, tmp_path: Path):
    target = tmp_path / "hsds.json"
    assert mno(loaded, "directory", "export", str(target), "--format", "hsds-json").exit_code == 0
    doc = json.loads(target.read_text(encoding="utf-8"))
    for obj in doc["services"]:
        assert errors("service", obj) == [], obj["name"]  # the official HSDS 3.1 schema
    before = snapshot(loaded)
    result = mno(loaded, "directory", "import", str(target))
    assert result.exit_code == 0, result.output
    table = counts(result.output)
    assert all(added == 0 and changed == 0 for added, changed, _ in table.values()), table
    assert table["service"] == (0, 0, 29)
    assert snapshot(loaded) == before


def test_a_new_database_gets_the_organisations_slugs_back(loaded: str, tmp_path: Path):
    out = tmp_path / "hsds"
    assert mno(loaded, "directory", "export", str(out), "--format", "hsds").exit_code == 0
    other = f"sqlite:///{tmp_path}/other.db"
    add_users(other)
    first = mno(other, "directory", "import", str(out))
    assert first.exit_code == 0, first.output
    assert counts(first.output)["organization_identifier"] == (0, 0, 0)  # the export's own: not stored
    tables, _ = snapshot(other)
    assert {r["id"] for r in tables["organization"]} == {r["id"] for r in snapshot(loaded)[0]["organization"]}
    again = counts(mno(other, "directory", "import", str(out)).output)
    assert all(added == 0 and changed == 0 for added, changed, _ in again.values()), again


def test_another_hsds_package_is_still_added(loaded: str, tmp_path: Path):
    """Ids that are no uuid5 of this directory's objects: new objects, as before."""
    out = tmp_path / "hsds"
    assert mno(loaded, "directory", "export", str(out), "--format", "hsds").exit_code == 0
    header, orgs = rows(out / "organizations.csv")
    other = [{**orgs[0], "id": str(uuid.uuid4()), "name": "Autre organisation"}]
    for p in out.glob("*.csv"):  # a package with one organisation only
        if p.name != "organizations.csv":
            p.unlink()
    write(out / "organizations.csv", header, other)
    result = mno(loaded, "directory", "import", str(out))
    assert result.exit_code == 0, result.output
    assert counts(result.output)["organization"] == (1, 0, 0)


def edit_on_the_web(db_url: str, changes: dict) -> None:
    """A coordinator's edit after the export (directory.edit, as the service page saves it)."""
    from mno_workflow.directory import update_service

    engine = make_engine(db_url)
    with Session(engine) as s:
        update_service(s, "svc-oim-transit", changes, "coord")
        s.commit()
    engine.dispose()


def oim_row(db_url: str) -> dict:
    return {r["id"]: r for r in snapshot(db_url)[0]["service"]}["svc-oim-transit"]


def test_an_edit_made_since_the_export_is_not_reverted_by_the_import(loaded: str, tmp_path: Path):
    """Export, someone edits the service on the web, the file (untouched there) imported: the web's
    edit stays, the file's edit of another field is written."""
    out = tmp_path / "hsds"
    assert mno(loaded, "directory", "export", str(out), "--format", "hsds").exit_code == 0
    assert json.loads((out / "datapackage.json").read_text(encoding="utf-8"))["mno_directory_version"] > 0
    edit_on_the_web(loaded, {"fees_description": "Gratuit (édité sur le web)"})
    header, services = rows(out / "services.csv")
    row = next(r for r in services if r["id"] == hsds_id("service", "svc-oim-transit"))
    row["eligibility_description"] = "Adultes (tableur)"
    write(out / "services.csv", header, services)
    result = mno(loaded, "directory", "import", str(out))
    assert result.exit_code == 0, result.output
    assert counts(result.output)["service"] == (0, 1, 28)
    after = oim_row(loaded)
    assert after["fees_description"] == "Gratuit (édité sur le web)"  # not reverted
    assert after["eligibility_description"] == "Adultes (tableur)"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_field_changed_on_both_sides_refuses_the_import(loaded: str, tmp_path: Path, lang: str):
    out = tmp_path / "hsds"
    assert mno(loaded, "directory", "export", str(out), "--format", "hsds").exit_code == 0
    edit_on_the_web(loaded, {"fees_description": "Gratuit (édité sur le web)"})
    header, services = rows(out / "services.csv")
    row = next(r for r in services if r["id"] == hsds_id("service", "svc-oim-transit"))
    row["fees_description"] = "Payant (tableur)"
    row["eligibility_description"] = "Adultes (tableur)"
    write(out / "services.csv", header, services)
    before = snapshot(loaded)
    result = mno(loaded, "--lang", lang, "directory", "import", str(out))
    assert result.exit_code == 1, result.output
    words = ("modifié dans le répertoire depuis l'export (maintenant « Gratuit (édité sur le web) ») et dans "
             "ce fichier (« Payant (tableur) »)" if lang == "fr" else
             "changed in the directory since the export (now “Gratuit (édité sur le web)”) and in this file "
             "(“Payant (tableur)”)")
    assert words in result.output
    assert re.search(r"services\.csv:\d+:fees_description: ", result.output)
    assert snapshot(loaded) == before  # nothing written, not even the other field


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_products_own_package_is_versioned_too(loaded: str, tmp_path: Path, fmt: str):
    """The product's package (slugs): a field edited on the web since the export stays; one edited on
    both sides refuses the import, nothing written."""
    target = tmp_path / ("pkg" if fmt == "csv" else "directory.json")
    assert mno(loaded, "directory", "export", str(target), "--format", fmt).exit_code == 0
    edit_on_the_web(loaded, {"fees_description": "Gratuit (édité sur le web)"})

    def edit(column: str, value: str) -> None:
        if fmt == "csv":
            header, services = rows(target / "service.csv")
            next(r for r in services if r["id"] == "svc-oim-transit")[column] = value
            write(target / "service.csv", header, services)
        else:
            doc = json.loads(target.read_text(encoding="utf-8"))
            next(r for r in doc["service"] if r["id"] == "svc-oim-transit")[column] = value
            target.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    edit("eligibility_description", "Adultes (tableur)")
    result = mno(loaded, "directory", "import", str(target))
    assert result.exit_code == 0, result.output
    after = oim_row(loaded)
    assert after["fees_description"] == "Gratuit (édité sur le web)"  # not reverted
    assert after["eligibility_description"] == "Adultes (tableur)"
    edit("fees_description", "Payant (tableur)")
    before = snapshot(loaded)
    refused = mno(loaded, "directory", "import", str(target))
    assert refused.exit_code == 1 and "modifié dans le répertoire depuis l'export" in refused.output
    assert snapshot(loaded) == before
