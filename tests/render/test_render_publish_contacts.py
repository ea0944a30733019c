"""``mno publish`` and the directory's staff contacts: by default (``--public``) the documents are
written without the contact persons, their own phones and the data-sharing agreements' focal
points (issue 18: the safe default); ``--with-contacts`` prints them (for the referral network)
and a warning says so."""

from __future__ import annotations

import html
from pathlib import Path

from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.render.publish import publish
from mno_workflow.sop.loader import load_file

ROOT = Path(__file__).resolve().parents[2]
BF = ROOT / "sops" / "burkina_faso" / "mnr.yaml"
PERSON = "Issa Sawadogo"  # ct-oim of the sample directory
AGREEMENT_FOCAL = "Point focal données MASN (fictif)"  # agr-masn
SWITCHBOARD = "+226 25 30 22 02"  # org-oim's own number: public


def _written(out: Path, public: bool) -> tuple[str, str, str]:
    report = publish(load_file(BF).model, out, BF, langs=["fr"], pdf=False, public=public,
                     only=lambda n: n in ("directory", "sop-document"))
    base = out / "mnr_bf" / "fr"
    return (html.unescape((base / "directory.html").read_text(encoding="utf-8")),
            html.unescape((base / "sop-document.html").read_text(encoding="utf-8")), report.contacts)


def test_with_contacts_prints_the_contacts_and_warns(tmp_path: Path) -> None:
    directory, document, said = _written(tmp_path, public=False)
    assert PERSON in directory and SWITCHBOARD in directory and AGREEMENT_FOCAL in document
    assert said.startswith("contacts :") and "personnes : 15" in said and "--with-contacts" in said, said


def test_public_leaves_the_staff_out(tmp_path: Path) -> None:
    directory, document, said = _written(tmp_path, public=True)
    assert PERSON not in directory and "focal@oim.example.bf" not in directory
    assert SWITCHBOARD in directory  # the institution's channels stay
    assert AGREEMENT_FOCAL not in document and "donnees@masn.example.bf" not in document
    assert said == ""


def test_cli_publish_public(tmp_path: Path) -> None:
    args = ["publish", str(BF), "-o", str(tmp_path), "--no-pdf", "--lang", "fr", "--public"]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    written = (tmp_path / "mnr_bf" / "fr" / "directory.html").read_text(encoding="utf-8")
    assert PERSON not in html.unescape(written)
    assert "contacts :" not in r.output
    default = CliRunner().invoke(app, ["publish", str(BF), "-o", str(tmp_path / "default"), "--no-pdf",
                                       "--lang", "fr"])  # the safe form without asking for it
    assert default.exit_code == 0 and "contacts :" not in default.output
    written = (tmp_path / "default" / "mnr_bf" / "fr" / "directory.html").read_text(encoding="utf-8")
    assert PERSON not in html.unescape(written)
    full = CliRunner().invoke(app, ["publish", str(BF), "-o", str(tmp_path / "full"), "--no-pdf",
                                    "--lang", "fr", "--with-contacts"])
    assert full.exit_code == 0 and "avertissement contacts : les documents contiennent" in full.stderr
    written = (tmp_path / "full" / "mnr_bf" / "fr" / "directory.html").read_text(encoding="utf-8")
    assert PERSON in html.unescape(written)


def test_diagram_all_is_public_unless_asked(tmp_path: Path) -> None:
    """``mno diagram --all``: the pathway diagrams name no staff by default (as ``mno publish``);
    ``--with-contacts`` names them and says so; the committed ``diagrams/`` are the public form."""
    r = CliRunner().invoke(app, ["diagram", str(BF), "--all", "-o", str(tmp_path / "pub")])
    assert r.exit_code == 0, r.output
    pathways = list((tmp_path / "pub" / "mnr_bf").glob("*/pathway-*.dot"))
    assert pathways and not any(PERSON in p.read_text(encoding="utf-8") for p in pathways)
    full = CliRunner().invoke(app, ["diagram", str(BF), "--all", "-o", str(tmp_path / "full"),
                                    "--with-contacts", "--format", "dot"])
    assert full.exit_code == 0 and "avertissement contacts :" in full.stderr, full.output
    assert any(PERSON in p.read_text(encoding="utf-8")
               for p in (tmp_path / "full" / "mnr_bf").glob("*/pathway-*.dot"))
    committed = list((ROOT / "diagrams").rglob("pathway-*.*"))
    assert committed and not any(PERSON in p.read_text(encoding="utf-8") for p in committed)


def test_print_services_name_the_persons_they_print() -> None:
    """A contact person (name, e-mail) and a person's own phone attached to the service are named
    by :meth:`PrintService.disclosed` (the web's access log counts them); the public form names
    nobody; the organisation's switchboard is nobody's."""
    from mno_workflow.directory.public import public_rows
    from mno_workflow.render.directory_data import directory_from_tables

    tables = {
        "organization": [{"id": "org-a", "name": "A"}],
        "service": [{"id": "svc-a", "organization_id": "org-a", "name": "Abri", "status": "active"}],
        "contact": [{"id": "ct-a", "organization_id": "org-a", "name": "Awa Zongo", "email": "awa@a.bf"}],
        "phone": [{"id": "ph-a", "organization_id": "org-a", "number": "+226 25 00 00 01"},
                  {"id": "ph-b", "service_id": "svc-a", "contact_id": "ct-a", "number": "+226 70 00 00 02"}],
    }
    full = directory_from_tables(tables).services[0]
    assert full.contact.startswith("Awa Zongo") and "+226 70 00 00 02" in full.phones
    assert full.disclosed() == ["ct-a", "ct-a"] and full.disclosed(names=False) == ["ct-a"]
    public = directory_from_tables(public_rows(tables)).services[0]
    assert public.contact == "" and public.disclosed() == [] and "+226 70 00 00 02" not in public.phones
