"""Read-side queries on cases: one case with its steps and trail, lists and search."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .models import AuditEvent, Case, Deadline, StepInstance
from .search import clause as search_clause
from .search import fold as search_fold


def fold(text: str) -> str:
    """Lower-case, accent-free form of ``text`` (``Zoé`` → ``zoe``, ``FAÇON`` → ``facon``,
    ``N’Diaye-Lefèvre`` → ``ndiaye lefevre``): :func:`mno_workflow.store.search.fold`.

    Stored in ``cases.name_folded`` so search behaves the same on SQLite and PostgreSQL."""
    return search_fold(text)


def get_case(session: Session, reference: str) -> Case | None:
    """The case with its step instances loaded, or None."""
    return session.scalar(select(Case).where(Case.reference == reference)
                          .options(selectinload(Case.instances)))


def open_cases_of(session: Session, user_id: str) -> list[str]:
    """The references of the open cases assigned to ``user_id``, oldest first (deactivating a case
    manager asks about them first: tryout 5, H26)."""
    return list(session.scalars(select(Case.reference).where(
        Case.assignee == user_id, Case.status == "open").order_by(Case.id)))


def trail(session: Session, case: Case) -> list[AuditEvent]:
    """The case's audit events in order."""
    return list(session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                                .order_by(AuditEvent.seq)))


def list_cases(session: Session, *, search: str | None = None, status: str | None = None,
               region: str | None = None, assignee: str | None = None, step: str | None = None,
               state: str | None = None, overdue_at: datetime | None = None, limit: int = 100,
               offset: int = 0, where: Any = None) -> list[Case]:
    """Cases matching every given filter, newest first.

    ``search`` matches the reference or the name, case- and accent-insensitively; ``step`` and
    ``state`` match an open step instance; ``overdue_at`` (an aware instant, usually now) keeps
    cases with a step still in a state whose deadline passed before it; ``where``, an SQL condition
    on ``Case``, keeps the cases a reader may open (``web.access.case_clause``). ``limit`` is
    capped at 1,000."""
    q = select(Case).options(selectinload(Case.instances)).order_by(Case.id.desc())
    if where is not None:
        q = q.where(where)
    if search and search.strip():
        q = q.where(search_clause(session.get_bind().dialect.name, search))
    if status:
        q = q.where(Case.status == status)
    if region:
        q = q.where(Case.region == region)
    if assignee:
        q = q.where(Case.assignee == assignee)
    if step or state:
        sub = select(StepInstance.case_id).where(StepInstance.final.is_(False))
        if step:
            sub = sub.where(StepInstance.step == step)
        if state:
            sub = sub.where(StepInstance.state == state)
        q = q.where(Case.id.in_(sub))
    if overdue_at is not None:
        late = (select(Deadline.case_id).join(StepInstance, StepInstance.id == Deadline.instance_id)
                .where(Deadline.kind == "expiry", Deadline.status.in_(("pending", "done")),
                       Deadline.due_at < overdue_at, StepInstance.state == Deadline.state,
                       StepInstance.entered_at == Deadline.entered_at, StepInstance.final.is_(False)))
        q = q.where(Case.status == "open", Case.id.in_(late))
    return list(session.scalars(q.limit(min(limit, 1000)).offset(offset)))
