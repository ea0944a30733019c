"""Commands ``mno diagram`` and ``mno handbook``: diagrams and the SOP handbook from an SOP file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..commands.common import _, error_text
from ..commands.common import lang as cli_lang
from ..sop.diagnostics import SOPError
from ..sop.loader import load_file
from ..sop.schema import SOP
from . import diagrams as d
from .handbook import write_handbook

FORMATS = ("svg", "png", "pdf", "dot", "mermaid")


def _load(path: Path) -> SOP:
    try:
        return load_file(path).model
    except SOPError as e:
        for diag in e.diagnostics:
            typer.echo(diag.format(cli_lang()), err=True)
        raise typer.Exit(1) from None


#: ``--public/--with-contacts`` of the commands that print the directory (diagram, publish): the
#: publishable form by default — staff contacts only when asked.
PUBLIC_HELP = ("Sans les contacts personnels du personnel (points focaux, noms, téléphones) : forme "
               "publiable, par défaut ; --with-contacts pour les inclure (usage interne).")


def _pathways(sop: SOP, sop_path: Path, output: Path, formats: tuple[str, ...],
              public: bool = True) -> list[Path]:
    """The referral overview and the pathway per need (directory beside the SOP, if any);
    ``public``: without the staff's personal contacts (the publishable form)."""
    from .directory_data import find_directory, read_directory
    from .overview import write_pathway_diagrams

    folder = find_directory(sop_path)
    written: list[Path] = []
    for lang in sop.languages:  # the directory's free text in each language (translations.<lang>.yaml)
        directory = read_directory(folder, lang, public=public, sop=sop) if folder else None
        written += write_pathway_diagrams(sop, output, directory, langs=(lang,),
                                          formats=tuple(f for f in formats if f in ("svg", "dot")))
    return written


def diagram(sop_path: Annotated[Path, typer.Argument(help="Fichier YAML de la POS.")],
            output: Annotated[Path, typer.Option("-o", "--output", help="Fichier (ou dossier avec --all).")],
            fmt: Annotated[str, typer.Option("--format", help="svg, png, pdf, dot ou mermaid")] = "svg",
            lang: Annotated[str, typer.Option(help="fr ou en")] = "fr",
            step: Annotated[str | None, typer.Option(help="Une seule étape (identifiant).")] = None,
            swimlanes: Annotated[bool, typer.Option(help="Couloirs par rôle.")] = False,
            page: Annotated[str | None, typer.Option(help="PDF : a4, a4-landscape, 16:9")] = None,
            all_: Annotated[bool, typer.Option("--all", help="Toutes les étapes et le flux, fr et en, "
                                                             "en SVG, DOT et Mermaid, dans le dossier -o.")]
            = False,
            public: Annotated[bool, typer.Option("--public/--with-contacts", help=PUBLIC_HELP)]
            = True) -> None:
    """Dessiner le flux complet (étapes en groupes) ou une étape."""
    sop = _load(sop_path)
    if fmt not in FORMATS:
        typer.echo(_("Format inconnu « {fmt} » : utilisez {formats}", fmt=fmt, formats=", ".join(FORMATS)),
                   err=True)
        raise typer.Exit(2)
    if lang not in sop.languages:
        typer.echo(_("Langue « {chosen} » absente de la POS ({languages})", chosen=lang,
                     languages=", ".join(sop.languages)), err=True)
        raise typer.Exit(2)
    if step is not None and step not in sop.steps:
        typer.echo(_("Étape inconnue « {step} » : {steps}", step=step, steps=", ".join(sop.steps)), err=True)
        raise typer.Exit(1)
    try:
        if all_:
            formats = ("svg", "dot", "mmd") if d.dot_available() else ("dot", "mmd")
            if not d.dot_available():
                typer.echo(_("{error} — DOT et Mermaid écrits seulement.", error=error_text(d.DotNotFound())),
                           err=True)
            paths = d.write_sop_diagrams(sop, output, formats=formats, langs=tuple(sop.languages))
            paths += _pathways(sop, sop_path, output, formats, public)
            _contacts_warning(sop_path, public)
            from ..commands.common import ngettext
            typer.echo(ngettext("{n} fichier écrit dans {folder}", "{n} fichiers écrits dans {folder}",
                                len(paths), folder=output))
            return
        if fmt == "mermaid":
            text = d.step_mermaid(sop, step, lang) if step else d.flow_mermaid(sop, lang)
            output.write_text(text, encoding="utf-8")
        else:
            dot = d.step_dot(sop, step, lang, swimlanes) if step else d.flow_dot(sop, lang, swimlanes)
            if fmt == "dot":
                output.write_text(dot, encoding="utf-8")
            else:
                d.render(dot, fmt, output, page=page)
    except d.DiagramError as e:
        typer.echo(error_text(e), err=True)
        raise typer.Exit(1) from None
    except OSError as e:  # the path that failed, why in words (never the OS's English text)
        from ..i18n.files import write_error
        typer.echo(error_text(ValueError(write_error(e.filename or output, e))), err=True)
        raise typer.Exit(1) from None
    typer.echo(str(output))


def _contacts_warning(sop_path: Path, public: bool) -> None:
    """With ``--with-contacts``: say on stderr that the pathway diagrams name staff (as ``mno
    publish`` does), in the ``--lang`` language."""
    from ..commands.common import lang as cli_lang
    from ..sop.diagnostics import text_in
    from .directory_data import find_directory
    from .publish import contacts_warning

    folder = find_directory(sop_path)
    said = contacts_warning(folder) if folder and not public else ""
    if said:
        typer.echo(_("avertissement {warning}", warning=text_in(said, cli_lang())), err=True)


def handbook(sop_path: Annotated[Path, typer.Argument(help="Fichier YAML de la POS.")],
             output: Annotated[Path, typer.Option("-o", "--output", help="Dossier de sortie.")],
             lang: Annotated[str, typer.Option(help="fr ou en")] = "fr",
             fmt: Annotated[list[str] | None, typer.Option("--format", help="html et/ou md")] = None,
             no_diagrams: Annotated[bool, typer.Option(
                 "--no-diagrams", help="Sans Graphviz : schémas en texte Mermaid au lieu d'images SVG.")]
             = False) -> None:
    """Écrire le manuel de la POS (HTML imprimable et Markdown) avec diagrammes et fiches vierges."""
    sop = _load(sop_path)
    if lang not in sop.languages:
        typer.echo(_("Langue « {chosen} » absente de la POS ({languages})", chosen=lang,
                     languages=", ".join(sop.languages)), err=True)
        raise typer.Exit(2)
    formats = tuple(fmt or ("html", "md"))
    if "html" in formats and not no_diagrams and not d.dot_available():
        typer.echo(_("{error} — ou ajoutez --no-diagrams (schémas en texte Mermaid).",
                     error=error_text(d.DotNotFound())), err=True)
        raise typer.Exit(1)
    try:
        paths = write_handbook(sop, output, lang=lang, formats=formats, svg=False if no_diagrams else None)
    except ValueError as e:
        typer.echo(error_text(e), err=True)
        raise typer.Exit(2) from None
    for p in paths:
        typer.echo(str(p))
