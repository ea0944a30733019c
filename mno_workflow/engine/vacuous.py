"""What follows a ``for_each`` step that starts with no instance at all ("vacuously all final").

When the items of a ``for_each`` step are empty (e.g. no need marked "referral needed"), the flow
goes on as if every (zero) instance had finished: the rules ``after: <step>.all_final`` apply at
once. They apply as any flow rule does (:meth:`FlowMixin._follow_flow`): only when their ``when``
condition holds (a condition that fails at run time counts as false and is reported, see
:mod:`mno_workflow.engine.conditions`), and a rule's step starts once per cycle. Before this
module, those rules were applied without their ``when``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from .conditions import holds_or_report


def follow_vacuous_all_final(engine: Any, s: Session, case: Any, compiled: Any, step_id: str,
                             now: datetime, effects: list[dict] | None) -> list[str]:
    """Apply the flow rules ``after: <step_id>.all_final`` of ``compiled.sop`` whose ``when``
    holds (in the case's context, no instance): start their step (returns the ``step:key`` of the
    instances created, which the caller enters) and/or close the case (when ``effects`` is given,
    as before). ``engine`` is the :class:`~mno_workflow.engine.engine.WorkflowEngine`."""
    sop = compiled.sop
    keys: list[str] = []
    for rule in sop.flow:
        if rule.after != f"{step_id}.all_final":
            continue
        if rule.when and not holds_or_report(s, case, None, sop, rule.when,
                                             engine.context(case, None, sop, now), "flow",
                                             effects, now):
            continue
        if rule.start and not engine._ran_this_cycle(case, rule.start):
            keys += engine._start_step(s, case, compiled, rule.start, now, effects)
        if rule.close_case and effects is not None:
            engine._close_case(s, case, now, effects)
    return keys
