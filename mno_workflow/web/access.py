"""Who may see and do what in the web pages and the REST API: one module, used by both.

Roles (``users.role``): the SOP's roles (``caseworker``, ``supervisor``, ``provider``,
``coordinator``) plus two roles of the interface only: ``trainer`` and ``me_officer``.

- caseworker: the cases assigned to them; creates cases.
- supervisor: the cases of their region (every case when they have no region).
- coordinator: every case.
- provider: no case page; only the referral instances addressed to their organisation, once sent,
  and only the fields the consent covers (see ``FIELD_CATEGORIES``).
- trainer: SOP pages and directory; no case.
- me_officer: dashboard and pseudonymised export only; no case page, never a name.

The engine still checks the SOP's own rules (roles per transition, ``assigned`` and ``recipient``
scopes, guards) when a trigger is fired; this module decides what is *shown* and refuses early.

Consent → fields. The consent form's ``data_categories`` (identity, contact, health, protection,
needs) decide which non-shareable fields a provider sees. Fields classified ``shareable`` in the
SOP are always visible. A ``personal`` or ``sensitive`` field is visible only when it is mapped
below to a category the consent lists; an unmapped personal or sensitive field is never shown to
a provider (default deny)::

    identity   identification.first_name, .last_name, .birth_date, .caregiver_name
    contact    identification.phone
    protection identification.vulnerabilities
    health     follow_up.notes (providers never see follow-up forms anyway)
    needs      needs_assessment.needs.description, needs_assessment.summary, referral.reason

Consent counts only when it is given and ``share_with`` includes ``service_provider``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, false, true
from sqlalchemy.sql.elements import ColumnElement

from ..engine.compile import CompiledSOP
from ..engine.engine import Actor
from ..sop.schema import SOP, Classification, FieldType, FormField, Transition
from ..store.models import Case, StepInstance, User

ROLES = ("caseworker", "supervisor", "coordinator", "provider", "trainer", "me_officer")
CASE_ROLES = frozenset({"caseworker", "supervisor", "coordinator"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "work": CASE_ROLES,
    "cases": CASE_ROLES,
    "create_case": frozenset({"caseworker"}),
    "inbox": frozenset({"provider"}),
    "dashboard": frozenset({"me_officer", "supervisor", "coordinator"}),
    "export_names": frozenset({"supervisor", "coordinator"}),
    "sop": frozenset(ROLES),
    "directory": frozenset(ROLES),
    "notifications": frozenset(ROLES),
    "reassign": frozenset({"supervisor", "coordinator"}),
    "person_data": frozenset({"supervisor", "coordinator"}),  # access request: everything on a person
    "directory_edit": frozenset({"coordinator"}),
}

HOME = {
    "caseworker": "/travail",
    "supervisor": "/travail",
    "coordinator": "/travail",
    "provider": "/prestataire",
    "trainer": "/pos",
    "me_officer": "/tableau-de-bord",
}

FIELD_CATEGORIES: dict[str, str] = {
    "identification.first_name": "identity",
    "identification.last_name": "identity",
    "identification.birth_date": "identity",
    "identification.caregiver_name": "identity",
    "identification.phone": "contact",
    "identification.vulnerabilities": "protection",
    "follow_up.notes": "health",
    "needs_assessment.needs.description": "needs",
    "needs_assessment.summary": "needs",
    "referral.reason": "needs",
}


class Forbidden(Exception):
    """The user's role or scope does not allow this (HTTP 403)."""


class NotVisible(Exception):
    """The object does not exist for this user (HTTP 404: do not reveal it exists)."""


def can(user: User | None, permission: str) -> bool:
    return user is not None and user.role in PERMISSIONS.get(permission, frozenset())


def require(user: User | None, permission: str) -> None:
    if not can(user, permission):
        raise Forbidden(permission)


def actor_for(user: User) -> Actor:
    return Actor(user.id, user.role, user.organisation)


# -- cases ------------------------------------------------------------------------------------------
def case_clause(user: User) -> ColumnElement[bool]:
    """SQL condition on ``Case`` selecting the cases ``user`` may open."""
    if user.role == "caseworker":
        return Case.assignee == user.id
    if user.role == "supervisor":
        return Case.region == user.region if user.region else true()
    if user.role == "coordinator":
        return true()
    return false()


def can_view_case(user: User, case: Case) -> bool:
    if user.role == "caseworker":
        return case.assignee == user.id
    if user.role == "supervisor":
        return not user.region or case.region == user.region
    return user.role == "coordinator"


def require_case(user: User, case: Case | None) -> Case:
    """The case if ``user`` may open it; NotVisible (404) otherwise, also for other roles, so the
    existence of a case is not revealed."""
    if case is None or not can_view_case(user, case):
        raise NotVisible()
    return case


