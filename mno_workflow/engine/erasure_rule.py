"""The rule of an erasure at the person's request (tryout 9, L9): who may ask it, and only on a
closed case — the same checks for the CLI (``mno case erase``), the case page and the API.

An open case keeps referrals a provider has to answer, deadlines and reminders: erasing its data
would leave them running for a person whose data are gone. So erasure of an open case is refused,
nothing written, and the refusal says how the SOP closes a case (the step of a ``close_case`` flow
rule, its actions towards the closing state and their roles). A case whose data were erased is
not reopened either (:meth:`~mno_workflow.engine.case_changes.CaseChangesMixin.reopen`): a person who
comes back gets a new case. Cases erased while open by an older version are made harmless where
they would still act: no reminder (:mod:`mno_workflow.reminders.sweep_bulk`), no message
(:mod:`mno_workflow.reminders.recheck`), no task or action for the provider
(:func:`mno_workflow.protection.provider.provider_view`): :func:`erased_while_open`.
"""

from __future__ import annotations

from typing import Any

from ..sop.schema import SOP
from .errors import (
    CaseOpen,
    Joined,
    Labels,
    Message,
    RoleNotAllowed,
    UnknownTrigger,
    role_label,
    role_labels,
)


def erased_while_open(case: Any) -> bool:
    """Whether ``case`` is open although its personal data were erased (an erasure of an open case
    made before erasure required a closed case, tryout 9, L9)."""
    return getattr(case, "status", None) == "open" and getattr(case, "purged_at", None) is not None


def check_eraser(sop: SOP, role: str) -> None:
    """Raise UnknownTrigger (the SOP has no ``retention:``) or RoleNotAllowed (``role`` is not one
    of ``retention.erase_by``, the allowed roles named)."""
    if sop.retention is None:
        raise UnknownTrigger(Message.t(
            "La POS de ce dossier n'a pas de règle de conservation (retention)."))
    if role not in sop.retention.erase_by:
        raise RoleNotAllowed(Message.t(
            "Le rôle « {role} » ne peut pas effacer les données d'une personne (rôles : {allowed}).",
            role=role_label(sop, role), allowed=role_labels(sop, sop.retention.erase_by)))


def may_erase(sop: SOP, role: str) -> bool:
    """Whether ``role`` is one of the SOP's ``retention.erase_by``."""
    return sop.retention is not None and role in sop.retention.erase_by


def refuse_open(sop: SOP, case: Any) -> None:
    """Raise CaseOpen when ``case`` is open: close it first (:func:`how_to_close`)."""
    if case.status == "open":
        raise CaseOpen(open_refusal(sop, case))


def open_refusal(sop: SOP, case: Any) -> Message:
    """« Le dossier … est encore ouvert : clôturez-le d'abord (étape « Clôture du dossier » : …),
    puis effacez … » in the reader's language."""
    how = how_to_close(sop, case)
    if how is None:
        return Message.t(
            "Le dossier {reference} est encore ouvert : clôturez-le d'abord, puis effacez les données "
            "de la personne. Effacées sur un dossier ouvert, ses référencements, délais et rappels "
            "continueraient sans elles.", reference=case.reference)
    step, actions = how
    return Message.t(
        "Le dossier {reference} est encore ouvert : clôturez-le d'abord (étape « {step} » : "
        "{actions}), puis effacez les données de la personne. Effacées sur un dossier ouvert, ses "
        "référencements, délais et rappels continueraient sans elles.",
        reference=case.reference, step=step, actions=actions)


def how_to_close(sop: SOP, case: Any) -> tuple[Labels, Joined] | None:
    """(the step's label, its actions towards the closing state with their roles — « Proposer la
    clôture (Gestionnaire de cas) → Approuver la clôture (Superviseur) ») of the flow rule that
    closes ``case``: the ``close_case`` rule of a step the case is in, else the SOP's last such
    rule (its ordinary closure). None when the SOP closes no case by a flow rule."""
    rules = []
    for rule in sop.flow:
        step_id, _, event = rule.after.partition(".")
        if rule.close_case and step_id in sop.steps:
            rules.append((step_id, event))
    if not rules:
        return None
    running = {i.step for i in getattr(case, "instances", []) or [] if not i.final}
    step_id, event = next((r for r in rules if r[0] in running), rules[-1])
    step = sop.steps[step_id]
    targets = ({event} if event in step.states else
               {sid for sid, st in step.states.items() if st.final})
    dist = dict.fromkeys(targets, 0)
    changed = True
    while changed:  # states from which the closing state is reached, by number of actions
        changed = False
        for t in step.transitions:
            if t.internal or t.dest not in dist:
                continue
            for src in t.sources:
                if src != "*" and src not in dist:
                    dist[src], changed = dist[t.dest] + 1, True
    towards = [t for t in step.transitions if not t.internal and t.dest in dist
               and any(src == "*" or dist.get(src, -1) > dist[t.dest] for src in t.sources)]
    towards.sort(key=lambda t: -dist[t.dest])
    seen: set[str] = set()
    actions = []
    for t in towards:
        if t.trigger not in seen:
            seen.add(t.trigger)
            actions.append(Message.t("{action} ({roles})", action=Labels((t.label,)),
                                     roles=role_labels(sop, t.by)))
    return Labels((step.label,)), Joined(tuple(actions), sep=" → ")
