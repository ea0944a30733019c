"""One-time tokens of the new-case form (``web_form_tokens``): the form page issues one, the
first submit claims it (an atomic UPDATE), and any later submit of the same token — a double
click, a reload, two posts in parallel — is sent to the case the first one created."""

from __future__ import annotations

import secrets
import time
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from .models import FormToken

WAIT_SECONDS = 20.0  # how long a parallel submit waits for the first one to finish
POLL_SECONDS = 0.05


def issue(s: Session, user_id: str, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    s.add(FormToken(token=token, user_id=user_id, created_at=now))
    return token


def claim(sessions: sessionmaker, token: str, user_id: str, now: datetime) -> tuple[str, str | None]:
    """``("claimed", None)`` when this submit may create the case, ``("done", reference)`` when an
    earlier submit of the same token created it, ``("unknown", None)`` for a token that is not
    this user's (or none). A submit still in progress is waited for."""
    if not token or len(token) > 64:
        return "unknown", None
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        with sessions.begin() as s:
            n = s.execute(
                update(FormToken)
                .where(FormToken.token == token, FormToken.user_id == user_id, FormToken.used_at.is_(None))
                .values(used_at=now)
            ).rowcount
            if n == 1:
                return "claimed", None
            row = s.scalar(select(FormToken).where(FormToken.token == token, FormToken.user_id == user_id))
            if row is None:
                return "unknown", None
            if row.reference:
                return "done", row.reference
        if time.monotonic() > deadline:
            return "busy", None
        time.sleep(POLL_SECONDS)


def finish(sessions: sessionmaker, token: str, reference: str) -> None:
    with sessions.begin() as s:
        s.execute(update(FormToken).where(FormToken.token == token).values(reference=reference))


def release(sessions: sessionmaker, token: str) -> None:
    """The submit failed (invalid form): the same token may be submitted again."""
    with sessions.begin() as s:
        s.execute(
            update(FormToken)
            .where(FormToken.token == token, FormToken.reference.is_(None))
            .values(used_at=None)
        )
