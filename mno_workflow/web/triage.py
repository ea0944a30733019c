"""« Mon travail » sorted for triage: each running deadline of the user's role as a row saying the
case, the person, the step, what to do and how late or how soon (in days of the SOP's time zone),
grouped escalated / overdue / due today / coming up; and the supervisor's « Escalades » list.

Source: the ``deadlines`` table (expiry rows of states their instances are still in, see
:func:`.queries.running_deadlines`); an escalated deadline is one the sweeper fired with an
``escalate_to`` role while the state was not left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store.models import Case, Deadline, StepInstance, User
from . import access

GROUPS = ("escalated", "overdue", "due_today", "upcoming")


@dataclass
class DueItem:
    """One row of « Mon travail ». ``days``: whole calendar days (SOP time zone) between today and
    the due date, negative when late; ``group`` one of :data:`GROUPS`."""

    reference: str
    name: str | None
    step: str
    instance: str
    state: str
    due_at: datetime
    overdue: bool
    need: str | None = None  # the need a referral instance is for (parallel referrals differ by it)
    days: int = 0
    escalated: bool = False
    group: str = "upcoming"
    owner_role: str | None = None
    assignee: str | None = None


def _item(d: Deadline, case: Case, inst: StepInstance, now: datetime, zone: ZoneInfo) -> DueItem:
    today = now.astimezone(zone).date()
    days = (d.due_at.astimezone(zone).date() - today).days
    escalated = d.status == "done" and bool(d.escalate_to)
    overdue = d.due_at < now
    group = "escalated" if escalated else "overdue" if overdue else "due_today" if days <= 0 else "upcoming"
    return DueItem(
        case.reference or "", case.display_name, inst.step, inst.label_key, inst.state, d.due_at, overdue,
        str((inst.item or {}).get("need") or "") or None, days, escalated, group, d.owner_role,
        case.assignee,
    )


def urgency(item: DueItem) -> tuple:
    """Sort key: escalated first, then the most overdue, then due today, then the soonest."""
    return (GROUPS.index(item.group), item.due_at)


def my_work(session: Session, user: User, now: datetime, tz: str) -> dict[str, Any]:
    """``{"escalated", "overdue", "due_today", "upcoming": [DueItem], "escalations": [DueItem],
    "counts": {group: n}, "recent": [Case]}`` for ``user``: the deadlines their role owns on the
    cases they may open (coming up = within 7 days), sorted by :func:`urgency`; ``escalations``
    (supervisors and coordinators) the escalated deadlines addressed to their role."""
    from .queries import running_deadlines

    zone = ZoneInfo(tz)
    out: dict[str, Any] = {g: [] for g in GROUPS}
    clause = access.case_clause(user)
    ids = None
    if user.role == "caseworker":  # few cases: from the cases, not from every deadline of the role
        ids = list(session.scalars(select(Case.id).where(clause, Case.status == "open")))
    for d, case, inst in running_deadlines(session, owner_role=user.role, clause=clause, case_ids=ids):
        it = _item(d, case, inst, now, zone)
        if it.group == "upcoming" and d.due_at >= now + timedelta(days=7):
            continue
        out[it.group].append(it)
    for g in GROUPS:
        out[g].sort(key=urgency)
    out["escalations"] = []
    if access.can(user, "reassign"):
        rows = session.execute(
            select(Deadline, Case, StepInstance)
            .join(StepInstance, StepInstance.id == Deadline.instance_id)
            .join(Case, Case.id == Deadline.case_id)
            .where(
                Deadline.kind == "expiry",
                Deadline.status == "done",
                Deadline.escalate_to == user.role,
                StepInstance.final.is_(False),
                StepInstance.state == Deadline.state,
                StepInstance.entered_at == Deadline.entered_at,
                Case.status == "open",
                clause,
            )
            .order_by(Deadline.due_at)
            .limit(200)
        ).all()
        out["escalations"] = [_item(d, c, i, now, zone) for d, c, i in rows]
    out["counts"] = {g: len(out[g]) for g in (*GROUPS, "escalations")}
    out["recent"] = list(
        session.scalars(
            select(Case).where(clause).order_by(Case.updated_at.desc(), Case.id.desc()).limit(10)
        )
    )
    return out


def running_deadline(s: Session, inst: StepInstance) -> Deadline | None:
    """The expiry deadline of the state ``inst`` is in (the newest row: an extended deadline has a
    newer one), or None when that state has no deadline."""
    return s.scalar(
        select(Deadline)
        .where(
            Deadline.instance_id == inst.id,
            Deadline.kind == "expiry",
            Deadline.status != "cancelled",
            Deadline.state == inst.state,
            Deadline.entered_at == inst.entered_at,
        )
        .order_by(Deadline.id.desc())
        .limit(1)
    )
