"""``mno outbox list``: queued, cancelled and stale messages with their reason, for administrators."""

from __future__ import annotations

import os

import typer
from sqlalchemy import select

from ..i18n import ngettext

app = typer.Typer(help="Messages en attente, annulés ou périmés (avec leur motif).", no_args_is_help=True)


@app.command("list")
def list_cmd(
    status: str | None = typer.Option(None, "--status",
                                      help="pending, sent, failed, dead, cancelled, stale (défaut : tous)."),
    limit: int = typer.Option(50, "--limit", min=1),
) -> None:
    """Lister les messages de la file d'envoi, les plus récents d'abord, avec le motif d'annulation."""
    from ..store.base import database_url, make_engine
    from ..store.migrate import upgrade
    from ..store.models import Case, OutboxMessage

    url = database_url(os.environ.get("MNO_DATABASE_URL"))
    upgrade(url)
    engine = make_engine(url)
    q = (select(OutboxMessage, Case.reference).outerjoin(Case, Case.id == OutboxMessage.case_id)
         .order_by(OutboxMessage.id.desc()).limit(limit))
    if status:
        q = q.where(OutboxMessage.status == status)
    with engine.connect() as conn:
        from sqlalchemy.orm import Session
        with Session(bind=conn) as s:
            rows = list(s.execute(q))
            for m, ref in rows:
                who = m.recipient_user or m.recipient_role or "-"
                typer.echo(f"{m.id:>6} {m.status:<10}{m.channel:<7}{m.kind:<11}{ref or '-':<15}"
                           f"{who:<22}{m.reason or m.last_error or ''}")
    from ..commands.common import lang
    typer.echo(ngettext("{n} message", "{n} messages", len(rows), lang()))
