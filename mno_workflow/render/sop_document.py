"""*The* SOP document: the narrative chapters and the chapters generated from the SOP, in plain words.

Order: title page and contents; narrative chapters placed ``before`` (context, objectives, legal
framework, scope, principles, roles…); the referral overview diagram; who does what; one chapter
per step (purpose, who, deadlines and what happens when they pass, what can happen and when —
conditions as their ``when_label`` or in words —, what comes next); the generated
data-protection chapter; narrative chapters placed ``after``; the glossary of the narrative;
annexes (narrative annexes, then, for authors only, the conditions as written in the SOP).
Outside the authors' annex no expression, state id or software word is printed (checked by
tests with :func:`mno_workflow.render.plain.software_words`). The tool handbook
(:mod:`.handbook`) stays for training on the software itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markupsafe import Markup

from mno_workflow.i18n import N_, Words, listed, quoted
from mno_workflow.sop.schema import SOP, ByField

from . import diagrams
from .data_protection_doc import data_protection_chapter
from .form_titles import JOIN, known_forms
from .narrative_text import find_narrative, markdown_html
from .overview import overview_dot
from .paper_forms import env
from .plain import cap_condition, relevant_words, rule_words, transition_condition, where_words

__all__ = ["DOC_WORDS", "document_context", "render_sop_document", "step_facts"]

DOC_WORDS: Words = Words({  # key → French message id (English and others: the catalogues)
    "doc": N_("Procédures opérationnelles standard"),
    "version": N_("Version"),
    "contents": N_("Sommaire"),
    "overview": N_("Le parcours en un coup d'œil"),
    "who_does_what": N_("Qui fait quoi"),
    "responsible_in": N_("responsable dans"),
    "acts_in": N_("intervient dans"),
    "escalation_in": N_("alerté·e en cas de retard dans"),
    "steps": N_("Les étapes"),
    "purpose": N_("Objet"),
    "who": N_("Qui"),
    "deadlines": N_("Délais"),
    "late": N_("si le délai est dépassé"),
    "alert": N_("{r} est alerté·e"),
    "auto": N_("« {x} » a lieu automatiquement"),
    "reminders": N_("rappels"),
    "what_happens": N_("Ce qui peut se passer"),
    "by": N_("par"),
    "with_form": N_("avec la fiche"),
    "only_if": N_("seulement si"),
    "goes_to": N_("le dossier passe à"),
    "stays": N_("le dossier reste au même point"),
    "next": N_("Ensuite"),
    "starts": N_("l'étape « {x} » commence"),
    "closes": N_("le dossier est clôturé"),
    "when": N_("Quand"),
    "each": N_("Cette étape est menée séparément pour chaque élément de « {x} »"),
    "each_if": N_(" ({x})"),
    "all_done": N_("tout est terminé"),
    "one_done": N_("l'un d'eux est terminé"),
    "glossary": N_("Glossaire"),
    "annexes": N_("Annexes"),
    "authors": N_("Annexe pour les auteurs de la POS : les conditions telles qu'écrites"),
    "authors_intro": N_(
        "Cette annexe sert à relire et modifier la POS ; elle n'est pas destinée aux personnes "
        "accompagnées."),
    "expression": N_("Expression"),
    "in_words": N_("En mots"),
    "where": N_("Où"),
    "from_start": N_("au début de l'étape"),
    "data_protection": N_("Protection des données personnelles"),
    "forms": N_("Fiches à utiliser"),
    "colon": N_(" : "),
    "none": N_("—"),
    "state_on_entry": N_("au début de l'étape"),
    "lq": N_("« "),
    "rq": N_(" »"),
})


def _role(sop: SOP, r: str, lang: str) -> str:
    return sop.label(sop.roles[r].label, lang) if r in sop.roles else r


def step_facts(sop: SOP, sid: str, lang: str = "fr") -> dict[str, Any]:
    """One step in plain words: label, purpose, who, deadlines, what can happen, what comes next."""
    w, step = DOC_WORDS[lang], sop.steps[sid]
    owners: list[str] = []
    for st in step.states.values():
        owners += [r for r in st.owner_roles if r not in owners]
    actors = []
    for t in step.transitions:
        actors += [r for r in t.by if r not in actors and r not in owners]
    deadlines = []
    for st in step.states.values():
        if not st.deadline:
            continue
        dl = st.deadline
        words = diagrams.deadline_words(sop, dl, lang)
        late = []
        if dl.on_expiry and dl.on_expiry.escalate:
            late.append(w["alert"].format(r=_role(sop, dl.on_expiry.escalate, lang)))
        if dl.on_expiry and dl.on_expiry.fire:
            t = next((t for t in step.transitions if t.trigger == dl.on_expiry.fire), None)
            late.append(w["auto"].format(x=sop.label(t.label, lang) if t else dl.on_expiry.fire))
        cases = diagrams.deadline_cases(sop, dl, lang) if isinstance(dl.within, ByField) else []
        deadlines.append(
            {
                "state": sop.label(st.label, lang),
                "words": words if not cases else "",
                "cases": cases,
                "late": ", ".join(late),
            }
        )
    happens = []
    for t in step.transitions:
        dest = step.states.get(t.dest) if t.dest else None
        happens.append(
            {
                "label": sop.label(t.label, lang),
                "by": ", ".join(_role(sop, r, lang) for r in t.by),
                "form": JOIN.join(sop.label(sop.forms[f].title, lang) for f in known_forms(sop, t)),
                "condition": transition_condition(sop, t, lang),
                "to": sop.label(dest.label, lang) if dest else "",
            }
        )
    nxt = []
    for rule in sop.flow:
        s_id, _, state = rule.after.partition(".")
        if s_id != sid:
            continue
        if state == "all_final":
            when = w["all_done"]
        elif state == "any_final":
            when = w["one_done"]
        else:
            when = (
                quoted(sop.label(step.states[state].label, lang), lang)
                if state in step.states
                else state
            )
        then = []
        if rule.start in sop.steps:
            then.append(w["starts"].format(x=sop.label(sop.steps[rule.start].label, lang)))
        if rule.close_case:
            then.append(w["closes"])
        cond = rule_words(sop, rule, lang)
        nxt.append({"when": when, "then": ", ".join(then), "condition": cond})
    each = ""
    if not isinstance(step.instances, str):
        fe = step.instances
        f = diagrams.field_by_path(sop, fe.for_each)
        each = w["each"].format(x=sop.label(f.label, lang) if f else fe.for_each)
        if fe.where:
            each += w["each_if"].format(x=where_words(sop, fe, lang))
    return {
        "id": sid,
        "label": sop.label(step.label, lang),
        "purpose": sop.label(step.description, lang) if step.description else "",
        "owners": ", ".join(_role(sop, r, lang) for r in owners),
        "actors": ", ".join(_role(sop, r, lang) for r in actors),
        "deadlines": deadlines,
        "happens": happens,
        "next": nxt,
        "each": each,
        "forms": sorted({h["form"] for h in happens if h["form"]}),
    }


def _authors_annex(sop: SOP, lang: str) -> list[dict[str, str]]:
    """Every condition of the SOP with its words and its expression — transition guards, the items
    of a for-each step, deadline caps, flow rules and fields asked in some cases: each one the
    documents may print « dans certains cas (voir l'annexe) » for is here (tryout 5, H20)."""
    w = DOC_WORDS[lang]
    rows = []
    for step in sop.steps.values():
        fe = step.instances
        if not isinstance(fe, str) and fe.where:
            group = diagrams.field_by_path(sop, fe.for_each)
            each = w["each"].format(x=sop.label(group.label, lang) if group else fe.for_each)
            rows.append({"where": f"{sop.label(step.label, lang)} — {each}",
                         "words": where_words(sop, fe, lang), "expr": fe.where})
        for state in step.states.values():
            for cap in state.deadline.no_later_than if state.deadline else []:
                if cap.when:
                    rows.append({"where": f"{sop.label(step.label, lang)} — {sop.label(state.label, lang)}"
                                          f" — {w['deadlines']}",
                                 "words": cap_condition(sop, cap, lang), "expr": cap.when})
        for t in step.transitions:
            if t.when:
                rows.append(
                    {
                        "where": f"{sop.label(step.label, lang)} — {sop.label(t.label, lang)}",
                        "words": transition_condition(sop, t, lang),
                        "expr": t.when,
                    }
                )
    for form in sop.forms.values():
        for f in form.fields:
            if f.relevant:
                rows.append(
                    {
                        "where": f"{sop.label(form.title, lang)} — {sop.label(f.label, lang)}",
                        "words": relevant_words(sop, f, lang),
                        "expr": f.relevant,
                    }
                )
    for rule in sop.flow:
        if rule.when:
            s_id = rule.after.partition(".")[0]
            started = sop.steps.get(rule.start or "")
            then = (w["starts"].format(x=sop.label(started.label, lang)) if started
                    else w["closes"] if rule.close_case else "")
            after = sop.label(sop.steps[s_id].label, lang) if s_id in sop.steps else s_id
            rows.append({"where": f"{w['next']} — {after} — {then}",
                         "words": rule_words(sop, rule, lang), "expr": rule.when})
    return rows


def _roles(sop: SOP, facts: list[dict[str, Any]], lang: str) -> list[dict[str, str]]:
    w = DOC_WORDS[lang]
    out = []
    for rid in sop.roles:
        label = _role(sop, rid, lang)
        resp = [f["label"] for f in facts if label in f["owners"].split(", ")]
        acts = [f["label"] for f in facts if label in f["actors"].split(", ")]
        parts = []
        if resp:
            parts.append(f"{w['responsible_in']}{w['colon']}{', '.join(resp)}")
        if acts:
            parts.append(f"{w['acts_in']}{w['colon']}{', '.join(acts)}")
        out.append({"role": label, "text": listed(parts, lang)})
    return out


def document_context(
    sop: SOP,
    lang: str = "fr",
    sop_path: str | Path | None = None,
    directory_folder: str | Path | None = None,
    svg: bool | None = None,
    *,
    public: bool = False,
) -> dict[str, Any]:
    """Everything the SOP document template shows (see the module docstring). ``public``: the
    data-sharing register without its focal points (a reader without ``directory_contacts``)."""
    narrative = find_narrative(sop, sop_path)
    if svg is None:
        svg = diagrams.dot_available()

    def chapter(c):
        return {"id": c.id, "title": sop.label(c.title, lang), "html": markdown_html(sop.label(c.text, lang))}

    facts = [step_facts(sop, sid, lang) for sid in sop.steps]
    overview = ""
    if svg:
        raw = diagrams.render_bytes(overview_dot(sop, lang), "svg").decode("utf-8")
        overview = Markup(raw[raw.index("<svg") :])
    glossary = sorted(
        (
            (sop.label(g.term, lang), sop.label(g.definition, lang) if g.definition else "")
            for g in narrative.glossary
        ),
        key=lambda p: p[0].lower(),
    )
    return {
        "lang": lang,
        "w": DOC_WORDS[lang],
        "title": sop.label(sop.title, lang),
        "version": sop.version,
        "description": sop.label(sop.description, lang) if sop.description else "",
        "before": [chapter(c) for c in narrative.chapters if not c.annex and c.place == "before"],
        "after": [chapter(c) for c in narrative.chapters if not c.annex and c.place == "after"],
        "annexes": [chapter(c) for c in narrative.chapters if c.annex],
        "overview": overview,
        "roles": _roles(sop, facts, lang),
        "steps": facts,
        "dp": data_protection_chapter(sop, lang, directory_folder, public=public),
        "glossary": glossary,
        "authors": _authors_annex(sop, lang),
    }


def render_sop_document(
    sop: SOP,
    lang: str = "fr",
    sop_path: str | Path | None = None,
    directory_folder: str | Path | None = None,
    svg: bool | None = None,
    *,
    public: bool = False,
) -> str:
    """The SOP document as one printable HTML page (A4 print CSS). ``KeyError`` for an unknown
    ``lang``. ``public``: without the data-sharing agreements' focal points."""
    ctx = document_context(sop, lang, sop_path, directory_folder, svg, public=public)
    return env().get_template("documents/sop_document.html.j2").render(**ctx)
