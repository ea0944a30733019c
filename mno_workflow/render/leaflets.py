"""Information leaflets per audience: returnees, community members, partners, government.

Plain words, short sentences, large type (one A4 page each). Text blocks come from the SOP
narrative (``returnee_welcome``, ``returnee_rights``, ``complaints``, ``community``, ``partners``,
``government``) so the steering committee edits them in the SOP; the product adds the
directory (where to find help in the region), the SOP's rules (referral response times, data
sharing) and key figures (from the SOP and the directory; dashboard figures when given).
A block the narrative lacks is left out and listed in ``missing`` (shown on screen, not printed).
"""

from __future__ import annotations

from typing import Any

from mno_workflow.i18n import N_, Words, colon, listed
from mno_workflow.sop.narrative import Narrative
from mno_workflow.sop.schema import SOP

from .data_protection_doc import data_protection_chapter
from .directory_data import PrintDirectory
from .narrative_text import block, markdown_html
from .paper_forms import consent_information, env
from .sop_document import step_facts

__all__ = ["AUDIENCES", "LEAFLET_WORDS", "leaflet_context", "render_leaflet"]

AUDIENCES = ("returnees", "community", "partners", "government")
# the pictogram of each leaflet's title (render/pictograms.py)
AUDIENCE_PICTOGRAMS = {"returnees": "help", "community": "community", "partners": "partners",
                       "government": "government"}

LEAFLET_WORDS: Words = Words({  # key → French message id (English and others: the catalogues)
    "returnees": N_("Vous êtes de retour : où trouver de l'aide"),
    "community": N_("Aider une personne de retour"),
    "partners": N_("Rejoindre le mécanisme national de référencement"),
    "government": N_("Le mécanisme en une page"),
    "help_here": N_("Où trouver de l'aide — {r}"),
    "rights": N_("Vos droits"),
    "consent": N_("Votre consentement"),
    "complain": N_("Se plaindre"),
    "what": N_("Ce que nous demandons"),
    "times": N_("Délais de réponse attendus"),
    "data": N_("Règles de partage des données"),
    "figures": N_("Chiffres clés"),
    "steps": N_("Étapes"),
    "services": N_("Services dans le répertoire"),
    "organisations": N_("Organisations partenaires"),
    "regions": N_("Régions couvertes"),
    "agreements": N_("Accords de partage de données"),
    "missing": N_("Texte manquant dans la POS : {x}"),
})


_BLOCKS = {
    "returnees": ("returnee_welcome", "returnee_rights", "complaints"),
    "community": ("community", "complaints"),
    "partners": ("partners",),
    "government": ("government",),
}


def leaflet_context(
    sop: SOP,
    narrative: Narrative,
    directory: PrintDirectory | None,
    audience: str,
    lang: str = "fr",
    region: str | None = None,
    figures: dict[str, int] | None = None,
) -> dict[str, Any]:
    """What the leaflet for ``audience`` shows (``KeyError`` for an unknown audience)."""
    w = LEAFLET_WORDS[lang]
    names = _BLOCKS[audience]
    blocks = {n: markdown_html(block(sop, narrative, n, lang)) for n in names}
    missing = [n for n in names if not block(sop, narrative, n, lang)]
    ctx: dict[str, Any] = {
        "lang": lang,
        "w": w,
        "title": w[audience],
        "audience": audience,
        "icon": AUDIENCE_PICTOGRAMS[audience],
        "sop_title": sop.label(sop.title, lang),
        "blocks": blocks,
        "missing": w["missing"].format(x=", ".join(missing)) if missing else "",
    }
    if audience == "returnees":
        help_rows = []
        if directory is not None and region:
            seen = set()
            for s in directory.for_region(region):
                if s.organisation in seen:
                    continue
                seen.add(s.organisation)
                help_rows.append(
                    {
                        "who": s.organisation,
                        "phone": s.phones[0] if s.phones else "",
                        "what": ", ".join(s.type_labels[:2]),
                    }
                )
        ctx["help"] = help_rows[:10]
        ctx["help_title"] = w["help_here"].format(
            r=directory.region_names.get(region, region) if directory and region else ""
        )
        ctx["consent"] = consent_information(sop, lang)[-2:]
    if audience == "partners":
        times = []
        for sid, step in sop.steps.items():
            if step.recipient:
                times += [
                    f"{d['state']}{colon(lang)}{d['words'] or listed(d['cases'], lang)}"
                    for d in step_facts(sop, sid, lang)["deadlines"]
                ]
        ctx["times"] = times
        ctx["data"] = data_protection_chapter(sop, lang)["rules"]
    if audience == "government":
        figs = {w["steps"]: len(sop.steps)}
        if directory is not None:
            figs[w["services"]] = len(directory.services)
            figs[w["organisations"]] = len({s.organisation for s in directory.services})
            figs[w["regions"]] = len({r for s in directory.services for r in s.regions})
        figs.update(figures or {})
        ctx["figures"] = figs
        ctx["steps"] = [sop.label(s.label, lang) for s in sop.steps.values()]
    return ctx


def render_leaflet(
    sop: SOP,
    narrative: Narrative,
    directory: PrintDirectory | None,
    audience: str,
    lang: str = "fr",
    region: str | None = None,
    figures: dict[str, int] | None = None,
) -> str:
    """One leaflet as printable HTML (A4, large type)."""
    ctx = leaflet_context(sop, narrative, directory, audience, lang, region, figures)
    return env().get_template("documents/leaflet.html.j2").render(**ctx)
