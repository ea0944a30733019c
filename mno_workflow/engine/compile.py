"""Compiles an SOP model into shared ``transitions`` machines, one per step, and CEL guards.

This is the only module that imports ``transitions``. A machine is built once per (SOP version,
step) with ``model=None`` and shared by every case: a case is restored into a light object for
the duration of one trigger. No string from the SOP ever reaches ``transitions`` as a callback
(it would be imported and called): conditions are our own callables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from transitions import Machine, MachineError

from ..sop.expr import Expr, compile_expr
from ..sop.schema import SOP, Step, Transition

CHOSEN = "mno_chosen"  # event kwarg naming the transition the engine has selected


class _Light:
    """The only object a machine ever sees: a state holder for one trigger."""

    __slots__ = ("state",)

    def __init__(self, state: str):
        self.state = state


def _chosen_is(index: int):  # returns a condition callable bound to one transition index
    def condition(event: Any) -> bool:
        return event.kwargs.get(CHOSEN) == index
    return condition


@dataclass
class CompiledStep:
    """A step's shared machine and its transitions indexed by (trigger, source state)."""

    step_id: str
    step: Step
    machine: Machine
    by_trigger: dict[str, list[tuple[int, Transition]]] = field(default_factory=dict)
    guards: dict[int, Expr] = field(default_factory=dict)

    def sources(self, t: Transition) -> list[str]:
        """Source states of ``t`` with ``*`` expanded to every non-final state."""
        if "*" in t.sources:
            return [s for s, st in self.step.states.items() if not st.final]
        return t.sources

    def candidates(self, trigger: str, state: str) -> list[tuple[int, Transition]]:
        """Transitions of ``trigger`` that may leave ``state``, in SOP order."""
        return [(i, t) for i, t in self.by_trigger.get(trigger, []) if state in self.sources(t)]

    def triggers_from(self, state: str) -> list[str]:
        """Triggers that may leave ``state`` (ignoring roles and guards), in SOP order."""
        seen: list[str] = []
        for t in self.step.transitions:
            if state in self.sources(t) and t.trigger not in seen:
                seen.append(t.trigger)
        return seen

    def edges(self) -> set[tuple[str, str, str]]:
        """``(source, trigger, dest)`` of every transition the shared machine holds (for parity
        checks of diagrams against what actually runs)."""
        return {(src, name, t.dest or src) for name, ev in self.machine.events.items()
                for src, ts in ev.transitions.items() for t in ts}

    def apply(self, state: str, trigger: str, index: int) -> str:
        """Run transition ``index`` from ``state`` on the shared machine; return the new state.

        Raises ``ValueError`` when the machine refuses (state or trigger mismatch)."""
        light = _Light(state)
        try:
            ok = self.machine.events[trigger].trigger(light, **{CHOSEN: index})
        except (MachineError, KeyError) as e:
            raise ValueError(f"machine refused {trigger!r} from {state!r}: {e}") from None
        if not ok:
            raise ValueError(f"machine refused {trigger!r} from {state!r}")
        return light.state


@dataclass
class CompiledSOP:
    sop: SOP
    steps: dict[str, CompiledStep]


def compile_sop(sop: SOP) -> CompiledSOP:
    """Build one shared machine per step and compile every guard (CEL) once."""
    steps: dict[str, CompiledStep] = {}
    for step_id, step in sop.steps.items():
        machine = Machine(model=None, states=list(step.states), initial=step.initial_state,
                          auto_transitions=False, queued=True, send_event=True,
                          ignore_invalid_triggers=False)
        cs = CompiledStep(step_id, step, machine)
        for i, t in enumerate(step.transitions):
            machine.add_transition(t.trigger, cs.sources(t), t.dest, conditions=[_chosen_is(i)])
            cs.by_trigger.setdefault(t.trigger, []).append((i, t))
            if t.when:
                cs.guards[i] = compile_expr(t.when)
        steps[step_id] = cs
    return CompiledSOP(sop, steps)
