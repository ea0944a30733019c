"""How a state change follows the SOP: deadlines cancelled and armed, the new owner told, the
``flow`` rules that start steps (one instance per item with ``for_each``) or close the case.

A part of :class:`~mno_workflow.engine.engine.WorkflowEngine` (a mixin: the methods keep their
names and read the engine's attributes).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ..sop.schema import ForEach
from ..store.models import Case, StepInstance
from ..store.outbox import enqueue
from . import timers
from .compile import CompiledSOP
from .conditions import holds_or_report
from .corewrite import new_instance
from .spawn import is_spawned, spawned_keys
from .vacuous import follow_vacuous_all_final


class FlowMixin:
    """State changes and the SOP's flow (see the module text)."""

    def _enter(self, s: Session, case: Case, inst: StepInstance, compiled: CompiledSOP,
               from_state: str | None, to_state: str, now: datetime,
               actor_role: str | None = None, *, effective: datetime | None = None) -> list[dict]:
        """Apply a state change and follow the SOP's flow until nothing more starts: cancel the
        old state's deadlines, arm the new ones, tell the new owner (unless they acted).
        ``effective``: when the change really happened (a transition's ``effective_at``, aware,
        not after ``now``): the deadline of ``to_state`` counts from then; the steps the flow
        starts count from ``now``."""
        effects: list[dict] = []
        queue = [(inst, from_state, to_state)]
        while queue:
            cur, old, new = queue.pop(0)
            state = compiled.sop.steps[cur.step].states[new]
            if old is not None and compiled.sop.steps[cur.step].states[old].deadline is not None:
                timers.cancel(s, cur, now, f"left {cur.step}.{old}", case)
            cur.state, cur.entered_at = new, now
            cur.final = state.final
            cur.ended_at = now if state.final else None
            # One CEL context for the deadline and the owner, and none when neither reads it
            # (no deadline to arm, an owner role that does not depend on a field).
            reads = (state.deadline is not None and not state.final) or not (
                state.owner is None or isinstance(state.owner, str))
            ctx = self.context(case, cur, compiled.sop, now) if reads else {}
            armed = timers.arm(s, case, cur, compiled.sop, ctx, now,
                               entered=effective if cur is inst and new == to_state else None)
            effects += armed
            owner = state.owner_for(ctx)
            if state.owner and not owner:  # an owner chosen by a field that is empty: say so
                effects.append({"owner_error": f"{cur.step}.{new}: no owner for {state.owner.by}"})
            if owner and not state.final and old != new and owner != actor_role:
                due = next((e["deadline"]["due_at"] for e in armed if "deadline" in e), None)
                enqueue(s, case=case, inst=cur, role=owner, scope=compiled.sop.roles[owner].scope,
                        kind="task", template="task", now=now,
                        context={"reference": case.reference, "step": cur.step, "instance": cur.key,
                                 "state": new, "due_at": due})
            for started in self._follow_flow(s, case, cur, compiled, now, effects):
                queue.append(started)
        return effects

    def _follow_flow(self, s: Session, case: Case, inst: StepInstance, compiled: CompiledSOP,
                     now: datetime, effects: list[dict]) -> list[tuple[StepInstance, None, str]]:
        sop = compiled.sop
        events = {f"{inst.step}.{inst.state}"}
        siblings = [i for i in case.instances if i.step == inst.step]
        if inst.final and all(i.final for i in siblings):
            events.add(f"{inst.step}.all_final")
        if inst.final:
            events.add(f"{inst.step}.any_final")
        out = []
        for rule in sop.flow:
            if rule.after not in events:
                continue
            if rule.when and not holds_or_report(s, case, inst, sop, rule.when,
                                                 self.context(case, inst, sop, now), "flow", effects, now):
                continue
            if rule.start and not self._ran_this_cycle(case, rule.start):
                for key in self._start_step(s, case, compiled, rule.start, now, effects):
                    effects.append({"started": key})
                    new = next(i for i in case.instances if i.label_key == key)
                    out.append((new, None, new.state))
            if rule.close_case:
                self._close_case(s, case, now, effects)
        return out

    @staticmethod
    def _close_case(s: Session, case: Case, now: datetime, effects: list[dict]) -> None:
        """Close an open case (flow ``close_case``): its running deadlines are cancelled."""
        if case.status == "open":
            case.status, case.closed_at = "closed", now
            for other in case.instances:
                timers.cancel(s, other, now, "case closed", case)
            effects.append({"case_closed": True})

    @staticmethod
    def _ran_this_cycle(case: Case, step_id: str) -> bool:
        """Whether ``step_id`` already started since the case was opened or last reopened: flow
        rules start a step once per cycle (consent given again does not restart the assessment)."""
        closures = (case.data or {}).get("_closures") or []
        after = closures[-1].get("last_instance_id", 0) if closures else 0
        return any(i.step == step_id and (i.id is None or i.id > after) and not is_spawned(i)
                   for i in case.instances)

    def _start_step(self, s: Session, case: Case, compiled: CompiledSOP, step_id: str,
                    now: datetime, effects: list[dict] | None = None) -> list[str]:
        """Create the instance(s) of ``step_id`` in its initial state (the caller enters them);
        returns their ``step:key``.

        With ``for_each``, one instance per matching item; none at all counts as all final, so
        the flow continues at once (e.g. no need requires a referral)."""
        sop = compiled.sop
        step = sop.steps[step_id]
        items: list[tuple[str, dict | None]]
        if isinstance(step.instances, ForEach):
            fe = step.instances
            form_id, field_id = fe.for_each.split(".")
            raw = (case.data.get(form_id) or {}).get(field_id) or []
            ctx = self.context(case, None, sop, now)
            items = []
            for n, item in enumerate(raw, start=1):
                if fe.where:
                    if not holds_or_report(s, case, None, sop, fe.where, dict(ctx, item=item),
                                           "for_each", effects, now):
                        continue
                key = str(item.get(fe.key)) if fe.key and item.get(fe.key) is not None else str(n)
                items.append((key, item))
        else:
            items = [(None, None)]  # type: ignore[list-item]
        existing = {i.label_key for i in case.instances}
        spawned = spawned_keys(case, step_id)  # e.g. an immediate referral already is that need's
        items = [(k, it) for k, it in items if k not in spawned]
        keys = []
        for key, item in items:
            base = key or "1"
            k, n = base, 1
            while f"{step_id}:{k}" in existing:
                n += 1
                k = f"{base}-{n}"
            inst = new_instance(case, step=step_id, key=k, state=step.initial_state, final=False, item=item,
                                data={}, started_at=now, entered_at=now, version=1)
            case.instances.append(inst)
            existing.add(inst.label_key)
            keys.append(inst.label_key)
        if not items:  # vacuous "all final": its flow rules apply, with their ``when`` (vacuous.py)
            keys += follow_vacuous_all_final(self, s, case, compiled, step_id, now, effects)
        return keys
