"""The quarterly M&E report as a page (``/rapport``, print CSS) and as a PDF (``/rapport.pdf``),
with the dashboard's filters; both logged in the export log."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from ...indicators import report as rep
from ...indicators import service
from .. import access, me_charts, me_view, queries
from ..core import Web


def add_routes(r: APIRouter, web: Web) -> None:
    """Add to ``r`` the routes ``/rapport`` and ``/rapport.pdf``."""

    def _build(request: Request, what: str) -> tuple[str, str]:
        with web.wf.sessions.begin() as s:
            user = web.user(request, s)
            access.require(user, "dashboard")
            sop = me_charts.indicator_sop(web, s, request, user)  # as the dashboard and mno report
            lang = web.lang(request, user)
            region = user.region if user.role == "supervisor" else None
            f = me_view.read_filters(dict(request.query_params), me_view.now_day(web.now(), sop), region,
                              lang)
            if f.error:
                raise HTTPException(400, f.error)
            if sop.indicators is None:
                raise HTTPException(404, me_view.tr("no_indicators", lang))
            figs = service.figures(s, sop, f.period, web.now(), filters=f.dims, lang=lang, with_unmet=True)
            queries.log_export(
                s, user, what, {"periode": f.period_text, **f.dims}, len(figs.shown), False, web.now()
            )
            return rep.html(figs, web.now(), lang), f.period.iso or f.period_text

    @r.get("/rapport")
    def report_page(request: Request):
        text, _p = _build(request, "report.html")
        # a standalone document with its own stylesheet (the site CSP would drop it: unstyled, 980 px)
        from .print_forms import PRINT_CSP

        return HTMLResponse(text, headers={"content-security-policy": PRINT_CSP})

    @r.get("/rapport.pdf")
    def report_pdf(request: Request):
        text, p = _build(request, "report.pdf")
        return Response(
            rep.pdf(text),
            media_type="application/pdf",
            headers={"content-disposition": f'attachment; filename="rapport-{p}.pdf"'},
        )
