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
             role: Annotated[str | None, typer.Option(help="Rôle de la POS, ex. caseworker")] = None,
             name: Annotated[str | None, typer.Option(help="Nom affiché")] = None,
             organisation: Annotated[str | None, typer.Option(
                 "--organisation", "--org",
                 help="Organisation (prestataires, premiers intervenants : ex. fds_poste_seytenga)")] = None,
             sop: Annotated[str | None, typer.Option(
                 "--sop", help="POS où la personne travaille (ex. mnr_bf ; all : toutes les POS). Sans "
                               "--sop : la POS dont la liste de régions contient --region")] = None,
             region: Annotated[str | None, typer.Option(help="Région (code de la POS)")] = None,
             email: Annotated[str | None, typer.Option(help="Courriel pour les rappels")] = None,
             phone: Annotated[str | None, typer.Option(help="Téléphone (ex. +226 70 12 34 56)")] = None,
             sms: Annotated[bool | None, typer.Option("--sms/--no-sms",
                                                      help="Recevoir aussi les rappels par SMS")] = None,
             language: Annotated[str | None, typer.Option(
                 help="fr ou en (défaut : fr)", callback=lambda value: check_lang(value))] = None,
             password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                          help="Lire le mot de passe sur l'entrée standard")]
             = False,
             update: Annotated[bool, typer.Option(
                 "--update", help="Modifier un compte existant : seules les options données changent ; le "
                                  "mot de passe seulement avec --password-stdin")] = False) -> None:
    """Créer un compte, ou avec --update modifier un compte existant (mot de passe haché avec
    argon2). / Add a user, or change one with --update."""
    from sqlalchemy import select

    from ..protection.view_words import role_name
    from ..store.models import SopVersion, User
    from ..user_checks import (
        directory_organisations,
        existing_problem,
        login_problem,
        organisation_problem,
        region_problem,
    )
    from ..user_sops import known_sops, regions_of, sop_for_region, sop_problem, sop_region_problem
    from ..web.security import hash_password
    if (problem := login_problem(user_id)) is not None:
        fail(problem.text(lang()), 2)
    engine = open_engine()
    with engine.sessions() as s:  # refused before a password is asked
        existing = s.get(User, user_id)
        if (problem := existing_problem(existing, update)) is not None:
            fail(problem.text(lang()))
    if existing is None:
        for option, value in (("--role", role), ("--name", name)):
            if not value:
                fail(_("{option} est obligatoire pour créer un compte", option=option), 2)
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif existing is None:
        password = typer.prompt(_("Mot de passe"), hide_input=True, confirmation_prompt=True)
    if password is not None and len(password) < 10:
        fail(_("Mot de passe trop court : {n} caractères au moins.", n=10))
    from ..reminders.sms import e164
    try:
        phone = e164(phone) if phone else None
    except ValueError as e:
        fail(f"--phone{colon(lang())}{error_text(e)}", 2)
    with engine.sessions.begin() as s:
        user = s.get(User, user_id) or User(id=user_id, active=True, notify_sms=False, language="fr")
        role = role or user.role
        organisation = organisation if organisation is not None else user.organisation
        region_given, region = region is not None, (region if region is not None else user.region)
        phone = phone or user.phone
        sms = sms if sms is not None else bool(user.notify_sms)
        if sms and not phone:
            fail(_("--sms demande --phone"), 2)
        roles = set()
        for row in s.scalars(select(SopVersion)):
            roles |= set(engine.registry.compiled(row).sop.roles)
        sops = known_sops(s, engine.registry)
        if sop is not None:  # --sop all: every SOP (NULL, as every account before revision 0040)
            if (problem := sop_problem(None if sop == "all" else sop, sops)) is not None:
                fail(problem.text(lang()))
            sop_id = None if sop == "all" else sop
        elif user.sop_id:
            sop_id = user.sop_id
        else:  # several SOPs: the one whose region list holds --region (tryout 5, H24)
            sop_id, problem = sop_for_region(region if region_given else None, sops)
            if problem is not None:
                fail(problem.text(lang()))
        roles |= {"trainer", "me_officer", "sop_author"}  # web-only roles, accepted as well
        if len(roles) > 3 and role not in roles:  # every accepted role listed (tryout 4, G21)
            fail(_("Rôle inconnu « {role} » : {roles}", role=role, roles=", ".join(sorted(roles))))
        if role == "provider" and not organisation:
            fail(_("--organisation est obligatoire pour un point focal de prestataire"))
        if role == "first_responder" and not organisation:  # FDS, CNVS, relais, Action sociale…
            fail(_("--org est obligatoire pour un premier intervenant (ex. fds_poste_seytenga, cnvs, "
                   "relais_kaya)"))
        if (problem := sop_region_problem(region, sop_id, sops)
                or region_problem(region, regions_of(sop_id, sops))) is not None:
            fail(problem.text(lang()))
        if role == "provider" and (problem := organisation_problem(
                organisation, directory_organisations(s))) is not None:
            fail(problem.text(lang()))
        if password is not None:
            if user.password_hash:  # a password change ends the user's web sessions at once
                from ..web.websessions import end_all
                end_all(s, user_id, "password_changed")
            user.password_hash = hash_password(password)
        user.display_name = name or user.display_name
        user.role, user.organisation, user.region, user.sop_id = role, organisation, region, sop_id
        user.email = email if email is not None else user.email
        user.language = language or user.language or "fr"
        user.phone, user.notify_sms = phone, sms
        s.add(user)
    words = role_name(role, lang())
    if existing is not None:
        typer.echo(_("Compte {user} ({role}) mis à jour.", user=user_id, role=words))
    else:
        typer.echo(_("Compte {user} ({role}) enregistré.", user=user_id, role=words))


@app.command("list")
def user_list(fmt: Annotated[str, typer.Option("--format", help="text ou json")] = "text",
              inactive: Annotated[bool, typer.Option("--inactive", help="Aussi les comptes désactivés")]
              = False) -> None:
    """Lister les comptes : identifiant, nom, rôle, POS, région, organisation, état. / List users."""
    from ..user_listing import print_users
    print_users(open_engine(read_only=True), fmt, inactive)


@app.command("tie-by-region")
def user_tie_by_region(dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Dire ce qui serait fait, sans rien écrire")] = False) -> None:
    """Rattacher chaque compte actif sans POS à la seule POS qui liste sa région (une base où une
    deuxième POS a été chargée avant que « mno sop load » le fasse). / Tie each active account
    without SOP to the one SOP listing its region."""
    from ..user_sops import known_sops, tie_by_region, tied_lines
    engine = open_engine()
    with engine.sessions() as s:
        done = tie_by_region(s, engine.registry, set())  # every SOP counts as new: all accounts
        lines = [m.text(lang()) for m in tied_lines(done, known_sops(s, engine.registry))]
        if dry_run:
            s.rollback()
        else:
            s.commit()
    for line in lines:
        typer.echo(line)
    if dry_run:
        typer.echo(_("Simulation : rien n'a été écrit."))
    elif not done.tied:
        typer.echo(_("Aucun compte à rattacher."))


def _register_admin_commands() -> None:
    """``mno user tokens|token-create|deactivate|sessions…`` (module :mod:`mno_workflow.user_cli`)."""
    from ..user_cli import register
    register(app)


_register_admin_commands()
