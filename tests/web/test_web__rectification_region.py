"""A rectification that changes the case's region (tryout 10, M9) is never silent: the case's
region and its deadlines' copy follow the data in force, the supervisors of the new region are told
(``region_moved`` in the outbox, read in their language), and whoever rectified reads the
reassignment to do — the page's warning (on the case page, or on the case list when the case left
their region), the API's ``warnings`` — in French and English."""

from __future__ import annotations

import html
import re

import httpx
import pytest
from sqlalchemy import select, text

from mno_workflow.reminders.outbox import render
from mno_workflow.store import repository
from mno_workflow.store.models import OutboxMessage, User

from .conftest import PASSWORD, csrf_of
from .helpers import IDENT, case_with_referrals
from .test_web__rectification import URL, _fields

KAD, YAA = "Kadiogo (Ouagadougou)", "Yaadga (Ouahigouya)"
SAID = {
    "fr": (f"Région du dossier changée : {KAD} → {YAA}.", "Il reste attribué à Mariam Kaboré, gestionnaire "
           f"de cas de {KAD} : il faut le réattribuer à un gestionnaire de cas de {YAA}.",
           f"Peut le faire : Superviseur de {YAA} ; une notification les en avertit."),
    "en": (f"Case region changed: {KAD} → {YAA}.", "It is still assigned to Mariam Kaboré, case manager "
           f"of {KAD}: it must be reassigned to a case manager of {YAA}.",
           f"Who can do it: Supervisor of {YAA}; a notification tells them."),
}


def told(live, ref: str) -> list[OutboxMessage]:
    with live.wf.sessions() as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.template == "region_moved"))
        return [m for m in rows if m.context["reference"] == ref]


def regions(live, ref: str) -> set:
    with live.wf.sessions() as s:
        case = repository.get_case(s, ref)
        rows = s.execute(text("SELECT DISTINCT region FROM deadlines WHERE case_id = :c AND kind = 'expiry'"),
                         {"c": case.id}).scalars().all()
        assert rows, "the case has expiry deadlines"
        return {case.region, *rows}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_api_warns_and_the_new_region_is_told(live, lang):
    ref = case_with_referrals(live.wf)
    assert regions(live, ref) == {"kadiogo"}
    token = httpx.post(f"{live.url}/api/v1/auth/token",
                       json={"username": "mariam.kabore", "password": PASSWORD}).json()["token"]
    r = httpx.post(f"{live.url}/api/v1/cases/{ref}/fire", headers={
        "Authorization": f"Bearer {token}", "Accept-Language": lang}, timeout=60, json={
        "trigger": "rectify_identification", "payload": {
            "identification": {**IDENT, "region": "yaadga"}, "rectification": {"reason": "changement"}}})
    assert r.status_code == 200, r.text
    assert r.json()["warnings"] == [" ".join(SAID[lang])]
    assert regions(live, ref) == {"yaadga"}  # the case and its deadlines' copy
    msgs = told(live, ref)
    assert {m.recipient_user for m in msgs} == {"salif.zongo"} and {m.channel for m in msgs} >= {"inapp"}
    assert msgs[0].context == {"reference": ref, "from_region": "kadiogo", "to_region": "yaadga",
                               "by_name": "Mariam Kaboré", "assignee_name": "Mariam Kaboré"}
    assert "changement" not in str(msgs[0].context)  # never the typed reason
    with live.wf.sessions.begin() as s:
        s.get(User, "salif.zongo").language = lang
        m = s.get(OutboxMessage, msgs[0].id)
        m.lang = lang
        mail = render(s, m)
    if lang == "fr":
        assert mail.subject == f"{ref} : dossier passé dans la région {YAA}, à réattribuer"
        assert f"{KAD} → {YAA}" in mail.text
        assert f"réattribuez-le à un gestionnaire de cas de {YAA}" in mail.text
    else:
        assert mail.subject == f"{ref}: case moved to the {YAA} region, to be reassigned"
        assert f"{KAD} → {YAA}" in mail.text and f"reassign it to a case manager of {YAA}" in mail.text
    sup = live.client("salif.zongo")  # the new region's supervisor: the notice, and the case
    if lang == "en":
        sup.get("/langue/en")
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html.unescape(sup.get("/notifications").text)))
    line = {"fr": f"La région du dossier {ref} a été changée par Mariam Kaboré : {KAD} → {YAA}",
            "en": f"The region of case {ref} was changed by Mariam Kaboré: {KAD} → {YAA}"}[lang]
    assert line in page
    assert sup.get(f"/dossiers/{ref}").status_code == 200


def test_a_rectification_keeping_the_region_says_nothing(live):
    ref = case_with_referrals(live.wf)
    token = httpx.post(f"{live.url}/api/v1/auth/token",
                       json={"username": "mariam.kabore", "password": PASSWORD}).json()["token"]
    r = httpx.post(f"{live.url}/api/v1/cases/{ref}/fire", headers={"Authorization": f"Bearer {token}"},
                   timeout=60, json={"trigger": "rectify_identification", "payload": {
                       "identification": {**IDENT, "commune": "Baskuy"}, "rectification": {"reason": "x"}}})
    assert r.status_code == 200 and r.json()["warnings"] == [], r.text
    assert told(live, ref) == []


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_page_warns_the_case_manager_on_the_case_and_the_supervisor_on_the_list(live, lang):
    for user in ("mariam.kabore", "idrissa.sanou"):
        ref = case_with_referrals(live.wf)
        c = live.client(user)
        if lang == "en":
            c.get("/langue/en")
        form = c.get(URL.format(ref=ref)).text
        r = c.post(URL.format(ref=ref), data={**_fields(form), "csrftoken": csrf_of(form), "region": "yaadga",
                                              "reason": "changement",
                                              "vulnerabilities": IDENT["vulnerabilities"]})
        assert r.status_code == 303, r.text[:500]
        # the case manager still holds it; the Kadiogo supervisor no longer sees it: the case list
        assert r.headers["location"] == (f"/dossiers/{ref}" if user == "mariam.kabore" else "/dossiers")
        page = html.unescape(c.get(r.headers["location"]).text)
        said = " ".join(SAID[lang])
        assert said in page, page[page.find("flash"):][:600]
