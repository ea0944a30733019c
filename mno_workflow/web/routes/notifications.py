"""The notifications page (tasks, reminders, escalations, digests) and marking them read."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from .. import access, queries
from ..core import Web
from ..presenters import notification
from . import common


def add_routes(r: APIRouter, web: Web) -> None:
    """Add to ``r`` the routes ``/notifications`` and ``/notifications/.../lu`` (POST)."""
    wf = web.wf
    base_ctx = partial(common.base_ctx, web)

    # -- notifications ---------------------------------------------------------------------------------
    @r.get("/notifications")
    def notifications(request: Request):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "notifications")
            sop = web.latest(s).sop
            lang = web.lang(request, user)
            msgs = [notification(s, sop, m, lang) for m in queries.notifications(s, user)]
            return web.render(
                request,
                "notifications.html",
                {**base_ctx(request, s, user), "msgs": msgs, "tz": sop.calendar.timezone},
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
