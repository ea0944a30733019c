"""« Mon travail » sorted for triage: each running deadline of the user's role as a row saying the
case, the person, the step, what to do and how late or how soon (in days of the time zone of the
row's own case's SOP: a list may mix SOPs of zones far apart, :class:`Days`), grouped escalated /
overdue / due today / coming up; and the supervisor's « Escalades » list.

Source: the ``deadlines`` table (expiry rows of states their instances are still in, see
:func:`.queries.running_deadlines`); an escalated deadline is one the sweeper fired with an
``escalate_to`` role while the state was not left.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select, true, tuple_, union_all
from sqlalchemy.orm import Session, aliased

from ..store.models import Case, Deadline, SopVersion, StepInstance, User
from . import access, work_walk
from .worklists import RUNNING, per_row

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
    id: int | None = None  # the deadline's (the key of a group's pages: ``?suite=<id>``)
    sop_version: int | None = None  # the case's SOP version: its labels and calendar word the row
    recipient: str | None = None  # the organisation a referral instance is addressed to
    item: dict | None = None  # the instance's item: whether a deadline cap applies (K10)


#: the time zone of each SOP version's calendar, by the hash of its text (parsed once)
_ZONES: dict[str, str] = {}
_LOCK = threading.Lock()


class Days:
    """Where each row's days start: at midnight in the time zone of its case's SOP (its version's
    calendar), ``default`` for a version not found; ``now``: the instant of the page. A row's
    « today » is its SOP's, as its due time is shown in its SOP's zone (tryout 6, I6): at 22:00
    in Ouagadougou it is already tomorrow in Kiritimati."""

    def __init__(self, session: Session, now: datetime, default: str) -> None:
        self.now, self.default = now, ZoneInfo(default)
        zones: dict[int, ZoneInfo] = {}
        for vid, sha in session.execute(select(SopVersion.id, SopVersion.sha256)).all():
            name = _ZONES.get(sha)
            if name is None:
                from ..reminders.rendering import sop_model
                name = sop_model(session.get(SopVersion, vid)).calendar.timezone
                with _LOCK:
                    _ZONES[sha] = name
            zones[vid] = ZoneInfo(name)
        self.zones = zones

    def zone(self, version_id: int | None) -> ZoneInfo:
        """The time zone of the rows of SOP version ``version_id``."""
        return self.zones.get(version_id, self.default) if version_id is not None else self.default

    def tomorrows(self) -> dict[datetime, list[int]]:
        """The start of tomorrow (UTC) of each zone, with the SOP versions it holds for."""
        out: dict[datetime, list[int]] = {}
        for vid, zone in sorted(self.zones.items()):
            out.setdefault(_tomorrow(self.now, zone), []).append(vid)
        return out or {_tomorrow(self.now, self.default): []}

    def before_tomorrow(self, before: bool = True) -> Any:
        """SQL: the deadline falls before (``before`` False: on or after) the start of tomorrow in
        the time zone of its case's SOP — one bound when every SOP shares it (the same statement
        as with one SOP), else one per zone on the case's SOP version (``Case`` is joined)."""
        bounds = self.tomorrows()

        def side(t: datetime) -> Any:
            return Deadline.due_at < t if before else Deadline.due_at >= t
        if len(bounds) == 1:
            return side(next(iter(bounds)))
        return or_(*(and_(Case.sop_version_id.in_(vids), side(t)) for t, vids in bounds.items()))


def _item(d: Deadline, case: Case, inst: StepInstance, now: datetime, zone: ZoneInfo) -> DueItem:
    item = _due_item(d.due_at, d.status, d.escalate_to, d.owner_role, case.reference, case.display_name,
                     case.assignee, inst.step, inst.label_key, inst.state, inst.item, now, zone)
    item.sop_version, item.recipient = case.sop_version_id, inst.recipient
    return item


