"""The in-app inbox: a user's delivered in-app messages (newest first, rendered in the reader's
language when given, else the message's), marking them read, the unread count. Part of
:mod:`.outbox` (which re-exports it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from jinja2 import TemplateError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..engine.clock import require_aware
from ..store.models import OutboxMessage
from .notifiers import Rendered
from .rendering import render

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InboxItem:
    """An in-app message as the inbox shows it."""

    id: int
    kind: str
    template: str
    reference: str | None
    subject: str
    text: str
    late: bool
    created_at: datetime
    read_at: datetime | None


def _inbox_query(user_id: str):
    return select(OutboxMessage).where(OutboxMessage.channel == "inapp",
                                       OutboxMessage.recipient_user == user_id,
                                       OutboxMessage.status == "sent")


def inbox(session: Session, user_id: str, unread_only: bool = False, limit: int = 50,
          lang: str | None = None) -> list[InboxItem]:
    """The user's delivered in-app messages, newest first, rendered in ``lang`` (the reader's
    current language), else in the message's language (the recipient's when it was created).

    Messages appear once :func:`deliver` has run (it marks in-app messages sent at their first
    run, without network).
    """
    q = _inbox_query(user_id)
    if unread_only:
        q = q.where(OutboxMessage.read_at.is_(None))
    rows = session.scalars(q.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
                           .limit(limit))
    out = []
    for m in rows:
        shown = m if lang is None else SimpleNamespace(  # the same message, read in ``lang``
            id=m.id, lang=lang, context=m.context, template=m.template, case_id=m.case_id,
            recipient_role=m.recipient_role)
        try:
            r = render(session, shown)
        except (TemplateError, KeyError, ValueError, TypeError) as e:  # rendered once at delivery
            from .delivery_words import failed
            log.warning("inbox message %s cannot be rendered: %s", m.id, e)  # words for the reader
            r = Rendered(subject=(m.context or {}).get("reference") or m.template,
                         text=failed("render").text(lang or m.lang or "fr"))
        out.append(InboxItem(id=m.id, kind=m.kind, template=m.template,
                             reference=(m.context or {}).get("reference"), subject=r.subject,
                             text=r.text, late=m.late, created_at=m.created_at, read_at=m.read_at))
    return out


def mark_read(session: Session, user_id: str, ids: Iterable[int], now: datetime) -> int:
    """Mark the user's own unread in-app messages among ``ids`` read at ``now``; returns how many.

    Ids of other users' messages are ignored. Runs in the caller's transaction (caller commits).
    """
    ids = list(ids)
    if not ids:
        return 0
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.channel == "inapp",
               OutboxMessage.recipient_user == user_id, OutboxMessage.read_at.is_(None))
        .values(read_at=require_aware(now, "now")))
    return result.rowcount


def unread_count(session: Session, user_id: str) -> int:
    """How many delivered in-app messages of the user are unread."""
    q = _inbox_query(user_id).where(OutboxMessage.read_at.is_(None))
    return session.scalar(select(func.count()).select_from(q.subquery()))
