"""Issue 11, the consent matrix extended to the other paths a person's data could take: the in-app
notifications page and the e-mail / SMS text of every queued message, Mon travail and the case list,
the dashboard and its exports (pseudonymised and with names), and the directory pages — for each
role: the case's caseworker, another caseworker, the supervisor of another region, each provider,
M&E and the trainer; on SQLite and PostgreSQL. Only the case's own caseworker may see the
personal fields of these cases on any of them; nobody's e-mail or SMS holds any."""

from __future__ import annotations

import html

from sqlalchemy import select

from mno_workflow.reminders.outbox import render
from mno_workflow.store.models import OutboxMessage

from .test_web__consent_matrix import CASE_ROLES, PROVIDERS, seen, world  # noqa: F401 (fixture)

OWNER = "mariam.kabore"
# path -> expected status per user (default 200); a 403/404 page must not show data either
PATHS = {
    "/notifications": {},
    "/travail": {u: 403 for u in PROVIDERS} | {"suivi.evaluation": 403, "formateur": 403},
    "/dossiers": {u: 403 for u in PROVIDERS} | {"suivi.evaluation": 403, "formateur": 403},
    "/tableau-de-bord": {u: 403 for u in [*PROVIDERS, OWNER, "awa.ouedraogo", "formateur"]},
    "/tableau-de-bord/export.csv": {u: 403 for u in [*PROVIDERS, OWNER, "awa.ouedraogo", "formateur"]},
    "/tableau-de-bord/export.csv?noms=oui": {u: 403 for u in [*PROVIDERS, OWNER, "awa.ouedraogo", "formateur",
                                                              "suivi.evaluation"]},
    "/tableau-de-bord/export.csv?noms=false": {u: 403 for u in [*PROVIDERS, OWNER, "awa.ouedraogo",
                                                                "formateur"]},
    "/repertoire": {},
    "/repertoire/services": {},
}


def test_no_other_path_shows_more_than_the_case_page(world):  # noqa: F811
    clients = world["clients"]
    problems = []
    for path, statuses in PATHS.items():
        for user in [*PROVIDERS, *CASE_ROLES]:
            r = clients[user].get(path)
            want = statuses.get(user, 200)
            got = seen(html.unescape(r.text))
            if r.status_code != want:
                problems.append((path, user, "status", r.status_code, want))
            if user != OWNER and got:
                problems.append((path, user, "sees", sorted(got)))
    assert problems == [], "\n".join(map(str, problems))


def test_owner_notifications_and_lists_still_work(world):  # noqa: F811
    c = world["clients"][OWNER]
    assert c.get("/notifications").status_code == 200
    assert "Sawadogo" in c.get("/dossiers").text  # the case list names her cases: the matrix is not vacuous


def test_no_queued_email_or_sms_text_holds_personal_data(world):  # noqa: F811
    wf = world["live"].wf
    with wf.sessions() as s:
        messages = list(s.scalars(select(OutboxMessage)))
        assert messages, "the world queues messages (tasks, notifications)"
        leaks = []
        kinds = set()
        for m in messages:
            rendered = render(s, m)
            kinds.add(m.kind)
            text = " ".join([rendered.subject, rendered.text, rendered.html or ""])
            if seen(html.unescape(text)):
                leaks.append((m.id, m.kind, m.recipient_user, sorted(seen(text))))
    assert leaks == []
    assert "task" in kinds
