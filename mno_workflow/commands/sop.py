"""``mno sop load|list|diff|migrate``: SOP versions in the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..sop.diff import sop_diff
from .common import AsOption, errors, fail, load_sop_or_fail, open_engine, parse_actor

app = typer.Typer(help="Charger et lister les versions de POS.", no_args_is_help=True)


@app.command("load")
def sop_load(path: Path) -> None:
    """Enregistrer une version de POS dans la base (sans effet si le texte est identique).

    Register an SOP version."""
    loaded = load_sop_or_fail(path)
    engine = open_engine()
    with errors():
        engine.load_sop(loaded)
    typer.echo(f"POS {loaded.model.sop} version {loaded.model.version} chargée.")


@app.command("list")
def sop_list() -> None:
    """Lister les versions de POS de la base. / List SOP versions."""
    from sqlalchemy import select

    from ..store.models import SopVersion
    engine = open_engine()
    with engine.sessions() as s:
        for row in s.scalars(select(SopVersion).order_by(SopVersion.id)):
            typer.echo(f"{row.sop_id}\t{row.version}\t{row.loaded_at:%Y-%m-%d %H:%M}Z\t{row.title}")


app.command("diff")(sop_diff)


@app.command("migrate")
def sop_migrate(source: Annotated[str, typer.Argument(help="Version d'origine, ex. mnr_bf@2025.1")],
                target: Annotated[str, typer.Argument(help="Version cible, ex. mnr_bf@2025.2")],
                mapping: Annotated[list[str] | None, typer.Option(
                    "--map", help="étape.ancien_état=nouvel_état (répétable)")] = None,
                case: Annotated[list[str] | None, typer.Option("--case", help="Seulement ce dossier "
                                                                              "(répétable)")] = None,
                dry_run: Annotated[bool, typer.Option("--dry-run", help="Montrer sans rien écrire")] = False,
                actor: AsOption = "") -> None:
    """Migrer les dossiers ouverts vers une autre version de POS, avec une correspondance d'états
    explicite (refusée si un dossier tomberait dans un état qui n'existe plus ; auditée).

    Migrate open cases to another SOP version."""
    from ..engine.versions import migrate_cases
    who = parse_actor(actor)
    pairs = {}
    for item in mapping or []:
        key, sep, value = item.partition("=")
        if not sep or "." not in key or not value:
            fail(f"--map attend étape.ancien_état=nouvel_état, reçu {item!r}", 2)
        pairs[key.strip()] = value.strip()
    engine = open_engine()
    with errors():
        plan = migrate_cases(engine, source, target, pairs, who, references=case or None,
                             dry_run=dry_run)
    for ref, moves in plan.moves.items():
        changed = [f"{k}: {a} → {b}" for k, a, b in moves if a != b]
        typer.echo(f"{ref}\t{'; '.join(changed) or 'états inchangés'}")
    verb = "seraient migrés" if dry_run else "migrés"
    typer.echo(f"{len(plan.moves)} dossier(s) {verb} de {source} vers {target}.")
