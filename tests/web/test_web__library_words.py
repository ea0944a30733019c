"""Messages that used to carry a library's English or a Python exception's text, now in words of
the reader's language: the directory API's refusal of an unknown need (the Accept-Language of the
request), an in-app message whose template cannot be filled (the notifications' inbox), the
workbench's diagram that cannot be drawn."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from mno_workflow.reminders.outbox import inbox
from mno_workflow.store.models import OutboxMessage

from .conftest import PASSWORD


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
