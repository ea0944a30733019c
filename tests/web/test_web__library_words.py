"""Messages that used to carry a library's English or a Python exception's text, now in words of
the reader's language: the directory API's refusal of an unknown need (the Accept-Language of the
request), an in-app message whose template cannot be filled (the notifications' inbox), the
workbench's diagram that cannot be drawn."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import httpx
import pytest

from mno_workflow.reminders.outbox import inbox
from mno_workflow.store.models import OutboxMessage

from .conftest import PASSWORD
from .helpers import case_with_referrals


def test_the_directory_api_refuses_an_unknown_need_in_the_requests_language(live):
    got = httpx.post(f"{live.url}/api/v1/auth/token",
                     json={"username": "idrissa.sanou", "password": PASSWORD})
    head = {"Authorization": f"Bearer {got.json()['token']}"}
    said = {}
    for lang in ("fr", "en"):
        r = httpx.get(f"{live.url}/api/v1/directory?need=nope&region=kadiogo",
                      headers={**head, "Accept-Language": lang})
        assert r.status_code == 422 and r.json()["code"] == "match_invalid", r.text
        said[lang] = r.json()["message"]
    assert "nope" in said["fr"] and "nope" in said["en"] and said["fr"] != said["en"], said


def test_an_inbox_message_that_cannot_be_rendered_says_so_in_words(live):
    now = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)
    with live.wf.sessions.begin() as s:
        s.add(OutboxMessage(case_id=None, kind="notify", template="no_such_template", context={},
                            status="sent", attempts=1, next_attempt_at=now, created_at=now, sent_at=now,
                            channel="inapp", recipient_user="mariam.kabore", lang="fr"))
    with live.wf.sessions() as s:
        fr = inbox(s, "mariam.kabore", lang="fr")[0].text
        en = inbox(s, "mariam.kabore", lang="en")[0].text
    assert fr == "le modèle du message n'a pas pu être rempli (détail dans le journal du serveur)"
    assert en == "the message's template could not be filled (detail in the server log)"


def test_the_workbench_says_why_the_diagram_is_missing_in_words():
    from mno_workflow.render.diagram_render import DotNotFound, RenderError
    from mno_workflow.web.routes.workbench import _diagram_error
    broken = RenderError("dot failed (1): Error: <stdin>: syntax error in line 3 near '->'")
    assert _diagram_error(broken, "fr") == ("Le schéma n'a pas pu être dessiné (détail dans le journal "
                                            "du serveur).")
    assert _diagram_error(broken, "en") == "The diagram could not be drawn (detail in the server log)."
    assert "Graphviz" in _diagram_error(DotNotFound(), "en")
    assert "installé" in _diagram_error(DotNotFound(), "fr")


@pytest.fixture
def short_busy_wait(monkeypatch):
    """A writer waits 50 ms (not 30 s) for another program's lock on the SQLite file."""
    import mno_workflow.store.base as base
    monkeypatch.setattr(base, "BUSY_TIMEOUT_MS", 50)


def test_a_locked_database_is_a_503_page_in_words(short_busy_wait, live, tmp_path):
    import sqlite3
    ref = case_with_referrals(live.wf)
    sup = live.client("idrissa.sanou")
    token = sup.cookies.get("csrftoken")
    pages = {}
    for lang in ("fr", "en"):
        sup.get(f"/langue/{lang}")
        other = sqlite3.connect(str(live.wf.db.url.database), isolation_level=None)  # a backup, say
        other.execute("BEGIN IMMEDIATE")
        try:
            r = sup.post(f"/dossiers/{ref}/reattribuer",
                         data={"csrftoken": token, "assignee": "mariam.kabore", "reason": "Congé"})
        finally:
            other.execute("ROLLBACK")
            other.close()
        pages[lang] = (r.status_code, html.unescape(r.text))
    assert pages["fr"][0] == 503 and "La base de données est occupée ou injoignable" in pages["fr"][1]
    assert pages["en"][0] == 503 and "The database is busy or cannot be reached" in pages["en"][1]
    for _status, text in pages.values():
        assert "database is locked" not in text and "OperationalError" not in text
