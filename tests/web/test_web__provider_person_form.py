"""The provider sees the person's data of an SOP whose start form is not called ``identification``
(tryout 10, M6): with the docs' own « intake », the referral page, ``GET /api/v1/referrals`` and
``mno case show --as …:provider`` showed nothing of the person and listed nothing as masked. Now
the start form's fields that the consent **and** the agreement cover are shown, each other one
listed as masked with why (consent: the phone; agreement: org-csps's does not cover
``protection``), in French and English, beside the Burkina Faso SOP (two SOPs loaded)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app as cli_app
from mno_workflow.engine.engine import Actor
from mno_workflow.sop.loader import load_file
from mno_workflow.store.models import User
from mno_workflow.web.security import hash_password

from .conftest import PASSWORD

SOP = Path(__file__).parents[1] / "fixtures" / "intake_sop" / "mnr_in.yaml"
CW, SUP = Actor("in.gest", "caseworker"), Actor("in.sup", "supervisor")
INTAKE = {"first_name": "Mamadou", "last_name": "Bah", "sex": "male", "phone": "+224 620 00 00 09",
          "region": "conakry", "return_date": "2025-05-29", "priority": "urgent",
          "health_notes": "Diabète", "protection_notes": "Menacé au retour",
          "needs": [{"need": "medical", "refer": True}]}
CONSENT = {"data_categories": ["identity", "health", "protection"], "share_with": ["health"],
           "purposes": ["referral"]}
SHOWN = {"fr": ["Accueil", "Prénom", "Mamadou", "Bah", "Sexe", "Homme", "Région", "Conakry",
                "Priorité", "Urgent", "Notes de santé", "Diabète"],
         "en": ["Intake", "First name", "Mamadou", "Bah", "Sex", "Male", "Region", "Conakry",
                "Priority", "Urgent", "Health notes", "Diabète"]}
MASKED = {"fr": ["Téléphone : masqué (non couvert par le consentement)",
                 "Notes de protection : masqué (non couvert par l'accord de partage de données)"],
          "en": ["Phone: hidden (not covered by consent)",
                 "Protection notes: hidden (not covered by the data-sharing agreement)"]}
NEVER = ["+224 620 00 00 09", "620 00 00 09", "Menacé au retour"]


@pytest.fixture
def case(live) -> str:
    """A case of the « intake » SOP referred for medical care to org-csps (health facility whose
    agreement covers identity, contact, needs, health — not protection)."""
    wf = live.wf
    wf.load_sop(load_file(SOP))
    with wf.sessions.begin() as s:
        for uid, role, region in (("in.gest", "caseworker", "conakry"), ("in.sup", "supervisor", None)):
            s.add(User(id=uid, display_name=uid, role=role, sop_id="mnr_in", region=region, language="fr",
                       password_hash=hash_password(PASSWORD), active=True))
    ref = wf.create_case("mnr_in", CW)
    wf.fire(ref, "register", CW, INTAKE)
    wf.fire(ref, "record_consent", CW, CONSENT)
    wf.fire(ref, "send", CW, {"provider": "org-csps"}, instance="referral:medical")
    return ref


def _words(text: str) -> str:
    return text.replace("&#39;", "'").replace("&nbsp;", " ").replace("\u202f", " ").replace("\xa0", " ")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_referral_page_shows_the_start_form_and_says_what_is_masked(live, case, lang):
    c = live.client("focal.csps")
    c.get(f"/langue/{lang}")
    page = _words(c.get(f"/prestataire/{case}/referral:medical").text)
    for word in SHOWN[lang] + MASKED[lang]:
        assert word in page, word
    for word in NEVER:
        assert word not in page, word
    slip = _words(c.get(f"/dossiers/{case}/imprimer/referencement/referral:medical").text)  # the printed slip
    assert "Mamadou Bah" in slip and "Conakry" in slip
    assert not any(word in slip for word in NEVER)


def test_api_gives_the_start_form_and_lists_the_masked_fields(live, case):
    r = live.client().post("/api/v1/auth/token", json={"username": "focal.csps", "password": PASSWORD})
    auth = {"Authorization": f"Bearer {r.json()['token']}"}
    items = [i for i in live.client().get("/api/v1/referrals", headers=auth).json()["items"]
             if i["reference"] == case]
    (item,) = items
    assert item["name"] == "Mamadou Bah"
    assert item["identification"] == {k: INTAKE[k] for k in ("first_name", "last_name", "sex", "region",
                                                              "return_date", "priority", "health_notes",
                                                              "needs")}
    masked = {m["field"]: (m["reason"], m["fr"], m["en"]) for m in item["masked"]}
    assert masked == {"intake.phone": ("consent", MASKED["fr"][0], MASKED["en"][0]),
                      "intake.protection_notes": ("agreement", MASKED["fr"][1], MASKED["en"][1])}
    assert not any(word in json.dumps(item, ensure_ascii=False) for word in NEVER)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_cli_case_show_as_provider_gives_the_same(live, case, tmp_path, lang):
    r = CliRunner().invoke(cli_app, ["--db", f"sqlite:///{tmp_path / 'web.db'}", "--lang", lang, "case",
                                     "show", case, "--as", "focal.csps:provider"])
    assert r.exit_code == 0, r.output
    out = _words(r.output)
    title = {"fr": "Accueil — ", "en": "Intake — "}[lang]
    for word in ("Mamadou", "Bah", "Urgent", "Diabète", *MASKED[lang]):
        assert word in out, word
    assert title in out
    for word in NEVER:
        assert word not in out, word
