"""Flow, step and case diagrams (Graphviz DOT and Mermaid) generated from the SOP model alone.

This module builds the DOT text and writes a ``diagrams/`` folder; the words of the pictures are
in :mod:`.diagram_words`, the Mermaid text in :mod:`.diagram_mermaid`, running ``dot`` and
reading DOT back in :mod:`.diagram_render` (all re-exported here, so ``diagrams.X`` still works).

Everything here reads :class:`mno_workflow.sop.schema.SOP` only, never the YAML nor the runtime
machines, so the pictures trainers project cannot disagree with what the engine runs. DOT text is
built with :class:`graphviz.Digraph` and HTML-like labels escaped here, so author labels (quotes,
``<``, ``>``, ``&``, accents, backslashes) are always safe. Each transition edge carries its
identity in ``mno_*`` attributes (percent-encoded), which :func:`edges_of_dot` reads back for the
parity test "the diagram shows exactly the SOP's transitions". Rendering to SVG/PNG/PDF needs the
Graphviz ``dot`` binary; DOT and Mermaid text never do.
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote as _pct

import graphviz

# Re-exported: callers import these from here (the module was split at ~400 lines).
from mno_workflow.render.diagram_mermaid import flow_mermaid, step_mermaid
from mno_workflow.render.diagram_render import (
    FORMATS,
    PAGE_MARGIN,
    PAGES,
    DiagramError,
    DotNotFound,
    RenderError,
    dot_available,
    dot_edges,
    edges_of_dot,
    render,
    render_bytes,
)
from mno_workflow.render.diagram_words import (
    CLOCK,
    TEXT,
    EdgeFact,
    _check_step,
    _field_label,
    _roles,
    _t,
    cap_words,
    deadline_cases,
    deadline_words,
    duration_words,
    expand_sources,
    guard_label,
    transition_facts,
)
from mno_workflow.render.form_titles import forms_text
from mno_workflow.render.plain import field_by_path
from mno_workflow.sop.schema import SOP, Step, Transition

__all__ = [
    "DiagramError", "DotNotFound", "RenderError", "EdgeFact", "CLOCK",
    "duration_words", "deadline_words", "guard_label", "field_by_path",
    "flow_dot", "step_dot", "case_dot", "flow_mermaid", "step_mermaid",
    "render", "dot_available", "edges_of_dot", "transition_facts",
    "expected_diagrams", "write_sop_diagrams", "deadline_cases", "expand_sources", "dot_edges",
    "TEXT", "FORMATS", "PAGES", "PAGE_MARGIN",
]

FONT = "DejaVu Sans"
# Colours: kept few and readable on a projector and in black-and-white print.
_C_WAIT, _C_FINAL, _C_PLAIN = "#FFF3C4", "#E3F1E3", "#FFFFFF"
_C_DEADLINE, _C_FLOW, _C_PATH, _C_CURRENT, _C_VISITED = "#A3000F", "#1F4E9A", "#0B5CAD", "#C62828", "#DCEBFA"


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
        if st.deadline.no_later_than:
            lines.append(cap_words(sop, st.deadline, lang))
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
                       f'<BR/><FONT POINT-SIZE="12">{_esc(words["version"])} {_esc(sop.version)}</FONT>'))
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
# Writing a diagrams/ folder


def expected_diagrams(sop: SOP, formats: Sequence[str] = ("svg", "dot", "mmd"),
                      langs: Sequence[str] = ("fr", "en"), swimlanes: bool = False) -> dict[str, bytes]:
    """Every diagram file for ``sop`` as ``{"<sop>/<lang>/<name>.<fmt>": bytes}``.

    Names are ``flow`` and each step id. Formats: dot, mmd (Mermaid; flow and steps), svg, png,
    pdf (need ``dot``: :class:`DotNotFound` otherwise). Deterministic for one Graphviz version.
    """
    unknown = set(formats) - {"dot", "mmd", *FORMATS}
    if unknown:
        raise ValueError(f"unknown formats: {', '.join(sorted(unknown))}; use dot, mmd, svg, png, pdf")
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
