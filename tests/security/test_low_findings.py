"""The low findings, one test each: multipart without boundary → 400; the directory CSV export
neutralises spreadsheet formulas (and imports back unchanged); the directory import refuses
``javascript:`` links per field; a Bearer header does not skip the CSRF check of pages; the
database file and ``.mno-secret-key`` are created with mode 600."""

from __future__ import annotations

import csv
import os
import stat

import httpx
from sqlalchemy import select

from mno_workflow import directory
from mno_workflow.directory.hsds_io import export_package, import_package
from mno_workflow.directory.tables import TABLES
from mno_workflow.store.base import Base, make_engine
from mno_workflow.web.server import _stored_secret

from ..web.conftest import csrf_of


def test_multipart_without_boundary_is_400_not_500(live):
    c = live.client("mariam.kabore")
    tok = c.cookies.get("csrftoken")
    for path in ("/login", "/dossiers/nouveau", "/api/v1/cases"):
        r = c.post(path, content=b"csrftoken=" + tok.encode(),
                   headers={"content-type": "multipart/form-data"})
        assert r.status_code == 400, (path, r.status_code)
        assert "boundary" in r.text
    # Pages take URL-encoded forms only: a well-formed multipart body gets 415, never a 500.
    r = c.post("/login", files={"username": (None, "x")})
    assert r.status_code == 415
    # The API parses its body itself (JSON expected): no crash either.
    r = httpx.post(f"{live.url}/api/v1/auth/token", files={"username": (None, "x")},
                   headers={"content-type": "multipart/form-data;boundary=abc"})
    assert r.status_code == 422


def test_a_bearer_header_does_not_skip_the_csrf_check_of_pages(live):
    c = live.client("mariam.kabore")
    page = c.get("/dossiers/nouveau").text
    assert csrf_of(page)
    # No csrftoken in the form, but an Authorization: Bearer header → refused.
    r = c.post("/logout", data={}, headers={"Authorization": "Bearer whatever"})
    assert r.status_code == 403
    assert c.get("/travail").status_code == 200  # still signed in: the logout did not happen
    # The API still works with its bearer token.
    tok = httpx.post(f"{live.url}/api/v1/auth/token",
                     json={"username": "mariam.kabore", "password": "demo-mno-2025"}).json()["token"]
    assert httpx.get(f"{live.url}/api/v1/me", headers={"Authorization": f"Bearer {tok}"}).status_code == 200


def _dir_db(tmp_path):
    db = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    Base.metadata.create_all(db)
    return db


def test_directory_csv_export_neutralises_formulas_and_imports_back(tmp_path):
    from sqlalchemy.orm import Session

    db = _dir_db(tmp_path)
    with Session(db) as s, s.begin():
        directory.load_sample(s)
        org = TABLES["organization"]
        first = s.execute(select(org.c.id)).scalars().first()
        s.execute(org.update().where(org.c.id == first).values(
            name='=HYPERLINK("http://evil.example","clic")', description="@SUM(1+1)",
            alternate_name="-2+3"))
    export_package(Session(db), tmp_path / "out")
    with open(tmp_path / "out" / "organization.csv", encoding="utf-8", newline="") as fh:
        rows = {r["id"]: r for r in csv.DictReader(fh)}
    row = rows[first]
    assert row["name"] == '\'=HYPERLINK("http://evil.example","clic")'
    assert row["description"] == "'@SUM(1+1)"
    assert row["alternate_name"] == "'-2+3"
    for r in rows.values():
        for v in r.values():
            assert not v.startswith(("=", "@", "\t", "\r")), v
    # Imported into a fresh database, the values come back unchanged.
    db2 = make_engine(f"sqlite:///{tmp_path / 'd2.db'}")
    Base.metadata.create_all(db2)
    with Session(db2) as s, s.begin():
        import_package(s, tmp_path / "out")
    with Session(db2) as s:
        got = s.execute(select(org.c.name, org.c.description, org.c.alternate_name)
                        .where(org.c.id == first)).one()
    assert tuple(got) == ('=HYPERLINK("http://evil.example","clic")', "@SUM(1+1)", "-2+3")


def test_directory_import_refuses_javascript_links_per_field(tmp_path):
    from sqlalchemy.orm import Session

    from mno_workflow.directory.hsds_io import DirectoryValidationError

    db = _dir_db(tmp_path)
    with Session(db) as s, s.begin():
        directory.load_sample(s)
    with Session(db) as s:  # closed: its read transaction must not hold the write lock
        export_package(s, tmp_path / "pkg")
    path = tmp_path / "pkg" / "service.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[0]["url"] = "javascript:alert(document.cookie)"
    rows[1]["url"] = "data:text/html,<script>x</script>"
    rows[2]["url"] = "https://www.example.bf/service"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    try:
        with Session(db) as s, s.begin():
            import_package(s, tmp_path / "pkg")
    except DirectoryValidationError as e:
        problems = [p for p in e.problems if p.column == "url"]
    else:  # pragma: no cover
        raise AssertionError("the import accepted a javascript: link")
    assert [(p.row, "javascript:" in p.message or "data:" in p.message) for p in problems] == [
        (2, True), (3, True)]
    assert all("http(s)://, mailto: ou tel:" in p.message for p in problems)


def test_database_file_and_secret_key_are_created_mode_600(tmp_path, monkeypatch):
    old = os.umask(0o022)
    try:
        db = make_engine(f"sqlite:///{tmp_path / 'private.db'}")
        Base.metadata.create_all(db)
        db.dispose()
        assert stat.S_IMODE(os.stat(tmp_path / "private.db").st_mode) == 0o600
        for extra in ("private.db-wal", "private.db-shm"):
            if (tmp_path / extra).exists():
                assert stat.S_IMODE(os.stat(tmp_path / extra).st_mode) == 0o600
        key = _stored_secret(str(tmp_path / ".mno-secret-key"))
        assert len(key) >= 32
        assert stat.S_IMODE(os.stat(tmp_path / ".mno-secret-key").st_mode) == 0o600
        assert _stored_secret(str(tmp_path / ".mno-secret-key")) == key  # kept across restarts
    finally:
        os.umask(old)
