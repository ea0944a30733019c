"""Writing outbox messages for the people who hold a role on a case, in the caller's transaction.

Recipients follow the SOP role's scope: ``assigned`` → the case's assignee; ``recipient`` → the
users of the organisation a step instance is addressed to; ``reporter`` → the first responder
who filed the case's alert (nobody else holding the role); ``all`` → every active user with the
role the region rule admits (:func:`mno_workflow.web.access.region_admits`: users without region,
and those of the case's region; a case without region is for the users without region only), so
nobody is told about a case they cannot open. Every scope but ``reporter`` also follows the SOP
rule (:func:`mno_workflow.web.access.sop_admits`): a user whose ``sop_id`` names another SOP is
never told (an assignee of another SOP: the coordinators are told instead). A reminder or
escalation for the ``recipient`` of a referral to an organisation that does not use the platform
goes to the case's assignee instead (:mod:`mno_workflow.reminders.offplatform`). Each user gets an
in-app message, plus an e-mail when they have an address, and an SMS when they have a phone
number and chose SMS.
When nobody is left for an ``all`` or ``assigned`` role, the message goes to the coordinators
(those the region rule admits, else every active coordinator: they may open every case), with
``instead_of`` naming the role in its context; when there is no coordinator either, one ``log``
message names the role so that nothing is dropped silently (the log notifier's warning).
Messages carry references, never names or case data
(data protection: law 001-2021/AN, IOM data protection principles).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from .fastsql import Statement
from .models import Alert, Case, OutboxMessage, SopVersion, StepInstance, User

_U = User.__table__
_V = SopVersion.__table__
_PERSON = select(_U.c.id, _U.c.language, _U.c.email, _U.c.phone, _U.c.notify_email, _U.c.notify_sms)
#: the SOP rule on the users' column for the case's SOP version ``:svid``: users without SOP, and
#: those of the case's SOP (the same rule as ``web.access.sop_admits_clause``; tryout 5, H24)
_OF_SOP = or_(_U.c.sop_id.is_(None), _U.c.sop_id == "",
              _U.c.sop_id == select(_V.c.sop_id).where(_V.c.id == bindparam("svid")).scalar_subquery())
# Core statements built once, run on the DB-API cursor (the write path of ``fire``: no ORM
# objects for the people told; store/fastsql.py).
_ACTIVE = _PERSON.where(_U.c.role == bindparam("role"), _U.c.active.is_(True), _OF_SOP)
_BY_ID = Statement(select(*_PERSON.selected_columns, _OF_SOP.label("of_sop"))
                   .where(_U.c.id == bindparam("uid")))
_BY_ORG = Statement(_ACTIVE.where(_U.c.organisation == bindparam("org")).order_by(_U.c.id))
_BY_ROLE = Statement(_ACTIVE.order_by(_U.c.id))
_A = Alert.__table__  # scope reporter: the user who filed the case's alert, never the whole role
_BY_REPORTER = Statement(_PERSON.join(_A, _A.c.reporter == _U.c.id).where(
    _A.c.case_id == bindparam("cid"), _U.c.role == bindparam("role"), _U.c.active.is_(True)))


FALLBACK_ROLE = "coordinator"  #: who is told when nobody holding the role is left (module doc)
FALLBACK_SCOPES = ("all", "assigned")


@cache
def _by_region(with_region: bool) -> Statement:
    """Active users of a role the region rule admits for a case with (``:region``) or without
    region; built on first use (web.access imports the engine, which imports this module)."""
    from ..web.access import region_admits_clause
    where = region_admits_clause(_U.c.region, bindparam("region") if with_region else None)
    return Statement(_ACTIVE.where(where).order_by(_U.c.id))


class Person(NamedTuple):
    """The ``users`` columns a notification needs."""

    id: str
    language: str | None
    email: str | None
    phone: str | None
    notify_email: bool | None
    notify_sms: bool | None


def recipients(session: Session, scope: str, role: str, case: Case,
               inst: StepInstance | None) -> list[tuple[str | None, Any]]:
    """``[(user_id, person or None)]`` for ``role`` on ``case`` under ``scope``; a person has the
    ``users`` columns ``id, language, email, phone, notify_email, notify_sms`` as attributes."""
    conn = getattr(case, "mno_conn", None) or session.connection()  # the engine's Core path keeps it
    svid = case.sop_version_id
    if scope == "assigned":
        if not case.assignee:
            return []
        found = _BY_ID.rows(conn, {"uid": case.assignee, "svid": svid})
        if found and not found[0][-1]:  # an assignee who works in another SOP: told instead
            return []
        return [(case.assignee, Person(*found[0][:-1]) if found else None)]
    if scope == "reporter":  # issue 13: only the first responder who filed this case's alert
        return [(u[0], Person(*u)) for u in _BY_REPORTER.rows(conn, {"role": role, "cid": case.id})]
    if scope == "recipient":
        org = inst.recipient if inst is not None else None
        if not org:
            return []
        rows = _BY_ORG.rows(conn, {"role": role, "org": org, "svid": svid})
    elif scope == "every":  # every active holder of the role of the case's SOP, whatever the region
        rows = _BY_ROLE.rows(conn, {"role": role, "svid": svid})
    elif case.region:
        rows = _by_region(True).rows(conn, {"role": role, "region": case.region, "svid": svid})
    else:
        rows = _by_region(False).rows(conn, {"role": role, "svid": svid})
    return [(u[0], Person(*u)) for u in rows]


def coordinators(session: Session, case: Case) -> list[tuple[str | None, Any]]:
    """The coordinators told instead when nobody holding a role is left: those the region rule
    admits for ``case``, else every active coordinator."""
    return (recipients(session, "all", FALLBACK_ROLE, case, None)
            or recipients(session, "every", FALLBACK_ROLE, case, None))


def enqueue(session: Session, *, case: Case, inst: StepInstance | None, role: str, scope: str,
            kind: str, template: str, context: dict[str, Any], now: datetime,
            deadline_id: int | None = None, late: bool = False,
            cache: dict | None = None, rows: list[dict] | None = None,
            fallback: bool = True) -> list[OutboxMessage]:
    """Add the messages of one notification for ``role`` (see module doc); returns them.

    ``cache`` (a dict kept for one batch, e.g. one sweep) saves looking the same people up again.
    ``rows``: append the messages to it as column dicts instead (for one ``INSERT`` executemany
    by the caller, e.g. the sweeper), and return ``[]``. For a case of the engine's Core write path
    (:class:`mno_workflow.engine.corewrite.CaseRow`) the rows go to its ``new_outbox`` (written with
    the case) and are returned as column dicts. ``fallback`` False: no coordinator instead (a role
    name the SOP does not define: the log message names the problem)."""
    out: list[OutboxMessage] = []
    if scope == "recipient" and kind in ("reminder", "escalation"):
        # an off-platform provider: its case manager chases it by phone (reminders/offplatform.py)
        from ..reminders.offplatform import redirect
        role, scope, context = redirect(session, case, inst, role, scope, kind, context, cache)
    if kind == "escalation" and inst is not None and inst.recipient and context.get("owner_role"):
        # to the supervisor: the case manager must call the off-platform provider (reminders/offplatform.py)
        from ..reminders.offplatform import mark_escalation
        context = mark_escalation(session, case, inst, scope, kind, context, cache)
    common = dict(case_id=case.id, deadline_id=deadline_id, kind=kind, recipient_role=role,
                  template=template, context=context, status="pending", attempts=0,
                  next_attempt_at=now, created_at=now, late=late)
    key = (scope, role, case.sop_version_id, case.assignee if scope == "assigned" else None,
           inst.recipient if scope == "recipient" and inst is not None else None,
           # the region: of the people (``all``) or of the coordinators told instead (no assignee)
           case.region if scope == "all" or (scope == "assigned" and not case.assignee)
           else (case.id if scope == "reporter" else None))
    people = cache.get(key) if cache is not None else None
    instead = bool(cache.get(("instead", key))) if cache is not None else False
    if people is None:
        people = recipients(session, scope, role, case, inst)
        if not people and fallback and scope in FALLBACK_SCOPES:
            people, instead = coordinators(session, case), True
        if cache is not None:
            cache[key], cache[("instead", key)] = people, instead
    if instead and people:  # told as coordinators (their links: the case page), naming the role
        common.update(recipient_role=FALLBACK_ROLE, context={**context, "instead_of": role})
    messages: list[dict[str, Any]] = []
    for user_id, user in people:
        lang = user.language if user else "fr"
        messages.append({"channel": "inapp", "recipient_user": user_id, "lang": lang})
        if user is not None and user.email and user.notify_email is not False:
            messages.append({"channel": "email", "recipient_user": user_id, "lang": lang,
                             "recipient_address": user.email})
        if user is not None and user.phone and user.notify_sms:
            messages.append({"channel": "sms", "recipient_user": user_id, "lang": lang,
                             "recipient_address": user.phone})
    if not people:
        messages.append({"channel": "log", "recipient_user": None, "lang": "fr"})
    if rows is not None:  # plain rows for one executemany (same keys in every row)
        rows.extend({"recipient_address": None, **common, **m} for m in messages)
        return out
    if type(case).__name__ == "CaseRow":  # the engine's Core write path: written with the case
        made = [{"recipient_address": None, **common, **m} for m in messages]
        case.new_outbox.extend(made)
        return made  # type: ignore[return-value]
    out = [OutboxMessage(**common, **m) for m in messages]
    session.add_all(out)
    return out
