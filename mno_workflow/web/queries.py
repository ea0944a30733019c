"""Read-only queries of the web layer: "Mon travail", overdue deadlines, the dashboard's
aggregates, notifications, referrals of an organisation and the pseudonymised export.

Nothing here writes, except :func:`log_view` (the case-view log) and notification read marks.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import and_, false, func, not_, or_, select, update
from sqlalchemy.orm import Session, selectinload

from ..store.models import Case, Deadline, OutboxMessage, StepInstance, User
from . import access, worklists
from .triage import DueItem  # noqa: F401  (re-exported for callers of this module)
from .view_log import log_export, log_view, log_views  # noqa: F401  (re-exported: callers use queries.*)


def running_deadlines(
    session: Session, *, owner_role: str | None = None, clause: Any = None, limit: int = 500,
    case_ids: list[int] | None = None,
):
    """Expiry deadlines of states their instances are still in (pending, or fired by the sweeper
    but the state not left yet), with the case; soonest first. ``case_ids``: only those cases,
    read through ``ix_deadlines_case_id`` (a caseworker's few cases), not the role's index."""
    q = (
        select(Deadline, Case, StepInstance)
        .join(StepInstance, StepInstance.id == Deadline.instance_id)
        .join(Case, Case.id == Deadline.case_id)
        .where(
            Deadline.kind == "expiry",
            Deadline.status.in_(worklists.RUNNING),
            StepInstance.final.is_(False),
            StepInstance.state == Deadline.state,
            StepInstance.entered_at == Deadline.entered_at,
            Case.status == "open",
        )
    )
    if case_ids is not None:
        q = q.where(Deadline.case_id.in_(case_ids))
        if owner_role:  # ``|| ''``: not by the role's index (SQLite would take it without stats)
            q = q.where(Deadline.owner_role.concat("") == owner_role)
    elif owner_role:
        q = q.where(Deadline.owner_role == owner_role)
    if clause is not None:
        q = q.where(clause)
    return session.execute(q.order_by(Deadline.due_at).limit(limit)).all()


def my_work(session: Session, user: User, now: datetime, tz: str) -> dict[str, Any]:
    """« Mon travail » of ``user`` sorted for triage: see :func:`.triage.my_work`."""
    from .triage import my_work as triage

    return triage(session, user, now, tz)


def search_cases(
    session: Session,
    clause: Any,
    *,
    search: str | None = None,
    region: str | None = None,
    step: str | None = None,
    state: str | None = None,
    overdue_before: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Case], int]:
    """Cases matching ``clause`` (the user's visibility) and every filter, newest first, and
    how many match, counted up to :data:`worklists.COUNT_CAP` + 1 (see :func:`worklists.case_page`,
    which also pages by key). Search folds case and accents like :func:`repository.list_cases`."""
    page = worklists.case_page(session, clause, search=search, region=region, step=step, state=state,
                               overdue_before=overdue_before, limit=limit, offset=offset)
    return page.cases, page.total


def _overdue_ids_query(now: datetime):
    return worklists.overdue_ids_query(now)


def overdue_case_ids(session: Session, now: datetime, case_ids: list[int]) -> set[int]:
    """Which of ``case_ids`` have a deadline passed in the state they are still in: open, with
    ``next_due_at`` (kept by the triggers of :mod:`mno_workflow.store.next_due`) before ``now``."""
    if not case_ids:
        return set()
    return set(session.scalars(select(Case.id).where(Case.id.in_(case_ids), Case.status == "open",
                                                     Case.next_due_at < now)))


def instance_due(session: Session, inst: StepInstance) -> datetime | None:
    """Due instant of the state ``inst`` is in, if it has a deadline
    (:func:`mno_workflow.store.dues.running_dues` for one instance)."""
    from ..store.dues import running_dues
    return running_dues(session, [inst]).get(inst.id)


# -- provider referrals --------------------------------------------------------------------------------
def recipient_steps(sop) -> list[str]:
    return [sid for sid, st in sop.steps.items() if st.recipient]


def referrals_for(
    session: Session, user: User, steps: list[str], limit: int = 200
) -> list[tuple[StepInstance, Case]]:
    """Referral instances addressed to the user's organisation (sent at least once), newest
    first."""
    rows = session.execute(
        select(StepInstance, Case)
        .join(Case, Case.id == StepInstance.case_id)
        .where(access.referral_clause(user, steps))
        .order_by(StepInstance.entered_at.desc())
        .limit(limit)
        # the consent in force of each row reads the step and state of the case's instances
        .options(selectinload(Case.instances).load_only(StepInstance.step, StepInstance.state))
    ).all()
    return [(i, c) for i, c in rows]


INBOX_PAGE = 50  # referrals per part of the provider inbox (« À traiter », « Historique »)


def provider_todo_states(sop, steps: list[str], role: str = "provider") -> dict[str, set[str]]:
    """For each step of ``steps``: its states, not final, in which ``role`` has a transition of
    its own to fire (BF referral: ``sent``, ``accepted``, ``in_progress``) — the « À traiter »
    part of the inbox. A declined referral waits for the caseworker, not the provider."""
    out: dict[str, set[str]] = {}
    for sid in steps:
        step = sop.steps.get(sid)
        if step is None:
            continue
        out[sid] = {
            st for st, state in step.states.items()
            if not state.final and any(role in tr.by and not tr.internal and st in tr.sources
                                       for tr in step.transitions)
        }
    return out


def inbox_part(
    session: Session, user: User, todo_states: dict[str, set[str]], *, todo: bool,
    after: int | None = None, limit: int | None = None, consent_steps: list[str] | None = None,
) -> tuple[list[tuple[StepInstance, Case]], int | None]:
    """One page of the provider inbox: referral instances addressed to the user's organisation
    that the provider has to deal with (``todo=True``: in a state of ``todo_states`` —
    :func:`provider_todo_states` —, oldest sent first, so none is buried under newer ones) or the
    others, the history (``todo=False``: finished, declined…, newest first).

    ``after`` is the id of the last instance of the previous page (keyset paging on
    ``(entered_at, id)``; an id the user may not see starts from the beginning); ``limit``
    defaults to :data:`INBOX_PAGE`. Returns the rows and the id to pass as ``after`` for the next
    page, or ``None`` when there is none.

    Each case comes with its ``instances`` (the consent in force reads the step and state of its
    consent step's latest one), only their step and state; with ``consent_steps`` only the
    instances of those steps (a page of 50 cases loads ~50 instances instead of ~400): the caller
    must then load the whole collection of a case whose SOP names another consent step
    (:func:`.inbox_batch.full_instances`)."""
    limit = limit or INBOX_PAGE
    clause = access.referral_clause(user, list(todo_states))
    waiting = and_(
        StepInstance.final.is_(False),
        or_(false(), *(and_(StepInstance.step == sid, StepInstance.state.in_(sorted(states)))
                       for sid, states in todo_states.items() if states)),
    )
    q = (
        select(StepInstance, Case)
        .join(Case, Case.id == StepInstance.case_id)
        .where(clause, waiting if todo else not_(waiting))
    )
    mark = None
    if after is not None:
        mark = session.execute(
            select(StepInstance.entered_at, StepInstance.id).where(StepInstance.id == after, clause)
        ).first()
    if todo:
        if mark is not None:
            q = q.where(or_(StepInstance.entered_at > mark[0],
                            and_(StepInstance.entered_at == mark[0], StepInstance.id > mark[1])))
        q = q.order_by(StepInstance.entered_at, StepInstance.id)
    else:
        if mark is not None:
            q = q.where(or_(StepInstance.entered_at < mark[0],
                            and_(StepInstance.entered_at == mark[0], StepInstance.id < mark[1])))
        q = q.order_by(StepInstance.entered_at.desc(), StepInstance.id.desc())
    # ``step || ''``: SQLite (no statistics) would read the step's index, every case's consent rows,
    # instead of each listed case's own rows
    instances = Case.instances.and_(StepInstance.step.concat("").in_(consent_steps)) if consent_steps \
        else Case.instances
    rows = session.execute(
        q.limit(limit + 1).options(selectinload(instances).load_only(StepInstance.step, StepInstance.state))
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return [(i, c) for i, c in rows], (rows[-1][0].id if more else None)


# -- notifications -----------------------------------------------------------------------------------
def notifications(session: Session, user: User, limit: int = 100) -> list[OutboxMessage]:
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.channel == "inapp", OutboxMessage.recipient_user == user.id)
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def unread_count(session: Session, user: User) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.channel == "inapp",
                OutboxMessage.recipient_user == user.id,
                OutboxMessage.read_at.is_(None),
                access.message_clause(user),
            )
        )
        or 0
    )


def mark_read(session: Session, user: User, now: datetime, message_id: int | None = None) -> int:
    q = update(OutboxMessage).where(
        OutboxMessage.channel == "inapp",
        OutboxMessage.recipient_user == user.id,
        OutboxMessage.read_at.is_(None),
    )
    if message_id is not None:
        q = q.where(OutboxMessage.id == message_id)
    return session.execute(q.values(read_at=now)).rowcount or 0


# -- dashboard -----------------------------------------------------------------------------------------
def dashboard(
    session: Session, now: datetime, region: str | None = None, *, with_median: bool = True,
    sop_id: str | None = None,
) -> dict[str, Any]:
    """Aggregates without names: open instances per (step, state), overdue per step, median days
    per finished step (``with_median=False``: left out, ``{}``: it reads every finished step
    instance), referral outcomes per provider and per region. ``sop_id``: the cases of that SOP
    only (every version of it): a second SOP on the same server (another country's) is not
    counted in this one's dashboard (tryout 4, G12)."""
    where = [Case.region == region] if region else []
    if sop_id:
        from ..store.models import SopVersion
        where.append(Case.sop_version_id.in_(select(SopVersion.id).where(SopVersion.sop_id == sop_id)))
    per_state = Counter()
    for step, state, n in session.execute(
        select(StepInstance.step, StepInstance.state, func.count())
        .join(Case, Case.id == StepInstance.case_id)
        .where(StepInstance.final.is_(False), Case.status == "open", *where)
        .group_by(StepInstance.step, StepInstance.state)
    ).all():
        per_state[(step, state)] = n
    overdue = Counter()
    for step, n in session.execute(  # counted by the database, no row loaded
        select(StepInstance.step, func.count())
        .select_from(Deadline)
        .join(StepInstance, StepInstance.id == Deadline.instance_id)
        .join(Case, Case.id == Deadline.case_id)
        .where(
            Deadline.kind == "expiry",
            Deadline.status.in_(worklists.RUNNING),
            Deadline.due_at < now,
            StepInstance.final.is_(False),
            StepInstance.state == Deadline.state,
            StepInstance.entered_at == Deadline.entered_at,
            Case.status == "open",
            *where,
        )
        .group_by(StepInstance.step)
    ).all():
        overdue[step] = n
    durations: dict[str, list[float]] = defaultdict(list)
    for step, started, ended in session.execute(
        select(StepInstance.step, StepInstance.started_at, StepInstance.ended_at)
        .join(Case, Case.id == StepInstance.case_id)
        .where(StepInstance.ended_at.is_not(None), *where)
    ).all() if with_median else ():
        durations[step].append((ended - started).total_seconds() / 86400)
    median = {step: round(statistics.median(v), 1) for step, v in durations.items() if v}
    by_provider: dict[str, Counter] = defaultdict(Counter)
    by_region: dict[str, Counter] = defaultdict(Counter)
    for recipient, state, reg, n in session.execute(
        select(StepInstance.recipient, StepInstance.state, Case.region, func.count())
        .join(Case, Case.id == StepInstance.case_id)
        .where(StepInstance.recipient.is_not(None), *where)
        .group_by(StepInstance.recipient, StepInstance.state, Case.region)
    ).all():
        by_provider[recipient][state] += n
        by_region[reg or "-"][state] += n
    totals = dict(
        session.execute(select(Case.status, func.count()).where(*where).group_by(Case.status)).all()
    )
    return {
        "per_state": per_state,
        "overdue": overdue,
        "median": median,
        "median_n": {step: len(v) for step, v in durations.items()},  # for small-cell suppression
        "by_provider": by_provider,
        "by_region": by_region,
        "totals": totals,
    }


def pseudonym(secret: str, reference: str) -> str:
    """A stable pseudonym of a case reference (HMAC-SHA-256 with the server's secret, 16 hex)."""
    from ..indicators.rows import pseudonym as _pseudonym

    return _pseudonym(secret, reference)


def export_rows(session: Session, *, secret: str, with_names: bool, region: str | None = None,
                include=None, sop=None, now: datetime | None = None, lang: str = "fr",
                restricted: bool = False):
    """Rows for the CSV export, one per case (see :mod:`mno_workflow.indicators.rows`): headers
    and labels in ``lang`` with code columns, sex, age group, region, needs, priorities and the referral
    counts of the SOP's indicators. Without names: the case pseudonym; with names (roles allowed
    to): the reference and the name. ``sop``: the SOP of the indicators (default: the newest
    stored version's). ``include(case) -> bool`` leaves cases out (e.g. consent without the
    ``statistics`` purpose; they stay in the aggregates). ``restricted``: for a role outside the
    case team (:mod:`mno_workflow.indicators.row_protect`)."""
    from ..indicators.rows import rows

    if sop is None:
        from ..sop.loader import load_stored
        from ..store.models import SopVersion

        v = session.scalars(select(SopVersion).order_by(SopVersion.id.desc()).limit(1)).first()
        if v is None:
            return iter([])
        sop = load_stored(v).model
    return rows(session, sop, secret=secret, with_names=with_names, region=region, include=include, now=now,
                lang=lang, restricted=restricted)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (prefixed with ``'``)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text
