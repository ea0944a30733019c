"""API tokens of ``web_api_tokens``: issue (named, scoped, with an expiry), check, list, revoke.

Scopes: ``read`` (GET requests only) and ``write`` (everything the user's role allows). Only the
SHA-256 digest of a token is stored; its clear text is shown once. Used by the API
(``/api/v1/auth/...``) and the CLI (``mno user tokens``, ``mno user revoke-token``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ..store.models import User
from .models import ApiToken
from .security import TOKEN_PREFIX, token_digest

SCOPES = ("read", "write")
DEFAULT_LIFETIME = timedelta(days=30)
MAX_LIFETIME = timedelta(days=365)
TOUCH_EVERY = timedelta(minutes=1)


def issue(s: Session, user_id: str, now: datetime, *, label: str = "", scope: str = "write",
          lifetime: timedelta | None = DEFAULT_LIFETIME) -> tuple[str, ApiToken]:
    """A new token ``(clear text, row)``. Raises ValueError for an unknown scope."""
    import secrets

    if scope not in SCOPES:
        raise ValueError(f"scope: {' / '.join(SCOPES)}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(digest=token_digest(token), user_id=user_id, label=label[:100], scope=scope,
                   created_at=now, expires_at=now + lifetime if lifetime else None)
    s.add(row)
    s.flush()
    return token, row


def check(sessions: sessionmaker, token: str, now: datetime | None = None) -> tuple[User, ApiToken] | None:
    """The active user and the token row for a valid (not expired, not revoked) ``token``, both
    detached, or None. Records the last use (at most once a minute)."""
    now = now or datetime.now(UTC)
    with sessions() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.digest == token_digest(token)))
        if row is None or row.revoked_at is not None or (row.expires_at and row.expires_at <= now):
            return None
        user = s.get(User, row.user_id)
        if user is None or not user.active:
            return None
        s.expunge(user)
        s.expunge(row)
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        with sessions.begin() as s:
            s.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
    return user, row


def as_dict(row: ApiToken, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    state = ("revoked" if row.revoked_at else
             "expired" if row.expires_at and row.expires_at <= now else "active")
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    return {"id": row.id, "user": row.user_id, "label": row.label, "scope": row.scope, "state": state,
            "created_at": iso(row.created_at), "expires_at": iso(row.expires_at),
            "last_used_at": iso(row.last_used_at), "revoked_at": iso(row.revoked_at)}


def listing(s: Session, user_id: str | None = None) -> list[ApiToken]:
    """Tokens of ``user_id`` (of everyone when None), newest first."""
    q = select(ApiToken).order_by(ApiToken.id.desc())
    if user_id is not None:
        q = q.where(ApiToken.user_id == user_id)
    return list(s.scalars(q))


def revoke(s: Session, token_id: int, now: datetime, user_id: str | None = None) -> bool:
    """Revoke token ``token_id`` (only if it belongs to ``user_id`` when given). False when there
    is no such token (or it is someone else's); revoking twice is harmless."""
    row = s.get(ApiToken, token_id)
    if row is None or (user_id is not None and row.user_id != user_id):
        return False
    if row.revoked_at is None:
        row.revoked_at = now
    return True


def revoke_all(s: Session, user_id: str, now: datetime) -> int:
    return s.execute(update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
                     .values(revoked_at=now)).rowcount
