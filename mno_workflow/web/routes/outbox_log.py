"""The coordinator's page of messages that were not sent: cancelled (their cause changed — case
closed, state left, deadline cancelled or moved, consent withdrawn or expired), stale (queued for
longer than the SOP's ``outbox_stale_after``) or dead (delivery failed too often), each with its
reason — the page of ``mno outbox list --status cancelled``."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from sqlalchemy import and_, or_, select

from ...i18n import N_
from ...reminders.outbox_words import CHANNELS, KINDS, recipient, user_names
from ...reminders.recheck import reason_text
from ...store.models import Case, OutboxMessage, User
from .. import access, sop_pick
from ..core import Web
from . import common

LIMIT = 500
STATUSES = ("cancelled", "stale", "dead")
# words shown for stored codes (message ids: the reader's language from the catalogue)
LABELS = {"cancelled": N_("Annulé"), "stale": N_("Périmé"), "dead": N_("Abandonné")}


def add_routes(r: APIRouter, web: Web) -> None:
    """Add to ``r`` the route ``/messages-annules`` (coordinator only; ``?statut=`` one of
    :data:`STATUSES`, ``?dossier=`` a case reference)."""
    wf = web.wf
    base_ctx = partial(common.base_ctx, web)

    @r.get("/messages-annules")
    def outbox_log(request: Request, statut: str = "", dossier: str = ""):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "outbox_log")
            lang = web.lang(request, user)
            status = statut if statut in STATUSES else ""
            ref = dossier.strip()[:40].upper()
            q = (select(OutboxMessage, Case.reference).outerjoin(Case, Case.id == OutboxMessage.case_id)
                 .where(OutboxMessage.status.in_([status] if status else STATUSES))
                 .order_by(OutboxMessage.id.desc()).limit(LIMIT))
            if ref:
                q = q.where(Case.reference == ref)
            if user.sop_id:  # tied to one SOP: its cases' messages, and its accounts' without case (J9)
                q = q.where(or_(access.sop_admits_clause(user.sop_id, Case.sop_version_id),
                                and_(OutboxMessage.case_id.is_(None), OutboxMessage.recipient_user.in_(
                                    select(User.id).where(User.sop_id == user.sop_id)))))
            found = list(s.execute(q))
            sop = sop_pick.own(web, s, user).sop
            names = user_names(s, {m.recipient_user for m, _r in found if m.recipient_user})
            rows = [{"id": m.id, "status": m.status, "channel": m.channel, "kind": m.kind,
                     "reference": reference, "to": recipient(m, names, sop, lang),  # a name, never a login
                     "created_at": m.created_at, "reason": reason_text(m, lang) or "—"}
                    for m, reference in found]
            return web.render(request, "outbox_log.html", {
                **base_ctx(request, s, user), "rows": rows, "labels": LABELS,
                "channels": CHANNELS, "kinds": KINDS, "statuses": STATUSES,
                "f": {"statut": status, "dossier": ref}, "tz": sop.calendar.timezone, "limit": LIMIT})
