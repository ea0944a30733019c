"""``mno publish``: write every document of an SOP (SOP document, deck, forms, directory, pocket
guides, leaflets, training pack, pathway diagrams), for each of its languages, as HTML and PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def publish(
    sop_path: Annotated[Path, typer.Argument(help="Fichier YAML de la POS.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Dossier de sortie.")],
    lang: Annotated[
        list[str] | None,
        typer.Option("--lang", help="Langues (une ou plusieurs) ; par défaut toutes celles de la POS."),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            help="Région des parcours et du dépliant (code), par défaut celle qui a le plus de services."
        ),
    ] = None,
    no_pdf: Annotated[bool, typer.Option("--no-pdf", help="HTML seulement (sans WeasyPrint).")] = False,
    public: Annotated[bool, typer.Option(
        "--public/--with-contacts",
        help="Sans les contacts personnels du personnel (points focaux, noms, téléphones) : forme "
             "publiable, par défaut ; --with-contacts pour les inclure (usage interne).")] = True,
) -> None:
    """Écrire tous les documents de la POS (HTML imprimable et PDF), en français et en anglais."""
    from ..render.cli import _load
    from ..render.diagrams import DiagramError
    from ..render.narrative_text import NarrativeError
    from ..render.pdf import PdfUnavailable
    from ..render.publish import publish as run
    from .common import _, error_text, ngettext

    sop = _load(sop_path)
    langs = lang or list(sop.languages)
    unknown = [x for x in langs if x not in sop.languages or x not in ("fr", "en")]
    if unknown:
        typer.echo(ngettext("Langue absente de la POS : {missing} ({languages})",
                            "Langues absentes de la POS : {missing} ({languages})", len(unknown),
                            missing=", ".join(unknown), languages=", ".join(sop.languages)), err=True)
        raise typer.Exit(2)
    try:
        report = run(sop, output, sop_path, langs=langs, pdf=not no_pdf, region=region, public=public)
    except (DiagramError, PdfUnavailable, NarrativeError) as e:
        typer.echo(error_text(e), err=True)
        raise typer.Exit(1) from None
    except OSError as e:  # the path that failed, why in words (never the OS's English text)
        from ..i18n.files import write_error
        typer.echo(error_text(ValueError(write_error(e.filename or output, e))), err=True)
        raise typer.Exit(1) from None
    from ..sop.diagnostics import text_in
    from .common import lang as cli_lang  # the --lang of mno (messages), not this command's --lang

    for w in report.warnings + ([report.contacts] if report.contacts else []):
        typer.echo(_("avertissement {warning}", warning=text_in(w, cli_lang())), err=True)
    n = len(report.written)
    typer.echo(ngettext("{n} fichier écrit dans {folder}", "{n} fichiers écrits dans {folder}", n,
                        folder=output / sop.sop))
