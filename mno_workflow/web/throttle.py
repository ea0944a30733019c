"""Login throttling shared by the sign-in page and ``POST /api/v1/auth/token``.

At most ``MAX_FAILURES`` failed logins for one user name from one client IP within any
``WINDOW`` (a sliding window over the rows of ``web_login_failures``); further attempts get
HTTP 429 until the oldest failure leaves the window. Other accounts, and the same account from
another IP, are not locked out by them. Besides, one client IP gets at most
``max_ip_failures()`` failed logins over *all* accounts in the window (default 20,
``$MNO_LOGIN_MAX_IP_FAILURES``): guessing one password on many accounts from one address also
ends in 429 (for that address only; an office behind one address shares it, hence the larger
number).

An attempt first *reserves* its failure row in its own committed transaction — atomic on both
back ends: ``BEGIN IMMEDIATE`` on SQLite, a transaction-level advisory lock on the client IP
on PostgreSQL — so that 20 parallel wrong passwords give exactly ``MAX_FAILURES`` × 401 and then
429, and a failure stays stored although the request answers 401. The password is then checked
(argon2, ~50 ms of CPU) outside any transaction or lock; a success deletes the pair's rows.
Counted with the wall clock, never the workflow's (possibly simulated) clock.

Web handlers call :func:`attempt_async`: logins run in their own small thread pool
(:data:`LOGIN_THREADS` at a time; argon2 is CPU-heavy), so a flood of wrong passwords queues
behind itself and never takes the threads and CPU that page and API reads need.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from ..store.models import User
from .models import LoginFailure

log = logging.getLogger("mno.web")

MAX_FAILURES = 5
MAX_IP_FAILURES = 20  # failures from one client IP over all accounts (see max_ip_failures)
WINDOW = timedelta(minutes=15)
LOGIN_THREADS = max(1, (os.cpu_count() or 2) // 2)
_limiters: dict[int, object] = {}


@dataclass(frozen=True)
class LoginResult:
    """``status``: ``ok`` (``user`` set), ``failed`` (401) or ``locked`` (429)."""

    status: str
    user: User | None = None


def _key(username: str, ip: str) -> tuple[str, str]:
    return username.strip().lower()[:100], (ip or "-")[:64]


def _advisory_key(username: str, ip: str) -> int:
    digest = hashlib.sha256(f"mno-login\0{username}\0{ip}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def max_ip_failures() -> int:
    """Failed logins allowed from one client IP over all accounts in the window:
    ``$MNO_LOGIN_MAX_IP_FAILURES`` (a whole number ≥ ``MAX_FAILURES``) or ``MAX_IP_FAILURES``."""
    raw = os.environ.get("MNO_LOGIN_MAX_IP_FAILURES", "").strip()
    if raw.isdigit() and int(raw) >= MAX_FAILURES:
        return int(raw)
    return MAX_IP_FAILURES


def ip_failures_in_window(s: Session, ip: str, now: datetime) -> int:
    """Failed logins from client ``ip`` over every account within the window ending at ``now``."""
    _, addr = _key("", ip)
    return s.scalar(
        select(func.count()).select_from(LoginFailure)
        .where(LoginFailure.ip == addr, LoginFailure.at > now - WINDOW)
    ) or 0


def failures_in_window(s: Session, username: str, ip: str, now: datetime) -> int:
    name, addr = _key(username, ip)
    return s.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.username == name, LoginFailure.ip == addr, LoginFailure.at > now - WINDOW)
    ) or 0


def reserve(sessions: sessionmaker, username: str, ip: str, now: datetime) -> bool:
    """Record one attempt as a failure, in its own committed transaction; False (nothing recorded)
    when the pair already has ``MAX_FAILURES`` failures in the window, or the client IP
    ``max_ip_failures()`` over all accounts."""
    name, addr = _key(username, ip)
    with sessions.begin() as s:
        if s.get_bind().dialect.name == "postgresql":  # one IP's attempts reserve one at a time
            s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _advisory_key("", addr)})
        if failures_in_window(s, name, addr, now) >= MAX_FAILURES:
            return False
        if ip_failures_in_window(s, addr, now) >= max_ip_failures():
            log.warning("login refused: too many failures from one address over several accounts",
                        extra={"event": "login_ip_locked"})
            return False
        s.execute(delete(LoginFailure).where(
            LoginFailure.username == name, LoginFailure.ip == addr, LoginFailure.at <= now - WINDOW))
        s.add(LoginFailure(username=name, ip=addr, at=now))
    return True


_CLEANUP_KEY = _advisory_key("cleanup", "-")


def clear(sessions: sessionmaker, username: str, ip: str, now: datetime | None = None) -> None:
    """Forget the pair's failures (after a successful login), and everyone's failures older than
    the window (on PostgreSQL by one process at a time: a try-lock, skipped when taken)."""
    name, addr = _key(username, ip)
    now = now or datetime.now(UTC)
    with sessions.begin() as s:
        s.execute(delete(LoginFailure).where(LoginFailure.username == name, LoginFailure.ip == addr))
        if s.get_bind().dialect.name != "postgresql" or s.scalar(
                text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _CLEANUP_KEY}):
            s.execute(delete(LoginFailure).where(LoginFailure.at <= now - WINDOW))


def attempt(sessions: sessionmaker, username: str, password: str, ip: str,
            now: datetime | None = None) -> LoginResult:
    """One login attempt by ``username`` from client ``ip`` (see the module text). The returned
    user is detached from any session."""
    from .security import verify_password

    now = now or datetime.now(UTC)
    if not reserve(sessions, username, ip, now):
        return LoginResult("locked")
    uid = username.strip()[:100]
    with sessions() as s:  # a read: no lock is held while argon2 runs
        user = s.get(User, uid) if uid else None
        if user is not None:
            s.expunge(user)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        # every path (page and API) comes here; the typed name is logged only when it is an account id
        log.warning("login failed (%s)", "wrong password" if user is not None else "unknown account",
                    extra={"event": "login_failed", "user_id": uid if user is not None else "-"})
        return LoginResult("failed")
    clear(sessions, username, ip, now)
    return LoginResult("ok", user)


async def attempt_async(sessions: sessionmaker, username: str, password: str, ip: str) -> LoginResult:
    """:func:`attempt` in the login thread pool of the running event loop."""
    import anyio.to_thread

    loop = id(asyncio.get_running_loop())
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = anyio.CapacityLimiter(LOGIN_THREADS)
    return await anyio.to_thread.run_sync(attempt, sessions, username, password, ip, limiter=limiter)
