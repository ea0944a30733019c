"""The directory search understands the regions and needs of the SOP it runs for (tryout 8, K6):
with Burkina Faso's SOP and a Togo SOP loaded, a Togo case manager's search for « maritime »
ranks the Togo services of Maritime — a service without service area by its organisation's
address — on the « Répertoire » page, ``GET /api/v1/directory``, ``mno directory search`` and the
send form's proposals; an account of every SOP that names none is asked which (no guess), and the
Burkina Faso search is unchanged (its regions, former names, no Togo region)."""

from __future__ import annotations

import html
import re

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app as cli_app
from mno_workflow.directory.hsds_io import apply_rows, rows_from_mapping
from mno_workflow.engine.engine import Actor
from mno_workflow.sop.loader import load_text
from mno_workflow.store.models import User
from mno_workflow.web.security import hash_password

from .conftest import PASSWORD
from .test_web__sop_words import token

# A small SOP of another country (Togo calendar), its own regions and needs.
TOGO = """\
sop: essai_tg
version: "2026.1"
title: {fr: Procédure Togo (essai), en: Togo procedure (trial)}
languages: [fr, en]
calendar: {timezone: Africa/Lome, holidays: TG, workweek: [mon, tue, wed, thu, fri]}
roles:
  caseworker: {label: {fr: Gestionnaire de cas, en: Case manager}, scope: assigned}
  supervisor: {label: {fr: Superviseur, en: Supervisor}}
  provider: {label: {fr: Point focal du prestataire, en: Provider focal point}, scope: recipient}
options:
  region:
    maritime: {fr: Maritime, en: Maritime}
    plateaux: {fr: Plateaux, en: Plateaux}
    kara: {fr: Kara, en: Kara}
  need:
    medical: {fr: Soins médicaux, en: Medical care}
    gbv: {fr: Prise en charge VBG, en: GBV response}
forms:
  intake:
    title: {fr: Accueil, en: Intake}
    fields:
      - {id: name, type: text, required: true, max_length: 100, classification: personal,
         label: {fr: Nom, en: Name}}
      - {id: region, type: choice, options: region, required: true, label: {fr: Région, en: Region}}
      - {id: consent, type: boolean, required: true, label: {fr: Consent au partage, en: Consents to sharing}}
      - id: needs
        type: repeat
        min_items: 1
        label: {fr: Besoins, en: Needs}
        fields:
          - {id: need, type: choice, options: need, required: true, label: {fr: Besoin, en: Need}}
  referral:
    title: {fr: Fiche de référencement, en: Referral form}
    fields:
      - {id: provider, type: text, required: true, max_length: 80, label: {fr: Prestataire, en: Provider}}
start: intake
case_summary: {name: [intake.name], region: intake.region}
steps:
  intake:
    label: {fr: Accueil, en: Intake}
    states:
      open: {label: {fr: En cours, en: Open}, initial: true, owner: caseworker}
      done: {label: {fr: Enregistré, en: Registered}, final: true}
    transitions:
      - {trigger: register, label: {fr: Enregistrer, en: Register}, from: open, to: done,
         by: [caseworker], form: intake}
  referral:
    label: {fr: Référencement, en: Referral}
    instances: {for_each: intake.needs, key: need}
    recipient: referral.provider
    disclosure: intake.consent == true
    states:
      draft: {label: {fr: À envoyer, en: To send}, initial: true, owner: caseworker}
      sent: {label: {fr: Envoyé, en: Sent}, owner: provider}
      accepted: {label: {fr: Accepté, en: Accepted}, final: true}
    transitions:
      - {trigger: send, label: {fr: Envoyer, en: Send}, from: draft, to: sent, by: [caseworker],
         form: referral, when: intake.consent == true,
         when_message: {fr: Pas de consentement au partage, en: No consent to sharing}}
      - {trigger: accept, label: {fr: Accepter, en: Accept}, from: sent, to: accepted, by: [provider]}
flow:
  - {after: intake.done, start: referral}
  - {after: referral.all_final, close_case: true}
"""

# Two Togo health services: one without service area, in Maritime by its organisation's address
# (as org-tg-sante of the tryout), one whose service area is Kara.
ROWS = {
    "organization": [{"id": "org-tg-sante", "name": "Centre de santé de Bè (fictif)",
                      "description": "Données fictives", "organization_type": "health_facility"},
                     {"id": "org-tg-kara", "name": "Hôpital de Kara (fictif)",
                      "description": "Données fictives", "organization_type": "health_facility"}],
    "location": [{"id": "loc-tg-sante", "location_type": "physical", "organization_id": "org-tg-sante",
                  "name": "Bè — Lomé"}],
    "address": [{"id": "adr-tg-sante", "location_id": "loc-tg-sante", "address_1": "Quartier Bè",
                 "city": "Lomé", "region": "Maritime", "country": "TG", "address_type": "physical"}],
    "service": [{"id": "svc-tg-sante", "organization_id": "org-tg-sante", "name": "Consultations — Bè",
                 "status": "active", "assured_date": "2025-05-01"},
                {"id": "svc-tg-kara", "organization_id": "org-tg-kara", "name": "Urgences — Kara",
                 "status": "active", "assured_date": "2025-05-01"}],
    "service_area": [{"id": "area-tg-kara", "service_id": "svc-tg-kara", "name": "Kara"}],
    "attribute": [{"id": f"{sid}-type", "link_id": sid, "taxonomy_term_id": "term-health_care",
                   "link_entity": "service"} for sid in ("svc-tg-sante", "svc-tg-kara")],
}
TG_ORGS = {"org-tg-sante", "org-tg-kara"}
BY_ADDRESS = {"fr": "Zone : Maritime (région du dossier, d'après l'adresse du service)",
              "en": "Area: Maritime (the case's region, from the service's address)"}
