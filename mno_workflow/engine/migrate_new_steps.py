"""Migration to an SOP version that adds a step, or a rule starting a step: start it on the
migrated cases that rule already calls for.

A flow rule runs when its event happens. A case migrated to a version that adds, say, a parallel
step started ``after: identification.identified`` (the BF ``immediate`` and ``best_interests``
steps of issue 13) has had that event long ago, under a version without the rule: without this
module the new step never starts on it. :func:`start_new_steps` runs once per migrated (open)
case, after the state mapping and the flow of the moved instances
(:func:`mno_workflow.engine.versions._migrate_case`): for every rule of the target version that
starts a step **the source version did not have**, or that the source version did not have itself
(same ``after``, ``start`` and ``when``: the BF 2026.2 starts the follow-up when the plan is
approved instead of when every referral is final), it starts that step when

- the rule's event holds now: the latest instance of the rule's step is in the rule's state
  (``identification.identified``), or for ``all_final``/``any_final`` every/any instance is final;
- its ``when`` holds (a run-time error counts as false and is reported, like any flow rule);
- the step has not run in this cycle of the case.

Rules the source version already had are left to the mapping: they already had their chance.
The started instances enter their initial state as after a transition (deadlines armed,
owner told, flow followed) and the effects carry ``by_migration: true``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from .conditions import holds_or_report


def _event_holds(case: Any, after: str) -> Any:
    """The latest instance of the rule's step when the event ``after`` (``step.state``,
    ``step.all_final``, ``step.any_final``) holds for ``case`` now; None otherwise."""
    step_id, _, state = after.partition(".")
    insts = [i for i in case.instances if i.step == step_id]
    if not insts:
        return None
    if state == "all_final":
        ok = all(i.final for i in insts)
    elif state == "any_final":
        ok = any(i.final for i in insts)
    else:
        ok = insts[-1].state == state
    return insts[-1] if ok else None


def start_new_steps(wf: Any, s: Session, case: Any, compiled: Any, old_sop: Any, actor: Any,
                    now: datetime) -> list[dict]:
    """Start, on the migrated ``case`` (in session ``s``), the steps that a rule of
    ``compiled.sop`` which ``old_sop`` lacks calls for now (see the module doc). Returns the audit effects
    (``started`` with ``by_migration``, deadlines, tasks, ``condition_error``)."""
    sop = compiled.sop
    effects: list[dict] = []
    old_rules = {(r.after, r.start, r.when) for r in old_sop.flow}
    for rule in sop.flow:
        if case.status != "open":
            break
        if not rule.start or wf._ran_this_cycle(case, rule.start):
            continue
        if rule.start in old_sop.steps and (rule.after, rule.start, rule.when) in old_rules:
            continue  # the same rule had its chance under the old version
        inst = _event_holds(case, rule.after)
        if inst is None:
            continue
        if rule.when and not holds_or_report(s, case, inst, sop, rule.when,
                                             wf.context(case, inst, sop, now), "flow", effects, now):
            continue
        for key in wf._start_step(s, case, compiled, rule.start, now, effects):
            effects.append({"started": key, "by_migration": True})
            new = next(i for i in case.instances if i.label_key == key)
            effects += wf._enter(s, case, new, compiled, None, new.state, now, actor.role)
    return effects