def _due_item(due_at: datetime, status: str, escalate_to: str | None, owner_role: str | None,
              reference: str | None, name: str | None, assignee: str | None, step: str, label_key: str,
              state: str, item: dict | None, now: datetime, zone: ZoneInfo) -> DueItem:
    today = now.astimezone(zone).date()
    days = (due_at.astimezone(zone).date() - today).days
    escalated = status == "done" and bool(escalate_to)
    overdue = due_at < now
    group = "escalated" if escalated else "overdue" if overdue else "due_today" if days <= 0 else "upcoming"
    return DueItem(
        reference or "", name, step, label_key, state, due_at, overdue,
        str((item or {}).get("need") or "") or None, days, escalated, group, owner_role, assignee,
        item=item,
    )


# What a row of « Mon travail » shows, read as columns (not the case's and the instance's whole rows
# as ORM objects: their JSON data is not shown; up to 400 rows a page)
_COLUMNS = (Deadline.id, Deadline.due_at, Deadline.status, Deadline.escalate_to, Deadline.owner_role,
            Case.reference, Case.display_name, Case.assignee, StepInstance.step, StepInstance.key,
            StepInstance.state, StepInstance.item, Case.sop_version_id, StepInstance.recipient)


def _row_item(r: Any, days: Days) -> DueItem:
    item = _due_item(r.due_at, r.status, r.escalate_to, r.owner_role, r.reference, r.display_name,
                     r.assignee, r.step, f"{r.step}:{r.key}", r.state, r.item, days.now,
                     days.zone(r.sop_version_id))
    item.id = r.id
    item.sop_version, item.recipient = r.sop_version_id, r.recipient
    return item


def urgency(item: DueItem) -> tuple:
    """Sort key: escalated first, then the most overdue, then due today, then the soonest."""
    return (GROUPS.index(item.group), item.due_at)


SHOW = 25  # rows shown (and logged as seen) per group on « Mon travail », the most urgent
PAGE = 50  # rows per page of a group's own list (« Voir les N autres »: :func:`group_page`)
COUNT_CAP = 500  # each group counted exactly up to here; past it « 500+ »
LISTS = ("escalations", *GROUPS)  # what a group's own list may show


def _group_filters(group: str, now: datetime, days: Days) -> list[Any]:
    """SQL conditions on ``Deadline`` selecting the rows of ``group`` (see :func:`_item`); today
    and tomorrow in the time zone of each row's SOP (:class:`Days`)."""
    escalated = and_(Deadline.status == "done", Deadline.escalate_to.is_not(None))
    if group == "escalated":
        return [escalated]
    rest = [or_(Deadline.status != "done", Deadline.escalate_to.is_(None))]
    if group == "overdue":
        return [*rest, Deadline.due_at < now]
    if group == "due_today":
        return [*rest, Deadline.due_at >= now, days.before_tomorrow()]
    return [*rest, days.before_tomorrow(False), Deadline.due_at < now + timedelta(days=7)]


def _live():
    """The deadline's state is the one its step instance is still in: checked row by row (see
    :func:`.worklists.per_row`: PostgreSQL misjudges this three-column join and hashes every
    instance)."""
    si = aliased(StepInstance)
    return per_row(select(si.id).where(si.id == Deadline.instance_id, si.final.is_(False),
                                       si.state == Deadline.state, si.entered_at == Deadline.entered_at)
                   .correlate(Deadline))


def _running(user: User, clause: Any):
    """``SELECT deadlines.id, due_at`` of the expiry deadlines ``user``'s role owns of states their
    instances are still in, on open cases matching ``clause``: a caseworker's by the deadline's own
    copy of the case's assignee (``ix_deadlines_assignee_owner_kind_status_due``), a supervisor's
    with a region by its copy of the case's region (``ix_deadlines_region_owner_kind_status_due``;
    both copies kept by the triggers of :mod:`mno_workflow.store.next_due`), the others' (who see
    every case) by the role's index."""
    q = (
        select(Deadline.id, Deadline.due_at)
        .join(Case, Case.id == Deadline.case_id)
        .where(Deadline.kind == "expiry", _live(), Case.status == "open", clause,
               Deadline.owner_role == user.role)
    )
    if user.role == "caseworker":
        return q.where(Deadline.assignee == user.id)
    return q.where(_region(user))


