"""The SOP pages for trainers and staff: overview, flow and step diagrams (SVG), the printable
handbook and the slide presentation."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...render import diagrams
from ...render.handbook import render_handbook_html
from .. import access
from ..core import Web
from . import common
from .common import svg_response


def add_routes(r: APIRouter, web: Web) -> None:
    """Add to ``r`` the routes under ``/pos``."""
    wf = web.wf
    base_ctx = partial(common.base_ctx, web)

    # -- SOP pages -------------------------------------------------------------------------------------
    @r.get("/pos")
    def sop_page(request: Request):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "sop")
            sop = web.latest(s).sop
            return web.render(request, "sop.html", {**base_ctx(request, s, user), "sop": sop})

    @r.get("/pos/flux.svg")
    def sop_flow_svg(request: Request):
        with wf.sessions() as s:
            user = web.user(request, s)
            sop = web.latest(s).sop
            lang = web.lang(request, user)
            return svg_response(web.svg(("flow", sop.key, lang), diagrams.flow_dot(sop, lang)))

    @r.get("/pos/etapes/{step_id}.svg")
    def sop_step_svg(request: Request, step_id: str):
        with wf.sessions() as s:
            user = web.user(request, s)
            sop = web.latest(s).sop
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
            sop = web.latest(s).sop
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
            sop = web.latest(s).sop
            lang = web.lang(request, user)
            slides = [("/pos/flux.svg", sop.label(sop.title, lang))]
            slides += [(f"/pos/etapes/{sid}.svg", sop.label(st.label, lang)) for sid, st in sop.steps.items()]
            n = max(0, min(n, len(slides) - 1))
            return web.render(
                request,
                "presentation.html",
                {**base_ctx(request, s, user), "sop": sop, "slide": slides[n], "n": n, "count": len(slides)},
            )
