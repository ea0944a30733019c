"""Command line for the service directory (mounted as ``mno directory …``): import, export, search, stale.

Every command takes ``--db`` (default ``$MNO_DATABASE_URL``, else ``data/mno.db``) and creates
the directory tables if missing. Problems are printed one per line (``file:row:column: message``)
on stderr with exit code 1, never as a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import typer
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from mno_workflow.commands.common import _, error_line, error_text, lang, ngettext
from mno_workflow.directory import tables as _tables  # noqa: F401  (registers the dir_* tables)
from mno_workflow.directory.edit import stale_services
from mno_workflow.directory.hsds31 import export_tabular
from mno_workflow.directory.hsds_io import (
    DirectoryImportError,
    DirectoryValidationError,
    apply_rows,
    dump_tables,
    export_package,
    import_package,
    read_package,
    validate_rows,
)
from mno_workflow.directory.hsds_json import export_json
from mno_workflow.directory.hsds_own import export_mark
from mno_workflow.directory.matching import MatchError, match
from mno_workflow.directory.public import focal_point_count, people_count
from mno_workflow.directory.xlsx import export_xlsx
from mno_workflow.engine.errors import EngineError
from mno_workflow.i18n.dates import DAY_SHAPES, read_day
from mno_workflow.store.base import database_url, make_engine
from mno_workflow.store.migrate import upgrade

app = typer.Typer(help="Répertoire des prestataires de services (HSDS 3.x).", no_args_is_help=True)

FORMATS = ("csv", "json", "hsds", "hsds-json", "xlsx")
DB = typer.Option(None, "--db", help="URL de la base (défaut : $MNO_DATABASE_URL, sinon data/mno.db).")


def _fail(lines: list[str]) -> None:
    for line in lines:
        typer.echo(line, err=True)
    raise typer.Exit(1)


@contextmanager
def _session(db: str | None) -> Iterator[Session]:
    """One transaction on the directory tables (created if missing); errors become one line, exit 1."""
    url = None
    try:
        url = database_url(db)
        upgrade(url)  # the same schema (Alembic) as every other command
        engine = make_engine(url)
        with Session(engine) as session, session.begin():
            yield session
    except DirectoryValidationError as exc:
        _fail([p.format(lang()) for p in exc.problems])  # catalogue messages in the --lang language
    except MatchError as exc:
        _fail([_("erreur : {error}", error=error_text(exc))])
    except EngineError as exc:  # --as naming no active account (cli_identity.UnknownActor)
        _fail([error_line(error_text(exc), exc.code)])
    except ValueError as exc:  # a malformed --as (engine.actors.Actor.parse): a catalogue message
        _fail([_("erreur : {error}", error=error_text(exc).splitlines()[0] if str(exc) else "")])
    except OSError as exc:
        if exc.filename:  # an export that cannot be written
            from ..i18n.files import write_error
            _fail([_("erreur : {error}", error=write_error(exc.filename, exc).text(lang()))])
        from ..commands.common import db_detail
        _fail([_("erreur : {error}", error=db_detail(exc, url))])
    except SQLAlchemyError as exc:  # the driver's English goes to the log only
        from ..commands.common import db_detail
        _fail([_("erreur : {error}", error=db_detail(exc, url))])


@app.command("import")
def import_cmd(
    path: Path = typer.Argument(..., help="Dossier de CSV (HSDS 3.1 ou du produit), fichier .json ou .xlsx."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Montrer ce qui changerait, sans rien écrire."),
    actor: str = typer.Option("cli", "--actor", help="Auteur inscrit dans le journal d'audit."),
    db: str | None = DB,
) -> None:
    """Importer un répertoire HSDS (tout ou rien)."""
    with _session(db) as session:
        if path.suffix.lower() == ".xlsx":  # per-cell errors (sheet, row, column letter)
            report = import_package(session, path, actor=actor, dry_run=dry_run)
        else:
            sources, problems = read_package(path)
            if problems:
                raise DirectoryImportError(sorted(problems + validate_rows(session, sources)[1]))
            total = sum(len(rows) for rows in sources.values())
            with typer.progressbar(length=total, label="Import", file=None) as bar:
                update: Callable[[str, int], Any] = lambda _name, n: bar.update(n)  # noqa: E731
                report = apply_rows(session, sources, actor=actor, dry_run=dry_run, progress=update,
                                    since=export_mark(path))
    for warning in report.warnings:
        typer.echo(_("avertissement : {warning}", warning=warning.format(lang())), err=True)
    # the column words outside the f-string: the catalogue extraction does not read inside one
    heads = (_("objet"), _("ajoutés"), _("modifiés"), _("inchangés"))
    typer.echo(f"{heads[0]:<22}{heads[1]:>9}{heads[2]:>10}{heads[3]:>11}")
    for name, counts in report.counts().items():
        typer.echo(f"{name:<22}{counts['added']:>9}{counts['changed']:>10}{counts['unchanged']:>11}")
    added = ngettext("{n} ajout", "{n} ajouts", report.total("added"))
    changed = ngettext("{n} modification", "{n} modifications", report.total("changed"))
    if dry_run:
        typer.echo(_("{added} et {changed} seraient faits — simulation, rien n'a été écrit.",
                     added=added, changed=changed))
    else:
        typer.echo(_("{added} et {changed} ont été faits.", added=added, changed=changed))


@app.command("export")
def export_cmd(
    dest: Path = typer.Argument(..., help="Dossier de sortie (ou fichier .json : json, hsds-json)."),
    fmt: str = typer.Option(
        "csv",
        "--format",
        help="csv, json (paquet du produit), hsds (paquet tabulaire HSDS 3.1 avec datapackage.json) "
        "hsds-json (objets service et organization imbriqués, HSDS 3.1) ou xlsx (classeur Excel).",
    ),
    public: bool = typer.Option(
        False, "--public",
        help="Forme publiable : sans les contacts personnels du personnel (nom, e-mail, téléphone "
        "d'une personne, point focal) ni les fichiers d'extension.",
    ),
    db: str | None = DB,
) -> None:
    """Exporter le répertoire : paquet du produit (csv, json) ou HSDS 3.1 (hsds, hsds-json)."""
    if fmt not in FORMATS:
        _fail([_("erreur : format « {fmt} » inconnu ; formats : {formats}", fmt=fmt,
                 formats=", ".join(FORMATS))])
    with _session(db) as session:
        if fmt == "hsds":
            written = export_tabular(session, dest, public=public)
        elif fmt == "xlsx":
            target = dest if dest.suffix.lower() == ".xlsx" else dest / "repertoire.xlsx"
            written = [export_xlsx(session, target, public=public)]
        elif fmt == "hsds-json":
            target = dest if dest.suffix.lower() == ".json" else dest / "hsds.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            export_json(session, target, public=public)
            written = [target]
        else:
            written = export_package(session, dest, fmt, public=public)
        data = {} if public else dump_tables(session)
        people, focal = people_count(data), focal_point_count(data)
        if people or focal:  # a full export: one access-log row, like the web's reads (contacts_log.py)
            from mno_workflow.directory.search_contacts import log_full_export

            log_full_export(session, data, fmt, str(dest))
    typer.echo(ngettext("{n} fichier écrit dans {dest}", "{n} fichiers écrits dans {dest}",
                        len(written), dest=dest))
    if people or focal:  # a full export is for backups and moves, not for publishing: say so
        typer.echo(_("avertissement : l'export contient les contacts personnels de {people} (nom, "
                     "e-mail, téléphone) et {focal} ; pour une publication, exporter avec --public",
                     people=ngettext("{n} personne", "{n} personnes", people),
                     focal=ngettext("{n} identifiant de point focal",
                                    "{n} identifiants de point focal", focal)),
                   err=True)


@app.command("search")
def search_cmd(
    need: str = typer.Option(..., "--need", help="Code du besoin (ex. housing, legal)."),
    region: str = typer.Option(..., "--region", help="Région (nouveau ou ancien nom, province)."),
    age: int | None = typer.Option(None, "--age", min=0, max=130),
    sex: str | None = typer.Option(None, "--sex", help="f ou m."),
    language: str | None = typer.Option(None, "--language", help="Langue (code ou nom)."),
    limit: int = typer.Option(10, "--limit", min=1),
    fmt: str = typer.Option("table", "--format", help="table ou json."),
    actor: str = typer.Option(
        "", "--as",
        help="UTILISATEUR:ROLE d'un compte ayant la permission directory_contacts : montre les points "
        "focaux (lecture inscrite au journal d'accès). Sans --as, ils sont masqués.",
    ),
    sop: str | None = typer.Option(
        None, "--sop", help="POS du dossier à orienter : ses régions et ses besoins, et les organisations "
        "hors de son pays marquées « à l'étranger » (défaut : celle du compte --as, sinon la seule POS "
        "chargée)."),
    db: str | None = DB,
) -> None:
    """Proposer des services pour un besoin, classés avec leurs raisons."""
    from mno_workflow.directory.need_check import abroad, abroad_help, abroad_mark
    from mno_workflow.directory.search_contacts import disclose_focal_points

    if fmt not in ("table", "json"):
        _fail([_("erreur : format « {fmt} » inconnu ; formats : {formats}", fmt=fmt,
                 formats="table, json")])
    with _session(db) as session:
        model = _searched_sop(session, sop, actor)  # its regions and needs (tryout 8, K6)
        found = match(session, need=need, region=region, age=age, sex=sex, language=language, limit=limit,
                      sop=model)
        asked = {"need": need, "region": region, "age": age, "sex": sex, "language": language, "limit": limit}
        note = disclose_focal_points(session, found, actor, asked)
        names = _user_names(session, {c.focal_point_user_id for c in found})
        away = abroad(session, model, {c.organization_id for c in found}) if model is not None else {}
    from mno_workflow.commands.common import lang as cli_lang
    from mno_workflow.sop.diagnostics import text_in

    if note:
        typer.echo(text_in(note, cli_lang()), err=True)
    for c in found:  # the reasons are catalogue messages: in the --lang language (JSON too)
        c.reasons = [text_in(r, cli_lang()) for r in c.reasons]
    if fmt == "json":  # « abroad » as in GET /api/v1/directory
        typer.echo(json.dumps([{**c.as_dict(), "abroad": {
            "countries": away[c.organization_id], "label": abroad_mark(away[c.organization_id], cli_lang()),
            "help": abroad_help(cli_lang())} if c.organization_id in away else None} for c in found],
            ensure_ascii=False, indent=1))
        return
    if not found:
        typer.echo(_("Aucun service trouvé."))
        return
    from mno_workflow.directory.row_types import CHANNEL_WORDS
    for rank, c in enumerate(found, start=1):  # words only: the score and the ids are in --format json
        typer.echo(f"{rank:>2}. {c.service_name} — {c.organization_name}")
        focal = names.get(c.focal_point_user_id or "", c.focal_point_user_id) \
            or (_("masqué") if note else "-")
        channel = _(CHANNEL_WORDS[c.referral_channel]) if c.referral_channel in CHANNEL_WORDS \
            else (c.referral_channel or "-")
        typer.echo("    " + _("point focal : {focal} ; orientation : {channel}", focal=focal,
                                channel=channel))
        if c.organization_id in away:  # a transfer of personal data abroad (tryout 6, I4)
            mark = abroad_mark(away[c.organization_id], cli_lang())
            typer.echo(f"    ! {mark} — {abroad_help(cli_lang())}")
        for reason in c.reasons:
            typer.echo(f"    · {reason}")


def _searched_sop(session: Session, sop_id: str | None, actor: str):
    """The SOP model the search runs for (:func:`mno_workflow.engine.sop_choice.for_directory`):
    ``--sop``, else the SOP of the ``--as`` account, else the only SOP loaded; None when none is
    loaded (Burkina Faso's areas). An unknown ``--sop``, or several SOPs and nothing saying which:
    one line naming the loaded SOPs, exit 1."""
    from sqlalchemy import inspect

    from mno_workflow.engine import sop_choice
    from mno_workflow.engine.actors import Actor
    from mno_workflow.engine.errors import Message
    from mno_workflow.engine.registry import Registry
    from mno_workflow.store.models import SopVersion, User
    if not inspect(session.connection()).has_table(SopVersion.__tablename__):
        return None
    who = session.get(User, Actor.parse(actor).user) if actor.strip() and ":" in actor else None
    chosen = sop_choice.for_directory(session, Registry(), sop_id, getattr(who, "sop_id", None) or None,
                                      hint=Message.t("précisez --sop ID."))  # errors: one line (_session)
    return chosen.sop if chosen is not None else None


def _user_names(session: Session, ids: set) -> dict[str, str]:
    """Display names of the users ``ids`` (the focal points shown)."""
    from sqlalchemy import select

    from mno_workflow.store.models import User
    ids = ids - {None, ""}
    if not ids:
        return {}
    return {u.id: u.display_name for u in session.scalars(select(User).where(User.id.in_(ids)))
            if u.display_name}


@app.command("stale")
def stale_cmd(
    months: int = typer.Option(6, "--months", min=1, help="Âge maximal de la dernière vérification."),
    today: str | None = typer.Option(
        None, "--today", help="Date de référence JJ/MM/AAAA ou AAAA-MM-JJ (défaut : aujourd'hui)."
    ),
    db: str | None = DB,
) -> None:
    """Lister les services à revérifier (dernière vérification trop ancienne)."""
    try:
        ref = read_day(today) if today else date.today()
    except ValueError:
        _fail([_("erreur : date invalide « {day} » (attendu {shapes})", day=today, shapes=_(DAY_SHAPES))])
        return
    with _session(db) as session:
        rows = stale_services(session, ref, months)
    for s in rows:
        typer.echo(
            f"{s.assured_date.isoformat() if s.assured_date else _('jamais'):<12}{s.service_id:<32}{s.name}"
        )
    typer.echo(ngettext("{n} service non vérifié depuis {months} au {day}",
                        "{n} services non vérifiés depuis {months} au {day}", len(rows),
                        months=ngettext("{n} mois", "{n} mois", months), day=ref.isoformat()))


@app.command("history")
def history_cmd(
    object_id: str = typer.Argument(..., help="Identifiant de l'objet (ex. un service)."),
    kind: str = typer.Option("service", "--type", help="Type d'objet (service, organization, "
                                                         "service_capacity…)."),
    db: str | None = DB,
) -> None:
    """Historique des modifications d'un objet du répertoire, les plus récentes d'abord."""
    from sqlalchemy import select

    from mno_workflow.commands.common import lang as cli_lang
    from mno_workflow.directory.audit_values import agreement_codes, object_names
    from mno_workflow.directory.audit_words import history_rows
    from mno_workflow.directory.edit import audit_trail
    from mno_workflow.i18n.dates import instant_text
    from mno_workflow.store.models import User

    with _session(db) as session:
        users = dict(session.execute(select(User.id, User.display_name)).all())
        rows = history_rows(sorted(audit_trail(session, kind, object_id), key=lambda a: a.id, reverse=True),
                            cli_lang(), object_names(session, cli_lang()), users=users,
                            codes=agreement_codes(session, cli_lang()))
    for h in rows:
        typer.echo(f"{instant_text(h['at'], cli_lang())} UTC  {h['actor']}  {h['action']} — {h['object']}")
        for label, old, new in h["diff"]:
            typer.echo("    " + _("{field} : {old} → {new}", field=label,
                                    old="—" if old is None else old, new="—" if new is None else new))
    typer.echo(ngettext("{n} modification", "{n} modifications", len(rows)))


from mno_workflow.directory.agreements_cli import app as _agreement_app  # noqa: E402

app.add_typer(_agreement_app, name="agreement")
