"""The printable service directory (by region and by need, every contact field) and the front-line
pocket guide of one region (one A4 sheet, printed on both sides and folded in two).

Services come from the HSDS folder beside the SOP (:mod:`.directory_data`); needs and their labels
from the SOP's ``need`` options and the need → service types mapping; signs of vulnerability from
the options of the SOP's ``vulnerability`` list; consent basics and the complaint line from the
narrative's text blocks (``consent_basics``, ``complaints``) when it has them.
"""

from __future__ import annotations

from typing import Any

from mno_workflow.directory.row_types import CHANNEL_WORDS
from mno_workflow.i18n import N_, Words, gettext
from mno_workflow.sop.narrative import Narrative
from mno_workflow.sop.schema import SOP

from .directory_data import PrintDirectory, PrintService
from .narrative_text import block, markdown_html
from .overview import response_words
from .paper_forms import env

__all__ = ["DIR_WORDS", "render_directory", "render_pocket_guide", "service_row"]

DIR_WORDS = Words({  # key → French message id (English and others: the catalogues)
    "directory": N_("Répertoire des prestataires de services"),
    "by_region": N_("Par région"),
    "by_need": N_("Par besoin"),
    "national": N_("Services nationaux (tout le pays)"),
    "service": N_("Service"),
    "organisation": N_("Organisation"),
    "address": N_("Adresse"),
    "contact": N_("Personne de contact"),
    "phone": N_("Téléphone"),
    "email": N_("Courriel"),
    "hours": N_("Horaires"),
    "cost": N_("Coût"),
    "eligibility": N_("Conditions d'accès"),
    "channel": N_("Comment orienter"),
    "response": N_("Délais de réponse"),
    "emergency": N_("urgence vitale"),
    "urgent": N_("urgent"),
    "normal": N_("normal"),
    "types": N_("Types de service"),
    "none": N_("Aucun service enregistré."),
    "areas": N_("Zone couverte"),
    "guide": N_("Guide de poche — {r}"),
    "signs": N_("Signes de vulnérabilité à repérer"),
    "whom": N_("Qui appeler, par besoin"),
    "consent": N_("Le consentement en bref"),
    "steps": N_("Les étapes"),
    "complaints": N_("Plaintes"),
    "fold": N_("Plier ici"),
    "no_provider": N_("voir la coordination"),
})
#: How a service takes referrals (``channel``): French message ids.
CHANNELS = CHANNEL_WORDS


def service_row(s: PrintService, lang: str) -> dict[str, Any]:
    """A service with every contact field in words of ``lang``."""
    w = DIR_WORDS[lang]
    return {
        "id": s.id,
        "name": s.name,
        "organisation": s.organisation,
        "address": s.address,
        "contact": s.contact,
        "email": s.email,
        "phones": ", ".join(s.phones),
        "hours": "; ".join(s.hours),
        "cost": s.cost,
        "eligibility": s.eligibility,
        "types": ", ".join(s.type_labels),
        "channel": gettext(CHANNELS[s.channel], lang) if s.channel in CHANNELS else s.channel,
        "areas": ", ".join(s.areas),
        "response": "; ".join(f"{w[k]} {response_words(v, lang)}" for k, v in s.response.items()),
    }


def _need_label(sop: SOP, need: str, lang: str) -> str:
    return sop.label(sop.options.get("need", {}).get(need), lang) or need


def render_directory(sop: SOP, directory: PrintDirectory, lang: str = "fr") -> str:
    """The printable directory: by region (regional services, then national ones once), then by need."""
    w = DIR_WORDS[lang]
    regions = []
    for code, name in sorted(directory.region_names.items(), key=lambda kv: kv[1]):
        local = [service_row(s, lang) for s in directory.services if code in s.regions]
        if local:
            regions.append({"name": name, "services": local})
    national = [service_row(s, lang) for s in directory.services if s.national]
    needs = []
    for need in sop.options.get("need", {}):
        if need not in directory.needs:
            continue
        rows, seen = [], set()
        for _link, services in directory.for_need(need):
            for s in services:
                if s.id not in seen:
                    seen.add(s.id)
                    rows.append(
                        {
                            "name": s.name,
                            "organisation": s.organisation,
                            "phones": ", ".join(s.phones),
                            "areas": ", ".join(s.areas),
                        }
                    )
        needs.append({"label": _need_label(sop, need, lang), "rows": rows})
    return (
        env()
        .get_template("documents/directory.html.j2")
        .render(
            lang=lang,
            w=w,
            title=w["directory"],
            sop_title=sop.label(sop.title, lang),
            version=sop.version,
            regions=regions,
            national=national,
            needs=needs,
        )
    )


def pocket_guide_context(
    sop: SOP, directory: PrintDirectory, narrative: Narrative, region: str, lang: str = "fr"
) -> dict[str, Any]:
    """What the pocket guide of ``region`` (a region code) shows."""
    w = DIR_WORDS[lang]
    signs = [sop.label(x, lang) for x in sop.options.get("vulnerability", {}).values()]
    whom = []
    for need in sop.options.get("need", {}):
        if need not in directory.needs:
            continue
        first = next((s for _, ss in directory.for_need(need, region) for s in ss), None)
        whom.append(
            {
                "need": _need_label(sop, need, lang),
                "who": first.organisation if first else w["no_provider"],
                "phone": first.phones[0] if first and first.phones else "",
            }
        )
    steps = [sop.label(st.label, lang) for st in sop.steps.values()]
    return {
        "lang": lang,
        "w": w,
        "title": w["guide"].format(r=directory.region_names.get(region, region)),
        "sop_title": sop.label(sop.title, lang),
        "version": sop.version,
        "signs": signs,
        "whom": whom,
        "steps": steps,
        "consent": markdown_html(block(sop, narrative, "consent_basics", lang)),
        "complaints": block(sop, narrative, "complaints", lang),
    }


def render_pocket_guide(
    sop: SOP, directory: PrintDirectory, narrative: Narrative, region: str, lang: str = "fr"
) -> str:
    """The pocket guide of ``region``: A4 landscape, two pages (recto, verso), two panels each."""
    ctx = pocket_guide_context(sop, directory, narrative, region, lang)
    return env().get_template("documents/pocket_guide.html.j2").render(**ctx)
