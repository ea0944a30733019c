"""``mno publish``: every document of an SOP, for each of its languages, in one run.

Layout of ``<out>/<sop>/<lang>/``: ``index.html`` (links to all), ``sop-document``, ``handbook``
(the tool handbook), ``deck``, ``forms/referral-slip``, ``forms/consent-sheet``,
``forms/<form>``, ``directory``, ``pocket-guide-<region>``, ``leaflets/<audience>``,
``training/…``, and ``diagrams/overview.svg`` and ``diagrams/pathway-<need>.svg``. Each
document is HTML (print CSS) and, unless ``pdf=False``, PDF (WeasyPrint). The directory is the
HSDS folder beside the SOP; without one, the directory documents and pathways are left out and
said so in the report (never silently).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mno_workflow.i18n import N_, Words
from mno_workflow.sop.schema import SOP

from ..sop.checks.condition_labels import conditions_needing_words
from ..sop.diagnostics import said_fr
from . import diagrams
from .directory_data import PrintDirectory, find_directory, read_directory
from .narrative_text import find_narrative
from .overview import default_region, pathway_sources

__all__ = ["PublishReport", "publish", "document_builders"]

LABELS: Words = Words({  # key → French message id (English and others: the catalogues)
    "index": N_("Documents de la POS"),
    "sop-document": N_("Document de la POS"),
    "handbook": N_("Manuel de l'outil"),
    "deck": N_("Présentation (16:9)"),
    "directory": N_("Répertoire des prestataires"),
    "pdf": N_("PDF"),
    "pocket": N_("Guide de poche"),
    "forms": N_("Fiches"),
    "leaflets": N_("Dépliants"),
    "training": N_("Formation"),
    "diagrams": N_("Schémas"),
})


@dataclass
class PublishReport:
    """Files written (sorted), warnings (one line each: ``said_fr`` messages, French as ``str``,
    ``w.text(lang)`` in another language) and PDF page counts."""

    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # the documents print staff contacts (not a defect of the SOP: apart from ``warnings``)
    contacts: str = ""


def document_builders(
    sop: SOP,
    lang: str,
    sop_path: str | Path | None,
    directory: PrintDirectory | None,
    directory_folder: Path | None,
    region: str | None = None,
    public: bool = True,
) -> dict[str, Callable[[], str]]:
    """``{relative name without extension: builder of its HTML}`` for one language (``public``:
    the SOP document's data-sharing register without its focal points)."""
    from .deck import render_deck
    from .directory_print import render_directory, render_pocket_guide
    from .handbook import render_handbook_html
    from .leaflets import AUDIENCES, render_leaflet
    from .paper_forms import blank_form_html, consent_sheet_html, referral_slip_html
    from .sop_document import render_sop_document
    from .training import render_training

    narrative = find_narrative(sop, sop_path)
    out: dict[str, Callable[[], str]] = {
        "sop-document": lambda: render_sop_document(sop, lang, sop_path, directory_folder, public=public),
        "handbook": lambda: render_handbook_html(sop, lang),
        "deck": lambda: render_deck(sop, lang, directory, region),
        "forms/referral-slip": lambda: referral_slip_html(sop, lang),
        "forms/consent-sheet": lambda: consent_sheet_html(sop, lang),
    }
    for fid in sop.forms:
        out[f"forms/{fid}"] = lambda fid=fid: blank_form_html(sop, fid, lang)
    for audience in AUDIENCES:
        out[f"leaflets/{audience}"] = lambda a=audience: render_leaflet(
            sop, narrative, directory, a, lang, region
        )
    out["training/pack"] = lambda: render_training(sop, lang, sop_path)
    if directory is not None:
        out["directory"] = lambda: render_directory(sop, directory, lang)
        regions = sorted({r for s in directory.services for r in s.regions})
        for r in regions:
            out[f"pocket-guide-{r}"] = lambda r=r: render_pocket_guide(sop, directory, narrative, r, lang)
    return out


def contacts_warning(folder: Path) -> str:
    """The warning line when the directory ``folder`` names staff (contact persons, data-sharing
    agreements' focal points) that the documents print; '' when it names none."""
    from .data_protection_doc import sharing_agreements

    people = {p for s in read_directory(folder).services for p in s.disclosed()}
    agreements = [a for a in sharing_agreements(folder) if a.get("focal_point_name")]
    if not people and not agreements:
        return ""
    return said_fr("contacts : les documents contiennent les contacts personnels du personnel "
                   "(personnes : {people} ; points focaux d'accords : {agreements}) ; pour une "
                   "publication, écrivez-les sans --with-contacts",
                   people=len(people), agreements=len(agreements))


def _index(sop: SOP, lang: str, names: list[str], pdf: bool) -> str:
    from .paper_forms import env

    w = LABELS[lang]
    groups: dict[str, list[str]] = {}
    for n in names:
        groups.setdefault(n.split("/")[0] if "/" in n else "", []).append(n)
    return (
        env()
        .get_template("documents/index.html.j2")
        .render(lang=lang, w=w, title=f"{w['index']} — {sop.label(sop.title, lang)}", groups=groups, pdf=pdf)
    )


def publish(
    sop: SOP,
    out_dir: str | Path,
    sop_path: str | Path | None = None,
    langs: Sequence[str] | None = None,
    pdf: bool = True,
    region: str | None = None,
    only: Callable[[str], bool] | None = None,
    public: bool = True,
) -> PublishReport:
    """Write every document of ``sop`` under ``<out_dir>/<sop>/<lang>/``; return the report.

    ``only(name)`` restricts the documents (tests); ``pdf`` False writes HTML only; ``public``
    (the default, ``mno publish`` without ``--with-contacts``): without the staff's personal
    contacts (else a warning says how many persons the documents name, :func:`contacts_warning`). Raises
    :class:`~mno_workflow.render.pdf.PdfUnavailable` when PDF is asked and WeasyPrint cannot
    load, :class:`~mno_workflow.render.diagrams.DotNotFound` when Graphviz is missing.
    """
    from .pdf import html_to_pdf

    if not diagrams.dot_available():
        raise diagrams.DotNotFound()
    report = PublishReport()
    folder = find_directory(sop_path) if sop_path else None
    for _path, expr, what, key in conditions_needing_words(sop):  # the very list of `mno validate` (H20)
        report.warnings.append(said_fr(
            "W126 {what} ({expr}) : sans mots, imprimée « dans certains cas » (ajouter « {key} »)",
            what=what, expr=expr, key=key))
    from mno_workflow.sop.checks.narrative_files import undeclared_companion

    companion = undeclared_companion(sop_path, sop.narrative is not None)
    if companion is not None:  # deprecated fallback, still used (see render/narrative_text.py)
        report.warnings.append(said_fr(
            "W127 {name} : récit trouvé à côté de la POS par son nom (obsolète), à déclarer "
            "(« narrative: [{name}] »)", name=companion.name))
    if sop_path:  # scenarios of the training pack without a title in a language of the SOP
        from mno_workflow.kit.titles import title_warnings_beside

        for d in title_warnings_beside(Path(sop_path), sop):
            report.warnings.append(said_fr("S040 {path}:{line}:{col} : {message}", path=d.path, line=d.line,
                                           col=d.col, message=d.message))
    report.contacts = contacts_warning(folder) if folder and not public else ""
    for lang in langs or sop.languages:
        directory = read_directory(folder, lang, public=public, sop=sop) if folder else None
        if directory is None:
            report.warnings.append(said_fr(
                "{lang} : pas de répertoire à côté de la POS : répertoire, guides de poche "
                "et parcours non écrits", lang=lang))
        base = Path(out_dir) / sop.sop / lang
        chosen = region or (default_region(directory) if directory else None)
        names = []
        for name, build in document_builders(sop, lang, sop_path, directory, folder, chosen, public).items():
            if only and not only(name):
                continue
            html = build()
            path = base / f"{name}.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(html, encoding="utf-8")
            report.written.append(path)
            if pdf:
                report.written.append(path.with_suffix(".pdf"))
                html_to_pdf(html, path.with_suffix(".pdf"), base_url=str(path.parent))
            names.append(name)
        for name, dot_text in pathway_sources(sop, directory, lang, chosen).items():
            if only and not only(f"diagrams/{name}"):
                continue
            path = base / "diagrams" / f"{name}.svg"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(diagrams.render_bytes(dot_text, "svg"))
            report.written.append(path)
            names.append(f"diagrams/{name}")
        index = base / "index.html"
        index.parent.mkdir(parents=True, exist_ok=True)  # also when ``only`` kept no document
        index.write_text(_index(sop, lang, names, pdf), encoding="utf-8")
        report.written.append(index)
    report.written.sort()
    return report
