"""``mno calendar holidays|set``: the public holidays of an SOP's calendar, confirmed or moved."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import AsOption, SopArg, errors, fail, load_sop_or_fail, open_engine, parse_actor

app = typer.Typer(help="Calendrier : jours fériés confirmés ou déplacés.", no_args_is_help=True)


@app.command("holidays")
def calendar_holidays(year: int, sop: SopArg = "mnr_bf") -> None:
    """Lister les jours fériés d'une année dans le calendrier de la POS. / List public holidays."""
    from datetime import date

    from ..engine.timers import calendar_for
    engine = open_engine()
    with engine.sessions() as s, errors():
        sop_model = (load_sop_or_fail(Path(sop)).model if sop.endswith((".yaml", ".yml"))
                     else engine.registry.compiled(engine.registry.latest(s, sop)).sop)
        cal = calendar_for(s, sop_model)
        for day, name in cal.holidays_between(date(year, 1, 1), date(year, 12, 31)):
            typer.echo(f"{day:%d/%m/%Y}\t{name}")


@app.command("set")
def calendar_set(day: str, name: Annotated[str, typer.Option(help="Nom du jour férié")] = "",
                 country: Annotated[str, typer.Option(help="Code pays, ex. BF")] = "BF",
                 remove: Annotated[bool, typer.Option("--remove", help="Retirer ce jour (date estimée "
                                                                       "qui n'est pas fériée)")] = False,
                 actor: AsOption = "") -> None:
    """Confirmer ou ajouter un jour férié (AAAA-MM-JJ), ou retirer une date estimée.

    Confirm, add or remove a holiday."""
    from datetime import date

    from sqlalchemy import select

    from ..engine.timers import forget_overrides
    from ..store.models import HolidayOverride
    who = parse_actor(actor)
    if who.role not in ("coordinator", "supervisor"):
        fail(f"role_not_allowed: le rôle « {who.role} » ne peut pas modifier le calendrier national "
             "(coordinator ou supervisor)")
    try:
        d = date.fromisoformat(day)
    except ValueError:
        fail(f"Date invalide {day!r} : AAAA-MM-JJ", 2)
    if not remove and not name.strip():
        fail("--name est obligatoire pour ajouter un jour férié", 2)
    engine = open_engine()
    with engine.sessions.begin() as s:
        row = s.scalar(select(HolidayOverride).where(HolidayOverride.country == country.upper(),
                                                     HolidayOverride.day == d))
        if row is None:
            row = HolidayOverride(country=country.upper(), day=d)
            s.add(row)
        row.name, row.action = name.strip(), "remove" if remove else "add"
        row.decided_by, row.decided_at = who.user, engine._now()
    forget_overrides()
    typer.echo(f"{d:%d/%m/%Y} : {'retiré' if remove else name}")