# -- referrals (providers) ---------------------------------------------------------------------------
def referral_clause(user: User, sop_recipient_steps: list[str]) -> ColumnElement[bool]:
    """SQL condition on ``StepInstance``: instances addressed to the user's organisation."""
    if user.role != "provider" or not user.organisation:
        return false()
    return and_(StepInstance.recipient == user.organisation, StepInstance.step.in_(sop_recipient_steps))


def can_view_referral(user: User, sop: SOP, case: Case, inst: StepInstance) -> bool:
    if user.role == "provider":
        step = sop.steps.get(inst.step)
        return (
            step is not None
            and step.recipient is not None
            and user.organisation is not None
            and inst.recipient == user.organisation
            and inst.state != step.initial_state
        )
    return can_view_case(user, case)


def consent_categories(case: Case) -> set[str]:
    """Data categories the consent lets the case share with service providers."""
    consent = (case.data or {}).get("consent") or {}
    if consent.get("given") is not True or "service_provider" not in (consent.get("share_with") or []):
        return set()
    return set(consent.get("data_categories") or [])


def field_visible(path: str, f: FormField, categories: set[str] | None) -> bool:
    """``categories`` None means "everything" (case roles); otherwise the provider rule."""
    if categories is None or f.classification == Classification.shareable:
        return True
    cat = FIELD_CATEGORIES.get(path)
    return cat is not None and cat in categories


def filter_form_data(
    sop: SOP, form_id: str, data: dict[str, Any] | None, categories: set[str] | None
) -> dict[str, Any]:
    """``data`` of ``form_id`` without the fields ``categories`` does not cover (repeat groups
    filtered row by row)."""
    form = sop.forms.get(form_id)
    if form is None or not data:
        return {}
    out: dict[str, Any] = {}
    for f in form.fields:
        if f.id not in data:
            continue
        path = f"{form_id}.{f.id}"
        if not field_visible(path, f, categories):
            continue
        if f.type == FieldType.repeat and isinstance(data[f.id], list):
            out[f.id] = [
                {
                    sf.id: row[sf.id]
                    for sf in f.fields or []
                    if sf.id in row and field_visible(f"{path}.{sf.id}", sf, categories)
                }
                for row in data[f.id]
                if isinstance(row, dict)
            ]
        else:
            out[f.id] = data[f.id]
    return out


def name_visible(categories: set[str] | None) -> bool:
    return categories is None or "identity" in categories


# -- actions ------------------------------------------------------------------------------------------
def actions_for(compiled: CompiledSOP, case: Case, inst: StepInstance, user: User) -> list[Transition]:
    """Transitions ``user`` may try now on ``inst`` (roles and scopes; guards are checked when
    fired, with the engine's explanation)."""
    if case.status != "open" or inst.final:
        return []
    sop = compiled.sop
    role = sop.roles.get(user.role)
    if role is None:
        return []
    if user.role == "provider":
        if not can_view_referral(user, sop, case, inst):
            return []
    elif not can_view_case(user, case):
        return []
    if role.scope == "assigned" and case.assignee not in (None, user.id):
        return []
    if role.scope == "recipient" and inst.recipient != user.organisation:
        return []
    cs = compiled.steps[inst.step]
    out: list[Transition] = []
    seen: set[str] = set()
    for trig in cs.triggers_from(inst.state):
        for _, t in cs.candidates(trig, inst.state):
            if user.role in t.by and trig not in seen:
                out.append(t)
                seen.add(trig)
    return out


# -- case tools: extend a deadline, reopen, reassign --------------------------------------------------
def can_extend(compiled: CompiledSOP, case: Case, inst: StepInstance, user: User) -> bool:
    """``user`` may extend the running deadline of ``inst``: the deadline's ``extenders()``
    (``extend_by``, else its escalation role), on an open case they may open."""
    if case.status != "open" or inst.final or not can_view_case(user, case):
        return False
    step = compiled.sop.steps.get(inst.step)
    state = step.states.get(inst.state) if step else None
    return state is not None and state.deadline is not None and user.role in state.deadline.extenders()


def can_reopen(sop: SOP, case: Case, user: User) -> bool:
    """A closed case, a SOP that allows reopening, a role of ``reopen.by``, a case they may open."""
    return (
        case.status == "closed"
        and sop.reopen is not None
        and user.role in sop.reopen.by
        and can_view_case(user, case)
    )


def may_reopen(sop: SOP, user: User) -> bool:
    return sop.reopen is not None and user.role in sop.reopen.by


def can_reassign(user: User, case: Case) -> bool:
    return can(user, "reassign") and case.status == "open" and can_view_case(user, case)


def reassign_targets(session, user: User, region: str | None = None) -> list[User]:
    """Active case managers ``user`` may give cases to: those of ``region`` when given, else of the
    supervisor's region (a coordinator, or a supervisor without region: every case manager)."""
    from sqlalchemy import select

    q = select(User).where(User.role == "caseworker", User.active.is_(True))
    region = region or (user.region if user.role == "supervisor" else None)
    if region:
        q = q.where(User.region == region)
    return list(session.scalars(q.order_by(User.display_name)))
