"""The follow-up form's lines per referral (issue 18, F18), against a real server: the page opens
with one line per referral of the case (the need named, French and English), its « Besoin référé »
offers only the needs referred, and the server refuses a need never referred on the page (422,
the message on the group, the data kept) and the API (in the asker's language), which adds no
line to a payload by itself."""

from __future__ import annotations

import html
import re

import httpx

from mno_workflow.store import repository

from .conftest import PASSWORD, csrf_of
from .helpers import case_with_referrals, provider

URL = "/dossiers/{ref}/actions/follow_up:1/record_visit"
VISIT = {"visit_date": "02/06/2025", "contact_mode": "phone", "services_received": "true",
         "risk_level": "low"}


def select(page: str, name: str) -> tuple[list[str], list[str]]:
    """The option values of select ``name`` and the selected ones."""
    block = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    assert block, name
    options = re.findall(r'<option value="([^"]*)"([^>]*)>', block.group(1))
    return [v for v, _ in options if v], [v for v, rest in options if "selected" in rest]


def lines_of(live, ref: str) -> list:
    with live.wf.sessions() as s:
        case = repository.get_case(s, ref)
        return [(case.data or {}).get("follow_up", {}).get("referral_lines")]


def test_the_page_opens_with_one_line_per_referral(live):
    ref = case_with_referrals(live.wf)  # cash and medical referred
    c = live.client("mariam.kabore")
    page = c.get(URL.format(ref=ref)).text
    for i, need in enumerate(("cash", "medical")):
        offered, chosen = select(page, f"referral_lines.{i}.need")
        assert chosen == [need] and offered == ["cash", "medical"], (i, offered, chosen)
    assert select(page, "referral_lines.2.need") == (["cash", "medical"], [])  # a blank line to add
    text = html.unescape(page)
    assert "Assistance en espèces" in text and "Soins médicaux" in text and "Hébergement" not in text
    assert re.search(r'name="visit_date"[^>]*value="02/06/2025"', page)  # default: today kept
    c.get("/langue/en")
    text = html.unescape(c.get(URL.format(ref=ref)).text)
    assert "Cash assistance" in text and "Medical care" in text and "Assistance en espèces" not in text


def test_a_completed_referral_still_opens_a_line(live):
    ref = case_with_referrals(live.wf)
    org = provider("org-masn")
    live.wf.fire(ref, "accept", org, instance="referral:cash")
    live.wf.fire(ref, "complete", org, {"delivered_on": "2025-06-02"}, instance="referral:cash")
    page = live.client("mariam.kabore").get(URL.format(ref=ref)).text
    assert select(page, "referral_lines.0.need")[1] == ["cash"]


def test_the_page_refuses_a_need_never_referred_and_keeps_the_data(live):
    ref = case_with_referrals(live.wf)
    for lang, said in (("fr", "Ce besoin n'a pas été référé pour ce dossier."),
                       ("en", "This need was not referred for this case.")):
        c = live.client("mariam.kabore")
        c.get(f"/langue/{lang}")
        form = c.get(URL.format(ref=ref)).text
        version = re.search(r'name="version" value="(\d+)"', form).group(1)
        r = c.post(URL.format(ref=ref), data={
            "csrftoken": csrf_of(form), "version": version, **VISIT,
            "referral_lines.0.need": "cash", "referral_lines.0.service_received": "true",
            "referral_lines.1.need": "housing", "referral_lines.1.service_received": "false",
            "referral_lines.1.comment": "Jamais référé"})
        assert r.status_code == 422, r.text[:500]
        shown = re.search(r'<p class="error" id="f-referral_lines-error">([^<]+)</p>', r.text)
        assert shown and html.unescape(shown.group(1)) == said, lang  # on the group, in words
        assert 'href="#f-referral_lines"' in r.text  # and in the summary, linked to the group
        assert select(r.text, "referral_lines.1.need")[1] == ["housing"]  # what was typed, kept
        assert select(r.text, "referral_lines.0.need")[1] == ["cash"]
        assert "Jamais référé" in html.unescape(r.text)
    assert lines_of(live, ref) == [None]  # nothing written


def _token(live, user):
    return {"Authorization": "Bearer " + httpx.post(
        f"{live.url}/api/v1/auth/token", json={"username": user, "password": PASSWORD}).json()["token"]}


def test_the_api_refuses_a_need_never_referred_and_adds_no_line(live):
    ref = case_with_referrals(live.wf)
    auth = _token(live, "mariam.kabore")
    fire = f"{live.url}/api/v1/cases/{ref}/fire"
    visit = {"visit_date": "2025-06-02", "contact_mode": "phone", "services_received": True,
             "risk_level": "low"}
    bad = {"trigger": "record_visit", "payload": {**visit, "referral_lines": [
        {"need": "housing", "service_received": False}]}}
    for lang, said in (("fr", "Ce besoin n'a pas été référé pour ce dossier."),
                       ("en", "This need was not referred for this case.")):
        r = httpx.post(fire, headers=auth | {"Accept-Language": lang}, json=bad)
        assert r.status_code == 422 and r.json()["code"] == "form_invalid", r.text
        assert r.json()["errors"]["referral_lines"] == said, r.json()
    shown = httpx.get(f"{live.url}/api/v1/cases/{ref}/prefill/record_visit", headers=auth)
    assert shown.status_code == 200 and "referral_lines" not in str(shown.json())  # page-only rows
    r = httpx.post(fire, headers=auth, json={"trigger": "record_visit", "payload": visit})
    assert r.status_code == 200, r.text
    assert lines_of(live, ref) == [None]  # no line added to the payload
    ok = {"trigger": "record_visit", "payload": {**visit, "referral_lines": [
        {"need": "medical", "service_received": True}]}}
    assert httpx.post(fire, headers=auth, json=ok).status_code == 200
    assert lines_of(live, ref) == [[{"need": "medical", "service_received": True}]]
