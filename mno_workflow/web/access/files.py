"""Files attached to a step and referral notes: who may read them, add them, and whether the
provider a referral is addressed to may be told of a new note."""

from __future__ import annotations

from ...sop.schema import SOP
from ...store.models import Case, StepInstance, User
from .provider import can_view_referral, provider_view
from .region import can_view_case
from .roles import CASE_ROLES


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


def readable_notes(session, user: User, sop: SOP, case: Case, inst: StepInstance, notes: list) -> list:
    """The ``notes`` of referral ``inst`` ``user`` may read (the caller checked
    :func:`can_use_notes`): a provider only those written while the referral was addressed to its
    organisation — never the exchange of the organisation that declined it before a re-referral
    (tryout 4, G9; :func:`mno_workflow.engine.addressed.addressed_at`); case roles all of them."""
    if user.role != "provider":
        return notes
    from ...engine import addressed

    found = addressed.addressings(session, sop, case, inst)
    return [n for n in notes if addressed.addressed_at(found, n.at) == user.organisation]


def recipient_may_read(session, sop: SOP, case: Case, inst: StepInstance, now) -> bool:
    """Whether the organisation referral ``inst`` is addressed to may read its data (and notes)
    now: sent to it and the consent in force covering it (so it may be told of a new note)."""
    step = sop.steps.get(inst.step)
    if step is None or not step.recipient or not inst.recipient or inst.state == step.initial_state:
        return False
    return provider_view(session, sop, case, inst, now).personal
