"""``mno db``: bring the database schema up to date (Alembic) and show its revision.

Problems are one clear line on stderr and exit code 1, like every other ``mno`` command.
"""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from .store import migrate
from .store.base import database_url

app = typer.Typer(help="Schéma de la base : migrations (Alembic).", no_args_is_help=True)

DbOption = Annotated[str | None, typer.Option("--db", help="URL de la base (défaut : $MNO_DATABASE_URL "
                                                           "ou data/mno.db).")]


def _url(db: str | None, ctx: typer.Context) -> str:
    # `mno --db URL db upgrade` puts the URL in the root command's parameters.
    root = ctx.find_root()
    try:
        return database_url(db or (root.params or {}).get("db"))
    except ValueError as e:  # config.ConfigError: an old ./mno.db, a bad mno.toml
        typer.echo(f"Base de données : {e}", err=True)
        raise typer.Exit(1) from None


@app.command("upgrade")
def upgrade(ctx: typer.Context, db: DbOption = None,
            revision: Annotated[str, typer.Option(help="Révision cible.")] = "head") -> None:
    """Mettre le schéma de la base à jour (toutes les migrations non appliquées)."""
    url = _url(db, ctx)
    try:
        before = migrate.current(url)
        after = migrate.upgrade(url, revision)
    except (SQLAlchemyError, ValueError) as e:
        typer.echo(f"Migration impossible ({url}) : {str(e).splitlines()[0]}", err=True)
        raise typer.Exit(1) from None
    if before == after:
        typer.echo(f"Base déjà à jour (révision {after}).")
    else:
        typer.echo(f"Base mise à jour : {before or 'vide'} → {after}.")


@app.command("current")
def current(ctx: typer.Context, db: DbOption = None) -> None:
    """Afficher la révision du schéma de la base et la plus récente disponible."""
    url = _url(db, ctx)
    try:
        rev = migrate.current(url)
    except (SQLAlchemyError, ValueError) as e:
        from .commands.common import _, db_detail, safe_url
        typer.echo(_("Base de données inaccessible ({url}) : {error}", url=safe_url(url),
                     error=db_detail(e).replace(url, safe_url(url))), err=True)
        raise typer.Exit(1) from None
    head = migrate.head()
    state = "à jour" if rev == head else "à mettre à jour : mno db upgrade"
    typer.echo(f"{rev or 'aucune'} (dernière : {head}) — {state}")
