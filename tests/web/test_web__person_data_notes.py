"""The access request (« Données détenues sur la personne ») holds the referral notes, both ways,
and the list of attachments — on the web page (fr, en), its JSON and ``mno case export-person`` —
and says so once they were erased (tryout 9, L2)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.engine.engine import Actor
from mno_workflow.engine.retention import erase_case

from ..engine.helpers import close_now
from .helpers import case_with_referrals
from .test_web__attachments import PDF, upload
from .test_web__case_tools import post


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MNO_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def _with_notes_and_a_file(live) -> str:
    ref = case_with_referrals(live.wf)
    cw, masn = live.client("mariam.kabore"), live.client("focal.masn")
    assert post(cw, f"/dossiers/{ref}/notes/referral:cash", text="Appelez-la le matin").status_code == 303
    assert post(masn, f"/dossiers/{ref}/notes/referral:cash", text="RDV lundi au guichet").status_code == 303
    assert upload(cw, ref, "consent:1", PDF, name="consent.pdf").status_code == 303
    return ref


def test_page_and_json_hold_notes_and_attachments(live):
    ref = _with_notes_and_a_file(live)
    url = f"/dossiers/{ref}/donnees-personne"
    sup = live.client("idrissa.sanou")
    page = sup.get(url).text
    notes = page[page.index("<h2>Notes de référencement</h2>"):page.index("<h2>Pièces jointes</h2>")]
    assert "Appelez-la le matin" in notes and "RDV lundi au guichet" in notes
    assert "Mariam Kaboré (Gestionnaire de cas)" in notes  # the case side, by name
    assert "(Point focal du prestataire @ " in notes and "org-masn" not in notes  # the provider side
    assert "Référencement — " in notes and "referral:cash" not in notes
    files = page[page.index("<h2>Pièces jointes</h2>"):page.index("<h2>Journal d")]
    assert "<td>consent.pdf</td>" in files and "<td>Consentement éclairé</td>" in files
    assert "<td>Mariam Kaboré</td>" in files and "<td>2 Ko</td>" in files and "<td>PDF</td>" in files
    assert "getAttachment" in files and "%PDF" not in page  # how to get the bytes, not the bytes
    sup.get("/langue/en")
    en = sup.get(url).text
    assert "<h2>Referral notes</h2>" in en and "RDV lundi au guichet" in en
    assert "<h2>Attachments</h2>" in en and "<td>2 KB</td>" in en and "(Case manager)" in en
    assert "Notes de référencement" not in en
    doc = live.client("coord.mnr").get(url + "?format=json").json()
    assert [n["text"] for n in doc["notes"]] == ["Appelez-la le matin", "RDV lundi au guichet"]
    assert [n["who"] for n in doc["notes"]] == ["mariam.kabore", "focal.masn"]
    (a,) = doc["attachments"]
    assert a["filename"] == "consent.pdf" and a["size_bytes"] == len(PDF) and a["type"] == "PDF"
    assert a["who"] == "mariam.kabore" and a["instance"] == "Consentement éclairé"
    assert doc["notes_erased"] == doc["attachments_erased"] == ""


def test_cli_export_and_after_erasure(live, tmp_path):
    ref = _with_notes_and_a_file(live)
    runner, db = CliRunner(), f"sqlite:///{tmp_path}/web.db"
    out = tmp_path / "p.json"
    r = runner.invoke(app, ["--db", db, "--lang", "en", "case", "export-person", ref, "-o", str(out),
                            "--format", "json", "--as", "idrissa.sanou:supervisor"])
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert "RDV lundi au guichet" in [n["text"] for n in doc["notes"]]
    assert [a["filename"] for a in doc["attachments"]] == ["consent.pdf"]
    assert doc["attachments"][0]["size"] == "2 KB"
    close_now(live.wf, ref)  # erasure needs a closed case (tryout 9, L9)
    erase_case(live.wf, ref, Actor("idrissa.sanou", "supervisor"), "Demande de la personne")
    html = tmp_path / "p.html"
    r = runner.invoke(app, ["--db", db, "case", "export-person", ref, "-o", str(html),
                            "--as", "coord.mnr:coordinator"])
    assert r.exit_code == 0, r.output
    page = html.read_text(encoding="utf-8")
    assert "RDV lundi" not in page and "consent.pdf" not in page
    assert "2 notes de référencement effacées le 02/06/2025, à la demande de la personne." in page
    assert "1 pièce jointe effacée le 02/06/2025, à la demande de la personne." in page
    assert "Notes de référencement effacées" in page  # the purge event's counts in the trail
    sup = live.client("idrissa.sanou")
    sup.get("/langue/en")
    en = sup.get(f"/dossiers/{ref}/donnees-personne").text
    assert "2 referral notes erased on 02/06/2025, at the person&#39;s request." in en
    assert "1 attachment erased on 02/06/2025, at the person&#39;s request." in en
