"""Who may see and do what in the web pages and the REST API: one module, used by both.

Roles (``users.role``): the SOP's roles (``caseworker``, ``supervisor``, ``provider``,
``coordinator``) plus two roles of the interface only: ``trainer`` and ``me_officer``.

- caseworker: the cases assigned to them; creates cases.
- supervisor: the cases of their region (every case when they have no region). A case without
  region is seen by the supervisors without region and the coordinators only: the region rule,
  :func:`region_admits`, which every path that chooses who is told follows too (outbox
  receivers, digests, escalations, « Mon travail »).
- coordinator: every case.
- provider: no case page; only the referral instances addressed to their organisation, once sent,
  and only the fields the consent in force covers (see "Consent → fields" below).
- trainer: SOP pages and directory (public form: no staff contacts); no case.
- me_officer: dashboard and pseudonymised export only; no case page, never a name; the directory
  in its public form.
- sop_author: the SOP workbench, SOP pages and the directory in its public form.
- first_responder (SOP ``scope: reporter``): files alerts and sees their status ("Mes
  signalements": received, taken up, closed, with dates); no case page, no directory, no SOP
  documents (they print the directory's contacts and case figures), no dashboard
  (:mod:`mno_workflow.engine.alerts`).

The engine still checks the SOP's own rules (roles per transition, ``assigned`` and ``recipient``
scopes, guards) when a trigger is fired; this module decides what is *shown* and refuses early.

Consent → fields. What a provider sees is decided by :mod:`mno_workflow.protection`: the consent
in force (given, not expired, not withdrawn; or overridden) must cover the provider
organisation's directory type for the referral purpose, the referral must not be in one of the
SOP's ``withhold_in_states`` (declined) and the case must be open or closed for less than
``provider_access_after_closure``. Then the consent's ``data_categories`` decide which personal
or sensitive fields are shown: each field's ``category:`` in the SOP. Fields classified
``shareable`` are always visible; a personal or sensitive field without category is never shown
to a provider (default deny). Otherwise the provider sees the reference and the state only, and
has no action.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, false, or_, true
from sqlalchemy.sql.elements import ColumnElement

from .. import protection
from ..engine.compile import CompiledSOP
from ..engine.engine import Actor
from ..protection import ProviderView
from ..sop.schema import SOP, Classification, FieldType, FormField, Transition
from ..store.models import Case, OutboxMessage, StepInstance, User

ROLES = ("caseworker", "supervisor", "coordinator", "provider", "trainer", "me_officer", "sop_author",
         "first_responder")
CASE_ROLES = frozenset({"caseworker", "supervisor", "coordinator"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "work": CASE_ROLES,
    "cases": CASE_ROLES,
    "create_case": frozenset({"caseworker"}),
    "inbox": frozenset({"provider"}),
    "dashboard": frozenset({"me_officer", "supervisor", "coordinator"}),
    "export_names": frozenset({"supervisor", "coordinator"}),
    # SOP pages and documents print the directory (staff contacts: directory_contacts) and case figures
    "sop": frozenset(ROLES) - {"first_responder"},
    "directory": frozenset(ROLES) - {"first_responder"},  # no directory personal data (contacts)
    "alerts": frozenset({"first_responder"}),  # file alerts, "Mes signalements" (routes/alerts.py)
    "notifications": frozenset(ROLES),
    "reassign": frozenset({"supervisor", "coordinator"}),
    "person_data": frozenset({"supervisor", "coordinator"}),  # access request: everything on a person
    "directory_edit": frozenset({"coordinator"}),
    # staff's personal contacts (names, e-mails, phones of people, focal points' accounts): else the
    # public form, directory/public.py. Need-to-know (law 001-2021/AN, docs/audit.md "Who sees the
    # directory's staff contacts"): the roles that refer or answer referrals; not trainer (fictitious
    # data), me_officer (aggregates), sop_author (organisations and services, not staff phones).
    "directory_contacts": CASE_ROLES | {"provider"},
    "access_log": frozenset({"coordinator"}),
    "correct": frozenset({"coordinator"}),  # correct a step's state (engine/correct.py CORRECT_ROLES)
    "sop_workbench": frozenset({"coordinator", "sop_author"}),  # SOP drafts, publication, migration
    "outbox_log": frozenset({"coordinator"}),  # cancelled, stale and dead messages with their reason
    "own_access": frozenset(ROLES),  # one's own API tokens and sessions, channel preferences
    "user_admin": frozenset({"coordinator"}),  # every user's sessions and tokens, deactivation
    "sandbox_reset": frozenset({"trainer"}),  # reset the practice sandbox (web/sandbox_reset.py)
}

HOME = {
    "caseworker": "/travail",
    "supervisor": "/travail",
    "coordinator": "/travail",
    "provider": "/prestataire",
    "trainer": "/pos",
    "me_officer": "/tableau-de-bord",
    "sop_author": "/pos/atelier",
    "first_responder": "/signalements",
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
    """The engine actor of ``user``, with the path (``web``/``api``) and client address of the
    request being served (web/trace.py), recorded in the audit events it writes."""
    from .trace import current
    via, origin = current()
    return Actor(user.id, user.role, user.organisation, via=via, os_user=origin)


# -- the region rule --------------------------------------------------------------------------------
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


def provider_view(session, sop: SOP, case: Case, inst: StepInstance, now) -> ProviderView:
    """What the recipient organisation of ``inst`` may see and do at ``now`` (see the module doc):
    the organisation's type comes from the directory (not checked when the directory is empty)."""
    from ..directory import organisation_type

    org_type = organisation_type(session, inst.recipient) if inst.recipient else ""
    return protection.provider_view(sop, case, inst, org_type, now)


