"""Flow, step and case diagrams (Graphviz DOT and Mermaid) generated from the SOP model alone.

Everything here reads :class:`mno_workflow.sop.schema.SOP` only, never the YAML nor the runtime
machines, so the pictures trainers project cannot disagree with what the engine runs. DOT text is
built with :class:`graphviz.Digraph` and HTML-like labels escaped here, so author labels (quotes,
``<``, ``>``, ``&``, accents, backslashes) are always safe. Each transition edge carries its
identity in ``mno_*`` attributes (percent-encoded), which :func:`edges_of_dot` reads back for the
parity test "the diagram shows exactly the SOP's transitions". Rendering to SVG/PNG/PDF needs the
Graphviz ``dot`` binary; DOT and Mermaid text never do.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote as _pct
from urllib.parse import unquote as _unpct

import graphviz

from mno_workflow.render.form_titles import forms_text
from mno_workflow.render.plain import (
    field_by_path,  # noqa: F401  (re-exported: callers import it from here)
    transition_condition,
)
from mno_workflow.sop.schema import SOP, ByField, Deadline, Duration, Step, Transition, Unit

__all__ = [
    "DiagramError", "DotNotFound", "RenderError", "EdgeFact", "CLOCK",
    "duration_words", "deadline_words", "guard_label", "field_by_path",
    "flow_dot", "step_dot", "case_dot", "flow_mermaid", "step_mermaid",
    "render", "dot_available", "edges_of_dot", "transition_facts",
    "expected_diagrams", "write_sop_diagrams",
]

CLOCK = "\u25f7"  # ◷ clock face, present in DejaVu Sans so PNG/PDF show it: marks a deadline
FONT = "DejaVu Sans"

# Words of the diagrams and of durations, per language (the handbook has its own dict for the rest).
TEXT: dict[str, dict[str, str]] = {
    "fr": {
        "start": "Début", "case_closed": "Dossier clôturé", "any_open": "Tout état non final",
        "all_final": "Terminée pour chaque élément", "any_final": "Terminée pour un élément",
        "waits": "en attente de", "by": "par", "form": "fiche", "colon": " : ", "from_field": "à partir de",
        "per_item": "en parallèle : une fois pour chaque « {x} »", "no_owner": "Sans responsable",
        "and": " et ", "cutoff": "reçu après {t} : compte à partir du jour ouvrable suivant",
    },
    "en": {
        "start": "Start", "case_closed": "Case closed", "any_open": "Any open state",
        "all_final": "Done for every item", "any_final": "Done for one item",
        "waits": "awaiting", "by": "by", "form": "form", "colon": ": ", "from_field": "from",
        "per_item": "in parallel: once for each “{x}”", "no_owner": "No owner",
        "and": " and ", "cutoff": "received after {t}: counts from the next working day",
    },
}

# (singular, plural) of each unit.
_UNITS: dict[str, dict[Unit, tuple[str, str]]] = {
    "fr": {
        Unit.minutes: ("minute", "minutes"), Unit.hours: ("heure", "heures"),
        Unit.days: ("jour", "jours"), Unit.working_days: ("jour ouvrable", "jours ouvrables"),
        Unit.weeks: ("semaine", "semaines"), Unit.months: ("mois", "mois"),
    },
    "en": {
        Unit.minutes: ("minute", "minutes"), Unit.hours: ("hour", "hours"),
        Unit.days: ("day", "days"), Unit.working_days: ("working day", "working days"),
        Unit.weeks: ("week", "weeks"), Unit.months: ("month", "months"),
    },
}

# Colours: kept few and readable on a projector and in black-and-white print.
_C_WAIT, _C_FINAL, _C_PLAIN = "#FFF3C4", "#E3F1E3", "#FFFFFF"
_C_DEADLINE, _C_FLOW, _C_PATH, _C_CURRENT, _C_VISITED = "#A3000F", "#1F4E9A", "#0B5CAD", "#C62828", "#DCEBFA"


class DiagramError(Exception):
    """Base of the errors of this module."""


class DotNotFound(DiagramError):
    """The Graphviz ``dot`` binary is not on PATH (DOT and Mermaid text still work)."""

    def __init__(self) -> None:
        super().__init__(
            "the Graphviz 'dot' program is not installed or not on PATH, so SVG/PNG/PDF cannot be "
            "made (DOT and Mermaid text still can). Install it: sudo apt-get install -y graphviz "
            "(Debian/Ubuntu), or see https://graphviz.org/download/"
        )


class RenderError(DiagramError):
    """``dot`` ran but failed (invalid DOT, unknown format...). The message holds its stderr."""


class EdgeFact(NamedTuple):
    """One transition as drawn: step, source state, trigger, destination, guard label ('' if none)."""

    step: str
    source: str
    trigger: str
    dest: str
    guard: str


# --------------------------------------------------------------------------------------------
# Words


def _t(lang: str) -> dict[str, str]:
    return TEXT.get(lang, TEXT["fr"])


def duration_words(duration: Duration, lang: str = "fr") -> str:
    """``Duration`` in words: ``10 jours ouvrables``, ``24 heures``, ``1 mois``; ``10 working days``."""
    one, many = _UNITS.get(lang, _UNITS["fr"])[duration.unit]
    return f"{duration.amount} {one if duration.amount == 1 else many}"


def _field_label(sop: SOP, path: str, lang: str) -> str:
    if path.startswith("steps."):  # a deadline starting at a step's state (issue 13)
        from ..engine.step_start import state_label
        return state_label(sop, path, lang)
    f = field_by_path(sop, path)
    return sop.label(f.label, lang) if f else path


def deadline_cases(sop: SOP, deadline: Deadline, lang: str = "fr") -> list[str]:
    """The deadline's period(s) in words, one item per case of a field-dependent deadline.

    ``["10 jours ouvrables"]`` or ``["Urgence vitale : 24 heures", "Normal : 10 jours ouvrables"]``
    (cases in the order of the option list, then any other code).
    """
    within = deadline.within
    if isinstance(within, Duration):
        return [duration_words(within, lang)]
    assert isinstance(within, ByField)
    f = field_by_path(sop, within.by)
    options = sop.options.get(f.options, {}) if f and f.options else {}
    order = [c for c in options if c in within.cases] + [c for c in within.cases if c not in options]
    colon = _t(lang)["colon"]
    return [f"{sop.label(options.get(code), lang) or code}{colon}{duration_words(within.cases[code], lang)}"
            for code in order]


def deadline_words(sop: SOP, deadline: Deadline, lang: str = "fr") -> str:
    """The deadline in one line of words, without the clock symbol.

    E.g. ``10 jours ouvrables``; ``Urgence vitale : 24 heures / Normal : 10 jours ouvrables``;
    a clock started on a date field adds ``(à partir de Date de l'incident)``.
    """
    text = " / ".join(deadline_cases(sop, deadline, lang))
    if deadline.start and deadline.start != "entered":
        text += f" ({_t(lang)['from_field']} {_field_label(sop, deadline.start, lang)})"
    return text


def guard_label(sop: SOP, transition: Transition, lang: str = "fr") -> str:
    """What a guard means, in words: its ``when_label`` in ``lang``, else its expression put into
    words (:func:`.plain.transition_condition`, as the handbook and lint W126 do: never CEL, state
    ids or software words); '' if none. ``when_message`` is the refusal, never the condition."""
    return transition_condition(sop, transition, lang)


def _roles(sop: SOP, roles: Iterable[str], lang: str) -> str:
    return ", ".join(sop.label(sop.roles[r].label, lang) if r in sop.roles else r for r in roles)


def expand_sources(step: Step, transition: Transition) -> list[str]:
    """The transition's source states, ``*`` expanded to every non-final state (in step order)."""
    out: list[str] = []
    for src in transition.sources:
        names = [n for n, s in step.states.items() if not s.final] if src == "*" else [src]
        out += [n for n in names if n not in out]
    return out


def transition_facts(sop: SOP, lang: str = "fr", step_id: str | None = None) -> set[EdgeFact]:
    """Every transition of the SOP (or of one step) expanded to one :class:`EdgeFact` per source."""
    steps = [step_id] if step_id else list(sop.steps)
    return {EdgeFact(sid, src, t.trigger, t.dest or src, guard_label(sop, t, lang))
            for sid in steps for t in sop.steps[sid].transitions
            for src in expand_sources(sop.steps[sid], t)}


# --------------------------------------------------------------------------------------------
# DOT building


def _esc(text: str) -> str:
    """Escape text for a Graphviz HTML-like label; control and unassigned characters (which
    Graphviz's XML label parser rejects) are dropped."""
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cs", "Co", "Cn"))
    # "]" right after a tag trips Graphviz's HTML-label lexer ("<I>]</I>" is a syntax error).
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;").replace("[", "&#91;").replace("]", "&#93;"))


def _lines(text: str, width: int = 30) -> list[str]:
    """Author text wrapped for a compact node, escaped line by line."""
    out: list[str] = []
    for para in str(text).splitlines() or [""]:
        out += textwrap.wrap(para, width, break_long_words=False, break_on_hyphens=False) or [""]
    return [_esc(line) for line in out]


def _br(text: str, width: int = 30) -> str:
    return "<BR/>".join(_lines(text, width))


def _html(inner: str) -> str:
    return f"<{inner}>"


def _node_id(step: str, state: str) -> str:
    # Identifiers are [a-z][a-z0-9_]*, so "step.state" is unambiguous; pseudo nodes start with "_".
    return f"{step}.{state}"


def _attr(value: str) -> str:
    """A DOT-safe, reversible encoding of ``value`` (ASCII letters, digits and %XX only)."""
    return _pct(value, safe="")


class _Highlight(NamedTuple):
    path: list[tuple[str, str, str]]
    current: str | None


def _state_label(sop: SOP, step: Step, name: str, lang: str) -> str:
    st, words = step.states[name], _t(lang)
    parts = [f'<FONT POINT-SIZE="16"><B>{_br(sop.label(st.label, lang), 24)}</B></FONT>']
    if st.owner:
        waits = words["waits"] + " " + _roles(sop, st.owner_roles, lang)
        parts.append(f'<FONT POINT-SIZE="14"><I>{_br(waits)}</I></FONT>')
    if st.deadline:
        cases = deadline_cases(sop, st.deadline, lang)
        lines = [f"{CLOCK} {cases[0]}"] + cases[1:]
        if st.deadline.start and st.deadline.start != "entered":
            lines.append(f"{words['from_field']} {_field_label(sop, st.deadline.start, lang)}")
        body = "<BR/>".join(_br(line, 34) for line in lines)
        parts.append(f'<FONT POINT-SIZE="14" COLOR="{_C_DEADLINE}">{body}</FONT>')
    return _html("<BR/>".join(parts))


def _edge_label(sop: SOP, t: Transition, lang: str, prefix: str = "") -> str:
    words = _t(lang)
    parts = [f"<B>{_esc(prefix)}{_br(sop.label(t.label, lang), 28)}</B>"]
    who = _br(words["by"] + " " + _roles(sop, t.by, lang), 32)
    parts.append(f'<FONT POINT-SIZE="12"><I>{who}</I></FONT>')
    if t.forms:  # one form, or every form of ``form: [a, b]`` joined with « + »
        title = forms_text(sop, t, lang)
        parts.append(f'<FONT POINT-SIZE="12">{_br(words["form"] + words["colon"] + title, 32)}</FONT>')
    guard = guard_label(sop, t, lang)
    if guard:
        parts.append(f'<FONT POINT-SIZE="12" COLOR="#5A3E00">{_br("[" + guard + "]", 32)}</FONT>')
    return _html("<BR/>".join(parts))


def _new_graph(name: str, rankdir: str) -> graphviz.Digraph:
    g = graphviz.Digraph(name=name)
    g.attr(rankdir=rankdir, fontname=FONT, fontsize="18", ranksep="0.7", nodesep="0.5",
           compound="true", newrank="true", charset="UTF-8", pad="0.3", labelloc="t")
    g.attr("node", fontname=FONT, fontsize="14", shape="box", style="rounded,filled",
           fillcolor=_C_PLAIN, color="#333333", margin="0.15,0.08", penwidth="1.4")
    g.attr("edge", fontname=FONT, fontsize="13", color="#444444", arrowsize="0.9", penwidth="1.3")
    return g


def _add_step(sop: SOP, g: graphviz.Digraph, step_id: str, lang: str, swimlanes: bool,
              highlight: _Highlight | None = None) -> None:
    """Draw one step's states and transitions into ``g`` (a cluster or a whole graph)."""
    step, words = sop.steps[step_id], _t(lang)
    visited = set()
    if highlight:
        for src, _trig, dst in highlight.path:
            visited |= {src, dst}

    def node(container: graphviz.Digraph, name: str) -> None:
        st = step.states[name]
        attrs = {"id": f"state.{step_id}.{name}", "class": "state"}
        if st.final:
            attrs.update(fillcolor=_C_FINAL, peripheries="2", style="filled", shape="box",
                         **{"class": "state final"})
        elif st.owner:
            attrs.update(fillcolor=_C_WAIT, **{"class": "state waiting"})
        if highlight and name in visited:
            attrs.update(fillcolor=_C_VISITED)
        if highlight and name == highlight.current:
            attrs.update(color=_C_CURRENT, penwidth="4", fillcolor="#FDE2E2")
        container.node(_node_id(step_id, name), _state_label(sop, step, name, lang), **attrs)

    if swimlanes:
        lanes: dict[str | None, list[str]] = {}
        for name, st in step.states.items():
            lanes.setdefault(st.owner_roles[0] if st.owner_roles else None, []).append(name)
        for owner, names in lanes.items():
            if owner is None:
                for name in names:
                    node(g, name)
                continue
            with g.subgraph(name=f"cluster_{step_id}.lane.{owner}") as lane:
                lane.attr(label=_html(f"<I>{_br(_roles(sop, [owner], lang), 40)}</I>"),
                          style="dashed,rounded", color="#8A8A8A", fontsize="15", bgcolor="#FAFAFA")
                for name in names:
                    node(lane, name)
    else:
        for name in step.states:
            node(g, name)

    init = _node_id(step_id, "_initial")
    g.node(init, "", shape="circle", width="0.25", height="0.25", style="filled", fillcolor="black",
           fixedsize="true", id=f"initial.{step_id}")
    g.edge(init, _node_id(step_id, step.initial_state), id=f"initial_edge.{step_id}")

    done: set[tuple[str, str, str]] = set()
    counter = 0
    for t in step.transitions:
        wildcard = "*" in t.sources and not t.internal  # internal ones loop on each state
        explicit = [] if wildcard else expand_sources(step, t)
        guard = guard_label(sop, t, lang)
        common = {"mno_step": _attr(step_id), "mno_trigger": _attr(t.trigger), "mno_guard": _attr(guard)}
        style = {"style": "dashed"} if t.when else {}
        if wildcard:
            anyn = _node_id(step_id, f"_any_{counter}")
            counter += 1
            srcs = expand_sources(step, t)
            names = ", ".join(sop.label(step.states[n].label, lang) for n in srcs)
            g.node(anyn, _html(f"<I>{_br(words['any_open'], 20)}</I><BR/>"
                               f'<FONT POINT-SIZE="12">({_br(names, 26)})</FONT>'),
                   shape="box", style="dashed,rounded",
                   fillcolor=_C_PLAIN, color="#777777", fontsize="14", id=f"any.{step_id}.{t.trigger}")
            g.edge(anyn, _node_id(step_id, t.dest), _edge_label(sop, t, lang),
                   mno_sources=_attr(",".join(srcs)), mno_dest=_attr(t.dest),
                   id=f"t.{step_id}.{t.trigger}.any",
                   **{"class": "transition wildcard"}, **common, **style)
        for src in explicit:
            prefix, extra, dest = "", {}, t.dest or src
            if highlight:
                steps_here = [i + 1 for i, p in enumerate(highlight.path) if p == (src, t.trigger, dest)]
                if steps_here:
                    done.add((src, t.trigger, dest))
                    prefix = ", ".join(str(i) for i in steps_here) + ". "
                    extra = {"color": _C_PATH, "penwidth": "3.5", "fontcolor": _C_PATH}
            g.edge(_node_id(step_id, src), _node_id(step_id, dest), _edge_label(sop, t, lang, prefix),
                   mno_sources=_attr(src), mno_dest=_attr(dest), id=f"t.{step_id}.{t.trigger}.{src}",
                   **{"class": "transition"}, **common, **{**style, **extra})
    if highlight:
        # Path steps drawn elsewhere (wildcards) or not in this SOP version: an extra highlighted edge.
        for i, (src, trig, dst) in enumerate(highlight.path):
            if (src, trig, dst) in done:
                continue
            t = next((t for t in step.transitions if t.trigger == trig and (t.dest or src) == dst), None)
            label = sop.label(t.label, lang) if t else trig
            g.edge(_node_id(step_id, src), _node_id(step_id, dst),
                   _html(f"<B>{i + 1}. {_br(label, 28)}</B>"), color=_C_PATH, penwidth="3.5",
                   fontcolor=_C_PATH, id=f"path.{step_id}.{i + 1}", mno_path="1", constraint="false")


def _cluster_label(sop: SOP, step_id: str, lang: str) -> str:
    step = sop.steps[step_id]
    inner = f'<FONT POINT-SIZE="20"><B>{_br(sop.label(step.label, lang), 40)}</B></FONT>'
    if not isinstance(step.instances, str):
        x = _field_label(sop, step.instances.for_each, lang)
        inner += f'<BR/><FONT POINT-SIZE="14"><I>{_br(_t(lang)["per_item"].format(x=x), 50)}</I></FONT>'
    return _html(inner)


def _check_step(sop: SOP, step_id: str) -> None:
    if step_id not in sop.steps:
        raise KeyError(f"unknown step {step_id!r}; steps: {', '.join(sop.steps)}")


def step_dot(sop: SOP, step_id: str, lang: str = "fr", swimlanes: bool = False) -> str:
    """DOT text of one step alone: its states, transitions, initial marker, deadlines.

    ``swimlanes`` groups states by owner role. Raises ``KeyError`` for an unknown step.
    """
    _check_step(sop, step_id)
    g = _new_graph(f"{sop.sop}.{step_id}", "LR")
    g.attr(label=_cluster_label(sop, step_id, lang))
    _add_step(sop, g, step_id, lang, swimlanes)
    return g.source


def case_dot(sop: SOP, step_id: str, lang: str = "fr", path: Sequence[tuple[str, str, str]] = (),
             current: str | None = None, swimlanes: bool = False) -> str:
    """DOT of one step with the path a case took (numbered, coloured) and its current state circled.

    ``path`` lists ``(from_state, trigger, to_state)`` in order. Transitions of the path that the
    step draws from a wildcard, or that are not in this SOP version, get an extra highlighted edge.
    Raises ``KeyError`` for an unknown step and ``ValueError`` for a state not in the step.
    """
    _check_step(sop, step_id)
    states = sop.steps[step_id].states
    for src, _trig, dst in path:
        for s in (src, dst):
            if s not in states:
                raise ValueError(f"state {s!r} of the case path is not a state of step {step_id!r}")
    if current is not None and current not in states:
        raise ValueError(f"current state {current!r} is not a state of step {step_id!r}")
    g = _new_graph(f"{sop.sop}.{step_id}.case", "LR")
    g.attr(label=_cluster_label(sop, step_id, lang))
    _add_step(sop, g, step_id, lang, swimlanes, _Highlight([tuple(p) for p in path], current))
    return g.source


def flow_dot(sop: SOP, lang: str = "fr", swimlanes: bool = False) -> str:
    """DOT text of the whole SOP: one cluster per step, flow rules as bold edges between steps,
    a start marker into the first step and a "case closed" marker for ``close_case`` rules."""
    words = _t(lang)
    g = _new_graph(sop.sop, "TB")
    g.attr(label=_html(f'<FONT POINT-SIZE="24"><B>{_br(sop.label(sop.title, lang), 60)}</B></FONT>'
                       f'<BR/><FONT POINT-SIZE="12">{_esc(sop.sop)} · {_esc(sop.version)}</FONT>'))
    for step_id in sop.steps:
        with g.subgraph(name=f"cluster_{step_id}") as c:
            c.attr(label=_cluster_label(sop, step_id, lang), style="rounded", color="#1F4E9A",
                   penwidth="2", bgcolor="#F7F9FC", margin="16")
            _add_step(sop, c, step_id, lang, swimlanes)
            pseudo = {r.after.partition(".")[2] for r in sop.flow
                      if r.after.startswith(step_id + ".")} & {"all_final", "any_final"}
            for p in sorted(pseudo):
                c.node(_node_id(step_id, f"_{p}"), _html(f"<I>{_br(words[p], 22)}</I>"), shape="box",
                       style="rounded,filled,bold", fillcolor=_C_FINAL, peripheries="2",
                       id=f"{p}.{step_id}")
                for name in sop.steps[step_id].final_states:
                    c.edge(_node_id(step_id, name), _node_id(step_id, f"_{p}"), style="dotted",
                           arrowhead="none", color="#777777")
    g.node("_start", _html(f"<B>{_esc(words['start'])}</B>"), shape="circle", style="filled",
           fillcolor="black", fontcolor="white", id="flow_start")
    if sop.start in sop.steps:
        g.edge("_start", _node_id(sop.start, sop.steps[sop.start].initial_state),
               lhead=f"cluster_{sop.start}", color=_C_FLOW, penwidth="3", mno_flow="start")
    if any(r.close_case for r in sop.flow):
        g.node("_closed", _html(f"<B>{_br(words['case_closed'], 12)}</B>"), shape="doublecircle",
               style="filled", fillcolor="#222222", fontcolor="white", id="flow_closed")
    for i, rule in enumerate(sop.flow):
        step_id, _, state = rule.after.partition(".")
        if step_id not in sop.steps:
            continue
        tail = _node_id(step_id, f"_{state}" if state in ("all_final", "any_final") else state)
        common = {"color": _C_FLOW, "penwidth": "3", "mno_flow": _attr(rule.after), "id": f"flow.{i}"}
        if rule.start and rule.start in sop.steps:
            head = _node_id(rule.start, sop.steps[rule.start].initial_state)
            g.edge(tail, head, lhead=f"cluster_{rule.start}", mno_start=_attr(rule.start), **common)
        if rule.close_case:
            g.edge(tail, "_closed", mno_close="1", **common)
    return g.source


# --------------------------------------------------------------------------------------------
# Mermaid


def _mm_esc(text: str) -> str:
    # Escape '#' first on the raw text, then the rest, without touching the codes just produced.
    out = []
    for ch in " ".join(str(text).split()):
        out.append({"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", ";": "#59;",
                    "%": "#37;", "{": "#123;", "}": "#125;", "|": "#124;", "`": "#96;",
                    "\\": "#92;"}.get(ch, ch))
    return "".join(out)


def _mm_step_lines(sop: SOP, step_id: str, lang: str, prefix: str, indent: str) -> list[str]:
    step, words = sop.steps[step_id], _t(lang)
    out: list[str] = []
    ids = {name: f"{prefix}_{name}" for name in step.states}
    for name, st in step.states.items():
        desc = [_mm_esc(sop.label(st.label, lang))]
        if st.owner:
            desc.append(_mm_esc(f"{words['waits']} {_roles(sop, st.owner_roles, lang)}"))
        if st.deadline:
            desc.append(_mm_esc(f"{CLOCK} {deadline_words(sop, st.deadline, lang)}"))
        out.append(f'{indent}state "{"<br/>".join(desc)}" as {ids[name]}')
    out.append(f"{indent}[*] --> {ids[step.initial_state]}")
    for t in step.transitions:
        parts = [sop.label(t.label, lang), f"{words['by']} {_roles(sop, t.by, lang)}"]
        if t.forms:
            parts.append(f"{words['form']} {forms_text(sop, t, lang)}")
        guard = guard_label(sop, t, lang)
        if guard:
            parts.append(f"[{guard}]")
        label = " — ".join(_mm_esc(p) for p in parts)
        for src in expand_sources(step, t):
            out.append(f"{indent}{ids[src]} --> {ids[t.dest or src]} : {label}")
    for name in step.final_states:
        out.append(f"{indent}{ids[name]} --> [*]")
    waiting = [ids[n] for n, s in step.states.items() if s.owner and not s.final]
    finals = [ids[n] for n in step.final_states]
    if waiting:
        out.append(f"{indent}class {','.join(waiting)} waiting")
    if finals:
        out.append(f"{indent}class {','.join(finals)} final")
    return out


_MM_CLASSES = ["    classDef waiting fill:#FFF3C4,stroke:#333333",
               "    classDef final fill:#E3F1E3,stroke:#333333,stroke-width:3px"]


def step_mermaid(sop: SOP, step_id: str, lang: str = "fr") -> str:
    """Mermaid ``stateDiagram-v2`` text of one step (wildcards expanded). KeyError if unknown."""
    _check_step(sop, step_id)
    lines = ["stateDiagram-v2", "    direction LR", *_MM_CLASSES]
    lines += _mm_step_lines(sop, step_id, lang, "s", "    ")
    return "\n".join(lines) + "\n"


def flow_mermaid(sop: SOP, lang: str = "fr") -> str:
    """Mermaid ``stateDiagram-v2`` of the whole SOP: one composite state per step, flow rules
    between composites (Mermaid cannot link states inside different composites)."""
    words = _t(lang)
    lines = ["stateDiagram-v2", *_MM_CLASSES]
    sid = {step_id: f"s{i}" for i, step_id in enumerate(sop.steps, 1)}
    for step_id, step in sop.steps.items():
        title = _mm_esc(sop.label(step.label, lang))
        if not isinstance(step.instances, str):
            title += " — " + _mm_esc(words["per_item"].format(
                x=_field_label(sop, step.instances.for_each, lang)))
        lines.append(f'    state "{title}" as {sid[step_id]} {{')
        lines += _mm_step_lines(sop, step_id, lang, sid[step_id], "        ")
        lines.append("    }")
    if sop.start in sid:
        lines.append(f"    [*] --> {sid[sop.start]}")
    for rule in sop.flow:
        step_id, _, state = rule.after.partition(".")
        if step_id not in sid:
            continue
        if state in ("all_final", "any_final"):
            cond = words[state]
        else:
            cond = sop.label(sop.steps[step_id].states[state].label, lang) \
                if state in sop.steps[step_id].states else state
        if rule.start and rule.start in sid:
            lines.append(f"    {sid[step_id]} --> {sid[rule.start]} : {_mm_esc(cond)}")
        if rule.close_case:
            lines.append(f"    {sid[step_id]} --> [*] : {_mm_esc(cond + ' → ' + words['case_closed'])}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Rendering with the dot binary

# Page sizes in inches (width, height). "a4" takes the orientation in which the drawing is largest.
PAGES = {"a4": (8.27, 11.69), "a4-portrait": (8.27, 11.69), "a4-landscape": (11.69, 8.27),
         "16:9": (13.333, 7.5)}
PAGE_MARGIN = 0.4  # inches on every side
FORMATS = ("svg", "png", "pdf")


def dot_available() -> bool:
    """True when the Graphviz ``dot`` binary is on PATH."""
    return shutil.which("dot") is not None


def _run_dot(args: list[str], dot_source: str) -> bytes:
    try:
        proc = subprocess.run(args, input=dot_source.encode("utf-8"), capture_output=True, timeout=120,
                              check=False)
    except FileNotFoundError:
        raise DotNotFound() from None
    if proc.returncode != 0:
        raise RenderError(f"dot failed ({proc.returncode}): {proc.stderr.decode('utf-8', 'replace').strip()}")
    return proc.stdout


def _page_args(exe: str, dot_source: str, page: str) -> list[str]:
    """``dot`` options that scale the drawing to fit ``page`` and pad it to exactly the page size.

    A first ``-Tplain`` run gives the drawing's natural size; padding is in unscaled inches, so the
    padded drawing has the page's aspect ratio and ``size=W,H!`` scales it to the page exactly.
    """
    head = _run_dot([exe, "-Tplain", "-Gpad=0", "-Gmargin=0"], dot_source).decode("utf-8").split()
    w, h = max(float(head[2]), 0.01), max(float(head[3]), 0.01)
    candidates = [PAGES[page]]
    if page == "a4":
        candidates.append(PAGES["a4-landscape"])

    def scale(size: tuple[float, float]) -> float:
        return min((size[0] - 2 * PAGE_MARGIN) / w, (size[1] - 2 * PAGE_MARGIN) / h)

    pw, ph = max(candidates, key=scale)
    k = scale((pw, ph))
    return [f"-Gsize={pw:.3f},{ph:.3f}!", f"-Gpad={(pw / k - w) / 2:.4f},{(ph / k - h) / 2:.4f}",
            "-Gmargin=0"]


def render_bytes(dot_source: str, fmt: str, page: str | None = None) -> bytes:
    """Run ``dot`` on ``dot_source`` and return the ``fmt`` output (svg, png or pdf).

    ``page`` ("a4" in the better orientation, "a4-portrait", "a4-landscape" or "16:9") scales the
    drawing (up or down) to fill that page, centred, with a 0.4 inch margin; PDF pages then have
    exactly that size.
    Raises :class:`DotNotFound`, :class:`RenderError`, ``ValueError`` for a bad fmt/page.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if page is not None and page not in PAGES:
        raise ValueError(f"unknown page {page!r}; use one of {', '.join(PAGES)}")
    exe = shutil.which("dot")
    if exe is None:
        raise DotNotFound()
    args = [exe, f"-T{fmt}"]
    if fmt == "png":
        args.append("-Gdpi=150")
    if page:
        args += _page_args(exe, dot_source, page)
    return _run_dot(args, dot_source)


def render(dot_source: str, fmt: str, out_path: str | Path, page: str | None = None) -> Path:
    """Render ``dot_source`` to ``out_path`` as svg, png or pdf (see :func:`render_bytes`).

    Creates parent folders; returns the path written. Raises :class:`DotNotFound` when the
    ``dot`` binary is missing, :class:`RenderError` when it fails.
    """
    data = render_bytes(dot_source, fmt, page)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out


# --------------------------------------------------------------------------------------------
# Reading edges back (parity with the model)

_TOKEN_RE = re.compile(r"""
    (?P<ws>\s+|//[^\n]*|/\*.*?\*/|^\#[^\n]*)
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<html><)
  | (?P<arrow>->|--)
  | (?P<punct>[\[\]{};,=:])
  | (?P<id>[A-Za-z_\x80-\U0010ffff][A-Za-z0-9_\x80-\U0010ffff]*|-?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?))
""", re.X | re.S | re.M)


def _tokens(text: str) -> list[tuple[str, str]]:
    out, i, n = [], 0, len(text)
    while i < n:
        m = _TOKEN_RE.match(text, i)
        if not m:
            raise DiagramError(f"cannot read DOT at offset {i}: {text[i:i + 20]!r}")
        kind = m.lastgroup
        if kind == "html":  # balanced <...>
            depth, j = 0, i
            while j < n:
                depth += {"<": 1, ">": -1}.get(text[j], 0)
                j += 1
                if depth == 0:
                    break
            out.append(("id", text[i:j]))
            i = j
            continue
        if kind == "str":
            out.append(("id", re.sub(r'\\(["\n])', lambda m_: "" if m_.group(1) == "\n" else '"',
                                     m.group()[1:-1])))
        elif kind != "ws":
            out.append((kind, m.group()))
        i = m.end()
    return out


def dot_edges(dot_text: str) -> list[tuple[str, str, dict[str, str]]]:
    """Every edge statement ``a -> b [attrs]`` of DOT text as (tail, head, attributes).

    Edge chains ``a -> b -> c`` give one tuple per pair. Subgraph endpoints are not supported.
    """
    toks = _tokens(dot_text)
    out: list[tuple[str, str, dict[str, str]]] = []
    i = 0
    while i < len(toks):
        if i + 2 < len(toks) and toks[i][0] == "id" and toks[i + 1][0] == "arrow":
            chain = [toks[i][1]]
            j = i + 1
            while j + 1 < len(toks) and toks[j][0] == "arrow" and toks[j + 1][0] == "id":
                chain.append(toks[j + 1][1])
                j += 2
            attrs: dict[str, str] = {}
            while j < len(toks) and toks[j] == ("punct", "["):
                j += 1
                while j < len(toks) and toks[j] != ("punct", "]"):
                    if toks[j][0] == "id" and j + 2 < len(toks) and toks[j + 1] == ("punct", "="):
                        attrs[toks[j][1]] = toks[j + 2][1]
                        j += 3
                    else:
                        j += 1
                j += 1
            out += [(a, b, attrs) for a, b in zip(chain, chain[1:], strict=False)]
            i = j
        else:
            i += 1
    return out


def edges_of_dot(dot_text: str) -> set[EdgeFact]:
    """The transitions a generated DOT text draws, read back from its ``mno_*`` edge attributes.

    Wildcard edges are expanded to the sources they stand for. Flow, initial and path edges (no
    ``mno_trigger``) are skipped. Compare with :func:`transition_facts` of the same SOP and language.
    """
    facts: set[EdgeFact] = set()
    for _tail, _head, attrs in dot_edges(dot_text):
        if "mno_trigger" not in attrs:
            continue
        step, trig, dest = (_unpct(attrs.get(k, "")) for k in ("mno_step", "mno_trigger", "mno_dest"))
        guard = _unpct(attrs.get("mno_guard", ""))
        for src in _unpct(attrs.get("mno_sources", "")).split(","):
            facts.add(EdgeFact(step, src, trig, dest, guard))
    return facts


# --------------------------------------------------------------------------------------------
# Writing a diagrams/ folder


def expected_diagrams(sop: SOP, formats: Sequence[str] = ("svg", "dot", "mmd"),
                      langs: Sequence[str] = ("fr", "en"), swimlanes: bool = False) -> dict[str, bytes]:
    """Every diagram file for ``sop`` as ``{"<sop>/<lang>/<name>.<fmt>": bytes}``.

    Names are ``flow`` and each step id. Formats: dot, mmd (Mermaid; flow and steps), svg, png,
    pdf (need ``dot``: :class:`DotNotFound` otherwise). Deterministic for one Graphviz version.
    """
    unknown = set(formats) - {"dot", "mmd", *FORMATS}
    if unknown:
        raise ValueError(f"unknown format(s) {', '.join(sorted(unknown))}; use dot, mmd, svg, png, pdf")
    if set(formats) & set(FORMATS) and not dot_available():
        raise DotNotFound()
    out: dict[str, bytes] = {}
    for lang in langs:
        sources = {"flow": (flow_dot(sop, lang, swimlanes), flow_mermaid(sop, lang))}
        for step_id in sop.steps:
            sources[step_id] = (step_dot(sop, step_id, lang, swimlanes), step_mermaid(sop, step_id, lang))
        for name, (dot_text, mmd) in sources.items():
            base = f"{sop.sop}/{lang}/{name}"
            for fmt in formats:
                if fmt == "dot":
                    out[f"{base}.dot"] = dot_text.encode("utf-8")
                elif fmt == "mmd":
                    out[f"{base}.mmd"] = mmd.encode("utf-8")
                else:
                    out[f"{base}.{fmt}"] = render_bytes(dot_text, fmt)
    return out


def write_sop_diagrams(sop: SOP, out_dir: str | Path, formats: Sequence[str] = ("svg", "dot", "mmd"),
                       langs: Sequence[str] = ("fr", "en"), swimlanes: bool = False) -> list[Path]:
    """Write ``<out_dir>/<sop>/<lang>/flow.<fmt>`` and ``<out_dir>/<sop>/<lang>/<step>.<fmt>``.

    Returns the paths written, sorted. Nothing is written when a rendered format is asked and
    ``dot`` is missing (:class:`DotNotFound`); ``ValueError`` for an unknown format.
    """
    files = expected_diagrams(sop, formats, langs, swimlanes)
    written = []
    for rel, data in sorted(files.items()):
        p = Path(out_dir) / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        written.append(p)
    return written
