"""Server-side sessions of the web pages (``web_sessions``).

The signed cookie only carries the user id and a random session id; the row decides. A session
ends at once on logout, password change, deactivation or an administrator's "end all sessions"
(:func:`end_all`); it also ends after ``IDLE_TIMEOUT`` without a request and, however active,
``ABSOLUTE_LIFETIME`` after the login. Wall clock, never the workflow's simulated clock.

:class:`ServerSessionMiddleware` checks the row before any page runs (its own short
transactions) and puts the signed-in user id in ``scope["mno.uid"]`` (None when signed out).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import anyio
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from ..store.models import User
from .models import WebSession

IDLE_TIMEOUT = timedelta(hours=8)
ABSOLUTE_LIFETIME = timedelta(hours=12)
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most once a minute


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


def start(s: Session, user_id: str, ip: str | None, now: datetime | None = None) -> str:
    """A new session for ``user_id``; returns its id (to keep in the signed cookie only)."""
    now = now or datetime.now(UTC)
    sid = secrets.token_urlsafe(32)
    s.add(WebSession(digest=_digest(sid), user_id=user_id, created_at=now, last_seen_at=now,
                     expires_at=now + ABSOLUTE_LIFETIME, ip=(ip or "")[:64] or None))
    return sid


def end(s: Session, sid: str, reason: str = "logout", now: datetime | None = None) -> None:
    s.execute(update(WebSession).where(WebSession.digest == _digest(sid), WebSession.ended_at.is_(None))
              .values(ended_at=now or datetime.now(UTC), end_reason=reason))


def end_all(s: Session, user_id: str | None, reason: str, now: datetime | None = None) -> int:
    """End every open session of ``user_id`` (of everyone when None); returns how many."""
    q = update(WebSession).where(WebSession.ended_at.is_(None))
    if user_id is not None:
        q = q.where(WebSession.user_id == user_id)
    return s.execute(q.values(ended_at=now or datetime.now(UTC), end_reason=reason[:32])).rowcount


def valid(s: Session, sid: str, uid: str, now: datetime) -> WebSession | None:
    row = s.get(WebSession, _digest(sid))
    if (row is None or row.user_id != uid or row.ended_at is not None or now >= row.expires_at
            or now >= row.last_seen_at + IDLE_TIMEOUT):
        return None
    user = s.get(User, uid)
    return row if user is not None and user.active else None


def check(sessions: sessionmaker, sid: str, uid: str, now: datetime | None = None) -> bool:
    """Whether the session is still valid; refreshes its idle timer (not its absolute end)."""
    now = now or datetime.now(UTC)
    with sessions() as s:
        row = valid(s, sid, uid, now)
        if row is None:
            return False
        stale = now - row.last_seen_at >= TOUCH_EVERY
    if stale:
        with sessions.begin() as s:
            s.execute(update(WebSession).where(WebSession.digest == _digest(sid))
                      .values(last_seen_at=now))
    return True


class ServerSessionMiddleware:
    """Between the cookie session and the routes: drops a signed-in identity whose server-side
    session has ended (the pages then redirect to the login page)."""

    def __init__(self, app, sessions: sessionmaker):
        self.app, self.sessions = app, sessions

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if "session" in scope and path and not path.startswith(("/static/", "/api/")):
            cookie = scope["session"]
            uid, sid = cookie.get("uid"), cookie.get("sid")
            ok = False
            if uid and sid:
                ok = await anyio.to_thread.run_sync(check, self.sessions, str(sid), str(uid))
            if not ok:
                cookie.pop("uid", None)
                cookie.pop("sid", None)
            scope["mno.uid"] = uid if ok else None
        await self.app(scope, receive, send)
