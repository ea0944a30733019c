"""``mno directory agreement …``: the data-sharing agreement register (add, list, end).

Each change goes through :func:`mno_workflow.directory.edit.create_object` / ``update_object``:
validated like an import (unknown organisation, bad dates and codes are per-field errors, nothing
written) and audited in ``dir_audit``. Agreements are exported with the directory
(``sharing_agreement.csv``). See :mod:`mno_workflow.protection.agreements` for "in force".
"""

from __future__ import annotations

from datetime import date

import typer
from sqlalchemy import select

from mno_workflow.commands.common import _, lang, ngettext
from mno_workflow.directory.edit import UnknownObject, create_object, update_object
from mno_workflow.directory.problems import DirectoryValidationError
from mno_workflow.directory.tables import TABLES
from mno_workflow.i18n.dates import DAY_SHAPES, day_text, iso_day, read_day
from mno_workflow.sop.diagnostics import text_in

app = typer.Typer(help="Registre des accords de partage de données (protocoles d'accord).",
                  no_args_is_help=True)


def _session(db):
    from mno_workflow.directory.cli import _session as session
    return session(db)


DB = typer.Option(None, "--db", help="URL de la base (défaut : $MNO_DATABASE_URL, sinon sqlite:///mno.db).")
ACTOR = typer.Option("cli", "--actor", help="Auteur inscrit dans le journal du répertoire (le coordinateur).")


@app.command("add")
def add_cmd(
    organisation: str = typer.Argument(..., help="Identifiant de l'organisation (ex. org-csps)."),
    signed_on: str = typer.Option(..., "--signed-on", help="Date de signature JJ/MM/AAAA ou "
                                                           "AAAA-MM-JJ."),
    version: str = typer.Option(..., "--version", help="Version de l'accord (ex. 2025.1)."),
    categories: str = typer.Option("", "--categories", help="Catégories de données (séparées par espaces)."),
    purposes: str = typer.Option("", "--purposes", help="Finalités, séparées par des espaces."),
    expires_on: str | None = typer.Option(None, "--expires-on", help="Dernier jour de validité "
                                                                     "JJ/MM/AAAA ou AAAA-MM-JJ."),
    focal_name: str | None = typer.Option(None, "--focal-name", help="Point focal données (nom)."),
    focal_email: str | None = typer.Option(None, "--focal-email", help="Point focal données (courriel)."),
    agreement_id: str | None = typer.Option(None, "--id", help="Identifiant (défaut : agr-<org>-<version>)."),
    actor: str = ACTOR,
    db: str | None = DB,
) -> None:
    """Enregistrer un accord de partage de données signé par une organisation."""
    aid = agreement_id or f"agr-{organisation.removeprefix('org-')}-{version}".replace(".", "-")
    with _session(db) as s:
        create_object(s, "sharing_agreement", {
            "id": aid, "organization_id": organisation, "signed_on": iso_day(signed_on),
            "agreement_version": version, "data_categories": categories or None,
            "purposes": purposes or None, "expires_on": iso_day(expires_on) if expires_on else None,
            "focal_point_name": focal_name, "focal_point_email": focal_email}, actor)
    typer.echo(_("Accord {agreement} enregistré pour {organisation}.", agreement=aid,
                 organisation=organisation))


@app.command("end")
def end_cmd(
    agreement_id: str = typer.Argument(..., help="Identifiant de l'accord."),
    on: str = typer.Option(..., "--on", help="Dernier jour de validité JJ/MM/AAAA ou AAAA-MM-JJ."),
    actor: str = ACTOR,
    db: str | None = DB,
) -> None:
    """Mettre fin à un accord (dernier jour de validité)."""
    with _session(db) as s:
        try:
            diff = update_object(s, "sharing_agreement", agreement_id, {"expires_on": iso_day(on)}, actor)
        except UnknownObject:
            typer.echo(_("erreur : accord « {agreement} » inconnu", agreement=agreement_id), err=True)
            raise typer.Exit(1) from None
        except DirectoryValidationError as e:  # e.g. an end before the signature (tryout 3, F36)
            for p in e.problems:
                typer.echo(_("erreur : {field} : {reason}", field="--on", reason=text_in(p.message, lang())),
                           err=True)
            raise typer.Exit(1) from None
    typer.echo(_("Accord {agreement} : fin au {day}.", agreement=agreement_id, day=on) if diff
               else _("Accord {agreement} : inchangé.", agreement=agreement_id))


@app.command("list")
def list_cmd(
    today: str | None = typer.Option(None, "--today",
                                     help="Date JJ/MM/AAAA ou AAAA-MM-JJ (défaut : ce jour)."),
    db: str | None = DB,
) -> None:
    """Lister les organisations avec leur accord en vigueur (ou son absence)."""
    from mno_workflow.protection import agreement_in_force

    try:
        day = read_day(today) if today else date.today()
    except ValueError:
        typer.echo(_("erreur : date invalide « {day} » (attendu {shapes})", day=today, shapes=_(DAY_SHAPES)),
                   err=True)
        raise typer.Exit(1) from None
    org = TABLES["organization"]
    with _session(db) as s:
        rows = list(s.execute(select(org.c.id, org.c.name, org.c.organization_type).order_by(org.c.id)))
        lines = []
        for oid, name, otype in rows:
            st = agreement_in_force(s, oid, day)
            lines.append(f"{oid:<18}{(otype or '?'):<17}{_state(st)} — {name}")
    for line in lines:
        typer.echo(line)
    typer.echo(ngettext("{n} organisation au {day}", "{n} organisations au {day}", len(rows),
                        day=day_text(day, lang())))


def _state(st) -> str:
    """An organisation's agreement state (``agreement_in_force``) in words, in the --lang language."""
    if st.reason == "agreement.in_force":
        return _("en vigueur ({agreement}, version {version}, jusqu'au {day})", agreement=st.agreement_id,
                 version=st.version, day=day_text(st.expires_on, lang()) or "—")
    if st.reason == "agreement.expired":
        return _("EXPIRÉ ({agreement}, le {day})", agreement=st.agreement_id,
                 day=day_text(st.expires_on, lang()))
    if st.reason == "agreement.not_yet_signed":
        return _("pas encore en vigueur ({agreement})", agreement=st.agreement_id)
    return _("AUCUN ACCORD")
