"""A conditional field inside a repeat group (``relevant: "item.need == 'gbv_services'"``, the
small SOP of tests/item_relevant_sop.py) in Chromium (tryout 9, L3): in each row it is shown only
when that row's need is « Services VBG », in the rows drawn at load and in a row « + Ajouter »
reveals, again as a row's need changes; its label drops « (si applicable) » as the top-level
conditional fields do; a hidden field is not sent, so what is stored is what was shown; and a value
sent anyway (the API) is refused for that row's field in the caller's language, never dropped
without a word."""

from __future__ import annotations

import httpx

from mno_workflow.store import repository

from ..item_relevant_sop import SOP_ID, item_sop
from .conftest import PASSWORD
from .helpers import CONSENT, IDENT, MARIAM
from .test_web__browser import action, pytestmark, signed_in  # noqa: F401  (skipped without Chromium)

FIELD = "#f-needs-{}-incident_on"


def consented_case(live) -> str:
    live.wf.load_sop(item_sop())
    ref = live.wf.create_case(SOP_ID, MARIAM)
    live.wf.fire(ref, "register", MARIAM, IDENT)
    live.wf.fire(ref, "record_consent", MARIAM, CONSENT)
    return ref


def choose(page, i: int, dimension: str, need: str) -> None:
    page.select_option(f"#f-needs-{i}-dimension", dimension)
    page.select_option(f"#f-needs-{i}-need", need)


def test_a_rows_conditional_field_follows_that_rows_need(live, browser):
    ref = consented_case(live)
    page = signed_in(browser, live, "mariam.kabore", locale="fr-FR", viewport={"width": 1366, "height": 768})
    page.goto(f"{live.url}/dossiers/{ref}")
    action(page, "submit_assessment")
    assert page.is_hidden(FIELD.format(0))  # no need chosen yet
    choose(page, 0, "psychosocial", "psychosocial")
    assert page.is_hidden(FIELD.format(0))
    choose(page, 0, "social", "gbv_services")
    assert page.is_visible(FIELD.format(0))
    label = page.inner_text(f"label[for='{FIELD.format(0)[1:]}']")
    assert label.strip() == "Date de l'incident", label  # no « (si applicable) » left unexplained
    page.fill(FIELD.format(0), "01/06/2025")
    page.select_option("#f-needs-0-referral_needed", "true")
    # a row « + Ajouter » reveals: its own need decides, whatever the first row's
    page.click("#f-needs button.add-row")
    assert page.is_visible("#f-needs-1-dimension") and page.is_hidden(FIELD.format(1))
    choose(page, 1, "social", "gbv_services")
    assert page.is_visible(FIELD.format(1))
    page.fill(FIELD.format(1), "typed, then the need changed")
    choose(page, 1, "psychosocial", "psychosocial")
    assert page.is_hidden(FIELD.format(1)) and page.is_disabled(FIELD.format(1))
    assert page.is_visible(FIELD.format(0))  # the other row keeps its own
    page.select_option("#f-needs-1-referral_needed", "true")
    # a refused submit (no risk level) draws the rows again from what was sent: same rule at load
    page.click("#action-panel button.primary")
    page.wait_for_selector("#action-panel .field.has-error")
    assert page.is_visible(FIELD.format(0)) and page.input_value(FIELD.format(0)) == "01/06/2025"
    assert page.is_hidden(FIELD.format(1))
    assert page.input_value("#f-needs-1-need") == "psychosocial"
    page.select_option("#f-risk_level", "high")
    with page.expect_navigation():
        page.click("#action-panel button.primary")
    with live.wf.sessions.begin() as s:
        needs = repository.get_case(s, ref).data["needs_assessment"]["needs"]
    assert needs[0]["incident_on"] == "01/06/2025"
    assert "incident_on" not in needs[1]  # hidden, so not sent: nothing to drop


def test_a_value_sent_where_the_row_does_not_ask_it_is_refused_per_field(live):
    ref = consented_case(live)
    asked = live.client().post("/api/v1/auth/token", json={"username": "mariam.kabore", "password": PASSWORD})
    auth = {"Authorization": f"Bearer {asked.json()['token']}"}
    payload = {"assessed_on": "2025-06-02", "risk_level": "high", "needs": [
        {"dimension": "psychosocial", "need": "psychosocial", "referral_needed": True,
         "incident_on": "01/06/2025"}]}
    said = {}
    for lang in ("fr", "en"):
        r = httpx.post(f"{live.url}/api/v1/cases/{ref}/fire", headers=auth | {"Accept-Language": lang},
                       json={"trigger": "submit_assessment", "payload": payload})
        assert r.status_code == 422, r.text
        said[lang] = r.json()["errors"]
    assert said["fr"] == {"needs.0.incident_on": "Ce champ ne s'applique pas ici : il n'est demandé que si "
                                                 "le besoin est « Services VBG ». Laissez-le vide."}
    assert said["en"] == {"needs.0.incident_on": "This field does not apply here: it is asked only if the "
                                                 "need is GBV services. Leave it empty."}
    with live.wf.sessions.begin() as s:
        assert "needs_assessment" not in (repository.get_case(s, ref).data or {})


def test_in_english_the_rows_field_is_labelled_without_if_applicable(live, browser):
    ref = consented_case(live)
    page = signed_in(browser, live, "mariam.kabore", locale="en-GB", viewport={"width": 1366, "height": 768})
    page.goto(live.url + "/langue/en")
    page.goto(f"{live.url}/dossiers/{ref}")
    action(page, "submit_assessment")
    wrap = FIELD.format(0) + "-wrap"
    assert "(if applicable)" in page.text_content(wrap)  # in the page, for a browser without script
    choose(page, 0, "social", "gbv_services")
    assert page.inner_text(f"label[for='{FIELD.format(0)[1:]}']").strip() == "Date of the incident"
