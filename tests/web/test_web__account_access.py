"""API tokens and sessions on the web (issue 16): a user creates, names and revokes their own API
tokens and ends their sessions (/mon-compte/acces); the coordinator ends any user's sessions,
revokes their tokens and deactivates the account (/admin/acces). Every change takes effect at once
on the API and on a copy of the session cookie; other roles get 403 on the admin page."""

from __future__ import annotations

import html
import re

from .conftest import csrf_of


def post(c, url, **data):
    page = c.get("/mon-compte/acces")
    return c.post(url, data={"csrftoken": csrf_of(page.text), **data})


def api_ok(live, token: str) -> int:
    with live.client() as c:
        return c.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_own_tokens_and_sessions(live):
    c = live.client("mariam.kabore")
    r = post(c, "/mon-compte/jetons", label="", scope="admin", days="900")
    assert r.status_code == 422
    page = html.unescape(r.text)
    assert "Donnez un nom au jeton" in page and "Portée" in page and "1 à 365 jours" in page
    r = post(c, "/mon-compte/jetons", label="Tableur M&E", scope="read", days="7")
    assert r.status_code == 200
    token = re.search(r"<code>(\S+)</code>", r.text).group(1)
    assert api_ok(live, token) == 200
    page = c.get("/mon-compte/acces").text
    assert "Tableur M&amp;E" in page and token not in page  # the clear text is shown once only
    token_id = re.search(r'/mon-compte/jetons/(\d+)/revoquer', page).group(1)
    # another user cannot revoke it
    other = live.client("awa.ouedraogo")
    assert post(other, f"/mon-compte/jetons/{token_id}/revoquer").status_code == 404
    assert api_ok(live, token) == 200
    assert post(c, f"/mon-compte/jetons/{token_id}/revoquer").status_code == 303
    assert api_ok(live, token) == 401

    # two sessions of the same user: "end my other sessions" keeps this one only
    second = live.client("mariam.kabore")
    assert second.get("/travail").status_code == 200
    assert c.get("/mon-compte/acces").text.count("<tr><td class=\"when\">") == 2  # the session rows
    assert post(c, "/mon-compte/sessions/fin").status_code == 303
    assert second.get("/travail").status_code == 303  # ended: back to the login page
    assert c.get("/travail").status_code == 200
    copy = live.client()
    copy.cookies.update(c.cookies)
    assert post(c, "/mon-compte/sessions/fin", tout="1").headers["location"] == "/login"
    assert copy.get("/travail").status_code == 303


def test_administrator_ends_sessions_revokes_tokens_and_deactivates(live):
    from datetime import UTC, datetime

    from mno_workflow.web import tokens
    with live.wf.sessions.begin() as s:
        clear, _ = tokens.issue(s, "focal.masn", datetime.now(UTC), label="intégration")
    provider = live.client("focal.masn")
    assert provider.get("/prestataire").status_code == 200 and api_ok(live, clear) == 200

    for user in ("mariam.kabore", "idrissa.sanou", "focal.csps", "suivi.evaluation"):
        assert live.client(user).get("/admin/acces").status_code == 403, user
    coord = live.client("coord.mnr")
    page = coord.get("/admin/acces").text
    row = re.search(r'<tr id="user-focal.masn">.*?</tr>', page, re.S).group(0)
    assert "<td>1</td><td>1</td>" in row  # one open session, one active token
    assert "intégration" in page
    admin = csrf_of(page)
    assert coord.post("/admin/acces/focal.masn/sessions", data={"csrftoken": admin}).status_code == 303
    assert provider.get("/prestataire").status_code == 303
    assert api_ok(live, clear) == 200  # ending sessions leaves tokens
    assert coord.post("/admin/acces/focal.masn/jetons", data={"csrftoken": admin}).status_code == 303
    assert api_ok(live, clear) == 401
    assert coord.post("/admin/acces/focal.masn/desactiver", data={"csrftoken": admin}).status_code == 303
    again = live.client("focal.masn")
    assert again.get("/prestataire").status_code == 303  # cannot sign in any more
    assert coord.post("/admin/acces/nobody/desactiver", data={"csrftoken": admin}).status_code == 404
