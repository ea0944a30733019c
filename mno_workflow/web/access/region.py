"""The region rule and the cases a user may open: :func:`region_admits` (in Python and as SQL), the
case and in-app message conditions of the lists, :func:`can_view_case` for one case."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, false, or_, true
from sqlalchemy.sql.elements import ColumnElement

from ...store.models import Case, OutboxMessage, User
from .roles import CASE_ROLES, NotVisible


def region_admits(user_region: str | None, case_region: str | None) -> bool:
    """The region rule, one for every path (case pages and lists, notifications, e-mails, digests,
    escalations): a user with a region is concerned by the cases of that region only, never by a
    case without region; a user without region by every case, those without region included. So
    a case whose region is empty is for the users without region (and coordinators, who may open
    every case: :func:`can_view_case`)."""
    return not user_region or user_region == case_region


def region_admits_clause(user_region: Any, case_region: Any) -> ColumnElement[bool]:
    """:func:`region_admits` as SQL, either way round: on a users' region column ``user_region``
    for one case's region (a value or a bound parameter; ``None``: a case without region), or on
    a column of case regions ``case_region`` (``cases.region``, the deadlines' copy of it) for one
    user's region (a value: ``None`` or ``""`` admits every case)."""
    if user_region is None or isinstance(user_region, str):  # one user: on the cases' column
        return true() if not user_region else case_region == user_region
    without = or_(user_region.is_(None), user_region == "")
    return without if case_region is None else or_(without, user_region == case_region)


# -- cases ------------------------------------------------------------------------------------------
def case_clause(user: User) -> ColumnElement[bool]:
    """SQL condition on ``Case`` selecting the cases ``user`` may open."""
    if user.role == "caseworker":
        return Case.assignee == user.id
    if user.role == "supervisor":
        return region_admits_clause(user.region, Case.region)
    if user.role == "coordinator":
        return true()
    return false()


def message_clause(user: User) -> ColumnElement[bool]:
    """SQL condition on ``OutboxMessage``: the in-app messages ``user`` is shown — for the case
    roles, those about no case or about a case they may open (a message written before the region
    rule, or before the case moved region or was reassigned, never links to a 404)."""
    if user.role not in CASE_ROLES or user.role == "coordinator":
        return true()
    return or_(OutboxMessage.case_id.is_(None),
               exists().where(Case.id == OutboxMessage.case_id, case_clause(user)))


def can_view_case(user: User, case: Case) -> bool:
    if user.role == "caseworker":
        return case.assignee == user.id
    if user.role == "supervisor":
        return region_admits(user.region, case.region)
    return user.role == "coordinator"


def require_case(user: User, case: Case | None) -> Case:
    """The case if ``user`` may open it; NotVisible (404) otherwise, also for other roles, so the
    existence of a case is not revealed."""
    if case is None or not can_view_case(user, case):
        raise NotVisible()
    return case
