"""Login throttling: at most 5 failures per (user name, client IP) in any 15-minute window, on the
page and the API, on SQLite and PostgreSQL, also under parallel attempts; other accounts and other
IPs are never locked out; failures are stored although the request answers 401."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from mno_workflow.store.base import Base, WorkflowSession, make_engine
from mno_workflow.store.models import User
from mno_workflow.web import throttle
from mno_workflow.web.models import LoginFailure

from ..web.conftest import PASSWORD, login


def _token(live, user, password):
    return httpx.post(f"{live.url}/api/v1/auth/token", json={"username": user, "password": password},
                      timeout=60)


def test_api_failures_are_stored_and_the_sixth_attempt_is_refused(live_any):
    codes = [_token(live_any, "focal.oim", "wrong-password").status_code for _ in range(5)]
    assert codes == [401] * 5
    with live_any.wf.sessions() as s:
        assert s.scalar(select(func.count()).select_from(LoginFailure)) == 5
    # Even the right password is refused while locked (no unlimited guessing).
    r = _token(live_any, "focal.oim", PASSWORD)
    assert r.status_code == 429 and r.json()["code"] == "too_many_attempts"
    # Other accounts are not locked out.
    assert _token(live_any, "coord.mnr", PASSWORD).status_code == 200


def test_twenty_parallel_wrong_passwords_give_exactly_five_401_then_429(live_any):
    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(lambda _: _token(live_any, "focal.oim", "nope").status_code, range(20)))
    assert sorted(codes) == [401] * 5 + [429] * 15
    with live_any.wf.sessions() as s:
        assert s.scalar(select(func.count()).select_from(LoginFailure)) == 5


def test_page_and_api_share_the_count(live_any):
    c = live_any.client()
    for _ in range(3):
        assert login(c, "awa.ouedraogo", "wrong").status_code == 401
    assert [_token(live_any, "awa.ouedraogo", "wrong").status_code for _ in range(3)] == [401, 401, 429]
    r = login(c, "awa.ouedraogo", PASSWORD)
    assert r.status_code == 429 and "Trop de tentatives" in r.text


def test_a_success_clears_the_failures_and_old_rows_of_everyone(live_any):
    from datetime import UTC, datetime

    old = datetime.now(UTC) - throttle.WINDOW - timedelta(minutes=1)
    with live_any.wf.sessions.begin() as s:
        s.add(LoginFailure(username="someone.else", ip="10.1.1.1", at=old))
    assert [_token(live_any, "focal.oim", "x").status_code for _ in range(4)] == [401] * 4
    assert _token(live_any, "focal.oim", PASSWORD).status_code == 200
    with live_any.wf.sessions() as s:
        assert s.scalar(select(func.count()).select_from(LoginFailure)) == 0
    assert [_token(live_any, "focal.oim", "x").status_code for _ in range(5)] == [401] * 5


# -- property: never more than N failures accepted per window --------------------------------------

_DB = {}


def _sessions(tmp_path_factory):
    if "s" not in _DB:
        db = make_engine(f"sqlite:///{tmp_path_factory.mktemp('thr') / 't.db'}")
        Base.metadata.create_all(db)
        sessions = sessionmaker(db, class_=WorkflowSession, expire_on_commit=False)
        with sessions.begin() as s:
            s.add(User(id="amina", display_name="A", role="caseworker",
                       # cheap argon2 parameters (read from the hash): the property runs fast
                       password_hash=PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
                       .hash("right-password")))
        _DB["s"] = sessions
    return _DB["s"]


attempts = st.lists(
    st.tuples(st.one_of(st.integers(0, 300), st.integers(0, 1200)),  # seconds since the previous one
              st.sampled_from(["10.0.0.1", "10.0.0.2"]),
              st.integers(0, 9).map(lambda n: n == 0)),  # the right password (one time in ten)?
    min_size=12, max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attempts)
def test_property_never_more_than_n_failures_per_window(tmp_path_factory, seq):
    sessions = _sessions(tmp_path_factory)
    with sessions.begin() as s:
        s.query(LoginFailure).delete()
    now = datetime(2026, 1, 1, tzinfo=UTC)
    accepted: dict[str, list[tuple[datetime, str]]] = {"10.0.0.1": [], "10.0.0.2": []}
    for gap, ip, right in seq:
        now += timedelta(seconds=gap)
        r = throttle.attempt(sessions, "amina", "right-password" if right else "wrong", ip, now=now)
        if r.status != "locked":
            accepted[ip].append((now, r.status))
        # Locked only when this pair has MAX_FAILURES failures, since its last success, in the window.
        history = accepted[ip][:-1] if r.status != "locked" else accepted[ip]
        recent = []
        for at, status in history:
            if status == "ok":
                recent = []
            elif at > now - throttle.WINDOW:
                recent.append(at)
        recent = [a for a in recent if a > now - throttle.WINDOW]
        assert (r.status == "locked") == (len(recent) >= throttle.MAX_FAILURES)
    # The invariant itself: in any window after the last success, at most N failures were accepted.
    for hist in accepted.values():
        fails: list[datetime] = []
        for at, status in hist:
            if status == "ok":
                fails = []
                continue
            fails = [f for f in fails if f > at - throttle.WINDOW] + [at]
            assert len(fails) <= throttle.MAX_FAILURES


# -- per client IP over all accounts (issue 16) ------------------------------------------------------

def test_one_ip_guessing_on_many_accounts_gets_429(live_any, monkeypatch):
    """Password spraying: one wrong password on 30 accounts from one address, in parallel →
    exactly MAX_IP_FAILURES × 401 then 429, even for an account never tried (and the right
    password), on SQLite and PostgreSQL."""
    limit = throttle.max_ip_failures()
    assert limit == throttle.MAX_IP_FAILURES == 20
    names = [f"agent.{i:02d}" for i in range(30)]
    with ThreadPoolExecutor(10) as pool:
        codes = list(pool.map(lambda n: _token(live_any, n, "Winter2025!").status_code, names))
    assert sorted(codes) == [401] * limit + [429] * (30 - limit)
    with live_any.wf.sessions() as s:
        assert s.scalar(select(func.count()).select_from(LoginFailure)) == limit
    r = _token(live_any, "coord.mnr", PASSWORD)
    assert r.status_code == 429 and r.json()["code"] == "too_many_attempts"
    r = login(live_any.client(), "coord.mnr", PASSWORD)
    assert r.status_code == 429 and "Trop de tentatives" in r.text


def test_ip_limit_is_per_address_and_leaves_with_the_window(tmp_path_factory, monkeypatch):
    sessions = _sessions(tmp_path_factory)
    with sessions.begin() as s:
        s.query(LoginFailure).delete()
    monkeypatch.setenv("MNO_LOGIN_MAX_IP_FAILURES", "8")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    got = [throttle.attempt(sessions, f"user{i}", "x", "10.0.0.9", now=now).status for i in range(10)]
    assert got == ["failed"] * 8 + ["locked"] * 2
    # the right password from that address is refused too; from another address it works
    assert throttle.attempt(sessions, "amina", "right-password", "10.0.0.9", now=now).status == "locked"
    assert throttle.attempt(sessions, "amina", "right-password", "10.0.0.7", now=now).status == "ok"
    later = now + throttle.WINDOW + timedelta(seconds=1)
    assert throttle.attempt(sessions, "amina", "right-password", "10.0.0.9", now=later).status == "ok"
    with sessions.begin() as s:
        s.query(LoginFailure).delete()


def test_ip_limit_setting_below_the_account_limit_is_ignored(monkeypatch):
    monkeypatch.setenv("MNO_LOGIN_MAX_IP_FAILURES", "2")
    assert throttle.max_ip_failures() == throttle.MAX_IP_FAILURES
    monkeypatch.setenv("MNO_LOGIN_MAX_IP_FAILURES", "50")
    assert throttle.max_ip_failures() == 50
