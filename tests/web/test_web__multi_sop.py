"""A second SOP registered beside the Burkina Faso one (``mno sop load other.yaml``): its cases
can be opened on the page « Nouveau dossier » (an SOP choice by title, the form of the chosen
SOP's first step) and with ``createCase`` (``sop``; an unknown id is a 422 naming the registered
SOPs by title and id), and the « Procédures (POS) » pages list every registered SOP and open
each (tryout 5, H17 and H16)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from mno_workflow.sop.loader import load_file, load_text
from mno_workflow.store import repository
from mno_workflow.store.models import Case

from .conftest import PASSWORD, csrf_of
from .helpers import MARIAM

SECOND = Path(__file__).resolve().parents[1] / "fixtures" / "multi_sop" / "second.yaml"
BF_TITLE = {"fr": "Mécanisme national de référencement — Burkina Faso",
            "en": "National referral mechanism — Burkina Faso"}
SECOND_TITLE = {"fr": "Procédure Sénégal (essai)", "en": "Senegal procedure (trial)"}


@pytest.fixture
def two(live):
    live.wf.load_sop(load_file(SECOND))
    return live


def _field(page: str, name: str) -> str:
    m = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert m, name
    return m.group(1)


def _sop_of(live, ref: str) -> str:
    with live.wf.sessions() as s:
        return repository.get_case(s, ref).sop_version.sop_id


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_new_case_page_offers_each_sop_by_title_and_opens_a_case_of_the_second(two, lang):
    c = two.client("mariam.kabore")
    c.get(f"/langue/{lang}")
    page = c.get("/dossiers/nouveau").text
    choice = re.search(r'<select id="sop-select" name="sop">(.*?)</select>', page, re.S)
    assert choice, page[:3000]
    options = re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', choice.group(1))
    assert options == [("mnr_bf", BF_TITLE[lang]), ("essai_sn", SECOND_TITLE[lang])]
    assert 'name="first_name"' in page  # her own SOP's form (she has no case yet: the first SOP)
    page = c.get("/dossiers/nouveau?sop=essai_sn").text
    label = {"fr": "Procédure du dossier", "en": "Procedure of the case"}[lang]
    assert label in page and SECOND_TITLE[lang] in page
    assert 'name="name"' in page and 'name="first_name"' not in page  # the second SOP's intake form
    assert {"fr": "Accueil", "en": "Intake"}[lang] in page
    data = {"csrftoken": csrf_of(page), "form_token": _field(page, "form_token"), "sop": "essai_sn",
            "name": "Moussa Sow", "need": "shelter"}
    r = c.post("/dossiers/nouveau", data=data)
    assert r.status_code == 303, r.text[:3000]
    ref = r.headers["location"].rsplit("/", 1)[1]
    assert _sop_of(two, ref) == "essai_sn"
    # her open case now runs on the second SOP: the form opens on it, and « Procédures (POS) » too
    assert 'name="name"' in c.get("/dossiers/nouveau").text
    pos = c.get("/pos").text
    assert f"<h1>{SECOND_TITLE[lang]} " in pos


def test_new_case_page_without_a_second_sop_has_no_choice(live):
    page = live.client("mariam.kabore").get("/dossiers/nouveau").text
    assert 'id="sop-select"' not in page and 'name="first_name"' in page


def _token(live, user: str) -> dict:
    r = httpx.post(f"{live.url}/api/v1/auth/token", json={"username": user, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_create_case_api_takes_the_sop_and_names_the_known_ones_for_an_unknown_id(two, lang):
    h = {**_token(two, "mariam.kabore"), "Accept-Language": lang}
    r = httpx.post(f"{two.url}/api/v1/cases", headers=h,
                   json={"sop": "essai_sn", "identification": {"name": "Moussa Sow", "need": "medical"}})
    assert r.status_code == 201, r.text
    assert _sop_of(two, r.json()["reference"]) == "essai_sn"
    r = httpx.post(f"{two.url}/api/v1/cases", headers=h,
                   json={"sop": "mnr_sn", "identification": {"name": "Moussa Sow"}})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "sop_unknown" and body["known"] == ["mnr_bf", "essai_sn"]
    said = {"fr": "POS inconnue : « mnr_sn ». POS enregistrées : ",
            "en": "Unknown SOP: “mnr_sn”. Registered SOPs: "}
    assert body["message"].startswith(said[lang]), body
    assert f"{BF_TITLE[lang]} (mnr_bf)" in body["message"]
    assert f"{SECOND_TITLE[lang]} (essai_sn)" in body["message"]
    # without ``sop``: the first SOP, as before (its identification form)
    r = httpx.post(f"{two.url}/api/v1/cases", headers=h, json={"identification": {"name": "Moussa Sow"}})
    assert r.status_code == 422 and r.json()["code"] == "form_invalid", r.text


def test_openapi_documents_the_sop_of_create_case(live):
    doc = httpx.get(f"{live.url}/api/v1/openapi.json").json()
    schema = doc["components"]["schemas"]["NewCase"]["properties"]["sop"]
    assert "sop_unknown" in str(schema)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_sop_pages_list_every_registered_sop_and_open_each(two, lang):
    c = two.client("formateur")
    c.get(f"/langue/{lang}")
    page = c.get("/pos").text
    listed = re.search(r'<nav[^>]*id="sop-list".*?</nav>', page, re.S)
    assert listed, page[:3000]
    assert BF_TITLE[lang] in listed.group(0) and SECOND_TITLE[lang] in listed.group(0)
    assert 'href="/pos?sop=essai_sn"' in listed.group(0) and ">essai_sn<" not in listed.group(0)
    assert f"<h1>{BF_TITLE[lang]} " in page  # the first SOP: its URLs as before
    second = c.get("/pos?sop=essai_sn").text
    assert f"<h1>{SECOND_TITLE[lang]} " in second and 'src="/pos/flux.svg?sop=essai_sn"' in second
    assert 'href="/pos/manuel?sop=essai_sn"' in second and 'href="/pos/documents?sop=essai_sn"' in second
    for url in ("/pos/flux.svg?sop=essai_sn", "/pos/etapes/service.svg?sop=essai_sn",
                "/pos/manuel?sop=essai_sn", "/pos/documents?sop=essai_sn", "/pos/presentation?sop=essai_sn",
                "/pos/documents/fiches/intake?sop=essai_sn"):
        r = c.get(url)
        assert r.status_code == 200, (url, r.status_code)
    assert SECOND_TITLE[lang] in c.get("/pos/manuel?sop=essai_sn").text
    assert SECOND_TITLE[lang] in c.get("/pos/documents?sop=essai_sn").text
    assert c.get("/pos/etapes/service.svg").status_code == 404  # not a step of the first SOP
    assert c.get("/pos?sop=nope").status_code == 404


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_alert_api_takes_the_sop_and_refuses_an_unknown_one(two, lang):
    h = {**_token(two, "agent.fds"), "Accept-Language": lang}
    alert = {"first_name": "Adama", "last_name": "Tapsoba", "sex": "male", "estimated_age": 27,
             "region": "kadiogo", "place": "Gare routière", "met_on": "2025-06-02",
             "contact_way": ["phone"], "phone": "+226 70 00 00 09", "contact_agreed": True}
    r = httpx.post(f"{two.url}/api/v1/alerts", headers=h, json={"sop": "mnr_xx", "alert": alert})
    assert r.status_code == 422 and r.json()["code"] == "sop_unknown", r.text
    assert f"{SECOND_TITLE[lang]} (essai_sn)" in r.json()["message"]
    r = httpx.post(f"{two.url}/api/v1/alerts", headers=h, json={"sop": "mnr_bf", "alert": alert})
    assert r.status_code == 201, r.text
    # the second SOP has no entry for first responders: no choice on the page, the BF form
    page = two.client("agent.fds").get("/signalements/nouveau").text
    assert 'id="sop-select"' not in page and 'name="place"' in page


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_dashboard_lists_the_sops_and_reports_on_the_one_with_indicators(two, lang):
    c = two.client("suivi.evaluation")
    c.get(f"/langue/{lang}")
    page = c.get("/tableau-de-bord").text
    listed = re.search(r'<nav id="sop-list".*?</nav>', page, re.S)
    assert listed and f'aria-current="page">{BF_TITLE[lang]}<' in listed.group(0), page[:3000]
    assert 'href="/tableau-de-bord?sop=essai_sn"' in listed.group(0)
    assert "REFERRALS_MADE" in page or "indicateurs.csv" in page  # the BF indicators (as mno report)
    second = c.get("/tableau-de-bord?sop=essai_sn")
    assert second.status_code == 200 and 'name="sop" value="essai_sn"' in second.text
    assert 'aria-current="page">' + SECOND_TITLE[lang] in second.text
    assert c.get("/rapport").status_code == 200
    assert c.get("/rapport?sop=essai_sn").status_code == 404  # no indicators: section
    assert c.get("/tableau-de-bord?sop=mnr_xx").status_code == 404
    h = _token(two, "suivi.evaluation")
    for _ in range(5):  # open cases of the second SOP only (5: not suppressed)
        two.wf.create_case("essai_sn", MARIAM)
    stats = httpx.get(f"{two.url}/api/v1/stats", headers=h)  # the dashboard's SOP: Burkina Faso
    assert stats.status_code == 200 and stats.json()["totals"] == {}, stats.text
    stats = httpx.get(f"{two.url}/api/v1/stats?sop=essai_sn", headers=h)
    assert stats.status_code == 200 and stats.json()["totals"] == {"open": 5}, stats.text
    r = httpx.get(f"{two.url}/api/v1/stats?sop=mnr_xx", headers={**h, "Accept-Language": lang})
    assert r.status_code == 422 and r.json()["code"] == "sop_unknown", r.text


def test_alert_page_offers_each_sop_with_an_entry_for_the_role(live):
    bf = Path(__file__).resolve().parents[2] / "sops" / "burkina_faso" / "mnr.yaml"
    other = (bf.read_text(encoding="utf-8").replace("sop: mnr_bf", "sop: mnr_autre", 1)
             .replace("fr: Mécanisme national de référencement — Burkina Faso", "fr: Autre mécanisme", 1))
    live.wf.load_sop(load_text(other, str(bf.parent / "autre.yaml")))
    c = live.client("agent.fds")
    page = c.get("/signalements/nouveau").text
    options = re.findall(r'<option value="(mnr_\w+)"[^>]*>([^<]+)</option>', page)
    assert options == [("mnr_bf", BF_TITLE["fr"]), ("mnr_autre", "Autre mécanisme")], page[:3000]
    page = c.get("/signalements/nouveau?sop=mnr_autre").text
    data = {"csrftoken": csrf_of(page), "form_token": _field(page, "form_token"), "sop": "mnr_autre",
            "first_name": "Adama", "last_name": "Tapsoba", "sex": "male", "estimated_age": "27",
            "region": "kadiogo", "place": "Gare routière", "met_on": "2025-06-02", "contact_way": "phone",
            "phone": "+226 70 00 00 09", "contact_agreed": "true"}
    r = c.post("/signalements/nouveau", data=data)
    assert r.status_code == 303, r.text[:3000]
    with live.wf.sessions() as s:
        case = s.scalars(select(Case).order_by(Case.id.desc())).first()
        assert case.sop_version.sop_id == "mnr_autre"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_login_page_names_every_sop_of_the_server(two, live, lang):
    """Tryout 8, K10: a case manager of the second SOP does not sign in under the first SOP's
    name alone; a server with one SOP names that one."""
    head = {"Accept-Language": lang}
    page = httpx.get(f"{two.url}/login", headers=head).text
    subtitle = re.search(r'<p class="muted">([^<]*)</p>', page)[1]
    assert subtitle == f"{BF_TITLE[lang]} · {SECOND_TITLE[lang]}", subtitle


def test_login_page_of_a_one_sop_server_names_it(live):
    page = httpx.get(f"{live.url}/login", headers={"Accept-Language": "fr"}).text
    assert re.search(r'<p class="muted">([^<]*)</p>', page)[1] == BF_TITLE["fr"]


@pytest.mark.parametrize("names", ["0", "1"])
def test_case_export_of_an_sop_without_indicators(two, names):
    """Tryout 9, L7: the case-row export of an SOP without ``indicators:`` (the docs make it
    optional) was a 500 (``sop.indicators`` None); it answers that SOP's rows — none here: its
    case has no consent listing the statistics purpose — and no Burkina Faso row."""
    c = two.client("mariam.kabore")
    page = c.get("/dossiers/nouveau?sop=essai_sn").text
    data = {"csrftoken": csrf_of(page), "form_token": _field(page, "form_token"), "sop": "essai_sn",
            "name": "Moussa Sow", "need": "shelter"}
    r = c.post("/dossiers/nouveau", data=data)
    assert r.status_code == 303, r.text[:2000]
    out = two.client("coord.mnr").get(f"/tableau-de-bord/export.csv?noms={names}&sop=essai_sn")
    assert out.status_code == 200, out.text[:2000]
    rows = out.content.decode("utf-8-sig").splitlines()
    assert len(rows) == 1 and "Région" in rows[0], rows
    assert "MNR-BF" not in out.text and "Moussa" not in out.text


def test_value_labels_of_an_sop_without_indicators():
    from mno_workflow.indicators.present import value_label
    sop = load_file(SECOND).model
    assert sop.indicators is None
    assert value_label(sop, "need", "shelter", "fr") == "Hébergement"
    assert value_label(sop, "need", "shelter", "en") == "Shelter"
    assert value_label(sop, "region", "dakar", "fr") == "dakar"  # no such list: the code