AMBIGUOUS = {"fr": "Plusieurs POS sont chargées", "en": "Several SOPs are loaded"}
TITLES = {"fr": ("Mécanisme national de référencement — Burkina Faso", "Procédure Togo (essai)"),
          "en": ("National referral mechanism — Burkina Faso", "Togo procedure (trial)")}
UNKNOWN_REGION = {"fr": "région inconnue « maritime »", "en": "unknown region “maritime”"}


@pytest.fixture(scope="module")
def two(live_module):
    live = live_module
    live.wf.load_sop(load_text(TOGO, "essai_tg.yaml"))
    with live.wf.sessions() as s:
        sources, problems = rows_from_mapping(ROWS)
        assert not problems, problems
        apply_rows(s, sources, actor="test")
        s.commit()
    hashed = hash_password(PASSWORD)
    with live.wf.sessions.begin() as s:
        for uid, sop, region in [("tg.gest", "essai_tg", "maritime"), ("bf.gest", "mnr_bf", "kadiogo"),
                                 ("all.gest", None, None)]:  # all.gest: an account of every SOP
            s.add(User(id=uid, display_name=uid, role="caseworker", sop_id=sop, region=region,
                       language="fr", password_hash=hashed, active=True))
    return live


def api(live, uid: str, lang: str, **params):
    return live.client().get("/api/v1/directory", params=params,
                             headers={**token(live, uid), "Accept-Language": lang})


