"""The public form of the directory (:mod:`mno_workflow.directory.public`): ``mno directory export
--public`` in every format leaves out the staff's personal contacts and keeps the institutions'
channels; a full export says, on stderr, that it holds personal contacts. The rows about a contact
(its phone, an attribute, a metadata row keeping its old name) go with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mno_workflow.directory import SAMPLE_DIR
from mno_workflow.directory.cli import app
from mno_workflow.directory.public import people_count, public_rows

runner = CliRunner()
PERSON = ("Issa Sawadogo", "focal@oim.example.bf", "+226 71 11 21 31", "focal.oim")
SWITCHBOARD = "+226 25 30 22 02"
FORMATS = {"csv": "out", "json": "out/directory.json", "hsds": "out", "hsds-json": "out/hsds.json",
           "xlsx": "out/repertoire.xlsx"}


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('pub')}/dir.db"
    done = runner.invoke(app, ["import", str(SAMPLE_DIR), "--db", url])
    assert done.exit_code == 0, done.output
    return url


def _text(folder: Path) -> str:
    """Every file written below ``folder`` as text (a workbook through openpyxl)."""
    from openpyxl import load_workbook

    out = []
    for f in sorted(folder.rglob("*")):
        if f.suffix == ".xlsx":
            book = load_workbook(f)
            out += [str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row if c]
        elif f.is_file():
            out.append(f.read_text(encoding="utf-8"))
    return "\n".join(out)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("public", [False, True])
def test_export_with_and_without_contacts(db: str, tmp_path: Path, fmt: str, public: bool) -> None:
    args = ["export", str(tmp_path / FORMATS[fmt]), "--format", fmt, "--db", db]
    result = CliRunner().invoke(app, args + (["--public"] if public else []))
    assert result.exit_code == 0, result.output
    text = _text(tmp_path / "out")
    assert SWITCHBOARD in text, fmt
    found = [p in text for p in PERSON[:3]]
    assert found == [not public] * 3, (fmt, found)
    warned = "contacts personnels de 15 personnes" in result.output
    assert warned is (not public), result.output
    if public and fmt in ("csv", "json", "xlsx"):  # the product's package keeps service_referral
        assert "focal.oim" not in text


def test_public_rows_drop_everything_about_a_contact() -> None:
    data = {
        "organization": [{"id": "org-a", "name": "A"}],
        "contact": [{"id": "ct-a", "organization_id": "org-a", "name": "Awa K.", "email": "awa@a.bf"}],
        "phone": [{"id": "ph-org", "organization_id": "org-a", "contact_id": None, "number": "+226 1"},
                  {"id": "ph-ct", "organization_id": "org-a", "contact_id": "ct-a", "number": "+226 2"}],
        "attribute": [{"id": "at-1", "link_id": "ct-a", "link_entity": "contact"},
                      {"id": "at-2", "link_id": "org-a", "link_entity": "organization"}],
        "metadata": [{"id": "md-1", "resource_id": "ct-a", "resource_type": "contact",
                      "previous_value": "Awa Kaboré"},
                     {"id": "md-2", "resource_id": "org-a", "resource_type": "organization"}],
        "service_referral": [{"id": "r", "service_id": "s", "focal_point_user_id": "focal.a"}],
        "sharing_agreement": [{"id": "sa", "organization_id": "org-a", "focal_point_name": "Awa K.",
                               "focal_point_email": "awa@a.bf"}],
        "extension_file": [{"id": "people.csv", "extensions": {"rows": [["Awa K."]]}}],
    }
    out = public_rows(data)
    assert people_count(data) == 1 and people_count(out) == 0
    assert [r["id"] for r in out["phone"]] == ["ph-org"]
    assert [r["id"] for r in out["attribute"]] == ["at-2"]
    assert [r["id"] for r in out["metadata"]] == ["md-2"]
    assert out["service_referral"][0]["focal_point_user_id"] is None
    assert out["sharing_agreement"][0]["focal_point_name"] is None
    assert out["extension_file"] == [] and "Awa" not in str(out)
    assert len(data["contact"]) == 1  # the input is not changed


def test_full_export_warns_of_focal_points_without_any_contact(tmp_path: Path) -> None:
    """A directory whose contact persons were removed still names each service's focal point (a
    user account): a full export must say so; ``--public`` leaves them out and says nothing."""
    from sqlalchemy import delete

    from mno_workflow.directory.tables import TABLES
    from mno_workflow.store.base import make_engine

    url = f"sqlite:///{tmp_path}/dir.db"
    assert runner.invoke(app, ["import", str(SAMPLE_DIR), "--db", url]).exit_code == 0
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(delete(TABLES["phone"]).where(TABLES["phone"].c.contact_id.is_not(None)))
        conn.execute(delete(TABLES["contact"]))
    engine.dispose()
    full = runner.invoke(app, ["export", str(tmp_path / "full"), "--db", url])
    assert full.exit_code == 0, full.output
    assert "focal.oim" in _text(tmp_path / "full")
    assert "contacts personnels de 0 personne " in full.output
    assert re.search(r"et [1-9]\d* identifiants? de point focal", full.output), full.output
    public = runner.invoke(app, ["export", str(tmp_path / "pub"), "--db", url, "--public"])
    assert public.exit_code == 0 and "avertissement" not in public.output
    assert "focal.oim" not in _text(tmp_path / "pub")
