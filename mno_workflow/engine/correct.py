"""An administrator's audited correction of a step's state (``mno case correct``, case page).

A correction is the way out when a case is in a wrong state (a click on the wrong referral, a
data-entry mistake found at supervision) and no transition of the SOP leads back: the step
instance is put in the chosen state as a transition would put it — the old state's deadline is
cancelled, the new state's deadline armed from now, its owner told, and the SOP's flow rules
run (a final state may start the next step or close the case) — in one transaction with one
audit event (``action: correct``) that holds the reason and the state and due instant before and
after. A state that stands for form data the case lacks (a consent « given » without the consent
form) is refused: the SOP's own action records it (:mod:`.state_needs`). ``mno audit verify``
replays it like a transition.
"""

from __future__ import annotations

import difflib
from typing import Any

from sqlalchemy import select

from ..store.audit import append_event
from ..store.models import Deadline
from . import timers
from .engine import Actor, WorkflowEngine
from .errors import AmbiguousInstance, FormInvalid, Message, RoleName, RoleNotAllowed, UnknownTrigger
from .instances import named
from .state_needs import refuse_without_data

CORRECT_ROLES = frozenset({"coordinator"})  # the national coordination; also checked by web/access/roles.py


def _due(s, inst) -> str | None:
    if inst.id is None:
        return None
    row = s.scalar(select(Deadline).where(Deadline.instance_id == inst.id, Deadline.kind == "expiry",
                                          Deadline.status.in_(("pending", "paused", "waiting")))
                   .order_by(Deadline.id.desc()).limit(1))
    return row.due_at.isoformat() if row is not None else None


def correct_state(wf: WorkflowEngine, reference: str, instance: str, state: str, reason: str,
                  actor: Actor, *, expected_version: int | None = None) -> dict[str, Any]:
    """Put step instance ``instance`` (``referral:medical``, ``medical`` or a step with one
    instance) of open case ``reference`` in ``state``, with a ``reason``.

    Returns ``{"reference", "instance", "before": {state, due_at}, "after": {state, due_at},
    "effects", "version"}``. Raises FormInvalid (empty reason; unknown state, with the closest
    name; StateNeedsData, a state whose form data the case lacks: :mod:`.state_needs`),
    RoleNotAllowed (roles other than :data:`CORRECT_ROLES`), UnknownTrigger (no such step
    instance, or already in that state), AmbiguousInstance, CaseNotFound, CaseClosed,
    StaleVersion, DeadlineNotArmed. Nothing is written then."""
    if not reason.strip():
        raise FormInvalid("correct", {"reason": Message.t("Le motif est obligatoire.")})
    if actor.role not in CORRECT_ROLES:
        raise RoleNotAllowed(Message.t(
            "Le rôle « {role} » ne peut pas corriger l'état d'un dossier (coordination).",
            role=RoleName(actor.role)))
    now = wf._now()
    with wf.sessions.begin() as s, s.no_autoflush:
        case, compiled = wf._open_for_change(s, reference, expected_version)
        sop = compiled.sop
        found = named(case.instances, instance)
        if len(found) > 1:
            open_ones = [i for i in found if not i.final]
            found = open_ones if len(open_ones) == 1 else found
        if len(found) > 1:
            keys = ", ".join(i.label_key for i in found)
            raise AmbiguousInstance(Message.t(
                "Plusieurs étapes « {instance} » : {keys}. Précisez.",
                instance=instance, keys=keys),
                                    instances=[i.label_key for i in found])
        if not found:
            keys = ", ".join(i.label_key for i in case.instances)
            raise UnknownTrigger(Message.t(
                "Étape « {instance} » introuvable dans {reference} ({keys}).",
                instance=instance, reference=reference, keys=keys))
        inst = found[0]
        states = sop.steps[inst.step].states
        if state not in states:
            near = difflib.get_close_matches(state, list(states), n=1, cutoff=0.5)
            raise FormInvalid("correct", {"state": Message.t(
                "L'étape « {step} » n'a pas d'état « {state} » ; vouliez-vous dire « {near} » ?",
                step=inst.step, state=state, near=near[0]) if near else Message.t(
                "L'étape « {step} » n'a pas d'état « {state} » ; états : {states}",
                step=inst.step, state=state, states=", ".join(states))})
        if inst.state == state:
            raise UnknownTrigger(Message.t(
                "{label_key} est déjà dans l'état « {state} ».",
                label_key=inst.label_key, state=state))
        refuse_without_data(sop, case, inst, state)  # given/overridden consent needs its form's data
        before = {"state": inst.state, "due_at": _due(s, inst)}
        old = inst.state
        timers.cancel(s, inst, now, f"corrected to {state}")  # also a final state's stale rows
        effects = wf._enter(s, case, inst, compiled, old, state, now, actor.role)
        s.flush()
        after = {"state": state, "due_at": _due(s, inst)}
        case.version += 1
        case.updated_at = now
        inst.version += 1
        append_event(s, case, at=now, actor=actor.user, role=actor.role, **wf._trace(actor),
                     organisation=actor.organisation, action="correct", step=inst.step,
                     instance_key=inst.key, from_state=old, to_state=state,
                     data={"reason": reason.strip(), "before": before, "after": after}, effects=effects,
                     sop_version=f"{sop.sop}@{sop.version}")
        s.flush()
        return {"reference": case.reference, "instance": inst.label_key, "before": before, "after": after,
                "effects": effects, "version": case.version}
