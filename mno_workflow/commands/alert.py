"""``mno alert create|list``: first responders' alerts (*signalements*) from the command line —
file an alert through the SOP entry of the actor's role (the case goes to a case manager of the
region) and list one's alerts with their status only (:mod:`mno_workflow.engine.alerts`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..i18n import gettext
from .common import (
    AsOption,
    FormatOption,
    OutputFormat,
    SopArg,
    _,
    errors,
    fail,
    open_engine,
    parse_actor,
    sop_id_loading,
)

app = typer.Typer(help="Signalements des premiers intervenants.", no_args_is_help=True)


@app.command("create")
def alert_create(sop: SopArg = "mnr_bf", actor: AsOption = "",
                 data: Annotated[list[str] | None, typer.Option(
                     "--data", help="Champ du signalement : champ=valeur (répétable ; multi : a,b)")] = None,
                 json_file: Annotated[Path | None, typer.Option("--json", help="Signalement en JSON")] = None,
                 idempotency_key: Annotated[str | None, typer.Option(
                     help="Clé d'idempotence : une reprise avec la même clé rend le même signalement")]
                 = None,
                 fmt: FormatOption = OutputFormat.text) -> None:
    """Transmettre un signalement ; affiche sa référence et à qui il est attribué. / File an alert:
    prints its reference and who it was given to."""
    from ..engine.alerts import entry_for, file_alert
    from ..engine.opening import MAX_KEY, IdempotencyKeyInvalid
    from .case import _payload
    who = parse_actor(actor)
    engine = open_engine()
    sop_id = sop_id_loading(engine, sop)
    with engine.sessions() as s, errors():
        model = engine.registry.compiled(engine.registry.latest(s, sop_id)).sop
        _eid, entry = entry_for(model, who.role)
    payload = _payload(model, entry.trigger, data or [], json_file)
    with errors():
        try:
            filed = file_alert(engine, sop_id, who, payload, idempotency_key=idempotency_key)
        except IdempotencyKeyInvalid:
            fail(_("--idempotency-key : de 1 à {n} caractères", n=MAX_KEY), 2)
    if fmt == OutputFormat.json:
        import json
        typer.echo(json.dumps({"reference": filed.reference, "assignee": filed.assignee,
                               "assignment": filed.assignment, "replayed": filed.replayed}))
    else:
        typer.echo(f"{filed.reference}\t{filed.assignee}\t{filed.assignment}")


@app.command("list")
def alert_list(sop: SopArg = "mnr_bf", actor: AsOption = "",
               fmt: FormatOption = OutputFormat.text) -> None:
    """Mes signalements : référence, date, région, statut (reçu, pris en charge, clos) et sa date ;
    pour un signalement clos, le motif, la date et le rôle de qui l'a clos. / My alerts and their
    status (and why a closed one was closed)."""
    from ..engine.alert_outcome import sentence
    from ..engine.alerts import alerts_of, entry_for, status_label
    from .common import state
    who = parse_actor(actor)
    engine = open_engine()
    sop_id = sop_id_loading(engine, sop)
    lang = state["lang"]
    with engine.sessions() as s, errors():
        model = engine.registry.compiled(engine.registry.latest(s, sop_id)).sop
        eid, _entry = entry_for(model, who.role)
        rows = alerts_of(engine, s, who.user)
    if fmt == OutputFormat.json:
        import json
        typer.echo(json.dumps([{**r.as_dict(), "closure": None if r.closure is None else {
            **r.closure.as_dict(model, lang), "text": sentence(model, r.closure, lang)}} for r in rows],
            ensure_ascii=False))
        return
    if not rows:
        typer.echo(gettext("Aucun signalement.", lang))
    for r in rows:
        d = r.as_dict()
        typer.echo(f"{d['reference']}\t{d['filed_at']}\t{d['region'] or '-'}\t"
                   f"{status_label(model, eid, r.status, lang)}\t{d['status_at']}"
                   + (f"\t{sentence(model, r.closure, lang)}" if r.closure else ""))
