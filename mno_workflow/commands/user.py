"""``mno user add``: accounts of the web UI (password hashed with argon2)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ..i18n import colon
from .common import _, check_lang, error_text, fail, lang, open_engine

app = typer.Typer(help="Comptes des utilisateurs de l'interface web.", no_args_is_help=True)


@app.command("add")
def user_add(user_id: Annotated[str, typer.Argument(help="Identifiant de connexion, ex. mariam.kabore")],
             role: Annotated[str, typer.Option(help="Rôle de la POS, ex. caseworker")],
             name: Annotated[str, typer.Option(help="Nom affiché")],
             organisation: Annotated[str | None, typer.Option(
                 "--organisation", "--org",
                 help="Organisation (prestataires, premiers intervenants : ex. fds_poste_seytenga)")] = None,
             region: Annotated[str | None, typer.Option(help="Région (code de la POS)")] = None,
             email: Annotated[str | None, typer.Option(help="Courriel pour les rappels")] = None,
             phone: Annotated[str | None, typer.Option(help="Téléphone (ex. +226 70 12 34 56)")] = None,
             sms: Annotated[bool, typer.Option("--sms", help="Recevoir aussi les rappels par SMS")] = False,
             language: Annotated[str, typer.Option(help="fr ou en", callback=lambda value: check_lang(value))]
             = "fr",
             password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                          help="Lire le mot de passe sur l'entrée standard")]
             = False) -> None:
    """Créer ou mettre à jour un compte (mot de passe haché avec argon2). / Add or update a user."""
    from sqlalchemy import select

    from ..store.models import SopVersion, User
    from ..web.security import hash_password
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt(_("Mot de passe"), hide_input=True, confirmation_prompt=True)
    if len(password) < 10:
        fail(_("Mot de passe trop court : {n} caractères au moins.", n=10))
    from ..reminders.sms import e164
    try:
        phone = e164(phone) if phone else None
    except ValueError as e:
        fail(f"--phone{colon(lang())}{error_text(e)}", 2)
    if sms and not phone:
        fail(_("--sms demande --phone"), 2)
    engine = open_engine()
    with engine.sessions.begin() as s:
        roles = set()
        for row in s.scalars(select(SopVersion)):
            roles |= set(engine.registry.compiled(row).sop.roles)
        if roles and role not in roles | {"trainer", "me_officer", "sop_author"}:  # web-only roles
            fail(_("Rôle inconnu « {role} » : {roles}", role=role, roles=", ".join(sorted(roles))))
        if role == "provider" and not organisation:
            fail(_("--organisation est obligatoire pour un point focal de prestataire"))
        if role == "first_responder" and not organisation:  # FDS, CNVS, relais, Action sociale…
            fail(_("--org est obligatoire pour un premier intervenant (ex. fds_poste_seytenga, cnvs, "
                   "relais_kaya)"))
        user = s.get(User, user_id) or User(id=user_id)
        if user.password_hash:  # a password change ends the user's web sessions at once
            from ..web.websessions import end_all
            end_all(s, user_id, "password_changed")
        user.display_name, user.role, user.organisation, user.region = name, role, organisation, region
        user.email, user.language, user.active = email, language, True
        user.phone, user.notify_sms = phone, sms
        user.password_hash = hash_password(password)
        s.add(user)
    typer.echo(_("Compte {user} ({role}) enregistré.", user=user_id, role=role))


def _register_admin_commands() -> None:
    """``mno user tokens|token-create|deactivate|sessions…`` (module :mod:`mno_workflow.user_cli`)."""
    from ..user_cli import register
    register(app)


_register_admin_commands()
