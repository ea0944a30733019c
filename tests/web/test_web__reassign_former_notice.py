"""The former case manager is told of a reassignment, on every path that reassigns (the case page's
tool, the case list's bulk reassignment, ``POST /api/v1/cases/reassign``; the CLI in
tests/cli/test_cli__reassign_notice.py): one ``reassigned_away`` notice, in-app plus e-mail and SMS
by their settings, in their language — « Le dossier MNR-BF-… a été confié à Rasmata Compaoré par
Idrissa Sanou ». It needs no access to the case (they can no longer open it): it is sent, not
cancelled, shown on their notifications page without a link, and carries the reference only —
nothing of the case's data (names, dates, needs, phone) nor the reason typed."""

from __future__ import annotations

import html
import json
import re

import httpx
from sqlalchemy import select

from mno_workflow.reminders.notifiers import InAppNotifier, LogNotifier
from mno_workflow.reminders.outbox import deliver, render
from mno_workflow.store.models import Case, OutboxMessage, User
from mno_workflow.web.demo_data import DEMO_MORE_USERS, create_users

from .conftest import PASSWORD
from .helpers import CONSENT, IDENT, NEEDS, case_with_referrals

NEW, FORMER = "rasmata.compaore", "mariam.kabore"
REASONS = ("Congé de Mariam", "Charge de travail", "Équilibrage")


def notices(wf, ref: str) -> list[OutboxMessage]:
    with wf.sessions() as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.template == "reassigned_away"))
        return [m for m in rows if m.context["reference"] == ref]


def secrets(wf, ref: str) -> list[str]:
    """Every text of the case's data (and the reasons typed): none may reach the notice."""
    with wf.sessions() as s:
        data = s.scalar(select(Case.data).where(Case.reference == ref))
    found: list[str] = list(REASONS)

    def walk(v):
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, str) and len(v) >= 4:
            found.append(v)
    walk([data, IDENT, CONSENT, NEEDS])
    return [x for x in found if x not in ("self", "high", "true")]


def test_each_reassignment_path_tells_the_former_case_manager(live):
    one, many, api = (case_with_referrals(live.wf) for _ in range(3))
    with live.wf.sessions.begin() as s:  # the new case manager; the former one: English, e-mail and SMS
        create_users(s, [u for u in DEMO_MORE_USERS if u.id == NEW], PASSWORD)
        former = s.get(User, FORMER)
        former.email, former.notify_sms, former.language = "mariam@example.org", True, "en"
    sup = live.client("idrissa.sanou")
    token = sup.cookies.get("csrftoken")
    for url, data in ((f"/dossiers/{one}/reattribuer", {"reason": REASONS[0]}),
                      ("/dossiers/reattribuer", {"ref": [many], "reason": REASONS[1]})):
        r = sup.post(url, data={"csrftoken": token, "assignee": NEW, **data})
        assert r.status_code == 303, r.text
    auth = httpx.post(f"{live.url}/api/v1/auth/token",
                      json={"username": "idrissa.sanou", "password": PASSWORD})
    r = httpx.post(f"{live.url}/api/v1/cases/reassign", json={
        "references": [api], "assignee": NEW, "reason": REASONS[2]},
        headers={"Authorization": f"Bearer {auth.json()['token']}"})
    assert r.status_code == 200, r.text

    for ref in (one, many, api):
        msgs = notices(live.wf, ref)
        assert {(m.recipient_user, m.channel) for m in msgs} == {
            (FORMER, "inapp"), (FORMER, "email"), (FORMER, "sms")}
        assert all(m.kind == "notify" and m.lang == "en" and m.case_id is None for m in msgs)
        assert msgs[0].context == {"reference": ref, "by_name": "Idrissa Sanou",
                                   "to_name": "Rasmata Compaoré"}
        with live.wf.sessions() as s:
            mail = render(s, next(m for m in msgs if m.channel == "email"))
        assert mail.subject == f"Case {ref} was handed over to Rasmata Compaoré"
        assert f"Case {ref} was handed over to Rasmata Compaoré by Idrissa Sanou." in mail.text
        shown = mail.subject + mail.text + json.dumps([m.context for m in msgs], ensure_ascii=False)
        for secret in secrets(live.wf, ref):  # nothing of the person, nor the reason typed
            assert secret not in shown, secret
        assert "/dossiers/" not in mail.text and "http" not in mail.text  # no link they could not open

    report = deliver(live.wf, {"inapp": InAppNotifier(), "log": LogNotifier(), "email": LogNotifier(),
                               "sms": LogNotifier()}, now=live.wf.clock.now())
    sent = {m.id for ref in (one, many, api) for m in notices(live.wf, ref)}
    assert sent <= set(report.sent), report.cancelled  # not cancelled: it needs no access to the case
    c = live.client(FORMER)
    for lang, said in (("fr", f"Le dossier {one} a été confié à Rasmata Compaoré par Idrissa Sanou"),
                       ("en", f"Case {one} was handed over to Rasmata Compaoré by Idrissa Sanou")):
        c.get(f"/langue/{lang}")
        page = html.unescape(c.get("/notifications").text)
        assert said in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page)), lang
        assert f'href="/dossiers/{one}' not in page  # the case is no longer theirs: no link
    assert c.get(f"/dossiers/{one}").status_code == 404  # (why: they can no longer open it)


def test_nobody_is_told_as_former_manager_of_an_unassigned_case_or_of_their_own_move(live):
    ref = case_with_referrals(live.wf)
    with live.wf.sessions.begin() as s:
        create_users(s, [u for u in DEMO_MORE_USERS if u.id == NEW], PASSWORD)
        s.get(User, FORMER).active = False  # an account closed: no message to it
    sup = live.client("idrissa.sanou")
    r = sup.post(f"/dossiers/{ref}/reattribuer", data={"csrftoken": sup.cookies.get("csrftoken"),
                                                        "assignee": NEW, "reason": "Départ"})
    assert r.status_code == 303, r.text
    assert notices(live.wf, ref) == []
