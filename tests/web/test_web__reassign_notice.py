"""Tryout 2 #11: the new case manager is told of a reassignment, on every path that reassigns (the
case page's tool, the case list's bulk reassignment, ``POST /api/v1/cases/reassign``): one
``reassigned`` notification, in-app plus e-mail and SMS by their settings, stored as a template and
parameters and read in the reader's language — « MNR-BF-… vous a été réattribué par Idrissa
Sanou ; le motif est sur la page du dossier », with the case's link. The typed reason (free text)
is in no notification (in-app, e-mail, SMS) and stays on the case page's history."""

from __future__ import annotations

import html
import re

import httpx
from sqlalchemy import select

from mno_workflow.reminders.outbox import render
from mno_workflow.store.models import OutboxMessage, User
from mno_workflow.web.demo_data import DEMO_MORE_USERS, create_users

from .conftest import PASSWORD
from .helpers import case_with_referrals

NEW = "rasmata.compaore"


def told(wf, ref: str) -> list[OutboxMessage]:
    with wf.sessions() as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.template == "reassigned"))
        return [m for m in rows if m.context["reference"] == ref]


def test_each_reassignment_path_tells_the_new_case_manager(live):
    one, many, api = (case_with_referrals(live.wf) for _ in range(3))
    with live.wf.sessions.begin() as s:  # a second case manager of Kadiogo, e-mail and SMS, in English
        create_users(s, [u for u in DEMO_MORE_USERS if u.id == NEW], PASSWORD)
        u = s.get(User, NEW)
        u.email, u.notify_sms, u.language = "rasmata@example.org", True, "en"
    sup = live.client("idrissa.sanou")
    token = sup.cookies.get("csrftoken")
    for url, data in ((f"/dossiers/{one}/reattribuer", {"reason": "Congé"}),
                      ("/dossiers/reattribuer", {"ref": [many], "reason": "Charge de travail"})):
        r = sup.post(url, data={"csrftoken": token, "assignee": NEW, **data})
        assert r.status_code == 303, r.text
    auth = httpx.post(f"{live.url}/api/v1/auth/token",
                      json={"username": "idrissa.sanou", "password": PASSWORD})
    r = httpx.post(f"{live.url}/api/v1/cases/reassign", json={
        "references": [api], "assignee": NEW, "reason": "Équilibrage"},
        headers={"Authorization": f"Bearer {auth.json()['token']}"})
    assert r.status_code == 200, r.text

    for ref, reason in ((one, "Congé"), (many, "Charge de travail"), (api, "Équilibrage")):
        msgs = told(live.wf, ref)
        assert {(m.recipient_user, m.channel) for m in msgs} == {(NEW, "inapp"), (NEW, "email"), (NEW, "sms")}
        assert all(m.kind == "notify" and m.lang == "en" for m in msgs)
        assert msgs[0].context == {"reference": ref, "by_name": "Idrissa Sanou"}
        with live.wf.sessions() as s:
            mail = render(s, next(m for m in msgs if m.channel == "email"))
            sms = render(s, next(m for m in msgs if m.channel == "sms"))
        assert mail.subject == f"{ref} was reassigned to you by Idrissa Sanou"
        assert "reassigned to you by Idrissa Sanou; the reason is on the case page." in mail.text
        assert f"/dossiers/{ref}" in mail.text and "idrissa.sanou" not in mail.text
        assert reason not in mail.subject + mail.text + sms.subject + sms.text

    c = live.client(NEW)
    for lang, said in (("fr", f"{one} vous a été réattribué par Idrissa Sanou ; le motif est sur la "
                              "page du dossier"),
                       ("en", f"{one} was reassigned to you by Idrissa Sanou; the reason is on the "
                              "case page")):
        c.get(f"/langue/{lang}")
        page = html.unescape(c.get("/notifications").text)
        assert said in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page)), lang
        assert "Congé" not in page and "Charge de travail" not in page and "Équilibrage" not in page
        case_page = html.unescape(c.get(f"/dossiers/{one}").text)
        assert "Congé" in case_page  # the reason stays on the case page (its history)
        assert f'href="/dossiers/{one}"' in page or f'href="/dossiers/{one}#' in page
    assert told(live.wf, one)[0].recipient_user == NEW and not [
        m for m in told(live.wf, one) if m.recipient_user == "mariam.kabore"]
