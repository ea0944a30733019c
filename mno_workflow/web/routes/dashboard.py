"""The M&E dashboard: filters (period, region, sex, age group, need), the SOP's indicators as
tables and SVG charts (suppressed), the bottlenecks, overdue steps; downloads of each chart (SVG, PNG),
each table (CSV), all tables (CSV, xlsx) and the pseudonymised row export. Every download is
logged in the export log."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from ... import protection
from ...engine import sop_choice
from ...i18n import gettext, pgettext
from ...indicators import row_protect
from ...indicators import tables as itables
from .. import access, me_charts, me_view, queries, sop_pick
from ..core import Web
from . import common


def add_routes(r: APIRouter, web: Web) -> None:
    """Add to ``r`` the routes ``/tableau-de-bord`` and its downloads (see the module doc)."""
    wf = web.wf
    base_ctx = partial(common.base_ctx, web)

    def _figures(request: Request, s, user, **kw):
        return me_charts.figures_for(web, request, s, user, **kw)

    def _log(s, user, what: str, f: me_view.Filters, rows: int) -> None:
        queries.log_export(s, user, what, {"periode": f.period_text, **f.dims}, rows, False, web.now())

    @r.get("/tableau-de-bord")
    def dashboard(request: Request):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "dashboard")
            sop, lang, region, f, figs = _figures(request, s, user)
            # the operational blocks follow the region filter; the others are named (F26)
            charts, summary = me_charts.ops_charts(s, sop, lang, f.dims.get("region"), web.now(), f.dims)
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
                    "summary": summary,
                    "ops_scope": me_charts.ops_scope(sop, lang, f.dims.get("region"), f.dims),
                    "forced_region": region,
                    "options": {k: sorted(sop.options.get(k, {}).items()) for k in ("region", "sex", "need")},
                    "age_groups": _age_groups(sop, lang),
                    "all_of": _all_of(lang),
                    "period_choices": me_view.period_choices(me_view.now_day(web.now(), sop), f, lang),
                    # several SOPs registered: each one by title, to show its indicators (?sop=)
                    "sop_choices": sop_pick.choices(
                        [r for r in sop_choice.registered(s, wf.registry)
                         if access.sop_admits(user.sop_id, r.sop_id)], sop.sop, lang),
                },
            )

    def _all_of(lang: str) -> dict[str, str]:
        """The « all » option of each filter, agreed with its noun in French (« Région : Toutes »,
        « Sexe : Tous », tryout 3, F27): one message per filter."""
        return {
            "region": pgettext("all regions", "Toutes", lang),
            "sex": pgettext("all sexes", "Tous", lang),
            "age": pgettext("all age groups", "Toutes", lang),
            "need": pgettext("all needs", "Tous", lang),
        }

    def _age_groups(sop, lang: str) -> list[tuple[str, str]]:
        """The age filter's options ``(code, words)``: the CSV export's words (« 15–17 ans »),
        « Âge inconnu » for no age (tryout 2, finding 12), never the codes."""
        from ...indicators.present import value_label

        dims = sop.indicators.dimensions if sop.indicators else {}
        if "age_group" not in dims or not dims["age_group"].age:
            return []
        return [(code, gettext("Âge inconnu", lang) if code == "unknown"
                 else value_label(sop, "age_group", code, lang)) for code in dims["age_group"].age.groups()]

    def _shown(figs, code: str, lang: str = "fr"):
        sh = next((x for x in (figs.shown if figs else []) if x.code == code), None)
        if sh is None:
            raise HTTPException(404, gettext("indicateur inconnu : {code}", lang, code=code))
        return sh

    @r.get("/tableau-de-bord/graphique/{code}-{n}.{ext}")
    def chart_file(request: Request, code: str, n: int, ext: str):
        if ext not in ("svg", "png"):
            raise HTTPException(404)
        with wf.sessions.begin() as s:
            user = web.user(request, s)
            access.require(user, "dashboard")
            _sop, lang, _region, f, figs = _figures(request, s, user, with_directory=False)
            sh = _shown(figs, code, lang)
            svg = str(me_view.indicator_chart(sh, n, lang))
            if not svg:
                raise HTTPException(404, gettext("pas de ventilation", lang))
            _log(s, user, f"chart:{code}-{n}.{ext}", f, len(sh.tables[n][2]))
        return me_charts.file_response(svg, ext, f"{code}-{n}-{f.period_text}")

    @r.get("/tableau-de-bord/graphique/suivi/{name}.{ext}")
    def ops_chart_file(request: Request, name: str, ext: str):
        if ext not in ("svg", "png") or name not in me_charts.OPS_CHARTS:
            raise HTTPException(404)
        with wf.sessions.begin() as s:
            user = web.user(request, s)
            access.require(user, "dashboard")
            sop, lang, _region, f, _figs = _figures(request, s, user, with_directory=False)
            region = f.dims.get("region")  # the page's filter; a supervisor's own region wins
            charts, _summary = me_charts.ops_charts(s, sop, lang, region, web.now(), f.dims)
            svg = str(charts[name])
            if not svg:
                raise HTTPException(404, gettext("rien à dessiner", lang))
            queries.log_export(
                s, user, f"chart:{name}.{ext}", {"region": region}, svg.count("<rect"), False, web.now()
            )
        return me_charts.file_response(svg, ext, name)

    @r.get("/tableau-de-bord/tableau/{code}.csv")
    def table_csv(request: Request, code: str):
        with wf.sessions.begin() as s:
            user = web.user(request, s)
            access.require(user, "dashboard")
            _sop, lang, _region, f, figs = _figures(request, s, user, with_directory=False)
            rows = list(
                itables.table_rows(
                    [_shown(figs, code, lang)], f.period.label(lang), f.period.iso or f.period_text, lang
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
            # a role that does not see cases (M&E officer) gets rows that cannot undo the small-cell
            # suppression (indicators/row_protect.py); the case team's exports stay as they are
            restricted = not access.can(user, "cases")
            now = web.now()

            def include(case) -> bool:
                # a row, named or pseudonymised, only for a case whose consent lists the statistics
                # purpose and whose personal data were not erased (docs/indicators.md; tryout 4,
                # G19: the named export listed cases without consent, withdrawn or erased); every
                # case stays counted in the aggregates
                return case.purged_at is None and protection.allows_statistics(
                    web.compiled_for(case).sop, case, now)

            rows = list(
                queries.export_rows(
                    s,
                    secret=web.secret_key,
                    with_names=with_names,
                    region=region,
                    include=include,
                    # the dashboard's SOP: ?sop=, else the account's, else as the page (K4)
                    sop=me_charts.indicator_sop(web, s, request, user),
                    now=now,
                    lang=web.lang(request, user),  # as the indicators CSV; code columns in every language
                    restricted=restricted,
                )
            )
            if with_names:
                queries.log_views(s, user, [r[0] for r in rows[1:]], "export", now)
            queries.log_export(
                s,
                user,
                "dashboard.csv",
                {"region": region, "noms": with_names},
                row_protect.data_rows(rows),
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
