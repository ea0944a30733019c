"""``mno calendar``: list the public holidays of an SOP calendar and let the roles the SOP names
(``calendar.managed_by``) confirm, move or remove holidays of *that* calendar (``BF``, ``GB-ENG``).

Overrides are keyed by the SOP calendar's ``holidays`` code, so an override for one region never
changes another region's deadlines. Errors are one line on stderr (exit 1, or 2 for bad input).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

app = typer.Typer(help="Calendrier : jours fériés confirmés ou déplacés.", no_args_is_help=True)

SopOpt = Annotated[str, typer.Option("--sop", help="Identifiant de POS chargée, ou chemin d'un fichier "
                                                   "YAML (défaut : la POS du Burkina Faso).")]


def _sop_model(engine, s, sop: str):
    """The SOP model named by ``sop``: a YAML path, a loaded SOP id, or, for the default
    ``mnr_bf`` on a database where it is not loaded yet, the bundled Burkina Faso SOP."""
    from ..demo import SOP_PATH
    from ..engine.errors import SOPNotFound
    from . import common as cli
    if sop.endswith((".yaml", ".yml")):
        return cli.load_sop_or_fail(Path(sop)).model
    try:
        return engine.registry.compiled(engine.registry.latest(s, sop)).sop
    except SOPNotFound:
        if sop == "mnr_bf" and SOP_PATH.exists():
            return cli.load_sop_or_fail(SOP_PATH).model
        raise


@app.command("holidays")
def calendar_holidays(year: int, sop: SopOpt = "mnr_bf") -> None:
    """Lister les jours fériés d'une année dans le calendrier de la POS. / List public holidays."""
    from ..engine.holiday_sources import HOLIDAYS_VERSION, subdivision_note
    from ..engine.timers import calendar_for
    from . import common as cli
    engine = cli.open_engine()
    with engine.sessions() as s, cli.errors():
        model = _sop_model(engine, s, sop)
        try:
            cal = calendar_for(s, model, cli.lang())  # the names in the --lang language
        except ValueError as e:
            cli.fail(cli.error_line(cli._("calendrier invalide : {error}", error=e)))
        note = subdivision_note(model.calendar.holidays, cli.lang()) if model.calendar.holidays else None
        if note:
            typer.echo(f"# {note}", err=True)
        typer.echo("# " + cli._("Jours fériés {year} du calendrier {calendar} (fuseau horaire {timezone}) ; "
                                "source : paquet « holidays » {version}", year=year,
                                calendar=model.calendar.key, timezone=model.calendar.timezone,
                                version=HOLIDAYS_VERSION), err=True)
        for day, name in cal.holidays_between(date(year, 1, 1), date(year, 12, 31)):
            typer.echo(f"{day:%d/%m/%Y}\t{name}")


@app.command("set")
def calendar_set(day: str, name: Annotated[str, typer.Option(help="Nom du jour férié")] = "",
                 sop: SopOpt = "mnr_bf",
                 country: Annotated[str | None, typer.Option(
                     help="Ancien nom de l'option : doit être le code du calendrier de la POS "
                          "(ex. BF, GB-ENG)")] = None,
                 remove: Annotated[bool, typer.Option("--remove", help="Retirer ce jour (date estimée "
                                                                       "qui n'est pas fériée)")] = False,
                 actor: Annotated[str, typer.Option("--as", help="UTILISATEUR:ROLE")] = "") -> None:
    """Confirmer ou ajouter un jour férié (JJ/MM/AAAA ou AAAA-MM-JJ) du calendrier de la POS, ou retirer une
    date estimée. Réservé aux rôles de ``calendar.managed_by``.

    Confirm, add or remove a holiday of the SOP's calendar (roles of ``calendar.managed_by``)."""
    from ..engine.timers import forget_overrides
    from ..store.models import HolidayOverride
    from . import common as cli
    who = cli.parse_actor(actor)  # none: « erreur : --as UTILISATEUR:ROLE est obligatoire »
    from ..i18n.dates import DAY_SHAPES, read_day
    try:
        d = read_day(day)
    except ValueError:
        cli.fail(cli.error_line(cli._("date invalide « {day} » (attendu {shapes})", day=day,
                                      shapes=cli._(DAY_SHAPES))), 2)
    if not remove and not name.strip():
        cli.fail(cli.error_line(cli._("--name est obligatoire pour ajouter un jour férié")), 2)
    engine = cli.open_engine()
    with engine.sessions.begin() as s, cli.errors():
        model = _sop_model(engine, s, sop)
        key = model.calendar.key
        if country is not None and country.upper() != key:
            why = cli._("le calendrier de la POS {sop} est « {key} », pas « {asked} »", sop=model.sop,
                        key=key, asked=country.upper())
            cli.fail(cli.error_line(why), 2)
        from ..store.models import User
        works_in = s.scalar(select(User.sop_id).where(User.id == who.user))
        if works_in and works_in != model.sop:  # an account of another SOP (tryout 6, I8)
            cli.fail(cli.error_line(cli._(
                "votre compte travaille sur la POS {own} : il ne peut pas modifier le calendrier {key} "
                "de la POS {sop} ; rien n'a été fait", own=works_in, key=key, sop=model.sop)))
        allowed = model.calendar.managers(model.roles)
        if who.role not in allowed:
            def named(role: str) -> str:  # the SOP's role names, never codes (tryout 4, G18)
                from ..engine.errors import RoleName
                return (model.label(model.roles[role].label, cli.lang()) if role in model.roles
                        else RoleName(role).text(cli.lang()))
            why = cli._("le rôle « {role} » ne peut pas modifier le calendrier {key} (rôles : {roles})",
                        role=named(who.role), key=key, roles=", ".join(named(r) for r in allowed) or "-")
            cli.fail(cli.error_line(why))
        row = s.scalar(select(HolidayOverride).where(HolidayOverride.calendar == key,
                                                     HolidayOverride.day == d))
        if row is None:
            row = HolidayOverride(calendar=key, day=d)
            s.add(row)
        row.name, row.action = name.strip(), "remove" if remove else "add"
        row.decided_by, row.decided_at = who.user, engine._now()
    forget_overrides()
    from ..i18n import colon
    from ..i18n.dates import day_text

    what = cli._("retiré") if remove else name
    typer.echo(f"{key} {day_text(d, cli.lang())}{colon(cli.lang())}{what}")