def _region(user: User) -> Any:
    """The region rule (:func:`.access.region_admits_clause`) on the deadline's copy of the case's
    region, for a supervisor (a region: that region's rows, from the indexes that start with it);
    the others see every region (a caseworker: their own cases, read by assignee)."""
    if user.role != "supervisor":
        return true()
    return access.region_admits_clause(user.region, Deadline.region)


def _escalations(user: User, clause: Any):
    """``SELECT deadlines.id, due_at`` of the escalated deadlines addressed to ``user``'s role
    (« Escalades ») of states their instances are still in, on open cases matching ``clause``; a
    supervisor with a region reads their region's from ``ix_deadlines_region_escalate_kind_status_due``
    (revision 0038), not every region's to check each case's."""
    return (
        select(Deadline.id, Deadline.due_at)
        .join(Case, Case.id == Deadline.case_id)
        .where(Deadline.kind == "expiry", Deadline.escalate_to == user.role, _region(user), _live(),
               Case.status == "open", clause)
    )


def _scope(user: User, clause: Any, group: str, now: datetime, days: Days):
    """(the base statement, the deadline statuses, the extra conditions) of the list ``group``."""
    if group == "escalations":
        return _escalations(user, clause), ("done",), []
    return (_running(user, clause), ("done",) if group == "escalated" else RUNNING,
            _group_filters(group, now, days))


def _ids(session: Session, base, statuses, conds: list[Any], limit: int,
         mark: tuple[datetime, int] | None = None) -> list[int]:
    """Ids of the first ``limit`` deadlines of ``base`` (with ``conds``) by ``(due_at, id)``,
    after ``mark`` when given (keyset): a UNION ALL of one ordered, limited read per deadline
    status (each reads its index in order and stops, whatever the number of cases)."""
    if mark is not None:  # a row comparison: PostgreSQL reads its index from the mark, in order
        conds = [*conds, Deadline.due_at >= mark[0],
                 tuple_(Deadline.due_at, Deadline.id) > tuple_(mark[0], mark[1])]
    parts = [base.where(Deadline.status == st, *conds).order_by(Deadline.due_at, Deadline.id).limit(limit)
             .subquery() for st in statuses]
    if len(parts) == 1:
        return list(session.scalars(select(parts[0].c.id)))
    merged = union_all(*(select(p.c.id, p.c.due_at) for p in parts)).subquery()
    return list(session.scalars(select(merged.c.id).order_by(merged.c.due_at, merged.c.id).limit(limit)))


def _count(session: Session, base, statuses, conds: list[Any]) -> int:
    """How many deadlines ``base`` (with ``conds``) has, counted up to ``COUNT_CAP + 1``."""
    capped = base.where(Deadline.status.in_(statuses), *conds).limit(COUNT_CAP + 1).subquery()
    return session.scalar(select(func.count()).select_from(capped)) or 0


def _group(session: Session, base, group: str, now: datetime, days: Days) -> tuple[list[int], int]:
    """(ids of the first :data:`SHOW` deadlines of ``group``, soonest due first; how many, capped
    at ``COUNT_CAP + 1``). Two statements (:func:`_ids`, :func:`_count`)."""
    conds = _group_filters(group, now, days)
    statuses = ("done",) if group == "escalated" else RUNNING
    return _ids(session, base, statuses, conds, SHOW), _count(session, base, statuses, conds)


def _read(session: Session, ids: list[int], days: Days) -> dict[int, DueItem]:
    """The rows of the deadlines ``ids`` (one statement), by id."""
    if not ids:
        return {}
    return {r.id: _row_item(r, days) for r in session.execute(
        select(*_COLUMNS)
        .join(StepInstance, StepInstance.id == Deadline.instance_id)
        .join(Case, Case.id == Deadline.case_id)
        .where(Deadline.id.in_(ids))
    ).all()}


def _tomorrow(now: datetime, zone: ZoneInfo) -> datetime:
    local = now.astimezone(zone)
    return datetime.combine(local.date() + timedelta(days=1), time(0), zone).astimezone(UTC)


