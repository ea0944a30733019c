"""Telling the new owner of a migrated case (``mno sop migrate``, workbench publication): when a
step instance's state, or the role that owns it, changes in the migration, the people holding the
new owner role get a ``migrated`` message through the outbox, in the migration's transaction, in
each person's language (``lang`` of the message, from their account), with the case's link.

The link is the place to act (the provider's referral page, else the case page at the step's box),
prefixed with ``MNO_PUBLIC_URL`` when it is set (e.g. ``https://mno.example.org``), computed when
the message is rendered. The message names the SOP version and the old
and new states (the old state in the old version's words, both languages kept in the context),
never case data. Nobody holding the role gives a ``log`` message naming it (nothing dropped
silently); each notification is an audit effect of the migration event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..sop.schema import SOP
from ..store.models import Case
from ..store.outbox import enqueue


def case_link(reference: str) -> str:
    """The case page's link: ``$MNO_PUBLIC_URL/dossiers/<reference>`` (path only when unset). The
    message's own link is computed again when it is rendered (:mod:`..reminders.links`)."""
    from ..reminders.links import absolute, place_path
    return absolute(place_path(reference) or "/")


def notify_new_owners(wf: Any, s: Session, case: Case, old_sop: SOP, new_sop: SOP,
                      states: list[tuple[str, str, str]], now: datetime) -> list[dict[str, Any]]:
    """Enqueue the ``migrated`` messages of ``case`` after its instances moved as ``states``
    (``[(label_key, old state, new state)]``); returns the audit effects ``[{"notified": "owner",
    "instance", "role", "messages"}]``. An instance is told about when its new state is not final,
    has an owner, and the state or the owner role changed."""
    effects: list[dict[str, Any]] = []
    by_key = {i.label_key: i for i in case.instances}
    for key, old, new in states:
        inst = by_key.get(key)
        if inst is None or inst.final or inst.state != new:
            continue  # moved on by the flow rules since: the step's own task message told them
        state = new_sop.steps[inst.step].states[new]
        owner = state.owner_for(wf.context(case, inst, new_sop, now))
        old_step = old_sop.steps.get(inst.step)
        old_state = old_step.states.get(old) if old_step else None
        old_owner = old_state.owner_for(wf.context(case, inst, old_sop, now)) if old_state else None
        if not owner or (old == new and old_owner == owner):
            continue
        labels = {lang: old_sop.label(old_state.label, lang) if old_state else old for lang in ("fr", "en")}
        context = {"reference": case.reference, "step": inst.step, "instance": inst.key, "state": new,
                   "from_state": labels, "version": new_sop.version, "link": case_link(case.reference or "")}
        msgs = enqueue(s, case=case, inst=inst, role=owner, scope=new_sop.roles[owner].scope,
                       kind="task", template="migrated", context=context, now=now)
        effects.append({"notified": "owner", "instance": key, "role": owner, "messages": len(msgs)})
    return effects
