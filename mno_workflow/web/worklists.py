"""The case list (« Mes dossiers », the API's ``GET /cases``) at 1,000,000 cases: filters that an
index answers, keyset pagination (``before``/``after`` a case reference instead of ``OFFSET``)
and a count capped at :data:`COUNT_CAP` (shown « 1 000+ ») instead of a full ``COUNT``.

Plans are checked by ``tests/web/test_web__query_plans.py`` on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, selectinload

from ..store import search as case_search
from ..store.models import Case, Deadline, SopVersion, StepInstance
from ..store.pg_planner import trigram_search

COUNT_CAP = 1000  # counted exactly up to here; past it « 1 000+ »
# Deadline statuses of a state possibly still running (every status but ``cancelled``), as a list
# so that the (kind, status, due_at) indexes are searched, not scanned (most rows are cancelled).
RUNNING = ("pending", "done", "waiting", "paused", "extended")


@dataclass
class CasePage:
    """One page of the case list, newest first.

    ``total``: how many cases match, exact up to :data:`COUNT_CAP`, else ``COUNT_CAP + 1`` with
    ``capped`` true. ``older``/``newer``: the reference to pass as ``before``/``after`` for the
    next/previous page (None at the end/start)."""

    cases: list[Case] = field(default_factory=list)
    total: int = 0
    capped: bool = False
    older: str | None = None
    newer: str | None = None


def overdue_ids_query(now: datetime):
    """Ids of open cases with an expiry deadline passed (before ``now``) in a state one of their
    step instances is still in."""
    return (
        select(Deadline.case_id)
        .join(StepInstance, StepInstance.id == Deadline.instance_id)
        .join(Case, Case.id == Deadline.case_id)
        .where(
            Deadline.kind == "expiry",
            Deadline.due_at < now,
            Deadline.status.in_(RUNNING),
            StepInstance.final.is_(False),
            StepInstance.state == Deadline.state,
            StepInstance.entered_at == Deadline.entered_at,
            Case.status == "open",
        )
    )


DENSE = 2000  # past this many matching rows, a filter is checked per case walked in order


def _member(session: Session, rows_query, ids_query, correlated) -> Any:
    """``cases.id IN (ids_query)`` when few rows match (``rows_query`` counted up to
    :data:`DENSE`, index only), else the ``correlated`` EXISTS condition: many matches mean the
    page's ordered walk of ``cases`` meets one within a few rows, and the count stops at its cap;
    few mean the set is small enough to read whole. Either way the work is bounded by
    :data:`DENSE` or :data:`COUNT_CAP`, not by the number of cases."""
    if capped_count(session, rows_query, DENSE) <= DENSE:
        return Case.id.in_(ids_query)
    return correlated


def per_row(correlated) -> Any:
    """``EXISTS (correlated OFFSET 0)``: checked for each case the ordered walk meets. The
    ``OFFSET 0`` keeps PostgreSQL from turning it into a semi-join, which it plans as a hash of
    every matching row (it cannot estimate the instance/deadline join and guesses one row)."""
    return exists(correlated.offset(0))


def overdue_clause(session: Session, now: datetime) -> Any:
    """Condition on ``Case``: open, with an expiry deadline passed (before ``now``) in a state one
    of its step instances is still in — that is, its ``next_due_at`` (the earliest such deadline,
    kept by the triggers of :mod:`mno_workflow.store.next_due`) before ``now``. Few such cases:
    their ids from ``ix_cases_next_due``; many: checked on each case the ordered walk meets (see
    :func:`_member`; ``coalesce`` keeps the planner off the ``next_due_at`` range, which would
    read every overdue case of the region and sort them)."""
    walked = and_(Case.status == "open", func.coalesce(Case.next_due_at, Case.next_due_at) < now)
    return _member(session, select(Case.id).where(Case.next_due_at < now),
                   select(Case.id).where(Case.status == "open", Case.next_due_at < now), walked)


def filtered(session: Session, clause: Any, *, search: str | None = None, region: str | None = None,
             step: str | None = None, state: str | None = None,
             overdue_before: datetime | None = None, assignee: str | None = None,
             sops: tuple[str, ...] = ()):
    """``SELECT cases.id`` of the cases matching ``clause`` (the user's visibility) and every
    filter: ``search`` through the search index (:mod:`mno_workflow.store.search`), ``step`` and
    ``state`` of a step instance in progress, ``overdue_before`` an instant, ``assignee`` a user id,
    ``sops`` SOP ids the case's SOP must be (each one: the SOP of a filter's value, web/list_filters.py)."""
    q = select(Case.id).where(clause)
    for sop_id in sops:
        q = q.where(Case.sop_version_id.in_(select(SopVersion.id).where(SopVersion.sop_id == sop_id)))
    if search and search.strip():
        q = q.where(case_search.clause(session.get_bind().dialect.name, search))
        trigram_search(session)  # PostgreSQL: the planner's page cost for a search (pg_planner.py)
    if region:
        q = q.where(Case.region == region)
    if assignee:
        q = q.where(Case.assignee == assignee)
    if step or state:
        conds = [StepInstance.final.is_(False)]
        if step:
            conds.append(StepInstance.step == step)
        if state:
            conds.append(StepInstance.state == state)
        q = q.where(Case.status == "open")  # steps in progress: only open cases have them
        q = q.where(_member(session, select(StepInstance.id).where(*conds),
                            select(StepInstance.case_id).where(*conds),
                            per_row(select(StepInstance.id).where(StepInstance.case_id == Case.id, *conds))))
    if overdue_before is not None:
        q = q.where(overdue_clause(session, overdue_before))
    return q


def capped_count(session: Session, ids_query, cap: int = COUNT_CAP) -> int:
    """How many rows ``ids_query`` gives, counting at most ``cap + 1``."""
    return session.scalar(select(func.count()).select_from(ids_query.limit(cap + 1).subquery())) or 0


def _id_of(session: Session, reference: str | None) -> int | None:
    if not reference:
        return None
    return session.scalar(select(Case.id).where(Case.reference == reference.strip().upper()[:40]))


def case_page(session: Session, clause: Any, *, before: str | None = None, after: str | None = None,
              limit: int = 50, offset: int = 0, count_cap: int = COUNT_CAP, **filters: Any) -> CasePage:
    """A page of at most ``limit`` cases (see :class:`CasePage`): older than the case ``before``
    (a reference), or newer than ``after``, or the newest; ``offset`` only for the API's old
    ``offset`` parameter (slow far in: prefer ``before``). An unknown reference gives the newest."""
    ids = filtered(session, clause, **filters)
    total = capped_count(session, ids, count_cap)
    before_id, after_id = _id_of(session, before), _id_of(session, after)
    if after_id is not None:  # the previous page: the ``limit`` next newer ones, shown newest first
        got = list(session.scalars(ids.where(Case.id > after_id).order_by(Case.id.asc()).limit(limit + 1)))
        more_newer, got = len(got) > limit, got[:limit]
        got.reverse()
        more_older = True
    else:
        q = ids.order_by(Case.id.desc())
        if before_id is not None:
            q = q.where(Case.id < before_id)
        got = list(session.scalars(q.limit(limit + 1).offset(0 if before_id is not None else offset)))
        more_older, got = len(got) > limit, got[:limit]
        more_newer = before_id is not None or offset > 0
    rows = list(session.scalars(select(Case).where(Case.id.in_(got)).options(selectinload(Case.instances))
                                .order_by(Case.id.desc()))) if got else []
    return CasePage(rows, min(total, count_cap + 1), total > count_cap,
                    rows[-1].reference if rows and more_older else None,
                    rows[0].reference if rows and more_newer else None)
