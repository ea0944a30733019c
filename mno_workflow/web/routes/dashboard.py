"""The M&E dashboard (cases per state, overdue, median durations, referrals) and its CSV export,
pseudonymised unless names are asked for and allowed."""

from __future__ import annotations

import csv
import io
from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from ... import protection
from .. import access, queries
from ..core import Web
from ..i18n import t
from . import common


def add_routes(r: APIRouter, web: Web) -> None:
    """Add to ``r`` the routes ``/tableau-de-bord`` and ``/tableau-de-bord/export.csv``."""
    wf = web.wf
    base_ctx = partial(common.base_ctx, web)

    # -- dashboard -------------------------------------------------------------------------------------
    @r.get("/tableau-de-bord")
    def dashboard(request: Request):
        from ..charts import bar_chart

        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "dashboard")
            sop = web.latest(s).sop
            lang = web.lang(request, user)
            region = user.region if user.role == "supervisor" else None
            d = queries.dashboard(s, web.now(), region)
            orgs = web.organisations(s)

            def st_label(step, state):
                stp = sop.steps.get(step)
                if stp is None:
                    return f"{step} · {state}"
                return (
                    f"{sop.label(stp.label, lang)} · {sop.label(stp.states[state].label, lang)}"
                    if state in stp.states
                    else f"{sop.label(stp.label, lang)} · {state}"
                )

            def step_label(step):
                return sop.label(sop.steps[step].label, lang) if step in sop.steps else step

            order = {sid: n for n, sid in enumerate(sop.steps)}
            per_state = sorted(d["per_state"].items(), key=lambda kv: (order.get(kv[0][0], 99), kv[0][1]))
            charts = {
                "per_state": bar_chart(
                    [(st_label(*k), v) for k, v in per_state], title=t("cases_per_state", lang), lang=lang
                ),
                "overdue": bar_chart(
                    [
                        (step_label(k), v)
                        for k, v in sorted(d["overdue"].items(), key=lambda kv: order.get(kv[0], 99))
                    ],
                    title=t("overdue_by_step", lang),
                    lang=lang,
                ),
                "median": bar_chart(
                    [
                        (step_label(k), v)
                        for k, v in sorted(d["median"].items(), key=lambda kv: order.get(kv[0], 99))
                    ],
                    title=t("median_by_step", lang),
                    unit=" j" if lang == "fr" else " d",
                    lang=lang,
                ),
            }
            ref_states = [
                st
                for step in sop.steps.values()
                if step.recipient
                for st in step.states
                if st != step.initial_state
            ]

            def state_label(code):
                for step in sop.steps.values():
                    if step.recipient and code in step.states:
                        return sop.label(step.states[code].label, lang)
                return code

            return web.render(
                request,
                "dashboard.html",
                {
                    **base_ctx(request, s, user),
                    "sop": sop,
                    "d": d,
                    "charts": charts,
                    "orgs": orgs,
                    "ref_states": [(c, state_label(c)) for c in dict.fromkeys(ref_states)],
                    "region_label": lambda code: (
                        web.option_label(sop, "region", code, lang) if code != "-" else "-"
                    ),
                },
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

            # French Excel: a UTF-8 byte order mark (accents) and ';' between cells.
            buf = io.StringIO()
            buf.write("\ufeff")
            writer = csv.writer(buf, delimiter=";")
            refs: list[str] = []
            for row in queries.export_rows(s, secret=web.secret_key, with_names=with_names, region=region,
                                           include=include):
                writer.writerow([queries.csv_safe(c) for c in row])
                refs.append(row[0])
            rows = len(refs) - 1  # the header
            if with_names:
                queries.log_views(s, user, refs[1:], "export", now)
            queries.log_export(s, user, "dashboard.csv", {"region": region, "noms": with_names}, rows,
                               with_names, now)
        name = "mno-export-noms.csv" if with_names else "mno-export-pseudonymise.csv"
        return StreamingResponse(
            iter([buf.getvalue()]),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{name}"'},
        )
