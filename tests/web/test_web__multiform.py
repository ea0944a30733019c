"""``form: [a, b]`` on the web and the API: the action page shows both forms in one submission,
one error summary covers both (nothing written), a valid submission stores both; the API takes
``{form_id: {...}}`` with errors keyed by form, and the single-form payload keeps working."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select

from mno_workflow.store.models import Case

from ..conftest import BF_SOP
from ..engine.multiform_sop import two_forms
from ..engine.sop_variants import variant
from .conftest import PASSWORD, csrf_of
from .helpers import case_with_referrals, referral


def _load(live) -> str:
    live.wf.load_sop(variant(BF_SOP.read_text(encoding="utf-8"), "2099.9", two_forms))
    return case_with_referrals(live.wf, send=False)


def _inst(live, ref):
    with live.wf.sessions() as s:
        case = s.scalars(select(Case).where(Case.reference == ref)).one()
        inst = next(i for i in case.instances if i.label_key == "referral:cash")
        return case.version, inst.state, dict(inst.data or {})


def test_action_page_shows_both_forms_and_one_error_summary(live):
    ref = _load(live)
    c = live.client("mariam.kabore")
    url = f"/dossiers/{ref}/actions/referral:cash/send"
    page = c.get(url)
    assert page.status_code == 200, page.text[:300]
    html = page.text
    assert '<legend>Fiche de référencement</legend>' in html and '<legend>Rendez-vous</legend>' in html
    assert 'name="provider"' in html and 'name="appointment_date"' in html
    assert html.index('name="provider"') < html.index('name="appointment_date"')
    before = _inst(live, ref)
    r = c.post(url, data={"csrftoken": csrf_of(html), "version": str(before[0]), "priority": "normal",
                          "channel": "system", "referral_date": "2025-06-02"})
    assert r.status_code == 422
    summary = re.search(r'<div class="error-summary".*?</div>', r.text, re.S)[0]
    assert 'href="#f-provider"' in summary or "Prestataire" in summary        # the referral form's error
    assert "Date du rendez-vous" in summary                                   # and the appointment's
    assert _inst(live, ref) == before                                         # nothing written
    assert 'value="system"' in r.text or "system" in r.text                   # input kept
    r = c.post(url, data={"csrftoken": csrf_of(html), "version": str(before[0]), "provider": "org-masn",
                          "priority": "normal", "channel": "system", "referral_date": "2025-06-02",
                          "appointment_date": "10/06/2025", "escort": "true"})
    assert r.status_code == 303, r.text[:500]
    version, state, data = _inst(live, ref)
    assert state == "sent" and version == before[0] + 1
    assert data["referral"]["provider"] == "org-masn"
    assert data["appointment"] == {"appointment_date": "2025-06-10", "escort": True}


def test_api_takes_one_object_per_form_and_keys_errors_by_form(live):
    ref = _load(live)
    token = httpx.post(f"{live.url}/api/v1/auth/token",
                       json={"username": "mariam.kabore", "password": PASSWORD}).json()["token"]
    c = httpx.Client(base_url=live.url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    before = _inst(live, ref)
    r = c.post(f"/api/v1/cases/{ref}/fire", json={
        "trigger": "send", "instance": "referral:cash",
        "payload": {"referral": referral("org-masn"), "appointment": {"escort": "maybe"}}})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "form_invalid"
    assert set(body["forms"]) == {"appointment"}
    assert set(body["forms"]["appointment"]) == {"appointment_date", "escort"}
    assert set(body["errors"]) == {"appointment.appointment_date", "appointment.escort"}
    assert _inst(live, ref) == before
    r = c.post(f"/api/v1/cases/{ref}/fire", json={
        "trigger": "send", "instance": "referral:cash",
        "payload": {"referral": referral("org-masn"), "appointment": {"appointment_date": "2025-06-10"}}})
    assert r.status_code == 200, r.text
    assert r.json()["to"] == "sent"
    assert _inst(live, ref)[2]["appointment"] == {"appointment_date": "2025-06-10"}
    # the flat payload of one form, on a two-form transition: refused, errors keyed by form
    r = c.post(f"/api/v1/cases/{ref}/fire", json={
        "trigger": "send", "instance": "referral:medical", "payload": referral("org-csps")})
    assert r.status_code == 422 and set(r.json()["forms"]) == {"", "referral", "appointment"}


def test_documents_page_offers_the_blank_sheet_of_the_two_form_action(live):
    _load(live)
    c = live.client("mariam.kabore")
    page = c.get("/pos/documents")
    assert page.status_code == 200 and "/pos/documents/actions/send" in page.text
    sheet = c.get("/pos/documents/actions/send")
    assert sheet.status_code == 200
    assert sheet.text.index("<h2>Fiche de référencement</h2>") < sheet.text.index("<h2>Rendez-vous</h2>")
    assert c.get("/pos/documents/actions/accept").status_code == 404     # one form: not an action sheet
