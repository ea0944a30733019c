"""The quarterly steering-committee report: HTML (print CSS) and PDF (WeasyPrint) in French (or
English), with the indicator tables and charts, the needs without provider, the directory's
health and a methods note (definitions, suppression rule). Used by ``mno report`` and ``/rapport``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from mno_workflow.i18n import N_, Words, gettext, norm_lang, short_datetime

from .present import Shown, fmt, org_type_label, value_label
from .service import Figures
from .tables import methods_note

TEXT: Words = Words({  # key → French message id (English and others: the catalogues)
    "title": N_("Rapport trimestriel du mécanisme national de référencement"),
    "summary": N_("Synthèse"),
    "indicator": N_("Indicateur"),
    "code": N_("Code"),
    "value": N_("Valeur"),
    "details": N_("Indicateurs ventilés"),
    "numerator": N_("Numérateur"),
    "denominator": N_("Dénominateur"),
    "unmet": N_("Besoins sans prestataire"),
    "need": N_("Besoin"),
    "regions": N_("Régions sans prestataire actif (ni voisin, ni national)"),
    "none": N_("Aucun (ou annuaire vide)."),
    "directory": N_("Santé de l'annuaire des services"),
    "org_type": N_("Type d'organisation"),
    "verified": N_("Services vérifiés"),
    "active": N_("Services actifs"),
    "methods": N_("Note méthodologique"),
    "region_all": N_("toutes les régions"),
    "days": N_("j"),
})


def total_text(sh: Shown, lang: str) -> str:
    """The headline number of an indicator: « 12 », « 85 % (17 / 20) », « 3,5 j (n = 12) »."""
    t = sh.total
    if sh.count == "within_deadline":
        pct = fmt(t.value, lang, percent=t.raw is not None)
        return f"{pct} ({fmt(t.numerator, lang)} / {fmt(t.denominator, lang)})"
    if sh.count == "duration":
        unit = f" {TEXT[lang]['days']}" if t.raw is not None else ""
        return f"{fmt(t.value, lang)}{unit} (n = {fmt(t.n, lang)})"
    return fmt(t.value, lang)


def html(figs: Figures, generated_at: datetime, lang: str = "fr") -> str:
    """The report as one self-contained HTML page (SVG charts inline, print CSS)."""
    from ..web.me_view import indicator_chart

    lang = norm_lang(lang)
    T = TEXT[lang]
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    sop = figs.sop
    region = figs.filters.get("region")
    where = value_label(sop, "region", region, lang) if region else T["region_all"]
    unmet: dict[str, list[str]] = {}
    for need, reg in figs.unmet:
        unmet.setdefault(value_label(sop, "need", need, lang), []).append(
            value_label(sop, "region", reg, lang)
        )
    return env.get_template("report.html.j2").render(
        lang=lang,
        T=T,
        figs=figs,
        fmt=lambda v, lg=lang, pct=False: fmt(v, lg, percent=pct),
        title=T["title"],
        subtitle=f"{sop.label(sop.title, lang)} — {figs.period.label(lang)} — {where}",
        generated=gettext("Établi le {when} UTC", lang, when=short_datetime(generated_at, lang)),
        footer=f"{figs.period.label(lang)} — {where}",
        charts={sh.code: indicator_chart(sh, 0, lang) for sh in figs.shown},
        total_text=lambda sh: total_text(sh, lang),
        unmet=sorted(unmet.items()),
        org_type=lambda typ: org_type_label(typ, lang),
        methods=methods_note(sop, figs.threshold, lang),
    )


def pdf(html_text: str) -> bytes:
    """The PDF of the report's HTML (WeasyPrint; needs pango on the machine)."""
    from weasyprint import HTML

    return HTML(string=html_text).write_pdf()
