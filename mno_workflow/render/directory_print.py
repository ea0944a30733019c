"""The printable service directory (by region and by need, every contact field) and the front-line
pocket guide of one region (one A4 sheet, printed on both sides and folded in two).

Services come from the HSDS folder beside the SOP (:mod:`.directory_data`); needs and their labels
from the SOP's ``need`` options and the need → service types mapping; signs of vulnerability from
the options of the SOP's ``vulnerability`` list; consent basics and the complaint line from the
narrative's text blocks (``consent_basics``, ``complaints``) when it has them.
"""

from __future__ import annotations

from typing import Any

from mno_workflow.sop.narrative import Narrative
from mno_workflow.sop.schema import SOP

from .directory_data import PrintDirectory, PrintService
from .narrative_text import block, markdown_html
from .overview import response_words
from .paper_forms import env

__all__ = ["DIR_WORDS", "render_directory", "render_pocket_guide", "service_row"]

DIR_WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "directory": "Répertoire des prestataires de services",
        "by_region": "Par région",
        "by_need": "Par besoin",
        "national": "Services nationaux (tout le pays)",
        "service": "Service",
        "organisation": "Organisation",
        "address": "Adresse",
        "contact": "Personne de contact",
        "phone": "Téléphone",
        "email": "Courriel",
        "hours": "Horaires",
        "cost": "Coût",
        "eligibility": "Conditions d'accès",
        "channel": "Comment orienter",
        "response": "Délais de réponse",
        "emergency": "urgence vitale",
        "urgent": "urgent",
        "normal": "normal",
        "types": "Types de service",
        "none": "Aucun service enregistré.",
        "areas": "Zone couverte",
        "guide": "Guide de poche — {r}",
        "signs": "Signes de vulnérabilité à repérer",
        "whom": "Qui appeler, par besoin",
        "consent": "Le consentement en bref",
        "steps": "Les étapes",
        "complaints": "Plaintes",
        "fold": "Plier ici",
        "no_provider": "voir la coordination",
        "channels": {
            "system": "par la plateforme",
            "phone": "par téléphone",
            "email": "par courriel",
            "in_person": "en personne",
            "paper": "fiche papier",
        },
    },
    "en": {
        "directory": "Service directory",
        "by_region": "By region",
        "by_need": "By need",
        "national": "National services (whole country)",
        "service": "Service",
        "organisation": "Organisation",
        "address": "Address",
        "contact": "Contact person",
        "phone": "Phone",
        "email": "Email",
        "hours": "Opening hours",
        "cost": "Cost",
        "eligibility": "Eligibility",
        "channel": "How to refer",
        "response": "Response times",
        "emergency": "emergency",
        "urgent": "urgent",
        "normal": "normal",
        "types": "Service types",
        "none": "No service recorded.",
        "areas": "Area covered",
        "guide": "Pocket guide — {r}",
        "signs": "Signs of vulnerability to look for",
        "whom": "Whom to call, by need",
        "consent": "Consent in short",
        "steps": "The steps",
        "complaints": "Complaints",
        "fold": "Fold here",
        "no_provider": "ask the coordination",
        "channels": {
            "system": "through the platform",
            "phone": "by phone",
            "email": "by email",
            "in_person": "in person",
            "paper": "paper form",
        },
    },
}


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
        "channel": w["channels"].get(s.channel, s.channel),
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
