"""The SOP handbook for trainers and staff (HTML to print or project, and Markdown), from the SOP model.

It says, in one language (fr or en): what the SOP is for, who does what in each step, each step's
diagram, states (owner, deadline in words), transitions (who, form, guard), what moves a case
into each state, every form field (type, required, options, data classification), the forms as
printable blank sheets, and the glossary. Templates are Jinja2 with autoescaping on, so author
text cannot inject markup. Diagrams are inline SVG when Graphviz ``dot`` is installed, else
Mermaid text; nothing here needs ``dot``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from mno_workflow.i18n import gettext
from mno_workflow.sop.schema import SOP, ByField, Deadline, Duration, FormField, Step

from . import diagrams
from .form_titles import forms_text, known_forms
from .handbook_words import CLASSIFICATIONS, FIELD_TYPES, GLOSSARY, UI, _check_lang, _ui
from .plain import relevant_words, unsaid, where_words

__all__ = ["UI", "GLOSSARY", "handbook_context", "render_handbook_html", "render_handbook_md",
           "write_handbook"]

TEMPLATES = Path(__file__).parent / "templates"

# The handbook's own words (UI, FIELD_TYPES, CLASSIFICATIONS, GLOSSARY) live in handbook_words and
# are re-exported here.


# --------------------------------------------------------------------------------------------
# Words for the model's parts


def _reminder_words(text: str, lang: str) -> str:
    ui = _ui(lang)
    m = re.match(r"^\s*(\d{1,3})\s*%\s*$", text)
    if m:
        from babel.numbers import format_percent

        from ..i18n import babel_locale
        return ui["reminder_pct"].format(x=format_percent(int(m.group(1)) / 100, locale=babel_locale(lang)))
    m = re.match(r"^\s*(\d+\s*[a-z ]+?)\s+(before|after)\s*$", text.lower())
    if m:
        dur = Duration.model_validate(m.group(1))
        return ui[f"reminder_{m.group(2)}"].format(x=diagrams.duration_words(dur, lang))
    return text


def _deadline(sop: SOP, step: Step, deadline: Deadline, lang: str) -> dict[str, Any]:
    ui = _ui(lang)
    expiry = []
    if deadline.on_expiry:
        if deadline.on_expiry.escalate:
            expiry.append(ui["escalate_to"].format(x=_role(sop, deadline.on_expiry.escalate, lang)))
        if deadline.on_expiry.fire:
            t = next((t for t in step.transitions if t.trigger == deadline.on_expiry.fire), None)
            name = sop.label(t.label, lang) if t else deadline.on_expiry.fire
            expiry.append(ui["auto_fire"].format(x=name))
    notes = []
    if deadline.start and deadline.start != "entered":
        notes.append(ui["clock_from"].format(x=_field_label(sop, deadline.start, lang)))
    if deadline.cutoff:
        notes.append(diagrams.TEXT[lang]["cutoff"].format(t=deadline.cutoff.strftime("%H:%M")))
    return {
        "words": diagrams.deadline_words(sop, deadline, lang),
        "cases": diagrams.deadline_cases(sop, deadline, lang),
        "by_field": (_field_label(sop, deadline.within.by, lang)
                     if isinstance(deadline.within, ByField) else ""),
        "reminders": [_reminder_words(r, lang) for r in deadline.remind],
        "on_expiry": expiry,
        "notes": notes,
    }


def _role(sop: SOP, role: str, lang: str) -> str:
    return sop.label(sop.roles[role].label, lang) if role in sop.roles else role


def _field_label(sop: SOP, path: str, lang: str) -> str:
    if path.startswith("steps."):  # a deadline starting at a step's state (issue 13)
        return diagrams._field_label(sop, path, lang)
    f = diagrams.field_by_path(sop, path)
    return sop.label(f.label, lang) if f else path


def _field(sop: SOP, form_id: str, f: FormField, lang: str) -> dict[str, Any]:
    ui = _ui(lang)
    limits = []
    for key in ("min", "max", "max_length", "min_items", "max_items"):
        value = getattr(f, key)
        if value is not None:
            limits.append(ui[key].format(x=int(value) if float(value).is_integer() else value))
    if f.not_future:
        limits.append(ui["not_future"])
    if f.not_before:
        limits.append(ui["not_before"].format(x=_field_label(sop, f.not_before, lang)))
    options = [{"code": code, "label": sop.label(label, lang)}
               for code, label in sop.options.get(f.options or "", {}).items()]
    return {
        "id": f.id, "path": f"{form_id}.{f.id}", "label": sop.label(f.label, lang),
        "type": f.type.value, "type_words": FIELD_TYPES[lang][f.type],
        "required": f.required, "options": options,
        "classification": f.classification.value,
        "classification_words": CLASSIFICATIONS[lang][f.classification.value],
        "help": sop.label(f.help, lang) if f.help else "",
        "relevant": f.relevant or "", "limits": limits,
        "relevant_words": relevant_words(sop, f, lang),
        "fields": [_field(sop, form_id, sub, lang) for sub in f.fields or []],
    }


def _step(sop: SOP, step_id: str, lang: str, svg: bool) -> dict[str, Any]:
    ui, step = _ui(lang), sop.steps[step_id]

    def state_label(name: str) -> str:
        return sop.label(step.states[name].label, lang) if name in step.states else name

    states = []
    for name, st in step.states.items():
        kinds = [ui["initial"]] if st.initial else []
        kinds += [ui["final"]] if st.final else [ui["waiting"]] if st.owner else []
        states.append({
            "id": name, "label": sop.label(st.label, lang), "kind": ", ".join(kinds) or ui["normal"],
            "initial": st.initial, "final": st.final,
            "owner": " / ".join(_role(sop, r, lang) for r in st.owner_roles),
            "deadline": _deadline(sop, step, st.deadline, lang) if st.deadline else None,
        })
    transitions = []
    into: dict[str, list[dict[str, Any]]] = {name: [] for name in step.states}
    for t in step.transitions:
        sources = diagrams.expand_sources(step, t)
        from_words = ", ".join(state_label(s) for s in sources)
        if "*" in t.sources:
            from_words = f"{ui['any_open']} ({from_words})" if from_words else ui["any_open"]
        item = {
            "trigger": t.trigger, "label": sop.label(t.label, lang), "from": from_words,
            "to": state_label(t.dest) if t.dest else ui["same_state"],
            "by": [_role(sop, r, lang) for r in t.by],
            "form": forms_text(sop, t, lang),  # several forms joined with « + »
            "guard": diagrams.guard_label(sop, t, lang),
            # the expression itself only for a condition the words cannot say (« dans certains
            # cas »): then shown as code under the words, never instead of them
            "guard_cel": t.when or "",
            "guard_has_message": bool(t.when) and not t.when_label and unsaid(sop, t.when, lang),
        }
        transitions.append(item)
        if t.dest:  # an internal transition moves nothing into a state
            into.setdefault(t.dest, []).append(item)
    moves = [{"state": state_label(name), "entry": name in step.states and step.states[name].initial,
              "by": into[name]} for name in into]
    forms_used = []
    for t in step.transitions:
        for fid in known_forms(sop, t):  # every form of ``form: [a, b]``
            if fid not in forms_used:
                forms_used.append(fid)
    per_item = ""
    if not isinstance(step.instances, str):
        fe = step.instances
        per_item = ui["per_item"].format(x=_field_label(sop, fe.for_each, lang))
        if fe.where:  # in words, as in the SOP document (the expression is in the annex there)
            per_item += " (" + ui["per_item_where"].format(x=where_words(sop, fe, lang)) + ")"
        if fe.key:
            group = diagrams.field_by_path(sop, fe.for_each)
            sub = next((s for s in (group.fields if group else None) or [] if s.id == fe.key), None)
            per_item += " — " + ui["per_item_key"].format(x=sop.label(sub.label, lang) if sub else fe.key)
    svg_text = Markup(_svg(diagrams.step_dot(sop, step_id, lang))) if svg else ""
    return {
        "id": step_id, "label": sop.label(step.label, lang),
        "description": sop.label(step.description, lang) if step.description else "",
        "per_item": per_item, "states": states, "transitions": transitions, "moves_into": moves,
        "forms_used": [{"id": f, "title": sop.label(sop.forms[f].title, lang)} for f in forms_used],
        "svg": svg_text, "mermaid": Markup(diagrams.step_mermaid(sop, step_id, lang)),
    }


def _raci(sop: SOP, lang: str) -> list[dict[str, Any]]:
    ui = _ui(lang)
    rows = []
    for rid in sop.roles:
        cells = []
        for step in sop.steps.values():
            marks = []
            if any(rid in t.by for t in step.transitions):
                marks.append(ui["fires"])
            if any(rid in s.owner_roles for s in step.states.values()):
                marks.append(ui["owns"])
            if any(s.deadline and s.deadline.on_expiry and s.deadline.on_expiry.escalate == rid
                   for s in step.states.values()):
                marks.append(ui["escalation"])
            cells.append(", ".join(marks))
        rows.append({"role": _role(sop, rid, lang), "cells": cells})
    return rows


def _scope_key(role_id: str, scope: str) -> str:
    """The handbook's word for a role's scope; the web application (web/access/) limits the
    ``supervisor`` role to the cases of their region, so the handbook says so."""
    return "scope_region" if role_id == "supervisor" and scope == "all" else f"scope_{scope}"


def handbook_context(sop: SOP, lang: str = "fr", svg: bool | None = None) -> dict[str, Any]:
    """Everything the handbook templates show, as plain data in ``lang``.

    ``svg``: embed step diagrams as SVG (needs ``dot``); None means "when ``dot`` is installed".
    Raises ``ValueError`` for a language without handbook words or without SOP labels, and
    :class:`~mno_workflow.render.diagrams.DotNotFound` if ``svg=True`` and ``dot`` is missing.
    """
    _check_lang(sop, lang)
    ui = _ui(lang)
    if svg is None:
        svg = diagrams.dot_available()
    days = dict(zip(["mon", "tue", "wed", "thu", "fri", "sat", "sun"], ui["days"].split(), strict=True))
    flow = []
    for rule in sop.flow:
        step_id, _, state = rule.after.partition(".")
        step = sop.steps.get(step_id)
        if state in ("all_final", "any_final"):
            what = diagrams.TEXT[lang][state]
        else:
            what = sop.label(step.states[state].label, lang) if step and state in step.states else state
        flow.append({"step": sop.label(step.label, lang) if step else step_id, "state": what,
                     "start": sop.label(sop.steps[rule.start].label, lang) if rule.start in sop.steps else "",
                     "close": rule.close_case})
    other = "fr" if lang == "en" else "en"
    from .narrative_text import find_narrative  # the SOP's own glossary first (issue 19)

    own = find_narrative(sop).glossary
    if own:
        glossary = [(sop.label(g.term, lang), sop.label(g.term, other)) for g in own]
    else:
        glossary = [(gettext(term, lang), gettext(term, other)) for term in GLOSSARY]
    glossary.sort(key=lambda pair: pair[0].lower())
    return {
        "lang": lang, "other_lang": other, "t": ui, "other_lang_name": _language_name(other, lang),
        "sop": {"id": sop.sop, "version": sop.version, "title": sop.label(sop.title, lang),
                "description": sop.label(sop.description, lang) if sop.description else "",
                "timezone": sop.calendar.timezone, "holidays": sop.calendar.holidays or "",
                "workweek": ", ".join(days[d] for d in sop.calendar.workweek),
                "start": (sop.label(sop.steps[sop.start].label, lang)
                          if sop.start in sop.steps else sop.start)},
        # SOP entries (a first responder's alert): who may open a case that way, in which step
        "entries": [{"label": sop.label(e.label, lang), "by": ", ".join(_role(sop, r, lang) for r in e.by),
                     "start": sop.label(sop.steps[e.start].label, lang) if e.start in sop.steps else e.start}
                    for e in sop.entries.values()],
        "roles": [{"id": rid, "label": _role(sop, rid, lang), "scope": ui[_scope_key(rid, r.scope)]}
                  for rid, r in sop.roles.items()],
        "raci_steps": [sop.label(s.label, lang) for s in sop.steps.values()],
        "raci": _raci(sop, lang),
        "flow": flow,
        "steps": [_step(sop, sid, lang, svg) for sid in sop.steps],
        "forms": [{"id": fid, "title": sop.label(f.title, lang),
                   "fields": [_field(sop, fid, fld, lang) for fld in f.fields],
                   "rules": [sop.label(r.message, lang) for r in f.rules]}
                  for fid, f in sop.forms.items()],
        "glossary": glossary,
        "flow_mermaid": Markup(diagrams.flow_mermaid(sop, lang)),
        "flow_svg": Markup(_svg(diagrams.flow_dot(sop, lang))) if svg else "",
    }


def _svg(dot_text: str) -> str:
    """SVG text for inline use: ``dot`` escapes its text; the XML prolog and doctype are dropped."""
    raw = diagrams.render_bytes(dot_text, "svg").decode("utf-8")
    return raw[raw.index("<svg"):]


# --------------------------------------------------------------------------------------------
# Templates

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#|~])")


def _md(value: Any) -> str:
    """Markdown-escape author text for one line (HTML characters are escaped by finalize)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def _md_finalize(value: Any) -> Any:
    """Autoescaping for Markdown: ``&``, ``<``, ``>`` become entities; quotes stay readable."""
    if isinstance(value, Markup) or value is None:
        return value
    text = str(value)
    return Markup(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _env(markdown: bool = False) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True, finalize=_md_finalize if markdown else None)
    env.filters["md"] = _md
    if not markdown:  # French spacing before ; : ? ! in the HTML handbook (render/typography.py)
        from .typography import DocumentTemplate
        env.template_class = DocumentTemplate
    return env


