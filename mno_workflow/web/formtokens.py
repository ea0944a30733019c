"""One-time tokens of the new-case form (``web_form_tokens``): the form page issues one, and the
submit uses it as the idempotency key of "new case" (:func:`mno_workflow.engine.opening.open_case`):
the case is created and registered in one transaction, and any later submit of the same token — a
double click, a reload, two posts in parallel, a retry after a lost answer — is sent to the case
the first one created. A submit with invalid input writes nothing: the token stays usable."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from .models import FormToken


def issue(s: Session, user_id: str, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    s.add(FormToken(token=token, user_id=user_id, created_at=now))
    return token


def known(sessions: sessionmaker, token: str, user_id: str) -> bool:
    """Whether ``token`` was issued to ``user_id``."""
    if not token or len(token) > 64:
        return False
    with sessions() as s:
        return s.scalar(select(FormToken.id).where(FormToken.token == token,
                                                   FormToken.user_id == user_id)) is not None


def idempotency_key(token: str) -> str:
    return f"form:{token}"
