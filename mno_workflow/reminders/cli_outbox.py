"""``mno outbox list``: queued, cancelled and stale messages with their reason, for administrators."""

from __future__ import annotations

import typer
from sqlalchemy import select

app = typer.Typer(help="Messages en attente, annulés ou périmés (avec leur motif).", no_args_is_help=True)


@app.command("list")
def list_cmd(
    status: str | None = typer.Option(None, "--status",
                                      help="pending, sent, failed, dead, cancelled, stale (défaut : tous)."),
    limit: int = typer.Option(50, "--limit", min=1),
) -> None:
    """Lister les messages de la file d'envoi, les plus récents d'abord, avec le motif d'annulation."""
    from ..commands.common import _, lang, ngettext, open_engine
    from ..store.models import Case, OutboxMessage, SopVersion
    from .outbox_words import CHANNELS, KINDS, STATUSES, recipient, user_names, word
    from .recheck import reason_text

    engine = open_engine(read_only=True)  # a listing creates no database
    q = (select(OutboxMessage, Case.reference).outerjoin(Case, Case.id == OutboxMessage.case_id)
         .order_by(OutboxMessage.id.desc()).limit(limit))
    if status:
        q = q.where(OutboxMessage.status == status)
    language = lang()
    with engine.sessions() as s:
        rows = list(s.execute(q))
        names = user_names(s, {m.recipient_user for m, _ref in rows if m.recipient_user})
        version = s.scalar(select(SopVersion).order_by(SopVersion.id.desc()).limit(1)) if rows else None
        sop = engine.registry.compiled(version).sop if version is not None else None  # roles' labels
        table = [(str(m.id), word(STATUSES, m.status, language), word(CHANNELS, m.channel, language),
                  word(KINDS, m.kind, language), ref or (m.context or {}).get("reference") or "—",
                  recipient(m, names, sop, language),
                  reason_text(m, language) or "")
                 for m, ref in rows]
    head = (_("n°"), _("état"), _("canal"), _("type"), _("dossier"), _("destinataire"), _("motif"))
    if table:  # columns as wide as their widest cell, two spaces apart (a kind never touches a reference)
        widths = [max(len(r[i]) for r in [head, *table]) for i in range(len(head) - 1)]
        for r in [head, *table]:
            typer.echo("  ".join(c.ljust(w) if i else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths,
                                                                                                 strict=False)))
                       + "  " + r[-1])
    typer.echo(ngettext("{n} message", "{n} messages", len(rows)))
