"""Extensions and pauses already granted on a deadline, applied again when a migration recomputes
it from the original start (``recompute`` in engine/migrate_deadlines.py): the new rule gives the
first due instant, then every ``extend_deadline`` and ``pause_deadline``/``resume_deadline`` of the
instance in that state (its audit events since it entered the state), in their order, moves it as
it did then — an extension counts from the due instant when it was still ahead at that moment (or
with ``from_due``), from the instant it was granted otherwise; a pause moves it by the working days
(working-day rule) or the time (other units) it covered. A pause still running is kept by the
caller (its rows stay paused)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..sop.schema import Duration, Unit
from ..store.models import AuditEvent, Case, StepInstance
from .deadlines import extend as extend_due
from .deadlines import resume_after_pause


def granted_events(s: Session, case: Case, inst: StepInstance, state: str) -> list[AuditEvent]:
    """The ``extend_deadline``, ``pause_deadline`` and ``resume_deadline`` events of ``inst`` since
    it entered its current stay in ``state`` (``inst.entered_at``; a rename by an earlier migration
    keeps that instant), oldest first."""
    q = (select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.step == inst.step,
                                  AuditEvent.instance_key == inst.key,
                                  AuditEvent.at >= inst.entered_at,
                                  AuditEvent.action.in_(("extend_deadline", "pause_deadline",
                                                         "resume_deadline")))
         .order_by(AuditEvent.seq))
    return list(s.scalars(q))


def apply_grants(due: datetime, events: list[AuditEvent], calendar, unit: Unit) -> tuple[datetime, int]:
    """``due`` moved by ``events`` (see module doc). Returns ``(due, number of grants applied)``."""
    applied = 0
    paused_at: datetime | None = None
    for e in events:
        at = e.at
        if e.action == "extend_deadline":
            by = Duration.model_validate((e.data or {}).get("by"))
            base = due if (e.data or {}).get("from_due") or due > at else at
            due = extend_due(base, by, calendar)
            applied += 1
        elif e.action == "pause_deadline":
            paused_at = at
        elif e.action == "resume_deadline" and paused_at is not None:
            due = resume_after_pause(due, paused_at, at, calendar, unit)
            paused_at = None
            applied += 1
    return due, applied
