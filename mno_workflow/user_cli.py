"""Administrator commands on accounts, sessions and API tokens (``mno user …``): list and revoke
tokens, issue one, deactivate a user (sessions ended, tokens revoked at once), end sessions.

Registered on the ``user`` group of :mod:`mno_workflow.cli` (where ``mno user add`` lives).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from .i18n import N_, gettext, ngettext
from .store.models import User

#: A token's state (``tokens.as_dict``) in words.
TOKEN_STATES = {"active": N_("actif"), "expired": N_("expiré"), "revoked": N_("révoqué")}


def _cli():
    from .commands import common as cli
    return cli


def _user_or_fail(s, user_id: str) -> User:
    user = s.get(User, user_id)
    if user is None:
        _cli().fail(_cli()._("Utilisateur inconnu : {user}", user=user_id))
    return user


def register(user_app: typer.Typer) -> None:
    """Add the commands to the ``mno user`` group."""

    @user_app.command("tokens")
    def user_tokens(user_id: Annotated[str | None, typer.Argument(help="Utilisateur (tous si absent)")]
                    = None,
                    fmt: Annotated[str, typer.Option("--format", help="text ou json")] = "text") -> None:
        """Lister les jetons d'API (nom, portée, état, expiration, dernier usage). / List API tokens."""
        import json

        from .web import models as _models  # noqa: F401
        from .web import tokens
        engine = _cli().open_engine()
        with engine.sessions() as s:
            if user_id:
                _user_or_fail(s, user_id)
            rows = [tokens.as_dict(r) for r in tokens.listing(s, user_id)]
        if fmt == "json":
            typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            typer.echo(_cli()._("Aucun jeton."))
        from .i18n.dates import instant_text
        cli, lang = _cli(), _cli().lang()
        for r in rows:
            state = cli._(TOKEN_STATES.get(r["state"], r["state"]))
            expires = instant_text(r["expires_at"], lang) or cli._("jamais")
            used = instant_text(r["last_used_at"], lang) or "-"
            typer.echo(f"{r['id']:>5}  {r['user']:<20} {r['label'] or '-':<16} {r['scope']:<5} {state:<8} "
                       + cli._("expire {date}", date=expires) + "  "
                       + cli._("dernier usage {date}", date=used))

    @user_app.command("issue-token")
    def user_issue_token(
            user_id: Annotated[str, typer.Argument(help="Utilisateur")],
            label: Annotated[str, typer.Option("--label", help="Nom du jeton, ex. le script")] = "cli",
            scope: Annotated[str, typer.Option("--scope", help="read (lecture seule) ou write")] = "read",
            days: Annotated[int, typer.Option("--days", min=1, max=365, help="Validité en jours")] = 30,
    ) -> None:
        """Créer un jeton d'API ; sa valeur n'est affichée qu'une fois. / Issue an API token."""
        from .web import tokens
        if scope not in tokens.SCOPES:
            _cli().fail(_cli()._("--scope : read ou write"), 2)
        engine = _cli().open_engine()
        with engine.sessions.begin() as s:
            user = _user_or_fail(s, user_id)
            if not user.active:
                _cli().fail(_cli()._("Compte désactivé : {user}", user=user_id))
            tok, row = tokens.issue(s, user_id, datetime.now(UTC), label=label, scope=scope,
                                    lifetime=timedelta(days=days))
            from .i18n.dates import day_text
            typer.echo(_cli()._("Jeton {id} ({scope}, expire le {date}) : {token}", id=row.id, scope=scope,
                                date=day_text(row.expires_at, _cli().lang()), token=tok))

    @user_app.command("revoke-token")
    def user_revoke_token(
            token_id: Annotated[int | None, typer.Argument(help="Numéro du jeton (mno user tokens)")] = None,
            all_of: Annotated[str | None, typer.Option("--all-of", help="Tous les jetons de cet utilisateur")]
            = None) -> None:
        """Révoquer un jeton d'API (effet immédiat). / Revoke an API token."""
        from .web import tokens
        if (token_id is None) == (all_of is None):
            _cli().fail(_cli()._("Donnez un numéro de jeton ou --all-of UTILISATEUR."), 2)
        engine = _cli().open_engine()
        now = datetime.now(UTC)
        with engine.sessions.begin() as s:
            if all_of is not None:
                _user_or_fail(s, all_of)
                n = tokens.revoke_all(s, all_of, now)
                typer.echo(ngettext("{n} jeton révoqué pour {user}.", "{n} jetons révoqués pour {user}.", n,
                                    _cli().lang(), user=all_of))
                return
            if not tokens.revoke(s, token_id, now):
                _cli().fail(_cli()._("Jeton introuvable : {token}", token=token_id))
        typer.echo(_cli()._("Jeton {id} révoqué.", id=token_id))

    @user_app.command("end-sessions")
    def user_end_sessions(
            user_id: Annotated[str | None, typer.Argument(help="Utilisateur")] = None,
            everyone: Annotated[bool, typer.Option("--all", help="Toutes les sessions de tous")] = False
    ) -> None:
        """Fermer les sessions web ouvertes (effet immédiat). / End open web sessions."""
        from .web import websessions
        if (user_id is None) == (not everyone):
            _cli().fail(_cli()._("Donnez un utilisateur ou --all."), 2)
        engine = _cli().open_engine()
        with engine.sessions.begin() as s:
            if user_id:
                _user_or_fail(s, user_id)
            n = websessions.end_all(s, user_id, "admin")
        typer.echo(ngettext("{n} session fermée.", "{n} sessions fermées.", n, _cli().lang()))

    @user_app.command("deactivate")
    def user_deactivate(user_id: Annotated[str, typer.Argument(help="Utilisateur")]) -> None:
        """Désactiver un compte : connexion refusée, sessions fermées et jetons révoqués à l'instant.
        / Deactivate a user (sessions ended, tokens revoked)."""
        engine = _cli().open_engine()
        from .store.repository import open_cases_of
        with engine.sessions.begin() as s:
            user = _user_or_fail(s, user_id)
            user.active = False
            n_s, n_t = end_everything(s, user_id, "deactivated")
            held = open_cases_of(s, user_id)
        lang = _cli().lang()
        typer.echo(gettext("Compte {user} désactivé ; {sessions}, {tokens}.", lang, user=user_id,
                           sessions=ngettext("{n} session fermée", "{n} sessions fermées", n_s, lang),
                           tokens=ngettext("{n} jeton révoqué", "{n} jetons révoqués", n_t, lang)))
        if held:  # still their assignee: tasks and reminders to an account nobody can use (H26)
            typer.echo(ngettext(
                "Attention : {user} reste gestionnaire de {n} dossier ouvert. Réattribuez-le à un "
                "gestionnaire actif :", "Attention : {user} reste gestionnaire de {n} dossiers ouverts. "
                "Réattribuez-les à un gestionnaire actif :", len(held), lang, user=user_id), err=True)
            typer.echo(gettext("  mno case reassign {references} --to GESTIONNAIRE --reason \"{reason}\"",
                               lang, references=" ".join(held),
                               reason=gettext("Compte désactivé : {user}", lang, user=user_id)), err=True)

    @user_app.command("activate")
    def user_activate(user_id: Annotated[str, typer.Argument(help="Utilisateur")]) -> None:
        """Réactiver un compte (ses anciens jetons restent révoqués). / Re-activate a user."""
        engine = _cli().open_engine()
        with engine.sessions.begin() as s:
            _user_or_fail(s, user_id).active = True
        typer.echo(_cli()._("Compte {user} réactivé.", user=user_id))


def end_everything(s, user_id: str, reason: str) -> tuple[int, int]:
    """End the web sessions and revoke the API tokens of ``user_id``; returns both counts."""
    from .web import tokens, websessions
    now = datetime.now(UTC)
    return websessions.end_all(s, user_id, reason, now), tokens.revoke_all(s, user_id, now)
