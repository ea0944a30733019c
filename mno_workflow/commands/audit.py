"""``mno audit verify``: check every case's audit chain."""

from __future__ import annotations

import typer

from .common import open_engine

app = typer.Typer(help="Journal d'audit.", no_args_is_help=True)


@app.command("verify")
def audit_verify() -> None:
    """Vérifier la chaîne d'audit de chaque dossier ; code 1 si un événement a été modifié ou supprimé.

    Verify the audit chains."""
    from ..store.audit import verify_all
    engine = open_engine()
    with engine.sessions() as s:
        count, problems = verify_all(s)
    for p in problems:
        typer.echo(f"{p.reference} #{p.seq}: {p.problem}", err=True)
    typer.echo(f"{count} dossier(s) vérifié(s), {len(problems)} problème(s).")
    raise typer.Exit(1 if problems else 0)
