"""The state graph of a step: which states a transition leads to, which states a case can reach
from the initial state, and from which a final state can be reached (W102, W106, simulations)."""

from __future__ import annotations

from ..schema import Step


def step_graph(step: Step) -> dict[str, set[str]]:
    """``{state: {states one transition leads to}}``: wildcards expanded to every non-final state,
    internal transitions (no change of state) left out. Transitions listed explicitly from a final
    state count (W101 warns about them)."""
    graph: dict[str, set[str]] = {name: set() for name in step.states}
    for t in step.transitions:
        if t.internal or t.dest not in step.states:
            continue
        for src in t.sources:
            if src == "*":
                for name, s in step.states.items():
                    if not s.final:
                        graph[name].add(t.dest)
            elif src in step.states:
                graph[src].add(t.dest)
    return graph


def _closure(graph: dict[str, set[str]], start: set[str]) -> set[str]:
    seen, todo = set(start), list(start)
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def reachable_states(step: Step) -> set[str]:
    """States a case can reach from the step's initial state (empty without exactly one)."""
    initials = [s for s, st in step.states.items() if st.initial]
    return _closure(step_graph(step), {initials[0]}) if len(initials) == 1 else set()


def can_finish_states(step: Step) -> set[str]:
    """States from which some final state can be reached (final states included)."""
    reverse: dict[str, set[str]] = {name: set() for name in step.states}
    for src, dests in step_graph(step).items():
        for dest in dests:
            reverse[dest].add(src)
    return _closure(reverse, set(step.final_states))