def consent_categories(view: ProviderView) -> set[str]:
    """Data categories the provider may see under ``view`` (empty: nothing personal)."""
    return set(view.categories) if view.personal else set()


def field_visible(path: str, f: FormField, categories: set[str] | None) -> bool:
    """``categories`` None means "everything" (case roles); otherwise the provider rule: the
    field's SOP ``category`` must be one of ``categories`` (``path`` kept for callers)."""
    if categories is None or f.classification == Classification.shareable:
        return True
    return f.category is not None and f.category in categories


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


def filter_item(sop: SOP, inst: StepInstance, categories: set[str] | None) -> dict[str, Any]:
    """The need (row of the ``for_each`` repeat group) a referral is for, without the sub-fields
    ``categories`` does not cover."""
    fe = getattr(sop.steps.get(inst.step), "instances", None)
    if not inst.item or not hasattr(fe, "for_each"):
        return {}
    form_id, field_id = fe.for_each.split(".")
    group = next((f for f in sop.forms[form_id].fields if f.id == field_id), None)
    if group is None:
        return {}
    return {sf.id: inst.item[sf.id] for sf in group.fields or []
            if sf.id in inst.item and field_visible(f"{form_id}.{field_id}.{sf.id}", sf, categories)}


def name_visible(categories: set[str] | None) -> bool:
    return categories is None or "identity" in categories


def visible_timeline(user: User, inst: StepInstance | None, items: list[dict[str, Any]],
                     events: list[Any]) -> list[dict[str, Any]]:
    """Timeline ``items`` (one per audit event of ``events``, same order) as ``user`` may see
    them: a provider sees only the events of its own referral ``inst``, with the names of people
    of other organisations removed; other roles see everything they may open."""
    if user.role != "provider":
        return items
    out = []
    for item, ev in zip(items, events, strict=True):
        if inst is None or ev.step != inst.step or ev.instance_key != inst.key:
            continue
        if ev.organisation != user.organisation:
            item = {**item, "actor": "", "comment": ""}  # another side's words stay theirs
        out.append(item)
    return out


# -- actions ------------------------------------------------------------------------------------------
def actions_for(compiled: CompiledSOP, case: Case, inst: StepInstance, user: User,
                view: ProviderView | None = None) -> list[Transition]:
    """Transitions ``user`` may try now on ``inst`` (roles and scopes; guards are checked when
    fired, with the engine's explanation). A provider has none when ``view`` (its
    :func:`provider_view`) refuses disclosure: consent withdrawn or expired, declined, closed."""
    if case.status != "open" or inst.final:
        return []
    if user.role == "provider" and view is not None and not view.actions:
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


def can_correct(case: Case, user: User) -> bool:
    """The coordination may correct a step's state of an open case it may open (audited)."""
    return case.status == "open" and can(user, "correct") and can_view_case(user, case)


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


def referrer(session, user: User, sop: SOP, case: Case, inst: StepInstance,
             view: ProviderView) -> dict[str, str] | None:
    """Who referred: ``{"name", "organisation", "phone"}`` of the last case-side user who acted on
    the referral ``inst`` (the one who sent it), for the provider ``user`` it is addressed to.

    Shown under the same rule as the person's data: the referral visible to the provider
    (:func:`can_view_referral`) and the consent in force covering it (``view.personal``); None
    otherwise (a withdrawn consent or a declined referral shows neither the person nor the
    referrer's contact)."""
    from sqlalchemy import select

    from ..store.models import AuditEvent

    if not view.personal or not can_view_referral(user, sop, case, inst):
        return None
    ev = session.execute(  # two columns, not the signed event (one look-up per inbox row)
        select(AuditEvent.actor, AuditEvent.organisation)
        .where(AuditEvent.case_id == case.id, AuditEvent.step == inst.step,
               AuditEvent.instance_key == inst.key, AuditEvent.action == "fire",
               AuditEvent.role.in_(tuple(CASE_ROLES)))
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    if ev is None:
        return None
    who = session.get(User, ev.actor)
    return {
        "name": who.display_name if who else ev.actor,
        "organisation": (who.organisation if who and who.organisation else ev.organisation) or "",
        "phone": (who.phone or "") if who else "",
    }


def can_see_attachments(session, user: User, sop: SOP, case: Case, inst: StepInstance, now) -> bool:
    """Files attached to ``inst`` follow the rules of the step's data: a case role who may open
    the case; a provider only on its own referral, with the consent in force covering it
    (``provider_view(...).personal``, as for the person's data)."""
    if user.role in CASE_ROLES:
        return can_view_case(user, case)
    if user.role == "provider":
        if not can_view_referral(user, sop, case, inst):
            return False
        return provider_view(session, sop, case, inst, now).personal
    return False


def can_add_attachment(user: User, case: Case) -> bool:
    """Case roles who may open the case, while it is open and not erased."""
    return user.role in CASE_ROLES and can_view_case(user, case) and case.status == "open" \
        and case.purged_at is None


def can_use_notes(session, user: User, sop: SOP, case: Case, inst: StepInstance, now) -> bool:
    """Referral notes (read and write) on a referral instance ``inst`` (a step with a recipient):
    the case side who may open the case; the provider it is addressed to while the consent in
    force covers the referral (notes may hold personal data, like the referral's own fields)."""
    if not sop.steps[inst.step].recipient:
        return False
    return can_see_attachments(session, user, sop, case, inst, now)


def recipient_may_read(session, sop: SOP, case: Case, inst: StepInstance, now) -> bool:
    """Whether the organisation referral ``inst`` is addressed to may read its data (and notes)
    now: sent to it and the consent in force covering it (so it may be told of a new note)."""
    step = sop.steps.get(inst.step)
    if step is None or not step.recipient or not inst.recipient or inst.state == step.initial_state:
        return False
    return provider_view(session, sop, case, inst, now).personal
