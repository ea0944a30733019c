"""The daily digest: per user, what is due today and what is overdue, as one outbox message.

For every active user, the open deadlines of states owned by the user's role are listed, within
the role's scope on each case's SOP (``assigned`` → cases assigned to the user; ``recipient`` →
step instances addressed to the user's organisation; ``all`` → the cases the region rule admits,
:func:`mno_workflow.web.access.region_admits`: the user's region's, or every case when the user has
no region; a case without region only for users without region). A deadline counts while its
instance is still in the state it was armed for and the case is open — also after the sweeper
fired its expiry (escalated), since the work is still overdue. Overdue: ``due_at < now``; due
today: later today in the digest's time zone. The deadlines escalated to the user's role (the
supervisor's « Escalades » of « Mon travail », same scope rule) whose state is still not left are
listed too; one about a referral to a provider off the platform carries ``off_platform`` (the
case manager must call it, :func:`.offplatform.escalation_words`). Users with nothing due and no
escalation get no digest.

One ``digest`` message is enqueued per user (in-app, plus e-mail when the user has an address); a
second run on the same local day enqueues nothing for users who already have that day's digest
(idempotent per user per day). Items carry references, steps and states only (data protection);
each is rendered as a link to the place to act (:mod:`.links`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine.clock import require_aware
from ..store.models import Case, Deadline, OutboxMessage, SopVersion, StepInstance, User
from ..web.access import region_admits, sop_admits
from ..web.access.region import case_sop
from .offplatform import chaser_of, off_platform
from .rendering import _sop

__all__ = ["DigestReport", "build_digests", "digest_items"]


@dataclass
class DigestReport:
    """``enqueued``: user id → outbox ids; ``already``: users who had today's digest; ``empty``:
    users with nothing due today or overdue."""

    day: str
    timezone: str
    enqueued: dict[str, list[int]] = field(default_factory=dict)
    already: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)


def _in_scope(user: User, scope: str, case: Case, inst: StepInstance) -> bool:
    if user.sop_id and not sop_admits(user.sop_id, case_sop(case)):  # the SOP rule (tryout 5, H24)
        return False
    if scope == "assigned":
        return case.assignee == user.id
    if scope == "recipient":
        return bool(user.organisation) and inst.recipient == user.organisation
    return region_admits(user.region, case.region)  # the one region rule (web/access/region.py)


def _open_deadlines(session: Session, until: datetime) -> list[tuple[Deadline, StepInstance, Case]]:
    q = (select(Deadline, StepInstance, Case)
         .join(StepInstance, StepInstance.id == Deadline.instance_id)
         .join(Case, Case.id == Deadline.case_id)
         .where(Deadline.kind == "expiry", Deadline.status.in_(("pending", "done")),
                Deadline.owner_role.is_not(None), Deadline.due_at < until,
                StepInstance.state == Deadline.state, StepInstance.entered_at == Deadline.entered_at,
                Case.status == "open")
         .order_by(Deadline.due_at, Deadline.id))
    return [tuple(r) for r in session.execute(q)]


def digest_items(session: Session, user: User, now: datetime, timezone: str,
                 rows: list[tuple[Deadline, StepInstance, Case]] | None = None,
                 memo: dict | None = None) -> dict[str, list[dict]]:
    """``{"overdue": [...], "due_today": [...]}`` for ``user`` at ``now``; each item is
    ``{reference, step, instance, state, due_at}`` (ISO UTC), soonest first; ``instance`` names
    the step's box the item links to (digests written before it link to the case page). The due
    work of a referral to a provider off the platform is the case manager's (with ``chase``: the
    organisation to call, :mod:`.offplatform`), not its accounts'. ``memo``: a dict kept for one
    run of the digests (which organisations are off the platform)."""
    now = require_aware(now, "now")
    tz = ZoneInfo(timezone)
    tomorrow = datetime.combine(now.astimezone(tz).date() + timedelta(days=1), time(0), tzinfo=tz)
    if rows is None:
        rows = _open_deadlines(session, tomorrow)
    out: dict[str, list[dict]] = {"overdue": [], "due_today": [], "escalations": []}
    memo = {} if memo is None else memo
    for row, inst, case in rows:
        if row.due_at >= tomorrow:
            continue
        sop = _sop(case.sop_version)
        if row.status == "done" and row.escalate_to == user.role and row.owner_role != user.role:
            escalated = _escalation(session, user, sop, row, inst, case, memo)
            if escalated is not None:
                out["escalations"].append(escalated)
            continue
        chase = _chased(session, sop, row, inst, memo)
        if chase:  # the case manager calls the organisation (tryout 5, H12)
            if user.role != chaser_of(sop) or case.assignee != user.id or (
                    user.sop_id and not sop_admits(user.sop_id, case_sop(case))):
                continue
        else:
            role = sop.roles.get(user.role)
            if row.owner_role != user.role or role is None or not _in_scope(user, role.scope, case, inst):
                continue
        item = {"reference": case.reference, "step": row.step, "instance": inst.key, "state": row.state,
                "due_at": row.due_at.isoformat(), **({"chase": chase} if chase else {})}
        out["overdue" if row.due_at < now else "due_today"].append(item)
    return out


def _escalation(session: Session, user: User, sop: Any, row: Deadline, inst: StepInstance, case: Case,
                memo: dict) -> dict | None:
    """The digest item of a deadline escalated to ``user``'s role, within its scope (None
    outside), with ``off_platform`` when the provider off the platform must be called by the case
    manager (:mod:`.offplatform`)."""
    role = sop.roles.get(user.role)
    if role is None or not _in_scope(user, role.scope, case, inst):
        return None
    item = {"reference": case.reference, "step": row.step, "instance": inst.key, "state": row.state,
            "due_at": row.due_at.isoformat()}
    org = _chased(session, sop, row, inst, memo)
    return {**item, "off_platform": org} if org else item


def _chased(session: Session, sop: Any, row: Deadline, inst: StepInstance, memo: dict) -> str | None:
    """The organisation the case manager chases for this row's work (a ``scope: recipient``
    owner, the referral addressed to an organisation off the platform), else None."""
    owner = sop.roles.get(row.owner_role or "")
    if owner is None or owner.scope != "recipient" or not inst.recipient:
        return None
    key = (inst.recipient, sop.sop)  # its focal points counted in the referral's SOP only
    if key not in memo:
        memo[key] = off_platform(session, inst.recipient, sop_id=sop.sop)
    return inst.recipient if memo[key] else None


def _default_timezone(session: Session) -> str:
    row = session.scalar(select(SopVersion).order_by(SopVersion.id.desc()).limit(1))
    return _sop(row).calendar.timezone if row is not None else "UTC"


def _build(s: Session, now: datetime, timezone: str | None) -> DigestReport:
    timezone = timezone or _default_timezone(s)
    tz = ZoneInfo(timezone)
    day = now.astimezone(tz).date()
    tomorrow = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    report = DigestReport(day=day.isoformat(), timezone=timezone)
    rows = _open_deadlines(s, tomorrow)
    memo: dict[tuple[str, str], bool] = {}
    q = select(User).where(User.active.is_(True)).order_by(User.id)
    if s.get_bind().dialect.name == "postgresql":  # two digest runs at once: one per user
        q = q.with_for_update()
    since = now - timedelta(days=2)
    for user in s.scalars(q):
        earlier = s.scalars(select(OutboxMessage.context).where(
            OutboxMessage.template == "digest", OutboxMessage.recipient_user == user.id,
            OutboxMessage.created_at >= since))
        if any((c or {}).get("day") == report.day for c in earlier):
            report.already.append(user.id)
            continue
        items = digest_items(s, user, now, timezone, rows, memo)
        if not items["escalations"]:
            del items["escalations"]  # a digest as before for everyone else
        if not items["overdue"] and not items["due_today"] and not items.get("escalations"):
            report.empty.append(user.id)
            continue
        context: dict[str, Any] = {"day": report.day, "timezone": timezone, **items}
        common = dict(case_id=None, kind="digest", recipient_user=user.id, recipient_role=user.role,
                      lang=user.language or "fr", template="digest", context=context, status="pending",
                      attempts=0, next_attempt_at=now, created_at=now)
        msgs = [OutboxMessage(channel="inapp", **common)]
        if user.email:
            msgs.append(OutboxMessage(channel="email", recipient_address=user.email, **common))
        s.add_all(msgs)
        s.flush()
        report.enqueued[user.id] = [m.id for m in msgs]
    return report


def build_digests(session_or_wf: Any, now: datetime, *, timezone: str | None = None) -> DigestReport:
    """Enqueue today's digest for every active user who has something due today or overdue.

    ``session_or_wf``: a Session (runs in the caller's transaction; the caller commits) or a
    :class:`~mno_workflow.engine.engine.WorkflowEngine` (one transaction of its own). ``timezone``
    (IANA) defines "today"; default: the calendar time zone of the latest loaded SOP version.
    Idempotent per user per local day.
    """
    now = require_aware(now, "now")
    if isinstance(session_or_wf, Session):
        return _build(session_or_wf, now, timezone)
    with session_or_wf.sessions.begin() as s:
        return _build(s, now, timezone)