def orgs(r) -> set[str]:
    assert r.status_code == 200, r.text
    return {i["organization_id"] for i in r.json()["items"]}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_api_ranks_the_togo_services_for_a_togo_region(two, lang):
    r = api(two, "tg.gest", lang, need="medical", region="maritime")  # the account's SOP
    assert orgs(r) == {"org-tg-sante"}
    item = r.json()["items"][0]
    assert item["coverage"] == "region" and BY_ADDRESS["fr"] in item["reasons"], item  # in French
    assert orgs(api(two, "tg.gest", lang, need="medical", region="kara")) == {"org-tg-kara"}
    assert orgs(api(two, "all.gest", lang, need="medical", region="Maritime", sop="essai_tg")) \
        == {"org-tg-sante"}  # ?sop=, and the region's label folds to it as the code does
    bad = api(two, "tg.gest", lang, need="housing", region="maritime")  # a Burkina Faso need
    assert bad.status_code == 422 and "match_invalid" in bad.text and "medical, gbv" in bad.text, bad.text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_api_asks_which_sop_instead_of_guessing(two, lang):
    r = api(two, "all.gest", lang, need="medical", region="maritime")
    body = r.json()
    assert r.status_code == 422 and body["code"] == "sop_ambiguous", r.text
    assert AMBIGUOUS[lang] in body["message"] and "?sop=ID" in body["message"], body
    assert all(f"{t} (" in body["message"] for t in TITLES[lang]), body


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_api_burkina_faso_search_unchanged(two, lang):
    bf = orgs(api(two, "bf.gest", lang, need="medical", region="kadiogo"))
    assert bf and not bf & TG_ORGS
    assert orgs(api(two, "all.gest", lang, need="medical", region="Centre-Nord", sop="mnr_bf"))  # former name
    r = api(two, "bf.gest", lang, need="medical", region="maritime")  # no Togo region in Burkina Faso
    assert r.status_code == 422 and UNKNOWN_REGION[lang] in r.json()["message"], r.text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_directory_page_searches_the_sop_of_the_account_or_the_chosen_one(two, lang):
    c = two.client("tg.gest")
    c.get(f"/langue/{lang}")
    page = html.unescape(c.get("/repertoire", params={"need": "medical", "region": "maritime"}).text)
    assert '<table class="data">' in page and "Consultations — Bè" in page, page[-3000:]
    assert 'name="sop"' not in page  # an account of one SOP: nothing to choose
    assert "Centre de santé de Bè" in page and "Kadiogo" not in page
    c = two.client("all.gest")
    c.get(f"/langue/{lang}")
    page = html.unescape(c.get("/repertoire").text)
    choice = re.search(r'<select id="sop" name="sop" required>(.*?)</select>', page, re.S)
    assert choice and all(t in choice[1] for t in TITLES[lang]), page[-3000:]
    assert 'value="maritime"' in page and 'value="kadiogo"' in page  # both SOPs' regions, grouped
    page = html.unescape(c.get("/repertoire", params={"need": "medical", "region": "maritime"}).text)
    error = re.search(r'<p class="error">(.*?)</p>', page, re.S)
    assert error and AMBIGUOUS[lang] in error[1] and '<table class="data">' not in page, page[-3000:]
    page = html.unescape(c.get("/repertoire", params={"need": "medical", "region": "maritime",
                                                      "sop": "essai_tg"}).text)
    assert "Consultations — Bè" in page and '<p class="error">' not in page, page[-3000:]
    assert 'value="kadiogo"' not in page  # the chosen SOP's regions only
    c = two.client("bf.gest")
    c.get(f"/langue/{lang}")
    page = html.unescape(c.get("/repertoire", params={"need": "medical", "region": "maritime"}).text)
    assert UNKNOWN_REGION[lang] in page
    page = html.unescape(c.get("/repertoire", params={"need": "medical", "region": "kadiogo"}).text)
    assert '<table class="data">' in page and "Consultations — Bè" not in page


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_cli_search_for_the_togo_sop_and_the_ambiguity(two, lang):
    base = ["--db", str(two.wf.db.url), "--lang", lang, "directory", "search", "--need", "medical",
            "--region", "maritime"]
    out = CliRunner().invoke(cli_app, [*base, "--sop", "essai_tg"])
    assert out.exit_code == 0, out.output
    assert "Consultations — Bè — Centre de santé de Bè (fictif)" in out.output, out.output
    assert BY_ADDRESS[lang] in out.output
    out = CliRunner().invoke(cli_app, [*base, "--as", "tg.gest:caseworker"])  # the account's SOP
    assert out.exit_code == 0 and "Consultations — Bè" in out.output, out.output
    out = CliRunner().invoke(cli_app, base)
    assert out.exit_code == 1 and AMBIGUOUS[lang] in out.output and "--sop ID" in out.output, out.output
    assert all(f"{t} (" in out.output for t in TITLES[lang]) and "Traceback" not in out.output
    out = CliRunner().invoke(cli_app, [*base, "--sop", "mnr_bf"])
    assert out.exit_code == 1 and UNKNOWN_REGION[lang] in out.output, out.output


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_send_form_proposes_the_togo_providers_of_the_case_region(two, lang):
    cw = Actor("tg.gest", "caseworker")
    ref = two.wf.create_case("essai_tg", cw)
    two.wf.fire(ref, "register", cw, {"name": "Kossi A.", "region": "maritime", "consent": True,
                                      "needs": [{"need": "medical"}]})
    c = two.client("tg.gest")
    c.get(f"/langue/{lang}")
    r = c.get(f"/dossiers/{ref}/actions/referral:medical/send")
    assert r.status_code == 200, r.text[:2000]
    proposed = re.search(r'<optgroup label="([^"]+)">\s*<option value="org-tg-sante"', r.text)
    assert proposed, r.text[-4000:]
    reasons = html.unescape(r.text[r.text.index('<details class="reasons"'):])
    assert BY_ADDRESS[lang] in reasons[:reasons.index("</details>")]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_pocket_guides_follow_the_sops_own_regions(two, lang):
    """Tryout 9, L10: a Mali SOP's documents offered pocket guides for the 17 Burkina Faso regions
    (the « Kadiogo » guide titled as Mali's, Burkina numbers) and none for its own."""
    c = two.client("coord.mnr")
    c.get(f"/langue/{lang}")
    page = html.unescape(c.get("/pos/documents?sop=essai_tg").text)
    guides = re.findall(r'href="/pos/documents/guide/(\w+)\?sop=essai_tg"', page)
    assert guides == ["maritime", "plateaux", "kara"], guides
    assert c.get("/pos/documents/guide/kadiogo?sop=essai_tg").status_code == 404
    kara = html.unescape(c.get("/pos/documents/guide/kara?sop=essai_tg").text)
    assert "Kara" in kara and "Hôpital de Kara (fictif)" in kara and "+226" not in kara, kara[:3000]
    bf = html.unescape(c.get("/pos/documents").text)  # Burkina Faso: its regions, as before
    assert 'href="/pos/documents/guide/kadiogo"' in bf and "/guide/kara" not in bf


def test_pocket_guide_counts_a_service_by_its_address(two):
    """Tryout 10, M7: a service without service area, placed in Maritime by its organisation's
    address, was ranked by the search but left out of the Maritime pocket guide."""
    c = two.client("coord.mnr")
    guide = html.unescape(c.get("/pos/documents/guide/maritime?sop=essai_tg").text)
    assert "Centre de santé de Bè (fictif)" in guide, guide[:3000]
    assert "Hôpital de Kara (fictif)" not in guide
