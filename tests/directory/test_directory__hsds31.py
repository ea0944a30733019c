"""HSDS 3.1 conformance: the official example package imports as it is, exports validate against
the official schemas, official → MNO → official round trips, French Excel CSV, the HSDS API."""

from __future__ import annotations

import csv
import json
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from mno_workflow.directory import DirectoryImportError, import_package, load_sample
from mno_workflow.directory import hsds_json as hj
from mno_workflow.directory.hsds31 import columns, datapackage, export_tabular, hsds_id, schemas
from mno_workflow.directory.hsds_io import dump_tables

from .conftest import FIXTURES, MINIMAL
from .hsds_schemas import errors

OFFICIAL = FIXTURES / "hsds31_official"


def test_official_example_imports_unchanged_with_every_table(session: Session) -> None:
    report = import_package(session, OFFICIAL)
    added = {name for name, c in report.counts().items() if c["added"]}
    assert added == set(schemas())  # all 22 HSDS 3.1 objects
    data = dump_tables(session)
    sched = data["schedule"][0]
    assert (sched["byday"], sched["opens_at"], sched["timezone"]) == ("TH,FR", "10:00:00", "3")
    cap = data["service_capacity"][0]
    assert cap["updated"].isoformat() == "2024-09-25T14:23:06.500000+01:00"
    assert cap["service_id"] is None  # the example points at a service it does not carry…
    assert cap["extensions"]["hsds:unresolved"]["service_id"] == "f75b808e-7bdb-11ef-afaa-ab00a77dc5c4"
    assert any(w.file == "service_capacity.csv" and w.column == "service_id" for w in report.warnings)
    assert data["cost_option"][0]["option"] == "Under 18s and Over 60s"
    assert data["address"][0]["address_2"] == "MyVillage"


def test_extra_columns_and_files_are_kept_not_refused(session: Session, tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(OFFICIAL, pkg)
    with open(pkg / "services.csv", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    rows[0].append("local_code")
    rows[1].append("X-42")
    with open(pkg / "services.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    (pkg / "opening_notes.csv").write_text("id,text\nn1,fermé en août\n", encoding="utf-8")
    import_package(session, pkg)
    data = dump_tables(session)
    assert data["service"][0]["extensions"] == {"local_code": "X-42"}
    kept = data["extension_file"][0]["extensions"]
    assert kept == {"header": ["id", "text"], "rows": [["n1", "fermé en août"]]}
    out = tmp_path / "out"
    export_tabular(session, out)
    with open(out / "services.csv", encoding="utf-8") as fh:
        exported = list(csv.DictReader(fh))
    assert exported[0]["local_code"] == "X-42"
    assert (out / "opening_notes.csv").read_text(encoding="utf-8") == "id,text\nn1,fermé en août\n"


def test_round_trip_official_import_export_validate_import_identical(session: Session, tmp_path: Path):
    from mno_workflow.store.base import Base, make_engine

    import_package(session, OFFICIAL)
    session.commit()
    first = dump_tables(session)
    out = tmp_path / "out"
    export_tabular(session, out)
    for obj in hj.services(session):
        assert errors("service", obj) == []
    for obj in hj.organizations(session):
        assert errors("organization", obj) == []
    again = import_package(session, out, dry_run=True)
    assert not again.has_changes, again.counts()
    other = make_engine(f"sqlite:///{tmp_path}/other.db")
    Base.metadata.create_all(other)
    with Session(other) as s:
        import_package(s, out)
        assert dump_tables(s) == first
    other.dispose()


def test_sample_directory_exports_valid_hsds_json_with_uuids(session: Session) -> None:
    load_sample(session)
    services = hj.services(session)
    organizations = hj.organizations(session)
    assert len(services) == 29 and len(organizations) == 15
    for obj in services:
        assert errors("service", obj) == [], obj["name"]
        uuid.UUID(obj["id"])
        assert obj["organization"]["id"] == obj["organization_id"]
        assert "focal_point_user_id" not in obj.get("mno_referral", {})
    for obj in organizations:
        assert errors("organization", obj) == [], obj["name"]
    slugs = {i["identifier"] for o in organizations for i in o["organization_identifiers"]}
    assert {o["id"] for o in dump_tables(session)["organization"]} <= slugs


def test_minimal_schedules_export_as_hsds_requires(session: Session) -> None:
    import_package(session, MINIMAL)
    services = hj.services(session)
    schedules = [sch for s in services for sch in s.get("schedules", [])]
    assert schedules and all(errors("schedule", s) == [] for s in schedules)
    assert {(s["opens_at"], s["closes_at"]) for s in schedules} == {("07:30:00", "15:30:00")}


def test_the_schema_check_can_fail() -> None:
    assert errors("service", {"id": "org-apr", "name": "x", "status": "active"})  # not a UUID
    assert errors("schedule", {"id": str(uuid.uuid4()), "timezone": "Africa/Ouagadougou"})


def test_ids_are_stable_uuids() -> None:
    assert hsds_id("organization", "org-apr") == hsds_id("organization", "org-apr")
    assert hsds_id("organization", "org-apr") != hsds_id("service", "org-apr")
    u = str(uuid.uuid4())
    assert hsds_id("service", u) == u


def test_datapackage_lays_out_every_hsds_resource() -> None:
    doc = datapackage()
    by_name = {r["name"]: r for r in doc["resources"]}
    assert set(by_name) == set(schemas())
    assert by_name["organization"]["path"] == "organizations.csv"
    assert by_name["service"]["profile"] == "tabular-data-resource"
    assert [f["name"] for f in by_name["schedule"]["schema"]["fields"]] == columns("schedule")
    assert {"fields": "organization_id", "reference": {"resource": "organization", "fields": "id"}} in (
        by_name["service"]["schema"]["foreignKeys"]
    )
    assert by_name["service"]["schema"]["primaryKey"] == "id"


def _french_excel(src: Path, dest: Path, encoding: str = "utf-8-sig") -> None:
    dest.mkdir()
    for f in src.glob("*.csv"):
        with open(f, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        with open(dest / f.name, "w", encoding=encoding, newline="") as fh:
            csv.writer(fh, delimiter=";", lineterminator="\r\n").writerows(rows)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_csv_saved_by_french_excel_imports(session: Session, tmp_path: Path, encoding: str) -> None:
    plain = import_package(session, MINIMAL, dry_run=True).counts()
    _french_excel(MINIMAL, tmp_path / "excel", encoding)
    report = import_package(session, tmp_path / "excel")
    assert report.counts() == plain
    names = {r["name"] for r in dump_tables(session)["organization"]}
    expected = {r["name"] for r in csv.DictReader(open(MINIMAL / "organization.csv", encoding="utf-8"))}
    assert names == expected


def test_undecidable_encoding_is_a_clear_error(session: Session, tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(MINIMAL, pkg)
    (pkg / "unit.csv").write_bytes(b"id,name\nu1,\x81\x8d\n")  # neither UTF-8 nor Windows-1252
    with pytest.raises(DirectoryImportError) as err:
        import_package(session, pkg)
    lines = [p.format() for p in err.value.problems]
    assert any(line.startswith("unit.csv:0:-: encodage indécidable") for line in lines), lines


def test_hsds_json_export_file(session: Session, tmp_path: Path) -> None:
    load_sample(session)
    hj.export_json(session, tmp_path / "d.json")
    doc = json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))
    assert doc["version"] == "3.1" and len(doc["services"]) == 29
