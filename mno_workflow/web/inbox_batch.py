"""Look-ups of the provider inbox read once per page instead of once per row (issue 15: at
1,000,000 cases the inbox shows two full parts of 50 referrals; one statement per row for the due
date, the referrer and its user cost ~300 statements and most of the page's CPU time).

Each function gives, for all rows of a page, what its per-row counterpart gives for one:
:func:`dues` (:func:`mno_workflow.store.dues.running_dues`), :func:`referrers` as :func:`.access.referrer`
(the same rule: nothing unless the referral is visible and the consent in force covers it).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..store.dues import running_dues
from ..store.models import AuditEvent, Case, StepInstance, User
from . import access

CHUNK = 500  # ids per IN (…): well under SQLite's bound parameters limit


def _chunks(ids: list[Any]) -> Iterable[list[Any]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def dues(session: Session, insts: Iterable[StepInstance]) -> dict[int, datetime | None]:
    """:func:`mno_workflow.store.dues.running_dues` (the one rule of a step's current deadline)."""
    return running_dues(session, insts)


def referrers(session: Session, user: User,
              rows: Iterable[tuple[Any, Case, StepInstance, Any]]) -> dict[int, dict[str, str] | None]:
    """``{instance id: {"name", "organisation", "phone"} or None}`` for ``rows`` of ``(sop, case,
    inst, view)``: the last case-side user who fired a transition of the referral (see
    :func:`.access.referrer`), read in one statement for the cases of the page (their ``fire``
    events of the listed steps by a case role, ``audit_events (case_id, seq)``) and one for the
    users."""
    shown = [(case, inst) for sop, case, inst, view in rows
             if view.personal and access.can_view_referral(user, sop, case, inst)]
    out: dict[int, dict[str, str] | None] = {}
    if not shown:
        return out
    keys = {(case.id, inst.step, inst.key) for case, inst in shown}
    steps = sorted({k[1] for k in keys})
    last: dict[tuple[int, str, str], tuple[int, str, str | None]] = {}
    for chunk in _chunks(sorted({k[0] for k in keys})):
        for case_id, step, key, seq, actor, org in session.execute(
            select(AuditEvent.case_id, AuditEvent.step, AuditEvent.instance_key, AuditEvent.seq,
                   AuditEvent.actor, AuditEvent.organisation)
            .where(AuditEvent.case_id.in_(chunk), AuditEvent.action == "fire",
                   AuditEvent.step.in_(steps), AuditEvent.role.in_(tuple(access.CASE_ROLES)))
        ):
            k = (case_id, step, key)
            if k in keys and seq > last.get(k, (-1,))[0]:
                last[k] = (seq, actor, org)
    actors = sorted({a for _s, a, _o in last.values() if a})
    users = {u.id: u for chunk in _chunks(actors)
             for u in session.scalars(select(User).where(User.id.in_(chunk)))}
    for case, inst in shown:
        ev = last.get((case.id, inst.step, inst.key))
        if ev is None:
            out[inst.id] = None
            continue
        _seq, actor, org = ev
        who = users.get(actor)
        out[inst.id] = {
            "name": who.display_name if who else actor,
            "organisation": (who.organisation if who and who.organisation else org) or "",
            "phone": (who.phone or "") if who else "",
        }
    return out


def full_instances(session: Session, case: Case) -> None:
    """Load the whole ``instances`` collection of ``case`` (ordered by id), replacing one loaded
    for the consent steps only (:func:`.queries.inbox_part` with ``consent_steps``)."""
    set_committed_value(case, "instances", list(session.scalars(
        select(StepInstance).where(StepInstance.case_id == case.id).order_by(StepInstance.id))))
