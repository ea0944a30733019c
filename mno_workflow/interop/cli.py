"""Command line of the interoperability tools: ``mno xlsform`` (SOP forms as XLSForm for
KoboToolbox/ODK) and ``mno intake kobo`` (their submissions into cases). Problems: one line each on
stderr, exit code 1, never a traceback."""

from __future__ import annotations

from pathlib import Path

import typer

from mno_workflow.interop.xlsform import XLSFormError, build


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(1)


def xlsform_cmd(
    sop_path: Path = typer.Argument(..., help="Fichier de POS (YAML)."),
    form: str | None = typer.Option(None, "--form", help="Identifiant du formulaire (ex. identification)."),
    all_forms: bool = typer.Option(False, "--all", help="Tous les formulaires (-o est alors un dossier)."),
    output: Path = typer.Option(..., "-o", "--output", help="Fichier .xlsx (ou dossier avec --all)."),
    transition: str | None = typer.Option(
        None, "--transition", help="Déclencheur d'une action à plusieurs formulaires (form: [a, b]) : "
                                   "un seul XLSForm, un groupe par formulaire."),
) -> None:
    """Écrire un formulaire de la POS en XLSForm (KoboToolbox, ODK Collect), libellés fr et en."""
    if sum((bool(form), all_forms, bool(transition))) != 1:
        from mno_workflow.commands.common import _
        _fail(_("erreur : --form FORMULAIRE, --all ou --transition ACTION (un seul des trois)"))
    from mno_workflow.commands.common import _, error_line, error_text, load_sop_or_fail
    sop = load_sop_or_fail(sop_path).model  # file:line:col diagnostics in the --lang language
    forms = list(sop.forms) if all_forms else [form]
    built = []
    try:
        if transition:
            from mno_workflow.interop.xlsform_transition import build_transition
            built = [build_transition(sop, transition)]
        else:
            built = [build(sop, f) for f in forms]
    except XLSFormError as exc:
        _fail(error_line(error_text(exc)))
    for x in built:
        target = output / f"{x.form_id}.xlsx" if all_forms else output
        x.save(target)
        for warning in x.warnings:
            typer.echo(_("avertissement : {warning}", warning=warning), err=True)
        typer.echo(f"{x.form_id} → {target}")


intake_app = typer.Typer(help="Importer des soumissions KoboToolbox / ODK.", no_args_is_help=True)


@intake_app.command("kobo")
def intake_kobo(
    file: Path = typer.Argument(..., help="Export CSV ou JSON des soumissions (Kobo, ODK Central)."),
    form: str = typer.Option("identification", "--form", help="Formulaire de la POS rempli."),
    actor: str = typer.Option(..., "--as", help="UTILISATEUR:ROLE qui enregistre les dossiers."),
    sop: str = typer.Option("mnr_bf", "--sop", help="Identifiant de POS chargée, ou fichier YAML."),
    trigger: str | None = typer.Option(None, "--trigger", help="Déclencheur (défaut : celui du formulaire)."),
    case_column: str | None = typer.Option(
        None, "--case-column", help="Colonne donnant la référence du dossier (données d'une étape)."
    ),
) -> None:
    """Importer des soumissions : un dossier par soumission (ou les données d'une étape avec
    --case-column). Chaque ligne est validée par le moteur, tout ou rien ; une soumission déjà
    importée (même uuid) est ignorée."""
    from mno_workflow.commands.common import _, error_line, error_text, fail_file, open_engine, sop_id_loading
    from mno_workflow.commands.common import errors as _errors
    from mno_workflow.commands.common import parse_actor as _actor
    from mno_workflow.interop.intake import IntakeError, intake
    who = _actor(actor)  # a malformed --as first (a usage error)
    if not file.is_file():
        fail_file(file, IsADirectoryError() if file.is_dir() else None)
    engine = open_engine()
    sop_id = sop_id_loading(engine, sop)
    with engine.sessions() as s, _errors():
        model = engine.registry.compiled(engine.registry.latest(s, sop_id)).sop
    try:
        report = intake(engine, model, file, form=form, actor=who, trigger=trigger, case_column=case_column)
    except IntakeError as exc:
        _fail(error_line(error_text(exc)))
        return
    for row, ident, ref in report.created:
        typer.echo(_("ligne {row} ({ident}) : dossier {reference} créé", row=row, ident=ident, reference=ref))
    for row, ident, ref in report.updated:
        typer.echo(_("ligne {row} ({ident}) : dossier {reference} complété", row=row, ident=ident,
                     reference=ref))
    for row, ident, ref in report.skipped:
        typer.echo(_("ligne {row} ({ident}) : déjà importée → {reference}, ignorée", row=row, ident=ident,
                     reference=ref) if ref else _("ligne {row} ({ident}) : déjà importée, ignorée", row=row,
                                                  ident=ident))
    for row, ident, message in report.errors:
        typer.echo(_("ligne {row} ({ident}) : {error}", row=row, ident=ident, error=message), err=True)
    from mno_workflow.commands.common import lang
    from mno_workflow.i18n import gettext, ngettext
    typer.echo(", ".join((
        ngettext("{n} créé", "{n} créés", len(report.created), lang()),
        ngettext("{n} complété", "{n} complétés", len(report.updated), lang()),
        ngettext("{n} déjà importée", "{n} déjà importées", len(report.skipped), lang()),
        gettext("{n} en erreur", lang(), n=len(report.errors)))))
    if report.errors:
        raise typer.Exit(1)
