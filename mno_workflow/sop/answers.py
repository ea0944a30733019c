"""Which answers of a recipient organisation an SOP lets someone else record in its place.

A referral step (``recipient:``) waits in a state for the receiving organisation's focal point
(a role with ``scope: recipient``) to accept, decline or report delivery. An organisation that
does not use the platform (``uses_platform`` other than ``yes`` in the directory, or nobody
active there) never fires those transitions: its answer comes by phone or visit, and the case
manager records it — but only through a transition of a non-recipient role that reaches the
same state (the BF SOP's ``record_acceptance``, ``record_decline``, ``record_delivery``). An
SOP without them leaves such a referral waiting until its deadline runs out (tryout 8, K12).

Read by lint W119 (:mod:`.checks.on_behalf`), the send form's mark, the warning after a send and
the case page (« suivi par le gestionnaire »). Pure functions of the SOP model: no database.
"""

from __future__ import annotations

from .schema import SOP, Transition


def answering_roles(sop: SOP) -> set[str]:
    """The roles that answer referrals: ``scope: recipient`` (« point focal du prestataire »)."""
    return {r for r, role in sop.roles.items() if role.scope == "recipient"}


def _from(t: Transition, state: str) -> bool:
    return state in t.sources or "*" in t.sources


def unrecordable_answers(sop: SOP, step_id: str, state: str) -> list[Transition]:
    """The transitions out of ``state`` of step ``step_id`` that only an answering role may fire
    and whose destination no transition of another role from ``state`` reaches: answers of an
    organisation off the platform that nobody can record ([] for a step without ``recipient``,
    an unknown step or state, or an SOP recording every answer in the provider's place)."""
    step = sop.steps.get(step_id)
    if step is None or not step.recipient or state not in step.states:
        return []
    answering = answering_roles(sop)
    outs = [t for t in step.transitions if _from(t, state) and t.dest and t.dest != state]
    recorded = {t.dest for t in outs if set(t.by) - answering}
    return [t for t in outs if set(t.by) <= answering and t.dest not in recorded]


def sent_states(sop: SOP, step_id: str) -> list[str]:
    """The states a referral of step ``step_id`` enters when its recipient organisation is
    recorded (transitions carrying the form of the step's ``recipient:``), in SOP order."""
    step = sop.steps.get(step_id)
    if step is None or not step.recipient:
        return []
    form_id = step.recipient.split(".", 1)[0]
    return list(dict.fromkeys(t.dest for t in step.transitions if t.dest and form_id in t.forms))


def waiting_states(sop: SOP, step_id: str) -> list[str]:
    """The states of step ``step_id`` reachable from a sent state (:func:`sent_states`, them
    included) that are not final: where a referral waits for its organisation's answers."""
    step = sop.steps.get(step_id)
    if step is None:
        return []
    seen, todo = [], list(sent_states(sop, step_id))
    while todo:
        st = todo.pop(0)
        if st in seen or st not in step.states:
            continue
        seen.append(st)
        todo += [t.dest for t in step.transitions if _from(t, st) and t.dest]
    return [st for st in step.states if st in seen and not step.states[st].final]
