"""Passwords (argon2id), API tokens (SHA-256 digests), login throttling and secure headers.

Throttling: ``MAX_FAILURES`` failed logins for one user name from one IP within ``WINDOW`` lock
that pair out (HTTP 429, French message) until the oldest failure leaves the window. Failures
are rows of ``web_login_failures`` so several server processes share them; they are counted
with the wall clock, never the workflow's (possibly simulated) clock.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..store.models import User
from .models import ApiToken, LoginFailure

log = logging.getLogger("mno.web")

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
TOKEN_PREFIX = "mno_"

_hasher = PasswordHasher()
# Verified when the user does not exist, so that timing does not reveal which names exist.
_DUMMY_HASH = _hasher.hash("mno-workflow-dummy-password")


def hash_password(password: str) -> str:
    """An argon2id hash (salted, with its parameters) of ``password``."""
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored`` (an argon2 hash). Never raises."""
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def wall_now() -> datetime:
    return datetime.now(UTC)


def is_locked(session: Session, username: str, ip: str, now: datetime | None = None) -> bool:
    """Whether ``username`` from ``ip`` has used up its attempts in the current window."""
    now = now or wall_now()
    n = session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(
            LoginFailure.username == username.strip().lower()[:100],
            LoginFailure.ip == ip[:64],
            LoginFailure.at > now - WINDOW,
        )
    )
    return (n or 0) >= MAX_FAILURES


def record_failure(session: Session, username: str, ip: str, now: datetime | None = None) -> None:
    now = now or wall_now()
    session.execute(delete(LoginFailure).where(LoginFailure.at < now - WINDOW))
    session.add(LoginFailure(username=username.strip().lower()[:100], ip=ip[:64], at=now))
    # every path (page and API) comes here; the typed name is logged only when it is an account id
    known = session.get(User, username.strip()[:100]) is not None if username.strip() else False
    log.warning("login failed (%s)", "wrong password" if known else "unknown account",
                extra={"event": "login_failed", "user_id": username.strip()[:100] if known else "-"})


def clear_failures(session: Session, username: str, ip: str) -> None:
    session.execute(
        delete(LoginFailure).where(
            LoginFailure.username == username.strip().lower()[:100], LoginFailure.ip == ip[:64]
        )
    )


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with that name and password, or None (constant-ish time)."""
    user = session.get(User, username.strip()[:100]) if username.strip() else None
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        return None
    return user


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(
    session: Session,
    user: User,
    now: datetime,
    label: str = "",
    lifetime: timedelta | None = timedelta(days=30),
) -> str:
    """Create a bearer token for ``user``; the clear text is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            digest=token_digest(token),
            user_id=user.id,
            label=label[:100],
            created_at=now,
            expires_at=now + lifetime if lifetime else None,
        )
    )
    return token


def user_for_token(session: Session, token: str, now: datetime | None = None) -> User | None:
    """The active user holding a valid (not expired, not revoked) ``token``, or None."""
    now = now or wall_now()
    row = session.scalar(select(ApiToken).where(ApiToken.digest == token_digest(token)))
    if row is None or row.revoked_at is not None or (row.expires_at and row.expires_at <= now):
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

SECURE_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecureHeadersMiddleware:
    """Adds the secure headers to every HTTP response (a route may set a stricter or specific
    CSP itself, e.g. the handbook with its own stylesheet), and ``Cache-Control: no-store`` to every
    response that is not a static file (pages carry personal data; shared laptops)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")

        async def wrapped(event):
            if event["type"] == "http.response.start":
                headers = list(event.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURE_HEADERS if k not in present]
                if not static and not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                event = {**event, "headers": headers}
            await send(event)

        await self.app(scope, receive, wrapped)
