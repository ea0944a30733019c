"""Attachments on a case step (issue 18): type and size limits, files outside the database with
mode 600, read under the rules of the step's data (case roles who may open the case; a provider
only on its own referral with the consent covering it), CSRF checked, erased with the case."""

from __future__ import annotations

import re
import stat

import pytest

from mno_workflow import attachments
from mno_workflow.engine.engine import Actor
from mno_workflow.engine.retention import erase_case
from mno_workflow.store import repository
from mno_workflow.store.models import Attachment

from ..engine.helpers import close_now
from .helpers import case_with_referrals

PDF = b"%PDF-1.4\n% scanned consent\n" + b"x" * 2000


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MNO_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def upload(c, ref: str, instance: str, data: bytes, name: str = "consentement.pdf", token: str | None = None):
    token = c.cookies.get("csrftoken") if token is None else token
    return c.post(f"/dossiers/{ref}/pieces/{instance}", data={"csrftoken": token, "instance": instance},
                  files={"file": (name, data, "application/pdf")})


def rows(live, ref):
    with live.wf.sessions() as s:
        return attachments.of_case(s, repository.get_case(s, ref))


def test_upload_read_and_access_rules(live, data_dir):
    ref = case_with_referrals(live.wf)
    cw = live.client("mariam.kabore")
    r = upload(cw, ref, "referral:cash", PDF)
    assert r.status_code == 303, r.text
    (row,) = rows(live, ref)
    path = data_dir / "attachments" / row.stored_name
    assert path.read_bytes() == PDF and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert row.content_type == "application/pdf" and row.size == len(PDF)
    page = cw.get(f"/dossiers/{ref}").text
    assert "consentement.pdf" in page
    line = page[page.index("consentement.pdf</a>"):]
    line = line[:line.index("</li>")]
    assert "Mariam Kaboré" in line and "mariam.kabore" not in line, line  # the uploader by name
    assert re.search(r"\d+ Ko ·", line), line
    cw.get("/langue/en", params={"next": "/"})
    english = cw.get(f"/dossiers/{ref}").text
    english = english[english.index("consentement.pdf</a>"):]
    assert re.search(r"\d+ KB ·", english[:english.index("</li>")])  # the unit in the page's language
    cw.get("/langue/fr", params={"next": "/"})
    url = f"/dossiers/{ref}/pieces/{row.id}"
    got = cw.get(url)
    assert got.status_code == 200 and got.content == PDF
    assert "attachment" in got.headers["content-disposition"]
    assert live.client("idrissa.sanou").get(url).status_code == 200  # supervisor of the region
    assert live.client("awa.ouedraogo").get(url).status_code == 404  # not her case
    assert live.client("suivi.evaluation").get(url).status_code == 404
    masn = live.client("focal.masn")  # the cash referral is theirs, consent covers it
    assert masn.get(url).content == PDF
    assert "consentement.pdf" in masn.get(f"/prestataire/{ref}/referral:cash").text
    assert live.client("focal.csps").get(url).status_code == 404  # not their referral


def test_refused_files_and_csrf(live):
    ref = case_with_referrals(live.wf)
    cw = live.client("mariam.kabore")
    r = upload(cw, ref, "referral:cash", b"MZ\x90\x00 not a pdf", name="x.pdf")
    assert r.status_code == 303
    assert "Type de fichier refusé" in cw.get(f"/dossiers/{ref}").text
    big = b"%PDF-" + b"0" * attachments.MAX_BYTES
    upload(cw, ref, "referral:cash", big)
    assert "5 Mo au plus" in cw.get(f"/dossiers/{ref}").text
    assert upload(cw, ref, "referral:cash", PDF, token="forged").status_code == 403
    assert rows(live, ref) == []
    # a provider cannot add one
    assert upload(live.client("focal.masn"), ref, "referral:cash", PDF).status_code in (403, 404)
    assert rows(live, ref) == []


def test_erased_with_the_case(live, data_dir):
    ref = case_with_referrals(live.wf)
    upload(live.client("mariam.kabore"), ref, "referral:cash", PDF)
    (row,) = rows(live, ref)
    path = data_dir / "attachments" / row.stored_name
    assert path.exists()
    with live.wf.sessions() as s:
        sop = live.wf.registry.for_case(repository.get_case(s, ref)).sop
    who = sop.retention.erase_by[0]
    user = {"supervisor": "idrissa.sanou", "coordinator": "coord.mnr"}.get(who, "idrissa.sanou")
    erase_case(live.wf, close_now(live.wf, ref), Actor(user, who), "Demande de la personne")
    assert not path.exists() and rows(live, ref) == []
    with live.wf.sessions() as s:
        assert s.query(Attachment).count() == 0


def test_referral_notes_both_ways_under_consent(live):
    from .test_web__case_tools import post

    ref = case_with_referrals(live.wf)
    cw, masn = live.client("mariam.kabore"), live.client("focal.masn")
    assert post(cw, f"/dossiers/{ref}/notes/referral:cash", text="Appelez-la le matin").status_code == 303
    page = masn.get(f"/prestataire/{ref}/referral:cash").text
    assert "Appelez-la le matin" in page
    assert post(masn, f"/dossiers/{ref}/notes/referral:cash", text="Rendez-vous lundi").status_code == 303
    assert "Rendez-vous lundi" in cw.get(f"/dossiers/{ref}").text
    # another provider, another caseworker: nothing
    csps = live.client("focal.csps")
    assert post(csps, f"/dossiers/{ref}/notes/referral:cash", text="x").status_code == 404
    assert "Appelez-la" not in csps.get(f"/prestataire/{ref}/referral:medical").text
    awa = live.client("awa.ouedraogo")
    assert post(awa, f"/dossiers/{ref}/notes/referral:cash", text="x").status_code == 404
    # consent withdrawn: the provider no longer reads nor writes notes
    live.wf.fire(ref, "withdraw_consent", Actor("mariam.kabore", "caseworker"),
                 {"withdrawn_on": "2025-06-02", "expressed_by": "self"})
    assert "Appelez-la" not in masn.get(f"/prestataire/{ref}/referral:cash").text
    assert post(masn, f"/dossiers/{ref}/notes/referral:cash", text="encore").status_code == 404
