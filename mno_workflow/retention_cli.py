"""``mno retention run`` (purge personal fields of cases closed longer than the SOP's retention period)
and ``mno case erase`` (erase a person's data at their request); see ``docs/audit.md``."""

from __future__ import annotations

from typing import Annotated

import typer

from .commands.now_option import NOW_HELP

app = typer.Typer(help="Conservation des données : purge des champs personnels après la durée de la POS.",
                  no_args_is_help=True)


@app.command("run")
def retention_run(
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Montrer sans rien écrire")] = False,
        now: Annotated[str | None, typer.Option(help=NOW_HELP)] = None,
) -> None:
    """Remplacer par une marque d'effacement les champs personnels et sensibles des dossiers clos
    depuis plus longtemps que la durée de conservation de leur POS (données du dossier et journal
    d'audit) ; un événement d'audit par dossier. Les statistiques anonymes ne changent pas.

    Purge personal fields of cases closed longer than their SOP's retention period."""
    from .commands.common import _, lang
    from .commands.common import errors as _errors
    from .commands.now_option import engine_at
    from .engine.engine import Actor
    from .engine.retention import run_retention
    from .i18n import ngettext
    engine = engine_at(now)
    from .cli_identity import os_user
    actor = Actor("mno.retention", "system", None, "cli", os_user())
    with _errors():
        report = run_retention(engine, actor, dry_run=dry_run)
    for ref, n in report.cases.items():
        done = ngettext("{n} valeur à remplacer", "{n} valeurs à remplacer", n, lang()) if dry_run \
            else ngettext("{n} valeur remplacée", "{n} valeurs remplacées", n, lang())
        typer.echo(f"{ref}\t" + _("{values} (données et journal)", values=done))
    for ref, why in report.skipped.items():
        typer.echo(f"{ref}\t" + _("ignoré : {why}", why=_(why)), err=True)
    cases = ngettext("{n} dossier serait purgé", "{n} dossiers seraient purgés", len(report.cases),
                     lang()) if dry_run else \
        ngettext("{n} dossier purgé", "{n} dossiers purgés", len(report.cases), lang())
    values = ngettext("{n} valeur remplacée.", "{n} valeurs remplacées.", sum(report.cases.values()), lang())
    typer.echo(f"{cases}, {values}")


def case_erase(reference: str,
               reason: Annotated[str, typer.Option("--reason", help="Motif (obligatoire, audité), "
                                                                    "ex. demande de la personne du …")],
               actor: Annotated[str, typer.Option("--as", help="UTILISATEUR:ROLE (rôles de "
                                                               "retention.erase_by)")] = "") -> None:
    """Effacer dès maintenant les champs personnels d'un dossier, à la demande de la personne
    (superviseur ou coordinateur selon la POS) ; le journal d'audit reste vérifiable.

    Erase a person's personal fields at their request."""
    from .commands.common import errors as _errors
    from .commands.common import lang, open_engine
    from .commands.common import parse_actor as _actor
    from .engine.retention import erase_case
    from .i18n import ngettext
    if not actor:  # parse_actor says it: « erreur : --as UTILISATEUR:ROLE est obligatoire »
        _actor(actor)
    who = _actor(actor)
    engine = open_engine()
    with _errors():
        from .cli_identity import check_case_scope
        from .store import repository
        with engine.sessions() as s:  # the role's refusal (erase_case) first, then the web's scope rule
            case = repository.get_case(s, reference)
            sop = engine.registry.for_case(case).sop if case is not None else None
            if sop is not None and sop.retention is not None and who.role in sop.retention.erase_by:
                check_case_scope(s, who, [reference])
        n = erase_case(engine, reference, who, reason)
    typer.echo(ngettext("{reference} : {n} valeur effacée.", "{reference} : {n} valeurs effacées.", n, lang(),
                        reference=reference))
