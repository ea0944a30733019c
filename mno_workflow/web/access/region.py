"""The region rule, the SOP rule and the cases a user may open: :func:`region_admits` and
:func:`sop_admits` (in Python and as SQL), the case and in-app message conditions of the lists,
:func:`can_view_case` for one case."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from ...store.models import Case, OutboxMessage, SopVersion, User
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


def sop_admits(user_sop: str | None, case_sop: str | None) -> bool:
    """The SOP rule, beside the region rule on every path (tryout 5, H24): a user whose ``sop_id``
    is set works in that SOP only — its cases, its alerts, its messages, never another SOP's; a
    user without SOP (every account before revision 0040) in every SOP."""
    return not user_sop or user_sop == case_sop


def account_admits(admin_sop: str | None, account_sop: str | None) -> bool:
    """The SOP rule on the administration of accounts (tryout 7, J3): a coordinator whose
    ``sop_id`` is set manages (sees, ends the sessions of, revokes the tokens of, deactivates) the
    accounts of that SOP only — never another SOP's, nor those working in every SOP (a national
    coordinator among them); a coordinator without SOP manages every account."""
    return not admin_sop or admin_sop == account_sop


def sop_admits_clause(user_sop: Any, sop_version_id: Any) -> ColumnElement[bool]:
    """:func:`sop_admits` as SQL, either way round: for one user's SOP ``user_sop`` (a value:
    ``None`` or ``""`` admits every case) on a column of SOP version ids (``cases.sop_version_id``);
    or on the users' ``sop_id`` column for one case's SOP version ``sop_version_id`` (a value or a
    bound parameter)."""
    if user_sop is None or isinstance(user_sop, str):  # one user: on the cases' column
        if not user_sop:
            return true()
        return sop_version_id.in_(select(SopVersion.id).where(SopVersion.sop_id == user_sop))
    case_sop = select(SopVersion.sop_id).where(SopVersion.id == sop_version_id).scalar_subquery()
    return or_(user_sop.is_(None), user_sop == "", user_sop == case_sop)


def case_sop(case: Any) -> str | None:
    """The SOP id of ``case`` (its version's)."""
    version = getattr(case, "sop_version", None)
    return version.sop_id if version is not None else None


# -- cases ------------------------------------------------------------------------------------------
def case_clause(user: User) -> ColumnElement[bool]:
    """SQL condition on ``Case`` selecting the cases ``user`` may open: by role, region, and the
    user's SOP (:func:`sop_admits`)."""
    if user.role == "caseworker":
        by_role: ColumnElement[bool] = Case.assignee == user.id
    elif user.role == "supervisor":
        by_role = region_admits_clause(user.region, Case.region)
    elif user.role == "coordinator":
        by_role = true()
    else:
        return false()
    if not getattr(user, "sop_id", None):
        return by_role
    return and_(by_role, sop_admits_clause(user.sop_id, Case.sop_version_id))


def message_clause(user: User) -> ColumnElement[bool]:
    """SQL condition on ``OutboxMessage``: the in-app messages ``user`` is shown — for the case
    roles, those about no case or about a case they may open (a message written before the region
    rule, or before the case moved region or was reassigned, never links to a 404)."""
    if user.role not in CASE_ROLES or (user.role == "coordinator" and not getattr(user, "sop_id", None)):
        return true()
    return or_(OutboxMessage.case_id.is_(None),
               exists().where(Case.id == OutboxMessage.case_id, case_clause(user)))


def can_view_case(user: User, case: Case) -> bool:
    """``user`` may open ``case``: the SOP rule, then by role (see :func:`case_clause`)."""
    if getattr(user, "sop_id", None) and not sop_admits(user.sop_id, case_sop(case)):
        return False
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
