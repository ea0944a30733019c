"""Mermaid ``stateDiagram-v2`` text of one step and of the whole SOP (for Markdown viewers and
``diagrams/*.mmd``), from the SOP model alone (split from :mod:`.diagrams`, which re-exports it)."""

from __future__ import annotations

from mno_workflow.render.diagram_words import (
    CLOCK,
    _check_step,
    _field_label,
    _roles,
    _t,
    deadline_words,
    expand_sources,
    guard_label,
)
from mno_workflow.render.form_titles import forms_text
from mno_workflow.sop.schema import SOP


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

