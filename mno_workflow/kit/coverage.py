"""Coverage of an SOP by scenarios: which states were entered and which transitions fired.

The universe comes from the SOP model: every ``(step, state)``, and every transition edge
``(step, source, trigger, destination)`` with ``from: "*"`` expanded to the step's non-final states
(as the engine compiles it; an internal transition goes back to its source). What was exercised
comes from the audit events of the scenario databases: ``fire`` events (also the automatic
triggers the sweeper fired) give transitions and entered states; the ``started`` effects of any
event (case creation, flow, reopening) give the initial states entered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..sop.schema import SOP


def percent_text(p: float, lang: str | None = None) -> str:
    """A coverage percentage as ``mno test`` and the workbench print it, one decimal with the
    language's decimal sign (Babel) and its percent form (the catalogue's, as the indicators):
    « 87,5 % » in French, "87.5%" in English (tryout 5, H9: the workbench wrote « 87.5 % »)."""
    from babel.numbers import format_decimal

    from ..i18n import babel_locale, pgettext

    text = format_decimal(p, format="0.0", locale=babel_locale(lang))
    # TRANSLATORS: a percentage; "{value}%" in English
    return pgettext("percent", "{value}\u202f%", lang, value=text)

StateKey = tuple[str, str]
EdgeKey = tuple[str, str, str, str]


def all_states(sop: SOP) -> list[StateKey]:
    return [(step_id, state) for step_id, step in sop.steps.items() for state in step.states]


def all_edges(sop: SOP) -> list[EdgeKey]:
    out: list[EdgeKey] = []
    for step_id, step in sop.steps.items():
        for t in step.transitions:
            sources = ([s for s, st in step.states.items() if not st.final] if "*" in t.sources
                       else t.sources)
            for src in sources:
                edge = (step_id, src, t.trigger, t.dest or src)
                if edge not in out:
                    out.append(edge)
    return out


@dataclass
class Coverage:
    """Accumulates what scenarios exercised on one SOP version (``sop`` model, ``path``)."""

    sop: SOP
    path: str
    scenarios: int = 0
    states_hit: dict[StateKey, int] = field(default_factory=dict)
    edges_hit: dict[EdgeKey, int] = field(default_factory=dict)

    def add_events(self, events: Iterable[Any]) -> None:
        """Count audit events (objects with ``action, step, trigger, from_state, to_state,
        effects``)."""
        for ev in events:
            if ev.action == "fire" and ev.step:
                edge = (ev.step, ev.from_state, ev.trigger, ev.to_state)
                self.edges_hit[edge] = self.edges_hit.get(edge, 0) + 1
                key = (ev.step, ev.to_state)
                self.states_hit[key] = self.states_hit.get(key, 0) + 1
            for eff in ev.effects or []:
                if isinstance(eff, dict) and "started" in eff:
                    step_id = str(eff["started"]).split(":", 1)[0]
                    if step_id in self.sop.steps:
                        key = (step_id, self.sop.steps[step_id].initial_state)
                        self.states_hit[key] = self.states_hit.get(key, 0) + 1

    # -- figures -----------------------------------------------------------------------------
    @property
    def states(self) -> list[StateKey]:
        return all_states(self.sop)

    @property
    def edges(self) -> list[EdgeKey]:
        return all_edges(self.sop)

    def missing_states(self) -> list[StateKey]:
        return [s for s in self.states if s not in self.states_hit]

    def missing_edges(self) -> list[EdgeKey]:
        return [e for e in self.edges if e not in self.edges_hit]

    @staticmethod
    def percent(hit: int, total: int) -> float:
        return 100.0 if total == 0 else round(100.0 * hit / total, 1)

    def state_percent(self) -> float:
        total = len(self.states)
        return self.percent(total - len(self.missing_states()), total)

    def edge_percent(self) -> float:
        total = len(self.edges)
        return self.percent(total - len(self.missing_edges()), total)

    def per_step(self) -> list[dict[str, Any]]:
        rows = []
        edges = self.edges
        for step_id, step in self.sop.steps.items():
            st = [(step_id, s) for s in step.states]
            ed = [e for e in edges if e[0] == step_id]
            sh = sum(1 for s in st if s in self.states_hit)
            eh = sum(1 for e in ed if e in self.edges_hit)
            rows.append({"step": step_id, "states": {"hit": sh, "total": len(st),
                                                     "percent": self.percent(sh, len(st))},
                         "transitions": {"hit": eh, "total": len(ed), "percent": self.percent(eh, len(ed))}})
        return rows

    def as_dict(self) -> dict[str, Any]:
        states, edges = self.states, self.edges
        return {
            "sop": self.sop.sop, "version": self.sop.version, "path": self.path,
            "scenarios": self.scenarios,
            "states": {"hit": len(states) - len(self.missing_states()), "total": len(states),
                       "percent": self.state_percent(),
                       "missing": [f"{s}.{st}" for s, st in self.missing_states()]},
            "transitions": {"hit": len(edges) - len(self.missing_edges()), "total": len(edges),
                            "percent": self.edge_percent(),
                            "missing": [{"step": e[0], "from": e[1], "trigger": e[2], "to": e[3]}
                                        for e in self.missing_edges()]},
            "steps": self.per_step(),
        }
