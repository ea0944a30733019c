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
        from .commands.common import _, error_text
        typer.echo(_("Base de données : {error}", error=error_text(e)), err=True)
        raise typer.Exit(1) from None


@app.command("upgrade")
def upgrade(ctx: typer.Context, db: DbOption = None,
            revision: Annotated[str, typer.Option(help="Révision cible.")] = "head") -> None:
    """Mettre le schéma de la base à jour (toutes les migrations non appliquées)."""
    from alembic.util import CommandError

    from .commands.common import _, db_detail, safe_url
    url = _url(db, ctx)
    try:
        before = migrate.current(url)
        after = migrate.upgrade(url, revision)
    except CommandError:  # Alembic's English « Can't locate revision identified by 'x' »
        typer.echo(_("Migration impossible ({url}) : révision inconnue « {revision} » ; la plus récente "
                     "est {head}", url=safe_url(url), revision=revision, head=migrate.head()), err=True)
        raise typer.Exit(1) from None
    except (SQLAlchemyError, ValueError) as e:
        typer.echo(_("Migration impossible ({url}) : {error}", url=safe_url(url),
                     error=db_detail(e, url)), err=True)
        raise typer.Exit(1) from None
    if before == after:
        typer.echo(_("Base déjà à jour (révision {revision}).", revision=after))
    else:  # « vide »: a new database
        typer.echo(_("Base mise à jour : {before} → {after}.", before=before or _("vide"), after=after))


@app.command("current")
def current(ctx: typer.Context, db: DbOption = None) -> None:
    """Afficher la révision du schéma de la base et la plus récente disponible."""
    url = _url(db, ctx)
    try:
        rev = migrate.current(url)
    except (SQLAlchemyError, ValueError) as e:
        from .commands.common import _, db_detail, safe_url
        typer.echo(_("Base de données inaccessible ({url}) : {error}", url=safe_url(url),
                     error=db_detail(e, url)), err=True)
        raise typer.Exit(1) from None
    from .commands.common import _
    head = migrate.head()
    if rev is None:
        typer.echo(_("aucune révision (dernière : {head}) — à mettre à jour : mno db upgrade", head=head))
    elif rev == head:
        typer.echo(_("{revision} (dernière : {head}) — à jour", revision=rev, head=head))
    else:
        typer.echo(_("{revision} (dernière : {head}) — à mettre à jour : mno db upgrade", revision=rev,
                     head=head))
