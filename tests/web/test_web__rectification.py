"""Right to rectification (law 001-2021/AN; tryout 9, L5): « Rectifier l'identification » (BF SOP
2026.9) on the web and the API — offered on the done identification step to the case manager and
the supervisor, the form opening with the data in force and an empty reason; the reason required;
the case page's timeline saying « avant → après » (fr, en); a provider never reads the reason, nor
the change."""

from __future__ import annotations

import re

import httpx

from mno_workflow.store import repository

from .conftest import PASSWORD, csrf_of
from .helpers import IDENT, case_with_referrals

URL = "/dossiers/{ref}/actions/identification:1/rectify_identification"
REASON = "Nom mal orthographié, carte d'identité présentée"


def _data(live, ref) -> dict:
    with live.wf.sessions() as s:
        case = repository.get_case(s, ref)
        return {**case.data, "_version": case.version}


def _fields(html: str) -> dict[str, str]:
    """The form's text and date inputs and selected options as the page opens."""
    out = dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', html))
    for name, body in re.findall(r'<select[^>]*name="(\w+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        if chosen:
            out[name] = chosen.group(1)
    return out


def test_the_case_page_offers_it_prefilled_and_the_timeline_says_before_after(live):
    ref = case_with_referrals(live.wf)
    cw = live.client("mariam.kabore")
    page = cw.get(f"/dossiers/{ref}").text
    assert URL.format(ref=ref) in page and "Rectifier l&#39;identification" in page
    assert URL.format(ref=ref) in live.client("idrissa.sanou").get(f"/dossiers/{ref}").text
    form = cw.get(URL.format(ref=ref))
    assert form.status_code == 200, form.text[:300]
    values = _fields(form.text)
    assert values["first_name"] == "Aminata" and values["last_name"] == "Sawadogo"  # the data in force
    assert values["birth_date"] == "14/03/2001" and values["region"] == "kadiogo"
    assert 'name="reason"' in form.text and values.get("reason", "") == ""  # the reason opens empty
    before = _data(live, ref)
    posted = {**values, "csrftoken": csrf_of(form.text), "last_name": "Sawadogo-Ouédraogo",
              "vulnerabilities": IDENT["vulnerabilities"]}
    posted.pop("reason", None)
    r = cw.post(URL.format(ref=ref), data=posted)
    assert r.status_code == 422 and "Motif de la rectification" in r.text  # required: nothing written
    assert _data(live, ref) == before
    r = cw.post(URL.format(ref=ref), data={**posted, "reason": REASON})
    assert r.status_code == 303, r.text[:800]
    after = _data(live, ref)
    assert after["identification"]["last_name"] == "Sawadogo-Ouédraogo"
    assert after["identification"]["birth_date"] == "2001-03-14"  # the rest as it was
    assert after["identification"]["phone"] == before["identification"]["phone"]
    page = cw.get(f"/dossiers/{ref}").text
    timeline = page[page.index('<ol class="timeline">'):]
    assert "<li>Nom : Sawadogo → Sawadogo-Ouédraogo</li>" in timeline
    assert f"<li>Motif de la rectification : {REASON}</li>".replace("'", "&#39;") in timeline
    assert "Prénoms :" not in timeline  # only what changed
    cw.get("/langue/en")
    en = cw.get(f"/dossiers/{ref}").text
    assert "<li>Family name: Sawadogo → Sawadogo-Ouédraogo</li>" in en and "Rectify identification" in en
    # the provider of the cash referral: neither the reason nor the change (its own referral's events)
    masn = live.client("focal.masn").get(f"/prestataire/{ref}/referral:cash").text
    assert "Sawadogo → " not in masn and "Carte d&#39;identité" not in masn and REASON[:10] not in masn
    assert "rectify_identification" not in masn


def test_api_fire_trigger_and_provider_refused(live):
    ref = case_with_referrals(live.wf)

    def client(user):
        token = httpx.post(f"{live.url}/api/v1/auth/token",
                           json={"username": user, "password": PASSWORD}).json()["token"]
        return httpx.Client(base_url=live.url, headers={"Authorization": f"Bearer {token}",
                                                        "Accept-Language": "en"}, timeout=60)

    c = client("idrissa.sanou")
    new = {**IDENT, "phone": "+226 70 00 00 99"}
    r = c.post(f"/api/v1/cases/{ref}/fire", json={
        "trigger": "rectify_identification", "payload": {"identification": new, "rectification": {}}})
    assert r.status_code == 422 and "rectification.reason" in r.json()["errors"], r.text
    r = c.post(f"/api/v1/cases/{ref}/fire", json={
        "trigger": "rectify_identification",
        "payload": {"identification": new, "rectification": {"reason": REASON}}})
    assert r.status_code == 200, r.text
    assert r.json()["from"] == r.json()["to"] == "identified"
    assert _data(live, ref)["identification"]["phone"] == "+226 70 00 00 99"
    r = client("focal.masn").post(f"/api/v1/cases/{ref}/fire", json={
        "trigger": "rectify_identification",
        "payload": {"identification": new, "rectification": {"reason": "x"}}})
    assert r.status_code in (403, 404), r.text
    items = client("focal.masn").get("/api/v1/referrals").json()["items"]
    assert REASON not in str(items) and "rectification" not in str(items)
