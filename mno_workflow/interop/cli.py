"""Command line of the interoperability tools: ``mno xlsform`` (SOP forms as XLSForm for
KoboToolbox/ODK) and ``mno intake kobo`` (their submissions into cases). Problems: one line each on
stderr, exit code 1, never a traceback."""

from __future__ import annotations

from pathlib import Path

import typer

from mno_workflow.interop.xlsform import XLSFormError, build
from mno_workflow.sop.diagnostics import SOPError
from mno_workflow.sop.loader import load_file


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(1)


def xlsform_cmd(
    sop_path: Path = typer.Argument(..., help="Fichier de POS (YAML)."),
    form: str | None = typer.Option(None, "--form", help="Identifiant du formulaire (ex. identification)."),
    all_forms: bool = typer.Option(False, "--all", help="Tous les formulaires (-o est alors un dossier)."),
    output: Path = typer.Option(..., "-o", "--output", help="Fichier .xlsx (ou dossier avec --all)."),
) -> None:
    """Écrire un formulaire de la POS en XLSForm (KoboToolbox, ODK Collect), libellés fr et en."""
    if bool(form) == all_forms:
        _fail("erreur : --form FORMULAIRE ou --all (l'un des deux) / --form FORM or --all")
    try:
        sop = load_file(sop_path).model
    except SOPError as exc:
        _fail(f"erreur : {str(exc).splitlines()[0]}")
    forms = list(sop.forms) if all_forms else [form]
    built = []
    try:
        built = [build(sop, f) for f in forms]
    except XLSFormError as exc:
        _fail(f"erreur : {exc}")
    for x in built:
        target = output / f"{x.form_id}.xlsx" if all_forms else output
        x.save(target)
        for warning in x.warnings:
            typer.echo(f"avertissement : {warning}", err=True)
        typer.echo(f"{x.form_id} → {target}")
