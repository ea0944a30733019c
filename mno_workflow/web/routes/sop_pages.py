"""The SOP pages for trainers and staff: overview, flow and step diagrams (SVG), the printable
handbook and the slide presentation."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...render import diagrams
from ...render.handbook import render_handbook_html
from .. import access, sop_pick
from ..core import Web
from . import common
from .common import svg_response


def add_routes(r: APIRouter, web: Web) -> None:
    """Add to ``r`` the routes under ``/pos``."""
    wf = web.wf
    base_ctx = partial(common.base_ctx, web)

    def chosen(request: Request, s, user):
        """The SOP of the page: ``?sop=ID`` (any registered SOP; the URLs without it show the user's
        own SOP when obvious, else the first one, as before), and every registered SOP."""
        compiled, regs = sop_pick.pick(web, s, user, request.query_params.get("sop", "")[:64] or None)
        return compiled.sop, regs

    def sop_ctx(s, sop, regs, lang: str) -> dict:
        """``sop_q`` (``?sop=ID`` for the page's links, empty for the first SOP) and the list of
        registered SOPs (by title) when there are several."""
        return {"sop": sop, "sop_q": sop_pick.query(sop.sop, web, s),
                "sop_choices": sop_pick.choices(regs, sop.sop, lang)}

    # -- SOP pages -------------------------------------------------------------------------------------
    @r.get("/pos")
    def sop_page(request: Request):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "sop")
            sop, regs = chosen(request, s, user)
            return web.render(request, "sop.html", {**base_ctx(request, s, user),
                                                    **sop_ctx(s, sop, regs, web.lang(request, user))})

    @r.get("/pos/flux.svg")
    def sop_flow_svg(request: Request):
        with wf.sessions() as s:
            user = web.user(request, s)
            sop, _regs = chosen(request, s, user)
            lang = web.lang(request, user)
            return svg_response(web.svg(("flow", sop.key, lang), diagrams.flow_dot(sop, lang)))

    @r.get("/pos/etapes/{step_id}.svg")
    def sop_step_svg(request: Request, step_id: str):
        with wf.sessions() as s:
            user = web.user(request, s)
            sop, _regs = chosen(request, s, user)
            if step_id not in sop.steps:
                raise access.NotVisible()
            lang = web.lang(request, user)
            return svg_response(
                web.svg(("step", sop.key, step_id, lang), diagrams.step_dot(sop, step_id, lang))
            )

    @r.get("/pos/manuel")
    def sop_handbook(request: Request):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "sop")
            sop, _regs = chosen(request, s, user)
            html = render_handbook_html(sop, web.lang(request, user))
        # The handbook is a standalone print document with its own stylesheet and no script.
        return Response(
            html,
            media_type="text/html; charset=utf-8",
            headers={
                "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
            },
        )

    @r.get("/pos/presentation")
    def sop_presentation(request: Request, n: int = 0):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "sop")
            sop, regs = chosen(request, s, user)
            lang = web.lang(request, user)
            ctx = sop_ctx(s, sop, regs, lang)
            q = ctx["sop_q"]
            slides = [(f"/pos/flux.svg{q}", sop.label(sop.title, lang))]
            slides += [(f"/pos/etapes/{sid}.svg{q}", sop.label(st.label, lang))
                       for sid, st in sop.steps.items()]
            n = max(0, min(n, len(slides) - 1))
            return web.render(
                request,
                "presentation.html",
                {**base_ctx(request, s, user), **ctx, "slide": slides[n], "n": n, "count": len(slides)},
            )
