"""The dashboard's charts as files: the operational charts (« Goulots d'étranglement », overdue
steps, open steps per state; counts protected by :mod:`.ops_stats`) and an indicator's breakdown
(:func:`.me_view.indicator_chart`), as SVG or PNG. PNG is drawn on the server from the same SVG
with CairoSVG (Cairo), at the chart's own size (width × height of the SVG, 1 px per unit)."""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

from . import me_view, ops_stats
from .i18n import t

OPS_CHARTS = ("bottlenecks", "overdue", "per_state")
PNG_SCALE = 1  # pixels per SVG unit: the PNG has the chart's size


def figures_for(web, request, s, user, *, with_directory: bool = True, with_unmet: bool = False):
    """``(sop, lang, region, filters, figures)`` of an M&E request: the newest SOP, the reader's
    language, a supervisor's own region, the query's filters and the suppressed
    :class:`~mno_workflow.indicators.service.Figures` (None without an ``indicators:`` section)."""
    from ..indicators import service

    sop = indicator_sop(web, s, request, user)
    lang = web.lang(request, user)
    region = user.region if user.role == "supervisor" else None
    f = me_view.read_filters(dict(request.query_params), me_view.now_day(web.now(), sop), region,
                              lang)
    f.sop = sop.sop if request.query_params.get("sop") else ""
    figs = None
    if sop.indicators is not None:
        figs = service.figures(
            s,
            sop,
            f.period,
            web.now(),
            filters=f.dims,
            lang=lang,
            with_directory=with_directory,
            with_unmet=with_unmet,
        )
    return sop, lang, region, f, figs


def indicator_sop(web, s, request, user=None):
    """The SOP of an M&E page (dashboard, ``/rapport``), chosen as ``mno report`` chooses
    (:func:`mno_workflow.engine.sop_choice.for_indicators`): ``?sop=ID`` (404 when unknown), else
    the only registered SOP, else the only one with ``indicators:``; where that rule cannot choose
    (several SOPs with indicators, or none), the server's first SOP — the page lists the others.
    An account tied to one SOP (``users.sop_id``) gets that SOP, and 404 for another (tryout 7, J9)."""
    from ..engine import sop_choice
    from . import access
    wanted = request.query_params.get("sop", "")[:64] or None
    mine = getattr(user, "sop_id", None) or None
    if mine is not None:
        if wanted not in (None, mine):
            raise access.NotVisible()
        wanted = mine
    try:
        return sop_choice.for_pages(s, web.wf.registry, wanted, web.sop_id(s)).sop
    except sop_choice.SOPUnknown:
        raise access.NotVisible() from None


def ops_scope(sop, lang: str, region: str | None, dims: dict[str, str] | None = None) -> str:
    """What the operational blocks count, in words: open cases today, of ``region`` or of the whole
    country, and the dashboard filters they do not follow (sex, age group, need: the counts are
    read per case status and step, not per person; tryout 3, F26). The period never applies: they
    are today's situation."""
    from ..i18n import gettext

    where = (
        gettext("région {name}", lang, name=sop.label(sop.options.get("region", {})[region], lang))
        if region and region in sop.options.get("region", {})
        else gettext("ensemble du pays", lang)
    )
    names = {
        "sex": gettext("sexe", lang),
        "age_group": gettext("tranche d'âge", lang),
        "need": gettext("besoin", lang),
    }
    ignored = [words for dim, words in names.items() if (dims or {}).get(dim)]
    if ignored:
        return gettext("Situation à ce jour, {where} (filtres non appliqués : {filters})", lang,
                       where=where, filters=", ".join(ignored))
    return gettext("Situation à ce jour, {where}", lang, where=where)


def ops_charts(s, sop, lang: str, region: str | None, now,
               dims: dict[str, str] | None = None) -> tuple[dict[str, Markup], str]:
    """The SVG of each operational chart (:data:`OPS_CHARTS`) and the summary line (« Dossiers :
    N ouverts · N clos », plain text), small counts hidden (« < 5 », « s ») as on every M&E path.
    ``region``: the region filter (a supervisor's own region); the charts' titles and the summary
    end with :func:`ops_scope` of ``dims`` (the page's filters), so a download says it too."""
    from .charts import bar_chart

    scope = ops_scope(sop, lang, region, dims)

    d = ops_stats.dashboard_counts(s, now, region, with_median=False,  # no median chart any more
                                   sop_id=sop.sop)  # this SOP's cases, not another country's (G12)

    def st_label(step, state):
        stp = sop.steps.get(step)
        if stp is None:
            return f"{step} · {state}"
        st = sop.label(stp.states[state].label, lang) if state in stp.states else state
        return f"{sop.label(stp.label, lang)} · {st}"

    def step_label(step):
        return sop.label(sop.steps[step].label, lang) if step in sop.steps else step

    order = {sid: n for n, sid in enumerate(sop.steps)}
    per_state = sorted(d["per_state"], key=lambda k: (order.get(k[0], 99), k[1]))
    neck = me_view.bottlenecks(s, sop, region, per_state=d["per_state"])
    ops = ops_stats.protect(d, ops_stats.threshold_of(sop))
    charts = {
        "bottlenecks": bar_chart(
            [ops.chart_item(st_label(a, b), ("open", a, b)) for a, b, _n in neck],
            title=f"{me_view.tr('bottlenecks', lang)} — {scope}",
            lang=lang,
        ),
        "per_state": bar_chart(
            [ops.chart_item(st_label(*k), ("open", *k)) for k in per_state],
            title=f"{t('cases_per_state', lang)} — {scope}",
            lang=lang,
        ),
        "overdue": bar_chart(
            [
                ops.chart_item(step_label(k), ("overdue", k))
                for k in sorted(d["overdue"], key=lambda k: order.get(k, 99))
            ],
            title=f"{t('overdue_by_step', lang)} — {scope}",
            lang=lang,
        ),
        # The old « Durée médiane par étape » chart is gone (issue 20, finding 3: it mixed refusals,
        # standing states and closed-without-service); the medians are the SOP's DAYS_* indicators.
    }
    summary = me_view.tr(
        "cases_summary",
        lang,
        open=me_view.fmt(ops.text(("totals", "open")), lang),
        closed=me_view.fmt(ops.text(("totals", "closed")), lang),
    )
    return charts, f"{summary} — {scope}"


def svg_size(svg: str) -> tuple[int, int]:
    """``(width, height)`` of a chart's ``<svg>`` element."""
    m = re.search(r'<svg[^>]*\bwidth="(\d+)"[^>]*\bheight="(\d+)"', svg)
    if m is None:
        raise ValueError("not a chart SVG (no width/height)")
    return int(m.group(1)), int(m.group(2))


def to_png(svg: str) -> bytes:
    """The PNG of a chart's SVG, white background, at the chart's size (:func:`svg_size`)."""
    import cairosvg

    w, h = svg_size(svg)
    return cairosvg.svg2png(
        bytestring=svg.encode("utf-8"),
        output_width=w * PNG_SCALE,
        output_height=h * PNG_SCALE,
        background_color="white",
    )


def file_response(svg: str, ext: str, name: str) -> Any:
    """A download of ``svg`` as ``ext`` (``svg`` or ``png``) named ``name.ext``."""
    from fastapi.responses import Response

    from .routes import common

    headers = {"content-disposition": f'attachment; filename="{name}.{ext}"'}
    if ext == "png":
        return Response(to_png(svg), media_type="image/png", headers=headers)
    return Response(
        svg, media_type="image/svg+xml", headers={**headers, "content-security-policy": common.SVG_CSP}
    )
