"""Import of the sample directory, round trips, dry runs and the corpus of broken packages."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mno_workflow.directory import (
    SAMPLE_DIR,
    DirAudit,
    DirectoryImportError,
    default_registry,
    export_package,
    import_package,
    load_sample,
    read_need_mapping,
)
from mno_workflow.directory.hsds_io import dump_tables

from .conftest import FIXTURES, MINIMAL, snapshot

BROKEN = sorted(p for p in (FIXTURES / "broken").iterdir() if p.is_dir())


def test_sample_imports_with_expected_counts(session: Session) -> None:
    report = load_sample(session)
    session.commit()
    counts = report.counts()
    assert counts["service"] == {"added": 29, "changed": 0, "unchanged": 0}
    assert counts["organization"]["added"] == 15
    data = dump_tables(session)
    assert all("illustrative" in o["note"] for o in data["organization"])
    assert all(re.fullmatch(r"\+226( \d\d){4}", p["number"]) for p in data["phone"])
    assert {r["focal_point_user_id"] for r in data["service_referral"]} >= {"focal.oim", "focal.masn"}
    assert all(r["focal_point_user_id"].startswith("focal.") for r in data["service_referral"])


def test_sample_covers_every_region_and_every_need(session: Session) -> None:
    load_sample(session)
    data = dump_tables(session)
    registry = default_registry()
    covered: set[str] = set()
    for area in data["service_area"]:
        kind, regions = registry.coverage(area["name"])
        covered |= regions
    assert covered == {r.code for r in registry.regions()}
    terms = {t["id"]: t["code"] for t in data["taxonomy_term"]}
    types = {terms[a["taxonomy_term_id"]] for a in data["attribute"]}
    for need, links in read_need_mapping().items():
        assert any(link.service_type in types for link in links if link.rank == 1), need


def test_sample_readme_says_illustrative() -> None:
    text = (SAMPLE_DIR / "README.md").read_text(encoding="utf-8")
    assert "fictiv" in text.lower() and "illustrative" in text.lower()


def test_reimport_is_unchanged(session: Session) -> None:
    first = load_sample(session)
    session.commit()
    second = load_sample(session)
    assert second.total("added") == 0 and second.total("changed") == 0
    assert second.total("unchanged") == first.total("added")


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_round_trip_export_import_export(tmp_path: Path, engine, fmt: str) -> None:
    from mno_workflow.store.base import Base, make_engine

    with Session(engine) as s:
        load_sample(s)
        s.commit()
        export_package(s, tmp_path / "one", fmt)
        again = import_package(
            s, tmp_path / "one" if fmt == "csv" else tmp_path / "one" / "directory.json", dry_run=True
        )
        assert not again.has_changes
        original = dump_tables(s)
    other = make_engine(f"sqlite:///{tmp_path}/other.db")
    Base.metadata.create_all(other)
    with Session(other) as s:
        import_package(s, tmp_path / "one" if fmt == "csv" else tmp_path / "one" / "directory.json")
        s.commit()
        assert dump_tables(s) == original
        export_package(s, tmp_path / "two", fmt)
    for f in sorted((tmp_path / "one").iterdir()):
        assert f.read_bytes() == (tmp_path / "two" / f.name).read_bytes(), f.name
    other.dispose()


def test_dry_run_writes_nothing(session: Session) -> None:
    report = import_package(session, MINIMAL, dry_run=True)
    assert report.counts()["service"] == {"added": 2, "changed": 0, "unchanged": 0}
    assert sorted(report.tables["service"].added) == ["svc-a", "svc-b"]
    session.commit()
    data, audits = snapshot(session)
    assert all(rows == [] for rows in data.values()) and audits == 0


def test_changed_row_is_reported_updated_and_audited(session: Session, tmp_path: Path) -> None:
    import_package(session, MINIMAL)
    session.commit()
    pkg = tmp_path / "pkg"
    shutil.copytree(MINIMAL, pkg)
    svc = pkg / "service.csv"
    svc.write_text(svc.read_text(encoding="utf-8").replace("Formation B", "Formation B2"), encoding="utf-8")

    before = snapshot(session)
    dry = import_package(session, pkg, dry_run=True)
    assert dry.tables["service"].changed == ["svc-b"] and dry.tables["service"].unchanged == ["svc-a"]
    assert snapshot(session) == before

    import_package(session, pkg, actor="alice")
    session.commit()
    names = {r["id"]: r["name"] for r in dump_tables(session)["service"]}
    assert names == {"svc-a": "Abri A", "svc-b": "Formation B2"}
    last = session.scalars(select(DirAudit).order_by(DirAudit.id.desc())).first()
    assert (last.actor, last.action, last.object_type, last.object_id) == (
        "alice",
        "update",
        "service",
        "svc-b",
    )
    assert last.diff == {"name": ["Formation B", "Formation B2"]}
    assert last.at.tzinfo is not None


@pytest.mark.parametrize("case", BROKEN, ids=[p.name for p in BROKEN])
def test_broken_package_reports_problem_and_changes_nothing(
    case: Path, session: Session, tmp_path: Path
) -> None:
    import_package(session, MINIMAL)
    session.commit()
    before = snapshot(session)
    pkg = tmp_path / "pkg"
    shutil.copytree(MINIMAL, pkg)
    for f in case.glob("*.csv"):
        shutil.copy(f, pkg / f.name)
    expected = (case / "expected.txt").read_text(encoding="utf-8").strip()
    with pytest.raises(DirectoryImportError) as err:
        import_package(session, pkg)
    lines = [p.format() for p in err.value.problems]
    assert any(line.startswith(expected) for line in lines), lines
    session.rollback()
    assert snapshot(session) == before


def test_every_problem_is_reported_at_once(session: Session, tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(MINIMAL, pkg)
    for case in ("bad_status", "bad_currency", "bad_phone"):
        for f in (FIXTURES / "broken" / case).glob("*.csv"):
            shutil.copy(f, pkg / f.name)
    with pytest.raises(DirectoryImportError) as err:
        import_package(session, pkg)
    files = [(p.file, p.row, p.column) for p in err.value.problems]
    assert files == [
        ("cost_option.csv", 3, "currency"),
        ("phone.csv", 2, "number"),
        ("service.csv", 3, "status"),
    ]


def test_missing_folder_is_a_problem(session: Session, tmp_path: Path) -> None:
    with pytest.raises(DirectoryImportError) as err:
        import_package(session, tmp_path / "nope")
    assert err.value.problems[0].message == f"Dossier introuvable : {tmp_path / 'nope'}"
    assert err.value.problems[0].format("en").endswith(f"Folder not found: {tmp_path / 'nope'}")


def test_json_rows_are_numbered_from_one(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    path.write_text(
        '{"organization": [{"id": "o1", "name": "O", "description": "d"},'
        ' {"id": "o2", "name": "", "description": "d"}]}',
        encoding="utf-8",
    )
    with pytest.raises(DirectoryImportError) as err:
        import_package(session, path)
    assert [p.format() for p in err.value.problems] == [
        "d.json[organization]:2:name: valeur obligatoire manquante"
    ]
