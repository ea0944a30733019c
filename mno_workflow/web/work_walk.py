"""The overdue rows of « Mon travail » read by urgency from the case row (issue 15): the user's open
cases walked in ``cases.next_due_at`` order (the case's earliest running expiry deadline, kept by
the triggers of :mod:`mno_workflow.store.next_due`) from one index, ``(assignee, next_due_at,
id)``, instead of every deadline of the user's cases. Used for caseworkers (:mod:`.triage`): for a
supervisor or a coordinator, whose cases are a region or everything, the role's deadline index is
read instead (a walk of their cases would read every case when the role owns few deadlines).

Exact: every deadline of a case not walked yet is due at or after that case's ``next_due_at``, so
the walk stops once it holds ``show`` rows due no later than the last case read (see
:func:`overdue_rows`). Bounded: about ``show`` cases read when the role owns most deadlines (the
Burkina Faso SOP: the caseworker owns 13 of 17), the count stops at its cap.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ..store.models import Case, Deadline
from .worklists import RUNNING


def _rows_of(role: str, now: datetime, live: Any) -> list[Any]:
    """Conditions on ``Deadline``: a running expiry deadline ``role`` owns, passed before ``now``,
    not escalated (the « overdue » group of :mod:`.triage`). ``kind || ''``, ``owner_role || ''``
    and ``status || ''`` keep SQLite (no statistics) on the case's own rows (``case_id``) instead of
    the role's or the status's index, which hold every case's rows."""
    return [Deadline.kind.concat("") == "expiry", Deadline.owner_role.concat("") == role,
            Deadline.status.concat("").in_(RUNNING), Deadline.due_at < now,
            or_(Deadline.status != "done", Deadline.escalate_to.is_(None)), live]


def _cases(clause: Any, now: datetime):
    return select(Case.id, Case.next_due_at).where(clause, Case.status == "open", Case.next_due_at < now)


def overdue_rows(session: Session, role: str, clause: Any, now: datetime, live: Any,
                 show: int) -> list[int]:
    """Ids of the first ``show`` overdue deadlines (see :func:`_rows_of`) on the open cases matching
    ``clause``, soonest due first (ties by id): cases read in batches by ``(next_due_at, id)`` (a
    keyset, doubling from ``show``), their rows read by ``case_id``; stops when ``show`` rows are
    due no later than the last case read, or when no case is left."""
    got: list[tuple[datetime, int]] = []
    after: tuple[datetime, int] | None = None
    batch = max(show, 1)
    conds = _rows_of(role, now, live)
    while True:
        q = _cases(clause, now)
        if after is not None:
            q = q.where(or_(Case.next_due_at > after[0],
                            and_(Case.next_due_at == after[0], Case.id > after[1])))
        cases = session.execute(q.order_by(Case.next_due_at, Case.id).limit(batch)).all()
        if not cases:
            break
        got += [(due, i) for i, due in session.execute(
            select(Deadline.id, Deadline.due_at).where(Deadline.case_id.in_([c.id for c in cases]), *conds))]
        got.sort()
        after = (cases[-1].next_due_at, cases[-1].id)
        if len(cases) < batch or (len(got) >= show and got[show - 1][0] <= after[0]):
            break
        batch = min(batch * 2, 2000)
    return [i for _d, i in got[:show]]


def overdue_count(session: Session, role: str, clause: Any, now: datetime, live: Any, cap: int) -> int:
    """How many overdue deadlines (see :func:`_rows_of`) the open cases matching ``clause`` have,
    counted up to ``cap + 1``: a join walked from the case index, stopped at its ``LIMIT``. The
    cases are walked in ``next_due_at`` order, which the index ``(assignee, next_due_at, id)`` or
    ``(next_due_at, id)`` gives as it is: without it PostgreSQL (1,000,000 cases) read the table
    from its start instead, a plan it rated within 1 % of the index's for the whole join but
    cheaper to start (28 ms instead of 11 ms for a caseworker's count)."""
    rows = (select(Deadline.id).select_from(Case).join(Deadline, Deadline.case_id == Case.id)
            .where(clause, Case.status == "open", Case.next_due_at < now, *_rows_of(role, now, live))
            .order_by(Case.next_due_at).limit(cap + 1).subquery())
    return session.scalar(select(func.count()).select_from(rows)) or 0
