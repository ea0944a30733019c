"""The M&E dashboard: filters (period, region, sex, age group, need), the SOP's indicators as
tables and SVG charts (suppressed), the bottlenecks, overdue steps; downloads of each chart (SVG),
each table (CSV), all tables (CSV, xlsx) and the pseudonymised row export. Every download is
logged in the export log."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from ... import protection
from ...indicators import service
from ...indicators import tables as itables
from .. import access, me_view, ops_stats, queries
from ..core import Web
from ..i18n import t
from . import common


def add_routes(r: APIRouter, web: Web) -> None:
    """Add to ``r`` the routes ``/tableau-de-bord`` and its downloads (see the module doc)."""
    wf = web.wf
    base_ctx = partial(common.base_ctx, web)

    def _figures(request: Request, s, user, *, with_directory: bool = True, with_unmet: bool = False):
        sop = web.latest(s).sop
        lang = web.lang(request, user)
        region = user.region if user.role == "supervisor" else None
        f = me_view.read_filters(dict(request.query_params), me_view.now_day(web.now(), sop), region)
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

    def _log(s, user, what: str, f: me_view.Filters, rows: int) -> None:
        queries.log_export(s, user, what, {"periode": f.period_text, **f.dims}, rows, False, web.now())

    @r.get("/tableau-de-bord")
    def dashboard(request: Request):
        from ..charts import bar_chart

        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "dashboard")
            sop, lang, region, f, figs = _figures(request, s, user)
            d = queries.dashboard(s, web.now(), region)

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
            neck = me_view.bottlenecks(s, sop, region)
            # every count of these charts is protected like the indicators (small cells hidden)
            ops = ops_stats.protect(d, ops_stats.threshold_of(sop))
            charts = {
                "bottlenecks": bar_chart(
                    [ops.chart_item(st_label(a, b), ("open", a, b)) for a, b, _n in neck],
                    title=me_view.tr("bottlenecks", lang),
                    lang=lang,
                ),
                "per_state": bar_chart(
                    [ops.chart_item(st_label(*k), ("open", *k)) for k in per_state],
                    title=t("cases_per_state", lang),
                    lang=lang,
                ),
                "overdue": bar_chart(
                    [
                        ops.chart_item(step_label(k), ("overdue", k))
                        for k in sorted(d["overdue"], key=lambda k: order.get(k, 99))
                    ],
                    title=t("overdue_by_step", lang),
                    lang=lang,
                ),
                # The old « Durée médiane par étape » chart is gone (issue 20, finding 3: it mixed
                # refusals, standing states and closed-without-service); the medians are the SOP's
                # duration indicators (DAYS_*), shown with the indicators.
            }
            ind_charts = {
                sh.code: me_view.indicator_chart(sh, 0, lang) for sh in (figs.shown if figs else [])
            }
            return web.render(
                request,
                "dashboard.html",
                {
                    **base_ctx(request, s, user),
                    "sop": sop,
                    "charts": charts,
                    "ind_charts": ind_charts,
                    "figs": figs,
                    "f": f,
                    "tr": me_view.tr,
                    "fmt": itables_fmt,
                    "summary": me_view.tr(
                        "cases_summary",
                        lang,
                        open=itables_fmt(ops.text(("totals", "open")), lang),
                        closed=itables_fmt(ops.text(("totals", "closed")), lang),
                    ),
                    "forced_region": region,
                    "options": {k: sorted(sop.options.get(k, {}).items()) for k in ("region", "sex", "need")},
                    "age_groups": (
                        sop.indicators.dimensions["age_group"].age.groups()
                        if sop.indicators
                        and "age_group" in sop.indicators.dimensions
                        and sop.indicators.dimensions["age_group"].age
                        else []
                    ),
                },
            )

    def _shown(figs, code: str):
        sh = next((x for x in (figs.shown if figs else []) if x.code == code), None)
        if sh is None:
            raise HTTPException(404, f"indicateur inconnu / unknown indicator: {code}")
        return sh

    @r.get("/tableau-de-bord/graphique/{code}-{n}.svg")
    def chart_svg(request: Request, code: str, n: int):
        with wf.sessions.begin() as s:
            user = web.user(request, s)
            access.require(user, "dashboard")
            _sop, lang, _region, f, figs = _figures(request, s, user, with_directory=False)
            sh = _shown(figs, code)
            svg = str(me_view.indicator_chart(sh, n, lang))
            if not svg:
                raise HTTPException(404, "pas de ventilation / no breakdown")
            _log(s, user, f"chart:{code}-{n}.svg", f, len(sh.tables[n][2]))
        return Response(
            svg,
            media_type="image/svg+xml",
            headers={
                "content-security-policy": common.SVG_CSP,
                "content-disposition": f'attachment; filename="{code}-{n}-{f.period_text}.svg"',
            },
        )

    @r.get("/tableau-de-bord/tableau/{code}.csv")
    def table_csv(request: Request, code: str):
        with wf.sessions.begin() as s:
            user = web.user(request, s)
            access.require(user, "dashboard")
            _sop, lang, _region, f, figs = _figures(request, s, user, with_directory=False)
            rows = list(
                itables.table_rows(
                    [_shown(figs, code)], f.period.label(lang), f.period.iso or f.period_text, lang
                )
            )
            _log(s, user, f"table:{code}.csv", f, len(rows) - 1)
        return Response(
            itables.to_csv(iter(rows)),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{code}-{f.period_text}.csv"'},
        )

    @r.get("/tableau-de-bord/indicateurs.{ext}")
    def all_tables(request: Request, ext: str):
        if ext not in ("csv", "xlsx"):
            raise HTTPException(404)
        with wf.sessions.begin() as s:
            user = web.user(request, s)
            access.require(user, "dashboard")
            sop, lang, _region, f, figs = _figures(request, s, user, with_directory=False)
            if figs is None:
                raise HTTPException(404, me_view.tr("no_indicators", lang))
            rows = list(
                itables.table_rows(figs.shown, f.period.label(lang), f.period.iso or f.period_text, lang)
            )
            _log(s, user, f"indicators.{ext}", f, len(rows) - 1)
            methods = itables.methods_note(sop, figs.threshold, lang)
        name = f"mno-indicateurs-{f.period_text}.{ext}"
        if ext == "csv":
            return Response(
                itables.to_csv(iter(rows)),
                media_type="text/csv; charset=utf-8",
                headers={"content-disposition": f'attachment; filename="{name}"'},
            )
        return Response(
            itables.to_xlsx(iter(rows), methods),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"content-disposition": f'attachment; filename="{name}"'},
        )

    @r.get("/tableau-de-bord/export.csv")
    def export_csv(request: Request, noms: str = ""):
        with wf.sessions.begin() as s:
            user = web.user(request, s)
            access.require(user, "dashboard")
            # Only an explicit yes exports names: noms=false, noms=0, noms=non... never do.
            with_names = noms.strip().lower() in ("1", "true", "oui", "yes", "on")
            if with_names:
                access.require(user, "export_names")
            region = user.region if user.role == "supervisor" else None
            now = web.now()

            def include(case) -> bool:  # pseudonymised rows: only cases whose consent allows statistics
                return with_names or protection.allows_statistics(web.compiled_for(case).sop, case, now)

            rows = list(
                queries.export_rows(
                    s,
                    secret=web.secret_key,
                    with_names=with_names,
                    region=region,
                    include=include,
                    sop=web.latest(s).sop,
                    now=now,
                )
            )
            if with_names:
                queries.log_views(s, user, [r[0] for r in rows[1:]], "export", now)
            queries.log_export(
                s,
                user,
                "dashboard.csv",
                {"region": region, "noms": with_names},
                len(rows) - 1,
                with_names,
                now,
            )
        name = "mno-export-noms.csv" if with_names else "mno-export-pseudonymise.csv"
        return Response(
            itables.to_csv(iter(rows)),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{name}"'},
        )


def itables_fmt(value, lang: str = "fr", percent: bool = False) -> str:
    from ...indicators.present import fmt

    return fmt(value, lang, percent=percent)
