"""The presentation deck (16:9): per step a text slide then its diagram, speaker notes, pathway slides.

Slides: title; the referral overview; for each step a text slide in plain words (purpose, who,
deadlines, key rules — what can happen and when, from :func:`.sop_document.step_facts`) followed
by the step's diagram; one pathway slide per need of the directory for the chosen region. Each
slide carries speaker notes from the SOP (the step description, what happens when a deadline
passes, what comes next). HTML: one 16:9 page per slide for WeasyPrint (``@page`` 254 × 142.9 mm),
notes under each slide on screen and on a separate notes page when printed with notes.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from mno_workflow.i18n import N_, Words
from mno_workflow.sop.schema import SOP

from . import diagrams
from .directory_data import PrintDirectory
from .overview import default_region, overview_dot, pathway_dot
from .paper_forms import env
from .sop_document import DOC_WORDS, step_facts

__all__ = ["DECK_WORDS", "deck_slides", "render_deck"]

DECK_WORDS: Words = Words({  # key → French message id (English and others: the catalogues)
    "notes": N_("Notes pour l'animateur"),
    "diagram": N_("Schéma"),
    "pathway": N_("Parcours — {x}"),
    "key_rules": N_("Règles clés"),
    "next": N_("Ensuite"),
    "step_n": N_("Étape {n} sur {total}"),
    "overview": N_("Le parcours en un coup d'œil"),
    "late_note": N_("Si le délai est dépassé : {x}."),
    "ask": N_("Question à poser au groupe : qui fait quoi à cette étape, et dans quel délai ?"),
})


def _svg(dot_text: str) -> Markup:
    raw = diagrams.render_bytes(dot_text, "svg").decode("utf-8")
    return Markup(raw[raw.index("<svg") :])


def deck_slides(
    sop: SOP,
    lang: str = "fr",
    directory: PrintDirectory | None = None,
    region: str | None = None,
    svg: bool | None = None,
) -> list[dict[str, Any]]:
    """The slides: ``kind`` (title, overview, step, diagram, pathway), ``title``, content, ``notes``."""
    w, dw = DECK_WORDS[lang], DOC_WORDS[lang]
    if svg is None:
        svg = diagrams.dot_available()
    slides: list[dict[str, Any]] = [
        {
            "kind": "title",
            "title": sop.label(sop.title, lang),
            "text": sop.label(sop.description, lang) if sop.description else "",
            "notes": [f"{dw['version']} {sop.version}"],
        }
    ]
    slides.append(
        {
            "kind": "overview",
            "title": w["overview"],
            "svg": _svg(overview_dot(sop, lang)) if svg else "",
            "notes": [f"{i + 1}. {sop.label(s.label, lang)}" for i, s in enumerate(sop.steps.values())],
        }
    )
    total = len(sop.steps)
    for n, sid in enumerate(sop.steps, 1):
        f = step_facts(sop, sid, lang)
        notes = [f["purpose"]] if f["purpose"] else []
        notes += [w["late_note"].format(x=d["late"]) for d in f["deadlines"] if d["late"]]
        notes += [f"{dw['when']} {x['when']}{dw['colon']}{x['then']}." for x in f["next"]]
        notes.append(w["ask"])
        slides.append(
            {
                "kind": "step",
                "title": f["label"],
                "sub": w["step_n"].format(n=n, total=total),
                "facts": f,
                "notes": notes,
            }
        )
        slides.append(
            {
                "kind": "diagram",
                "title": f"{f['label']} — {w['diagram']}",
                "svg": _svg(diagrams.step_dot(sop, sid, lang)) if svg else "",
                "notes": [f"{h['label']} ({h['by']})" for h in f["happens"]],
            }
        )
    if directory is not None:
        region = region or default_region(directory)
        for need, label in sop.options.get("need", {}).items():
            if need not in directory.needs:
                continue
            slides.append(
                {
                    "kind": "pathway",
                    "title": w["pathway"].format(x=sop.label(label, lang)),
                    "svg": _svg(pathway_dot(sop, directory, need, region, lang)) if svg else "",
                    "notes": [
                        s.name + (f" — {s.phones[0]}" if s.phones else "")
                        for _, ss in directory.for_need(need, region)
                        for s in ss
                    ],
                }
            )
    return slides


def render_deck(
    sop: SOP,
    lang: str = "fr",
    directory: PrintDirectory | None = None,
    region: str | None = None,
    svg: bool | None = None,
    notes: bool = False,
) -> str:
    """The deck as HTML, one 16:9 page per slide; ``notes`` adds a notes page after each slide."""
    slides = deck_slides(sop, lang, directory, region, svg)
    return (
        env()
        .get_template("documents/deck.html.j2")
        .render(
            lang=lang,
            w=DECK_WORDS[lang],
            dw=DOC_WORDS[lang],
            title=sop.label(sop.title, lang),
            slides=slides,
            print_notes=notes,
        )
    )
