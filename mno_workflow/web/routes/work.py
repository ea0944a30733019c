"""The home redirect (each role to its own first page) and « Mon travail », the user's to-do list."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from .. import access, queries
from ..core import Web
from . import common


def add_routes(r: APIRouter, web: Web) -> None:
    """Add to ``r`` the routes ``/`` and ``/travail``."""
    wf = web.wf
    base_ctx = partial(common.base_ctx, web)

    @r.get("/")
    def home(request: Request):
        with wf.sessions() as s:
            user = web.user(request, s)
            return RedirectResponse(access.HOME.get(user.role, "/pos"), status_code=303)

    # -- my work ---------------------------------------------------------------------------------------
    @r.get("/travail")
    def my_work(request: Request):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "work")
            sop = web.latest(s).sop
            work = queries.my_work(s, user, web.now(), sop.calendar.timezone)
            seen = [i.reference for k in ("overdue", "due_today", "upcoming") for i in work[k]]
            queries.log_views(s, user, seen + [c.reference for c in work["recent"]], "work", web.now())
            s.commit()
            return web.render(
                request,
                "work.html",
                {**base_ctx(request, s, user), "work": work, "sop": sop, "tz": sop.calendar.timezone},
            )