def my_work(session: Session, user: User, now: datetime, tz: str) -> dict[str, Any]:
    """``{"escalated", "overdue", "due_today", "upcoming": [DueItem], "escalations": [DueItem],
    "counts": {group: n}, "capped": {group: bool}, "more": {group: id | None}, "recent": [Case]}``
    for ``user``: the deadlines their role owns on the cases they may open (coming up = within 7
    days), at most :data:`SHOW` per group sorted by :func:`urgency`; ``counts`` exact up to
    :data:`COUNT_CAP` (then ``COUNT_CAP + 1`` and ``capped`` true); ``more``: when a group has
    more rows than shown, the id of the last shown (its own list, :func:`group_page`, goes on
    from there); ``escalations`` (supervisors and coordinators) the escalated deadlines addressed
    to their role. Bounded work per group: the page costs the same at 1,000 and 1,000,000 cases
    (``bench/bench_worklists.py``). Days (« aujourd'hui », « dans N jours ») are those of each
    row's SOP's time zone; ``tz`` only for a row whose SOP version is not found (:class:`Days`)."""
    days = Days(session, now, tz)
    out: dict[str, Any] = {g: [] for g in GROUPS}
    counts: dict[str, int] = {}
    clause = access.case_clause(user)
    base = _running(user, clause)
    chosen: dict[str, list[int]] = {}
    for g in GROUPS:
        if g == "overdue" and user.role == "caseworker":  # by urgency from the case row (next_due_at)
            chosen[g] = work_walk.overdue_rows(session, user.role, clause, now, _live(), SHOW)
            counts[g] = work_walk.overdue_count(session, user.role, clause, now, _live(), COUNT_CAP)
        else:
            chosen[g], counts[g] = _group(session, base, g, now, days)
    if access.can(user, "reassign"):
        esc = _escalations(user, clause)
        chosen["escalations"] = _ids(session, esc, ("done",), [], SHOW)
        counts["escalations"] = _count(session, esc, ("done",), [])
    else:
        chosen["escalations"], counts["escalations"] = [], 0
    rows = _read(session, [i for ids in chosen.values() for i in ids], days)
    for g, ids in chosen.items():
        # ``ids`` are in (due_at, id) order: :func:`urgency` (a stable sort) keeps it within a group
        out[g] = sorted((rows[i] for i in ids if i in rows), key=urgency)
    out["counts"] = counts
    out["capped"] = {g: n > COUNT_CAP for g, n in counts.items()}
    out["more"] = {g: (ids[-1] if ids and counts[g] > len(ids) else None) for g, ids in chosen.items()}
    out["recent"] = list(
        session.scalars(
            select(Case).where(clause).order_by(Case.updated_at.desc(), Case.id.desc()).limit(10)
        )
    )
    return out


def group_page(session: Session, user: User, group: str, now: datetime, tz: str,
               after: int | None = None, limit: int | None = None) -> dict[str, Any]:
    """One page of a group of « Mon travail » (one of :data:`LISTS`) by itself: ``{"items":
    [DueItem], "count": n, "capped": bool, "next": id | None}`` — the rows of ``group`` in the
    order of « Mon travail » (soonest due first, ties by deadline id), ``limit`` (default
    :data:`PAGE`) from the row after the deadline ``after`` (keyset: a deadline that is not in
    the group for ``user`` starts from the beginning), the group's count as on « Mon travail »,
    and the id to pass as ``after`` for the next page (``None`` on the last)."""
    limit = limit or PAGE
    days = Days(session, now, tz)
    clause = access.case_clause(user)
    if group == "escalations" and not access.can(user, "reassign"):
        return {"items": [], "count": 0, "capped": False, "next": None}
    base, statuses, conds = _scope(user, clause, group, now, days)
    mark = None
    if after is not None:
        mark = session.execute(base.where(Deadline.id == after, Deadline.status.in_(statuses),
                                          *conds)).first()
    ids = _ids(session, base, statuses, conds, limit + 1, (mark[1], mark[0]) if mark else None)
    rows = _read(session, ids[:limit], days)
    count = _count(session, base, statuses, conds)
    return {"items": [rows[i] for i in ids[:limit] if i in rows], "count": count,
            "capped": count > COUNT_CAP, "next": ids[limit - 1] if len(ids) > limit else None}


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
