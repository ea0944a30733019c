"""What a user may do on a case: the transitions offered on a step instance (:func:`actions_for`)
and the case tools (extend a deadline, reopen, correct, reassign and to whom)."""

from __future__ import annotations

from collections.abc import Iterable

from ...engine.compile import CompiledSOP
from ...engine.reassign_rules import fits, may_reassign
from ...protection import ProviderView
from ...sop.schema import SOP, Transition
from ...store.models import Case, StepInstance, User
from .provider import can_view_referral
from .region import can_view_case
from .roles import can


def actions_for(compiled: CompiledSOP, case: Case, inst: StepInstance, user: User,
                view: ProviderView | None = None) -> list[Transition]:
    """Transitions ``user`` may try now on ``inst`` (roles and scopes; guards are checked when
    fired, with the engine's explanation). A provider has none when ``view`` (its
    :func:`provider_view`) refuses disclosure: consent withdrawn or expired, declined, closed."""
    if case.status != "open":
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
            if inst.final and not t.internal:  # a done step: only its edits (rectification, L5)
                continue
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
    """A closed case whose data were not erased (L9), a SOP that allows reopening, a role of
    ``reopen.by``, a case they may open."""
    return (
        case.status == "closed"
        and case.purged_at is None
        and sop.reopen is not None
        and user.role in sop.reopen.by
        and can_view_case(user, case)
    )


def can_correct(case: Case, user: User) -> bool:
    """The coordination may correct a step's state of an open case it may open (audited)."""
    return case.status == "open" and can(user, "correct") and can_view_case(user, case)


def may_reopen(sop: SOP, user: User) -> bool:
    return sop.reopen is not None and user.role in sop.reopen.by


def can_reassign(user: User, case: Case, sop: SOP) -> bool:
    """An open case ``user`` may open, a role that may reassign under the case's SOP ``sop``
    (:func:`~mno_workflow.engine.reassign_rules.may_reassign`: the form is not offered to a role
    the engine would refuse, tryout 8, K3)."""
    return (can(user, "reassign") and case.status == "open" and may_reassign(sop, user.role)
            and can_view_case(user, case))


def reassign_targets(session, user: User, cases: Iterable[tuple[str | None, str | None]]) -> list[User]:
    """Active case managers ``user`` may give at least one of ``cases`` to (``(SOP id, region)``
    each; :func:`~mno_workflow.engine.reassign_rules.fits`: of the case's SOP, of its region when it
    has one — never one without region for a case with one, tryout 8, K2), of the supervisor's
    region (a coordinator, or a supervisor without region: every region) and of ``user``'s SOP
    when the account has one."""
    from sqlalchemy import or_, select

    wanted = set(cases)
    if not wanted:
        return []
    q = select(User).where(User.role == "caseworker", User.active.is_(True))
    if sop_id := getattr(user, "sop_id", None):
        q = q.where(or_(User.sop_id.is_(None), User.sop_id == "", User.sop_id == sop_id))
    if user.role == "supervisor" and user.region:
        q = q.where(User.region == user.region)
    return [u for u in session.scalars(q.order_by(User.display_name))
            if any(fits(u, sop, region) for sop, region in wanted)]