def render_handbook_html(sop: SOP, lang: str = "fr", svg: bool | None = None) -> str:
    """The handbook as one self-contained HTML page (inline CSS, print-friendly) in ``lang``.

    See :func:`handbook_context` for ``svg`` and the exceptions.
    """
    return _env().get_template("handbook.html.j2").render(**handbook_context(sop, lang, svg))


def render_handbook_md(sop: SOP, lang: str = "fr") -> str:
    """The handbook as Markdown in ``lang``; diagrams are Mermaid code blocks. ValueError as above."""
    return _env(markdown=True).get_template("handbook.md.j2").render(**handbook_context(sop, lang, svg=False))


def write_handbook(sop: SOP, out_dir: str | Path, lang: str = "fr",
                   formats: Sequence[str] = ("html", "md"), svg: bool | None = None) -> list[Path]:
    """Write ``<out_dir>/<sop>/<lang>/handbook.html`` and/or ``handbook.md``; return the paths.

    ``formats`` ⊆ {"html", "md"} (``ValueError`` otherwise). HTML embeds SVG diagrams when ``dot``
    is installed (or as ``svg`` says), else shows Mermaid text.
    """
    unknown = set(formats) - {"html", "md"}
    if unknown:
        raise ValueError(f"unknown handbook formats: {', '.join(sorted(unknown))}; use html or md")
    folder = Path(out_dir) / sop.sop / lang
    out = []
    for fmt in formats:
        text = render_handbook_html(sop, lang, svg) if fmt == "html" else render_handbook_md(sop, lang)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"handbook.{fmt}"
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


def _language_name(code: str, lang: str) -> str:
    """The name of language ``code`` written in ``lang`` (« Anglais », "French"), from Babel's
    locale data (CLDR); ``code`` itself when Babel does not know it."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(code).get_display_name(lang)
    except (UnknownLocaleError, ValueError):
        return code
    return (name[:1].upper() + name[1:]) if name else code
