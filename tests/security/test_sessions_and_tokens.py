"""Server-side sessions and API tokens: logout, password change, deactivation and "end all
sessions" take effect at once (a copy of the cookie is sent to the login page); the absolute
lifetime is not extended by activity; tokens are named, scoped (read-only enforced), expire, and
can be listed and revoked by their owner (API) and by an administrator (CLI)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update
from typer.testing import CliRunner

from mno_workflow.cli import app as cli_app
from mno_workflow.web import websessions
from mno_workflow.web.models import ApiToken, WebSession

from ..web.conftest import PASSWORD, login


def _copy(c: httpx.Client, live) -> httpx.Client:
    copy = httpx.Client(base_url=live.url, follow_redirects=False, timeout=60)
    copy.cookies.update(c.cookies)
    return copy


def _signed_in(c: httpx.Client) -> bool:
    r = c.get("/travail")
    if r.status_code == 303:
        assert r.headers["location"].startswith("/login")
        return False
    assert r.status_code == 200
    return True


def _cli(live, *args, input=None):
    return CliRunner().invoke(cli_app, ["--db", str(live.wf.db.url), *args], input=input)


def test_a_copy_of_the_cookie_is_refused_after_logout(live):
    c = live.client("mariam.kabore")
    copy = _copy(c, live)
    assert _signed_in(copy)
    r = c.post("/logout", data={"csrftoken": c.cookies.get("csrftoken")})
    assert r.status_code == 303
    assert not _signed_in(copy)
    with live.wf.sessions() as s:
        row = s.query(WebSession).one()
        assert row.ended_at is not None and row.end_reason == "logout"


def test_idle_timeout_and_absolute_lifetime(live):
    c = live.client("mariam.kabore")
    assert _signed_in(c)
    now = datetime.now(UTC)
    # Idle for longer than the idle timeout → signed out.
    with live.wf.sessions.begin() as s:
        idle = now - websessions.IDLE_TIMEOUT - timedelta(seconds=1)
        s.execute(update(WebSession).values(last_seen_at=idle))
    assert not _signed_in(c)
    # Active all the time, but logged in longer ago than the absolute lifetime → signed out.
    c = live.client("mariam.kabore")
    with live.wf.sessions.begin() as s:
        s.execute(update(WebSession).where(WebSession.ended_at.is_(None))
                  .values(created_at=now - timedelta(hours=13), expires_at=now - timedelta(seconds=1)))
    assert not _signed_in(c)


def test_activity_refreshes_the_idle_timer_but_never_the_absolute_end(live):
    sessions = live.wf.sessions
    t = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    with sessions.begin() as s:
        sid = websessions.start(s, "mariam.kabore", "127.0.0.1", now=t)
    # A request every 5 hours: always inside the 8 h idle timeout, yet the session ends 12 h
    # after the login.
    seen = [websessions.check(sessions, sid, "mariam.kabore", now=t + timedelta(hours=5 * k))
            for k in range(1, 4)]
    assert seen == [True, True, False]
    with sessions() as s:
        assert s.get(WebSession, websessions._digest(sid)).expires_at == t + websessions.ABSOLUTE_LIFETIME
    # Without the requests, 13 h of idleness would have ended it as well; a wrong user never passes.
    assert not websessions.check(sessions, sid, "awa.ouedraogo", now=t + timedelta(hours=1))


def test_admin_ends_sessions_password_change_and_deactivation(live):
    c = live.client("mariam.kabore")
    assert _signed_in(c)
    r = _cli(live, "user", "end-sessions", "mariam.kabore")
    assert r.exit_code == 0, r.output
    assert "1 session fermée" in r.output
    assert not _signed_in(c)

    c = live.client("mariam.kabore")
    other = live.client("awa.ouedraogo")
    r = _cli(live, "user", "add", "mariam.kabore", "--update", "--role", "caseworker", "--name",
             "Mariam Kaboré",
             "--region", "kadiogo", "--password-stdin", input="a-brand-new-password\n")
    assert r.exit_code == 0, r.output
    assert not _signed_in(c)
    assert _signed_in(other)  # other users keep their sessions
    assert login(live.client(), "mariam.kabore", "a-brand-new-password").status_code == 303

    tok = httpx.post(f"{live.url}/api/v1/auth/token",
                     json={"username": "awa.ouedraogo", "password": PASSWORD}).json()["token"]
    r = _cli(live, "user", "deactivate", "awa.ouedraogo")
    assert r.exit_code == 0, r.output
    assert "1 session fermée, 1 jeton révoqué" in r.output
    assert not _signed_in(other)
    assert httpx.get(f"{live.url}/api/v1/me", headers={"Authorization": f"Bearer {tok}"}).status_code == 401
    assert login(live.client(), "awa.ouedraogo", PASSWORD).status_code == 401


def _token(live, user="coord.mnr", **extra):
    r = httpx.post(f"{live.url}/api/v1/auth/token", json={"username": user, "password": PASSWORD, **extra})
    assert r.status_code == 200, r.text
    return r.json()


def test_tokens_scope_list_revoke_and_expiry(live):
    ro = _token(live, label="tableau", scope="read", expires_in_days=7)
    rw = _token(live, label="script")
    assert ro["scope"] == "read" and ro["label"] == "tableau"
    h_ro = {"Authorization": f"Bearer {ro['token']}"}
    h_rw = {"Authorization": f"Bearer {rw['token']}"}
    assert httpx.get(f"{live.url}/api/v1/cases", headers=h_ro).status_code == 200
    r = httpx.post(f"{live.url}/api/v1/cases", headers=h_ro, json={"identification": {}})
    assert r.status_code == 403 and r.json()["code"] == "token_scope"
    # The owner lists them (no clear text) and revokes one.
    items = httpx.get(f"{live.url}/api/v1/auth/tokens", headers=h_ro).json()["items"]
    assert {(i["label"], i["scope"], i["state"]) for i in items} == {("tableau", "read", "active"),
                                                                    ("script", "write", "active")}
    assert all("token" not in i and "digest" not in i for i in items)
    # Someone else cannot revoke it.
    other = _token(live, "mariam.kabore")
    r = httpx.delete(f"{live.url}/api/v1/auth/tokens/{rw['id']}",
                     headers={"Authorization": f"Bearer {other['token']}"})
    assert r.status_code == 404
    assert httpx.delete(f"{live.url}/api/v1/auth/tokens/{rw['id']}", headers=h_ro).status_code == 200
    assert httpx.get(f"{live.url}/api/v1/me", headers=h_rw).status_code == 401
    # A read-only token may revoke itself.
    assert httpx.delete(f"{live.url}/api/v1/auth/token", headers=h_ro).status_code == 200
    assert httpx.get(f"{live.url}/api/v1/me", headers=h_ro).status_code == 401
    # Expiry.
    h_o = {"Authorization": f"Bearer {other['token']}"}
    assert httpx.get(f"{live.url}/api/v1/me", headers=h_o).status_code == 200
    with live.wf.sessions.begin() as s:
        s.execute(update(ApiToken).where(ApiToken.id == other["id"])
                  .values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert httpx.get(f"{live.url}/api/v1/me", headers=h_o).status_code == 401


def test_cli_lists_and_revokes_tokens(live):
    tok = _token(live, label="export-nuit", scope="read")
    r = _cli(live, "user", "tokens", "coord.mnr")
    assert r.exit_code == 0 and "export-nuit" in r.output and "read" in r.output and "actif" in r.output
    h = {"Authorization": f"Bearer {tok['token']}"}
    assert httpx.get(f"{live.url}/api/v1/me", headers=h).status_code == 200
    r = _cli(live, "user", "revoke-token", str(tok["id"]))
    assert r.exit_code == 0, r.output
    assert httpx.get(f"{live.url}/api/v1/me", headers=h).status_code == 401
    assert "revoked" in _cli(live, "user", "tokens", "--format", "json").output
    r = _cli(live, "user", "revoke-token", "9999")
    assert r.exit_code == 1 and "introuvable" in r.output
    r = _cli(live, "user", "issue-token", "coord.mnr", "--label", "nuit", "--scope", "read")
    assert r.exit_code == 0, r.output
    new = r.output.strip().rsplit(" ", 1)[-1]
    assert httpx.get(f"{live.url}/api/v1/me", headers={"Authorization": f"Bearer {new}"}).status_code == 200
