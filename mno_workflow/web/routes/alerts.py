"""First responders' pages: file an alert (*signalement*, ``/signalements/nouveau``) and « Mes
signalements » (``/signalements``: reference, date filed, region, status with its date — nothing
else of the case). Mobile first (390 px), French first; the engine side is
:mod:`mno_workflow.engine.alerts`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from ...engine import sop_choice
from ...engine.alert_outcome import sentence as closure_sentence
from ...engine.alerts import alerts_of, entry_for, file_alert, regions_with_staff, status_label
from ...engine.errors import EngineError, FormInvalid
from ...i18n import N_, colon, gettext
from .. import access, formtokens, sop_pick
from ..core import Web
from ..forms import form_views, parse_form
from ..i18n import t
from . import common


def add_routes(r: APIRouter, web: Web) -> None:
    """Add ``/signalements`` and ``/signalements/nouveau`` (GET, POST) to ``r``."""
    wf = web.wf

    def alert_form(sop, role: str) -> str:
        _eid, entry = entry_for(sop, role)
        step = sop.steps[entry.start]
        return next(tr.form for tr in step.transitions if tr.trigger == entry.trigger)

    @r.get("/signalements")
    def my_alerts(request: Request):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "alerts")
            ctx = common.base_ctx(web, request, s, user)
            lang = ctx["lang"]
            sops = sop_pick.RowSops(web, s, sop_pick.own(web, s, user))
            rows = []
            for a in alerts_of(wf, s, user.id):
                sop = sops.sop(a.sop_version)  # the alert's own case's SOP (a server may run several)
                eid = a.entry or next(iter(sop.entries), "")
                regions = sop.options.get("region", {})
                rows.append({**a.as_dict(), "filed": a.filed_at, "at": a.status_at,
                             "closure": closure_sentence(sop, a.closure, lang) if a.closure else "",
                             "status_label": status_label(sop, eid, a.status, lang),
                             "region_label": sop.label(regions.get(a.region or ""), lang) or a.region or ""})
        return web.render(request, "alerts.html", {**ctx, "rows": rows})

    def render_form(request, ctx, sop, form_id, token, values=None, errors=None, error=None, status=200):
        views, loose = form_views(sop, form_id, ctx["lang"], values, errors,
                                  now=None if values else web.now())
        staffed_only(views, sop, ctx["user"].role, ctx["lang"])
        return web.render(request, "alert_new.html",
                          {**ctx, "sop": sop, "form_id": form_id, "views": views, "loose": loose,
                           "form_token": token, "error": error}, status=status)

    def staffed_only(views, sop, role: str, lang: str) -> None:
        """The regions where nobody can receive an alert are shown, marked and not selectable, with
        a line saying whom to call: the agent learns it before typing the whole form (issue 8)."""
        _eid, entry = entry_for(sop, role)
        form_id, _, field_id = entry.assign.region.partition(".")
        view = next((v for v in views if v.name == field_id), None)
        if view is None:
            return
        with wf.sessions() as s:
            staffed = regions_with_staff(s, entry, sop.sop)
        if staffed is None:
            return
        view.disabled = {code for code, _label in view.options if code not in staffed}
        if view.disabled:
            nobody = N_("{region} — aucun agent pour recevoir un signalement")
            view.options = [(code, label if code in staffed else gettext(nobody, lang, region=label))
                            for code, label in view.options]
            view.help = " ".join(x for x in (view.help, gettext(
                "Une région sans gestionnaire de cas ni superviseur ne peut pas recevoir de signalement "
                "en ligne : appelez la coordination du mécanisme.", lang)) if x)

    def alert_sop(s, user, wanted: str | None, ctx: dict):
        """The SOP of the alert form: ``wanted`` (``?sop=`` or the form's ``sop``) among the
        registered SOPs with an entry for the user's role (404 otherwise), else the server's first
        SOP when it has one, else the first that has; ``ctx["sop_choices"]``: those SOPs by title
        when there are several (tryout 5, H17: as « Nouveau dossier »)."""
        regs = [r for r in sop_choice.registered(s, wf.registry)
                if any(user.role in e.by for e in r.compiled.sop.entries.values())]
        if wanted:
            chosen = next((r.compiled.sop for r in regs if r.sop_id == wanted), None)
            if chosen is None:
                raise access.NotVisible()
        else:
            first = web.sop_id(s)
            chosen = next((r.compiled.sop for r in regs if r.sop_id == first),
                          regs[0].compiled.sop if regs else web.latest(s).sop)
        ctx["sop_choices"] = sop_pick.choices(regs, chosen.sop, ctx["lang"])
        return chosen

    @r.get("/signalements/nouveau")
    def new_alert_form(request: Request, sop: str = ""):
        wanted = sop[:64] or None
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "alerts")
            ctx = common.base_ctx(web, request, s, user)
            sop = alert_sop(s, user, wanted, ctx)
            form_id = alert_form(sop, user.role)
        with wf.sessions.begin() as s:
            token = formtokens.issue(s, user.id, web.now())
        return render_form(request, ctx, sop, form_id, token)

    @r.post("/signalements/nouveau")
    async def new_alert(request: Request):
        form = await request.form()

        def work():
            with wf.sessions() as s:
                user = web.user(request, s)
                access.require(user, "alerts")
                ctx = common.base_ctx(web, request, s, user)
                sop = alert_sop(s, user, str(form.get("sop") or "")[:64] or None, ctx)
            lang = ctx["lang"]
            form_id = alert_form(sop, user.role)
            payload = parse_form(sop, form_id, form)
            token = str(form.get("form_token") or "")
            if not formtokens.known(wf.sessions, token, user.id):
                with wf.sessions.begin() as s:
                    fresh = formtokens.issue(s, user.id, web.now())
                return render_form(request, ctx, sop, form_id, fresh, payload,
                                   error=t("form_expired", lang), status=409)
            try:
                # the form token is the idempotency key: a double tap files one alert
                filed = file_alert(wf, sop.sop, access.actor_for(user), payload,
                                   idempotency_key=formtokens.idempotency_key(token))
            except FormInvalid as e:
                return render_form(request, ctx, sop, form_id, token, payload, e.errors,
                                   status=422)  # the error summary says it (no second banner)
            except EngineError as e:
                return render_form(request, ctx, sop, form_id, token, payload, error=e.text(lang),
                                   status=e.http_status)
            if not filed.replayed:
                request.session["flash"] = (f"{t('alert_sent', lang)}{colon(lang)}{filed.reference}. "
                                            f"{t('alert_sent_text', lang)}")
            return RedirectResponse("/signalements", status_code=303)

        return await run_in_threadpool(work)
