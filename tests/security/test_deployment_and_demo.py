"""Deployment settings (Secure cookies and HSTS, the real client IP behind a configured proxy) and
``--demo`` safety (refused on a database holding real data; random demo passwords)."""

from __future__ import annotations

import httpx
import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app as cli_app
from mno_workflow.engine.engine import Actor
from mno_workflow.store.models import User
from mno_workflow.web.demo_data import DEMO_USERS
from mno_workflow.web.demo_safety import DemoRefused, check_demo_only, set_demo_passwords
from mno_workflow.web.security import verify_password
from mno_workflow.web.server import build, is_loopback

from ..web.conftest import PASSWORD, stop_server
from .conftest import start_on


def _token(url, user, password, headers=None):
    return httpx.post(f"{url}/api/v1/auth/token", json={"username": user, "password": password},
                      headers=headers or {}, timeout=60).status_code


def test_behind_a_configured_proxy_the_throttle_counts_the_real_client(tmp_path):
    srv = start_on(f"sqlite:///{tmp_path / 'p.db'}",
                   uvicorn_kwargs={"proxy_headers": True, "forwarded_allow_ips": "127.0.0.1"})
    try:
        a = {"X-Forwarded-For": "203.0.113.5"}
        b = {"X-Forwarded-For": "203.0.113.6"}
        assert [_token(srv.url, "coord.mnr", "bad", a) for _ in range(6)] == [401] * 5 + [429]
        # Another client behind the same proxy is not locked out.
        assert _token(srv.url, "coord.mnr", PASSWORD, b) == 200
        with srv.wf.sessions() as s:
            from mno_workflow.web.models import LoginFailure
            assert {f.ip for f in s.query(LoginFailure)} == {"203.0.113.5"}
    finally:
        stop_server(srv)


def test_without_proxy_headers_a_forged_header_is_ignored(tmp_path):
    srv = start_on(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        codes = [_token(srv.url, "coord.mnr", "bad", {"X-Forwarded-For": f"198.51.100.{i}"})
                 for i in range(6)]
        assert codes == [401] * 5 + [429]  # one client (127.0.0.1), whatever the header says
    finally:
        stop_server(srv)


def test_secure_cookies_and_hsts(tmp_path):
    srv = start_on(f"sqlite:///{tmp_path / 's.db'}", https_only=True)
    try:
        r = httpx.get(f"{srv.url}/login")
        assert r.headers["strict-transport-security"] == "max-age=31536000"
        assert "secure" in r.headers["set-cookie"].lower()
    finally:
        stop_server(srv)
    srv = start_on(f"sqlite:///{tmp_path / 'n.db'}")
    try:
        assert "strict-transport-security" not in httpx.get(f"{srv.url}/login").headers
    finally:
        stop_server(srv)
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")


@pytest.fixture
def demo_wf(wf):
    from mno_workflow.web.demo_data import create_users
    with wf.sessions.begin() as s:
        create_users(s)
    return wf


def test_demo_refused_with_a_real_user_or_a_real_case(demo_wf, bf_loaded):
    wf = demo_wf
    with wf.sessions() as s:
        check_demo_only(s)  # only demo accounts: fine
    wf.load_sop(bf_loaded)
    wf.create_case("mnr_bf", Actor("mariam.kabore", "caseworker"))
    with wf.sessions() as s:
        check_demo_only(s)  # a case opened by a demo account: fine
    wf.create_case("mnr_bf", Actor("agent.reel", "caseworker"))
    with wf.sessions() as s, pytest.raises(DemoRefused, match="1 dossier"):
        check_demo_only(s)


def test_demo_refused_with_a_real_account(demo_wf):
    with demo_wf.sessions.begin() as s:
        s.add(User(id="amina.real", display_name="Amina", role="caseworker"))
    with demo_wf.sessions() as s, pytest.raises(DemoRefused, match="amina.real"):
        check_demo_only(s)


def test_demo_passwords_random_unless_given(demo_wf):
    with demo_wf.sessions.begin() as s:
        rnd = set_demo_passwords(s, None)
    assert set(rnd) == {u.id for u in DEMO_USERS}
    assert len(set(rnd.values())) == len(rnd) and PASSWORD not in rnd.values()
    with demo_wf.sessions() as s:
        for uid, pw in rnd.items():
            h = s.get(User, uid).password_hash
            assert verify_password(h, pw) and not verify_password(h, PASSWORD)
    with demo_wf.sessions.begin() as s:
        fixed = set_demo_passwords(s, PASSWORD)
    assert set(fixed.values()) == {PASSWORD}
    with demo_wf.sessions() as s:
        assert verify_password(s.get(User, "coord.mnr").password_hash, PASSWORD)


def test_serve_demo_on_a_real_database_exits_with_a_clear_message(tmp_path):
    url = f"sqlite:///{tmp_path / 'real.db'}"
    r = CliRunner().invoke(cli_app, ["--db", url, "user", "add", "amina.real", "--role", "caseworker",
                                     "--name", "Amina", "--password-stdin"], input="long-password-1\n")
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(cli_app, ["--db", url, "serve", "--demo"])
    assert r.exit_code == 1
    assert "Refus de --demo" in r.output and "amina.real" in r.output
    # what to do with this database, never the command just refused (tryout 5, H13)
    out = " ".join(r.output.split())
    assert "serve sans --demo" in out and "supprimez d'abord demo.db" in out
    assert "sqlite:///demo.db serve --demo" not in out
    with pytest.raises(DemoRefused):
        build(url, demo=True, sweeper_interval=0, secret_key="x" * 32)
