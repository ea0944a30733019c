"""The notifications page (tasks, reminders, escalations, digests: grouped, filterable, paged, each a
link to the place to act) and marking them read (one, or all)."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from ...store.models import Case
from .. import access, notif_view, queries, sop_pick
from ..core import Web
from . import common


def add_routes(r: APIRouter, web: Web) -> None:
    """Add to ``r`` the routes ``/notifications`` (``?groupe=todo|late|escalated|info``,
    ``non_lues=1``, ``page=N``), ``/notifications/lu`` and ``/notifications/{id}/lu`` (POST)."""
    wf = web.wf
    base_ctx = partial(common.base_ctx, web)

    @r.get("/notifications")
    def notifications(request: Request, groupe: str = "", non_lues: str = "", page: int = 1):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "notifications")
            sops = sop_pick.RowSops(web, s, sop_pick.own(web, s, user))
            sop = sops.default.sop
            lang = web.lang(request, user)
            group = groupe if groupe in notif_view.GROUPS else ""
            unread_only = non_lues == "1"
            rows, counts, pages = notif_view.page_of(s, user, web.now(), group, unread_only, page)
            # each message in the words of its case's SOP (a server may run several)
            versions = dict(s.execute(select(Case.id, Case.sop_version_id)
                                      .where(Case.id.in_({m.case_id for m, _g in rows if m.case_id}))).all())
            msgs = [notif_view.entry(s, sops.sop(versions.get(m.case_id)), m, g, user, lang, web.now())
                    for m, g in rows]
            return web.render(
                request,
                "notifications.html",
                {
                    **base_ctx(request, s, user),
                    "msgs": msgs,
                    "tz": sop.calendar.timezone,
                    "groups": [(g, notif_view.group_label(g, lang), counts[g]) for g in notif_view.GROUPS],
                    "group": group,
                    "unread_only": unread_only,
                    "page": min(max(1, page), pages),
                    "pages": pages,
                },
            )

    @r.post("/notifications/lu")
    def notifications_read_all(request: Request):
        with wf.sessions.begin() as s:
            user = web.user(request, s)
            queries.mark_read(s, user, web.now())
        return RedirectResponse("/notifications", status_code=303)

    @r.post("/notifications/{message_id}/lu")
    def notification_read(request: Request, message_id: int):
        with wf.sessions.begin() as s:
            user = web.user(request, s)
            queries.mark_read(s, user, web.now(), message_id)
        return RedirectResponse("/notifications", status_code=303)
