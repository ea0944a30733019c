"""``until:`` on a deadline: "the earlier of N days or the event" (e.g. 90 days or the decision).

After every transition (in its transaction) — a user's, an automatic ``on_expiry: fire`` run by the
sweeper, and the creation of a case (with its first form) — each open step instance of the case
whose state has a deadline with ``until`` is checked: when the CEL condition holds, the period is
over at once — the deadline's ``on_expiry.fire`` trigger runs now (as the sweeper would at the due
instant, guards and forms applying), and its reminders and escalation, which are about lateness, are
cancelled. If the automatic trigger is refused, the rows are cancelled with the reason in their note
(and ``mno validate --simulate`` warns about such triggers, W121). A condition that cannot be
evaluated leaves the deadline running (its note says why).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..sop.expr import ExprError, compile_expr
from ..store.models import Case
from ..store.models import Deadline as DeadlineRow
from . import timers
from .corewrite import is_carrier, savepoint
from .errors import EngineError

MAX_ROUNDS = 10  # an automatic trigger may enter another state whose ``until`` already holds


def _running(s: Session, inst: Any, case: Any = None) -> list[DeadlineRow]:
    new = [o for o in s.new if isinstance(o, DeadlineRow) and o.instance is inst and o.status == "pending"]
    if is_carrier(case):  # Core write path: rows armed in this transaction wait on the case
        new += [o for o in case.new_deadlines if o.instance is inst and o.status == "pending"]
    if inst.id is None:
        return new
    stored = s.scalars(select(DeadlineRow).where(DeadlineRow.instance_id == inst.id,
                                                 DeadlineRow.state == inst.state,
                                                 DeadlineRow.status.in_(("pending", "paused")))).all()
    return new + list(stored)


def end_early(wf: Any, s: Session, case: Case, sop: Any, now: datetime) -> list[dict]:
    """Apply ``until`` to every open instance of ``case`` (see the module doc); returns what was
    done, ``[{"until": "step:key", "fired": trigger | None, "error": text | None}]``."""
    done: list[dict] = []
    for _ in range(MAX_ROUNDS):
        acted = False
        for inst in [i for i in case.instances if not i.final]:
            dl = sop.steps[inst.step].states[inst.state].deadline
            if dl is None or not dl.until or case.status != "open":
                continue
            rows = _running(s, inst, case)
            if not rows:
                continue
            try:
                holds = compile_expr(dl.until).evaluate(wf.context(case, inst, sop, now)) is True
            except ExprError as e:
                for row in rows:
                    row.note = f"until {dl.until!r} could not be evaluated: {e}"
                continue
            if not holds:
                continue
            acted = True
            trigger = dl.on_expiry.fire if dl.on_expiry else None
            error = None
            if trigger:
                try:
                    with savepoint(s, case):  # a Core carrier is put back on failure
                        wf.fire_on_expiry(s, case, inst, trigger, now)
                except EngineError as e:
                    error = e.text("en")
            if not trigger or error:
                timers.cancel(s, inst, now, f"until holds: {dl.until}"
                              + (f"; automatic trigger {trigger!r} refused: {error}" if error else ""), case)
            done.append({"until": inst.label_key, "fired": trigger if not error else None, "error": error})
        if not acted:
            break
    return done
