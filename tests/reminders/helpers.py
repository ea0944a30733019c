"""Driving the Burkina Faso SOP to real outbox messages."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from mno_workflow.store.models import Deadline, OutboxMessage

MON = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)  # the clock fixture's start
ESCALATION_AT = datetime(2025, 6, 6, 9, 0, tzinfo=UTC)  # after the referral drafts' expiry (5 June)


def messages(wf, **where) -> list[OutboxMessage]:
    with wf.sessions() as s:
        q = select(OutboxMessage).order_by(OutboxMessage.id)
        for key, value in where.items():
            q = q.where(getattr(OutboxMessage, key) == value)
        return list(s.scalars(q))


def one(wf, **where) -> OutboxMessage:
    rows = messages(wf, **where)
    assert len(rows) == 1, rows
    return rows[0]


def expiry_rows(wf, **where) -> list[Deadline]:
    with wf.sessions() as s:
        q = select(Deadline).where(Deadline.kind == "expiry").order_by(Deadline.id)
        for key, value in where.items():
            q = q.where(getattr(Deadline, key) == value)
        return list(s.scalars(q))
