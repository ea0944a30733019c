"""The HTML pages (French first): login, my work, cases, case page and actions, provider inbox,
notifications, directory, SOP pages for trainers, M&E dashboard and export.

Every page reads the user from the signed session and asks :mod:`.access` what they may see.
Forms work without JavaScript; htmx (vendored) loads action forms in place and posts them.
"""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from .. import directory
from ..engine.errors import CaseNotFound, EngineError, FormInvalid, StaleVersion
from ..engine.forms import validate_form
from ..render import diagrams
from ..render.handbook import render_handbook_html
from ..sop.schema import SOP, FieldType
from ..store import repository
from ..store.models import Case, StepInstance, User
from . import access, casetools, formtokens, queries, security
from .core import Web, safe_next
from .forms import FieldView, display_value, form_views, parse_form
from .i18n import fmt_date, fmt_datetime, t

PAGE_SIZE = 50
# Service fields the coordination edits (directory.edit.update_service validates them).
SERVICE_FIELDS = (
    "status",
    "fees_description",
    "eligibility_description",
    "interpretation_services",
    "minimum_age",
    "maximum_age",
)


def directory_statuses() -> tuple[str, ...]:
    from ..directory.schema import SERVICE_STATUSES

    return SERVICE_STATUSES


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "-"


def build_pages(web: Web) -> APIRouter:
    r = APIRouter()
    wf = web.wf

    def base_ctx(request: Request, s, user: User) -> dict[str, Any]:
        return {"user": user, "lang": web.lang(request, user), "unread": queries.unread_count(s, user)}

    # -- login / logout / language ---------------------------------------------------------------------
    @r.get("/login")
    def login_form(request: Request, next: str = ""):
        return web.render(request, "login.html", {"lang": web.lang(request), "next": safe_next(next, "")})

    @r.post("/login")
    async def login(request: Request):
        form = await request.form()
        username = str(form.get("username", ""))[:100]
        password = str(form.get("password", ""))[:1000]
        target = safe_next(str(form.get("next", "")), "")
        ip = _client_ip(request)
        lang = web.lang(request)

        def work():
            with wf.sessions.begin() as s:
                if security.is_locked(s, username, ip):
                    return None, "login_locked", 429
                user = security.authenticate(s, username, password)
                if user is None:
                    security.record_failure(s, username, ip)
                    return None, "login_failed", 401
                security.clear_failures(s, username, ip)
                return (user.id, user.role, user.language), None, 200

        who, err, status = await run_in_threadpool(work)
        if err:
            return web.render(
                request,
                "login.html",
                {"lang": lang, "error": t(err, lang), "next": target, "username": username},
                status=status,
            )
        request.session.clear()
        request.session["uid"], request.session["lang"] = who[0], who[2] or "fr"
        return RedirectResponse(target or access.HOME.get(who[1], "/pos"), status_code=303)

    @r.post("/logout")
    def logout(request: Request):
        lang = request.session.get("lang")
        request.session.clear()
        if lang:
            request.session["lang"] = lang
        return RedirectResponse("/login", status_code=303)

    @r.get("/langue/{lang}")
    def set_language(request: Request, lang: str, next: str = "/"):
        request.session["lang"] = "en" if lang == "en" else "fr"
        return RedirectResponse(safe_next(next), status_code=303)

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
            return web.render(
                request,
                "work.html",
                {**base_ctx(request, s, user), "work": work, "sop": sop, "tz": sop.calendar.timezone},
            )

    # -- cases -----------------------------------------------------------------------------------------
    @r.get("/dossiers")
    def case_list(
        request: Request,
        q: str = "",
        region: str = "",
        step: str = "",
        state: str = "",
        overdue: str = "",
        page: int = 1,
    ):
        with wf.sessions() as s:
            user = web.user(request, s)
            f = {"q": q, "region": region, "step": step, "state": state, "overdue": overdue}
            ctx = _case_list_ctx(s, request, user, f, page)
            return web.render(request, "cases.html", {**base_ctx(request, s, user), **ctx})

    def _case_list_ctx(s, request: Request, user: User, f: dict[str, str], page: int) -> dict[str, Any]:
        access.require(user, "cases")
        sop = web.latest(s).sop
        page = max(1, min(page, 10_000))
        cases, total = queries.search_cases(
            s,
            access.case_clause(user),
            search=f["q"][:100] or None,
            region=f["region"][:64] or None,
            step=f["step"][:64] or None,
            state=f["state"][:64] or None,
            overdue_before=web.now() if f["overdue"] else None,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        late = queries.overdue_case_ids(s, web.now(), [c.id for c in cases])
        states = sorted({(sid, st) for sid, step_ in sop.steps.items() for st in step_.states})
        bulk = access.can(user, "reassign")
        return {
            "sop": sop,
            "cases": cases,
            "late": late,
            "total": total,
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "f": f,
            "states": states,
            "can_bulk": bulk,
            "targets": access.reassign_targets(s, user) if bulk else [],
            "bulk": None,
        }

    @r.get("/dossiers/nouveau")
    def new_case_form(request: Request):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "create_case")
            sop = web.latest(s).sop
            views, loose = form_views(sop, "identification", web.lang(request, user))
            ctx = base_ctx(request, s, user)
        with wf.sessions.begin() as s:
            form_token = formtokens.issue(s, user.id, web.now())
        return web.render(
            request,
            "case_new.html",
            {**ctx, "sop": sop, "views": views, "loose": loose, "form_token": form_token},
        )

    @r.post("/dossiers/nouveau")
    async def new_case(request: Request):
        form = await request.form()

        def work():
            with wf.sessions() as s:
                user = web.user(request, s)
                access.require(user, "create_case")
                compiled = web.latest(s)
                sop = compiled.sop
                ctx = base_ctx(request, s, user)
            lang = ctx["lang"]
            start = sop.steps[sop.start]
            register = next((tr for tr in start.transitions if tr.form and user.role in tr.by), None)
            payload = parse_form(sop, register.form, form) if register else {}
            actor = access.actor_for(user)
            form_token = str(form.get("form_token") or "")
            status, done = formtokens.claim(wf.sessions, form_token, user.id, web.now())
            if status == "done":
                return RedirectResponse(f"/dossiers/{done}", status_code=303)
            if status != "claimed":
                # Unknown or still-busy token: the input is shown again with a fresh token.
                views, loose = form_views(sop, register.form, lang, payload) if register else ([], [])
                with wf.sessions.begin() as s:
                    fresh = formtokens.issue(s, user.id, web.now())
                return web.render(
                    request,
                    "case_new.html",
                    {**ctx, "sop": sop, "views": views, "loose": loose, "form_token": fresh,
                     "error": t("form_expired", lang)},
                    status=409,
                )
            try:
                if register:
                    now = web.now()
                    validate_form(
                        sop,
                        register.form,
                        payload,
                        context=wf.context(Case(data={}), None, sop, now),
                        today=wf.local_today(sop, now),
                    )
                ref = wf.create_case(sop.sop, actor)
                if register:
                    wf.fire(ref, register.trigger, actor, payload)
            except FormInvalid as e:
                formtokens.release(wf.sessions, form_token)
                views, loose = form_views(sop, register.form, lang, payload, e.errors)
                return web.render(
                    request,
                    "case_new.html",
                    {**ctx, "sop": sop, "views": views, "loose": loose, "form_token": form_token,
                     "error": t("form_errors", lang)},
                    status=422,
                )
            except EngineError as e:
                formtokens.release(wf.sessions, form_token)
                views, loose = form_views(sop, register.form, lang, payload)
                return web.render(
                    request,
                    "case_new.html",
                    {**ctx, "sop": sop, "views": views, "loose": loose, "form_token": form_token,
                     "error": e.text(lang)},
                    status=e.http_status,
                )
            except Exception:
                formtokens.release(wf.sessions, form_token)
                raise
            formtokens.finish(wf.sessions, form_token, ref)
            request.session["flash"] = f"{t('saved', lang)} {ref}"
            return RedirectResponse(f"/dossiers/{ref}", status_code=303)

        return await run_in_threadpool(work)

    def _case_page_ctx(s, request: Request, user: User, case: Case) -> dict[str, Any]:
        compiled = web.compiled_for(case)
        sop = compiled.sop
        lang = web.lang(request, user)
        events = repository.trail(s, case)
        orgs = web.organisations(s)
        steps = []
        for inst in case.instances:
            step = sop.steps[inst.step]
            steps.append(
                {
                    "inst": inst,
                    "step": step,
                    "label": sop.label(step.label, lang),
                    "state": sop.label(step.states[inst.state].label, lang),
                    "due": queries.instance_due(s, inst) if not inst.final else None,
                    "actions": [
                        (tr.trigger, sop.label(tr.label, lang))
                        for tr in access.actions_for(compiled, case, inst, user)
                    ],
                    "item": _item_label(sop, inst, lang),
                    "recipient": orgs.get(inst.recipient or "", inst.recipient),
                    "data": [
                        _form_block(sop, fid, data, lang, None, orgs)
                        for fid, data in (inst.data or {}).items()
                    ],
                }
            )
        for x in steps:
            x["extend"] = access.can_extend(compiled, case, x["inst"], user)
        data_blocks = [
            _form_block(sop, fid, data, lang, None)
            for fid, data in (case.data or {}).items()
            if not fid.startswith("_") and isinstance(data, dict)
        ]
        closures = (case.data or {}).get("_closures")
        if isinstance(closures, list) and closures:
            # Earlier closures, kept by the engine when the case was reopened.
            data_blocks.append(
                {
                    "title": t("earlier_closures", lang),
                    "rows": [
                        (
                            fmt_datetime(c.get("reopened_at"), lang, sop.calendar.timezone),
                            f"{t('reopened', lang)} — {c.get('reason', '')}",
                        )
                        for c in closures
                        if isinstance(c, dict)
                    ],
                    "tables": [],
                    "hidden": [],
                }
            )
        reassign = access.can_reassign(user, case)
        return {
            "tool": None,
            "can_reopen": access.can_reopen(sop, case, user),
            "can_reassign": reassign,
            "targets": access.reassign_targets(s, user, case.region) if reassign else [],
            "durations": casetools.duration_options(lang),
            "case": case,
            "sop": sop,
            "steps": steps,
            "timeline": _timeline(sop, events, lang),
            "data_blocks": data_blocks,
            "tz": sop.calendar.timezone,
            # Only an open case has steps in progress (a closed one keeps e.g. « Consentement donné »).
            "open_steps": [x for x in steps if not x["inst"].final] if case.status == "open" else [],
            "referrals": [x for x in steps if x["step"].recipient],
        }

    @r.get("/dossiers/{reference}")
    def case_page(request: Request, reference: str):
        with wf.sessions.begin() as s:
            user = web.user(request, s)
            access.require(user, "cases")
            case = access.require_case(user, repository.get_case(s, reference[:40].upper()))
            queries.log_view(s, user, case, "page", web.now())
            ctx = _case_page_ctx(s, request, user, case)
            return web.render(request, "case.html", {**base_ctx(request, s, user), **ctx})

    @r.get("/dossiers/{reference}/schema/{instance}.svg")
    def case_diagram(request: Request, reference: str, instance: str):
        with wf.sessions() as s:
            user = web.user(request, s)
            case = repository.get_case(s, reference[:40].upper())
            inst = _instance(case, instance)
            if case is None or inst is None:
                raise access.NotVisible()
            sop = web.compiled_for(case).sop
            if user.role != "provider":
                access.require(user, "cases")
            if not access.can_view_referral(user, sop, case, inst):
                raise access.NotVisible()
            lang = web.lang(request, user)
            path = web.case_path(repository.trail(s, case), inst.step, inst.key)
            dot = diagrams.case_dot(sop, inst.step, lang, path=path, current=inst.state)
            return _svg_response(web.svg(("case", case.id, case.version, inst.id, lang), dot, cache=False))

    # -- case tools: extend a deadline, reopen, reassign ---------------------------------------------
    def _render_case(request: Request, user: User, reference: str, status: int, tool: dict[str, Any]):
        with wf.sessions() as s:
            case = access.require_case(user, repository.get_case(s, reference[:40].upper()))
            ctx = _case_page_ctx(s, request, user, case)
            return web.render(
                request, "case.html", {**base_ctx(request, s, user), **ctx, "tool": tool}, status=status
            )

    async def _case_tool(request: Request, reference: str, kind: str, key: str, do):
        """Run ``do(user, values, expected_version)``; on an error, the case page again with the
        form open, the input kept and the errors next to their fields."""
        form = await request.form()
        values = {k: str(form.get(k, ""))[:1000] for k in ("by", "by_other", "reason", "assignee")}
        try:
            expected: int | None = int(str(form.get("version", "")))
        except ValueError:
            expected = None

        def work():
            with wf.sessions() as s:
                user = web.user(request, s)
            lang = web.lang(request, user)
            tool: dict[str, Any] = {"kind": kind, "key": key, "values": values, "errors": {}}
            try:
                flash = do(user, values, expected, lang)
            except FormInvalid as e:
                tool["errors"] = {k: m.text(lang) for k, m in e.errors.items()}
                return _render_case(request, user, reference, 422, tool)
            except StaleVersion as e:
                with wf.sessions() as s:
                    fresh = repository.get_case(s, reference[:40].upper())
                    sop = web.compiled_for(fresh).sop
                    changes = [
                        x
                        for x in _timeline(sop, repository.trail(s, fresh), lang)
                        if x["seq"] > (expected or 0)
                    ]
                tool["stale"] = {
                    "yours": expected,
                    "current": e.details.get("current_version"),
                    "changes": changes,
                }
                return _render_case(request, user, reference, 409, tool)
            except EngineError as e:
                if isinstance(e, (CaseNotFound,)):
                    raise access.NotVisible() from None
                tool["error"] = e.text(lang)
                return _render_case(request, user, reference, e.http_status, tool)
            request.session["flash"] = flash
            return RedirectResponse(f"/dossiers/{reference[:40].upper()}", status_code=303)

        return await run_in_threadpool(work)

    @r.post("/dossiers/{reference}/delais/{instance}/prolonger")
    async def extend_deadline(request: Request, reference: str, instance: str):
        def do(user, v, expected, lang):
            by = v["by_other"].strip() if v["by"] == casetools.OTHER else v["by"]
            due = casetools.extend(web, user, reference, instance, by, v["reason"], expected)
            with wf.sessions() as s:
                tz = web.compiled_for(repository.get_case(s, reference[:40].upper())).sop.calendar.timezone
            return f"{t('deadline_extended', lang)} {fmt_datetime(due, lang, tz)}"

        return await _case_tool(request, reference, "extend", instance[:130], do)

    @r.post("/dossiers/{reference}/rouvrir")
    async def reopen_case(request: Request, reference: str):
        def do(user, v, expected, lang):
            casetools.reopen(web, user, reference, v["reason"], expected)
            return t("case_reopened", lang)

        return await _case_tool(request, reference, "reopen", "", do)

    @r.post("/dossiers/{reference}/reattribuer")
    async def reassign_case(request: Request, reference: str):
        def do(user, v, expected, lang):
            ref = reference[:40].upper()
            with wf.sessions() as s:
                access.require(user, "reassign")
                access.require_case(user, repository.get_case(s, ref))
            vers = {ref: expected} if expected is not None else None
            casetools.reassign(web, user, [ref], v["assignee"], v["reason"], vers)
            return f"{t('cases_reassigned', lang)} : {ref} → {v['assignee']}"

        return await _case_tool(request, reference, "reassign", "", do)

    @r.post("/dossiers/reattribuer")
    async def reassign_bulk(request: Request):
        form = await request.form()
        refs = [str(x)[:40] for x in form.getlist("ref")][: casetools.MAX_BULK]
        assignee = str(form.get("assignee", ""))[:100]
        reason = str(form.get("reason", ""))[:1000]
        f = {k: str(form.get(k, ""))[:100] for k in ("q", "region", "step", "state", "overdue")}

        def work():
            with wf.sessions() as s:
                user = web.user(request, s)
            lang = web.lang(request, user)
            try:
                changed = casetools.reassign(web, user, refs, assignee, reason)
            except FormInvalid as e:
                bulk = {
                    "refs": refs,
                    "assignee": assignee,
                    "reason": reason,
                    "errors": {k: m.text(lang) for k, m in e.errors.items()},
                }
                with wf.sessions() as s:
                    ctx = _case_list_ctx(s, request, user, f, 1)
                    return web.render(
                        request, "cases.html", {**base_ctx(request, s, user), **ctx, "bulk": bulk}, status=422
                    )
            except EngineError as e:
                if isinstance(e, (CaseNotFound,)):
                    raise access.NotVisible() from None
                bulk = {
                    "refs": refs,
                    "assignee": assignee,
                    "reason": reason,
                    "errors": {},
                    "error": e.text(lang),
                }
                with wf.sessions() as s:
                    ctx = _case_list_ctx(s, request, user, f, 1)
                    return web.render(
                        request,
                        "cases.html",
                        {**base_ctx(request, s, user), **ctx, "bulk": bulk},
                        status=e.http_status,
                    )
            request.session["flash"] = f"{t('cases_reassigned', lang)} ({len(changed)}) → {assignee}"
            query = "&".join(f"{k}={quote(v)}" for k, v in f.items() if v)
            return RedirectResponse("/dossiers" + (f"?{query}" if query else ""), status_code=303)

        return await run_in_threadpool(work)

    # -- actions ---------------------------------------------------------------------------------------
    def _load_for_action(s, request: Request, reference: str, instance: str, trigger: str):
        user = web.user(request, s)
        case = repository.get_case(s, reference[:40].upper())
        inst = _instance(case, instance)
        if case is None or inst is None:
            raise access.NotVisible()
        compiled = web.compiled_for(case)
        sop = compiled.sop
        if user.role == "provider":
            if not access.can_view_referral(user, sop, case, inst):
                raise access.NotVisible()
        else:
            access.require(user, "cases")
            access.require_case(user, case)
        step = sop.steps[inst.step]
        tr = next((x for x in step.transitions if x.trigger == trigger and user.role in x.by), None)
        if tr is None:
            raise access.Forbidden(trigger)
        return user, case, inst, compiled, tr

    def _action_ctx(s, request, user, case, inst, compiled, tr, values=None, errors=None):
        sop = compiled.sop
        lang = web.lang(request, user)
        views, loose = form_views(sop, tr.form, lang, values, errors) if tr.form else ([], [])
        step = sop.steps[inst.step]
        if tr.form and step.recipient and step.recipient.startswith(tr.form + "."):
            _provider_field(s, views, step.recipient.split(".", 1)[1], case, inst, lang)
        back = (
            f"/prestataire/{case.reference}/{inst.label_key}"
            if user.role == "provider"
            else f"/dossiers/{case.reference}"
        )
        return {
            **base_ctx(request, s, user),
            "case": case,
            "inst": inst,
            "sop": sop,
            "tr": tr,
            "tr_label": sop.label(tr.label, lang),
            "views": views,
            "loose": loose,
            "form_title": sop.label(sop.forms[tr.form].title, lang) if tr.form else "",
            "step_label": sop.label(step.label, lang),
            "item": _item_label(sop, inst, lang),
            "version": case.version,
            "back": back,
            "action_url": f"/dossiers/{case.reference}/actions/{inst.label_key}/{tr.trigger}",
        }

    @r.get("/dossiers/{reference}/actions/{instance}/{trigger}")
    def action_form(request: Request, reference: str, instance: str, trigger: str):
        with wf.sessions() as s:
            user, case, inst, compiled, tr = _load_for_action(s, request, reference, instance, trigger)
            ctx = _action_ctx(s, request, user, case, inst, compiled, tr)
            name = "action_form.html" if _is_htmx(request) else "action_page.html"
            return web.render(request, name, ctx)

    @r.post("/dossiers/{reference}/actions/{instance}/{trigger}")
    async def action_fire(request: Request, reference: str, instance: str, trigger: str):
        form = await request.form()

        def work():
            with wf.sessions() as s:
                user, case, inst, compiled, tr = _load_for_action(s, request, reference, instance, trigger)
                label_key = inst.label_key
            sop = compiled.sop
            lang = web.lang(request, user)
            payload = parse_form(sop, tr.form, form) if tr.form else {}
            try:
                expected = int(str(form.get("version", "")))
            except ValueError:
                expected = None
            name = "action_form.html" if _is_htmx(request) else "action_page.html"
            try:
                wf.fire(
                    case.reference,
                    trigger,
                    access.actor_for(user),
                    payload,
                    instance=label_key,
                    expected_version=expected,
                )
            except FormInvalid as e:
                with wf.sessions() as s:
                    ctx = _action_ctx(s, request, user, case, inst, compiled, tr, payload, e.errors)
                return web.render(request, name, {**ctx, "error": t("form_errors", lang)}, status=422)
            except StaleVersion as e:
                with wf.sessions() as s:
                    fresh = repository.get_case(s, case.reference)
                    fresh_inst = _instance(fresh, label_key) or inst
                    ctx = _action_ctx(
                        s, request, user, fresh, fresh_inst, compiled, tr, e.details.get("payload") or payload
                    )
                    changes = [
                        x
                        for x in _timeline(sop, repository.trail(s, fresh), lang)
                        if x["seq"] > (expected or 0)
                    ]
                return web.render(
                    request,
                    name,
                    {
                        **ctx,
                        "stale": {
                            "yours": expected,
                            "current": e.details.get("current_version"),
                            "changes": changes,
                        },
                    },
                    status=409,
                )
            except EngineError as e:
                with wf.sessions() as s:
                    ctx = _action_ctx(s, request, user, case, inst, compiled, tr, payload)
                return web.render(request, name, {**ctx, "error": e.text(lang)}, status=e.http_status)
            request.session["flash"] = f"{t('saved', lang)} — {sop.label(tr.label, lang)}"
            target = (
                f"/prestataire/{case.reference}/{label_key}"
                if user.role == "provider"
                else f"/dossiers/{case.reference}"
            )
            if _is_htmx(request):
                return Response(status_code=204, headers={"HX-Redirect": target})
            return RedirectResponse(target, status_code=303)

        return await run_in_threadpool(work)

    # -- provider inbox --------------------------------------------------------------------------------
    @r.get("/prestataire")
    def inbox(request: Request):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "inbox")
            compiled = web.latest(s)
            sop = compiled.sop
            lang = web.lang(request, user)
            rows = []
            for inst, case in queries.referrals_for(s, user, queries.recipient_steps(sop)):
                csop = web.compiled_for(case).sop
                if not access.can_view_referral(user, csop, case, inst):
                    continue
                cats = access.consent_categories(case)
                step = csop.steps[inst.step]
                rows.append(
                    {
                        "case": case,
                        "inst": inst,
                        "item": _item_label(csop, inst, lang),
                        "state": csop.label(step.states[inst.state].label, lang),
                        "name": case.display_name if access.name_visible(cats) else None,
                        "due": queries.instance_due(s, inst) if not inst.final else None,
                        "priority": web.option_label(
                            csop, "priority", (inst.data.get("referral") or {}).get("priority"), lang
                        ),
                    }
                )
            return web.render(
                request,
                "inbox.html",
                {
                    **base_ctx(request, s, user),
                    "rows": rows,
                    "tz": sop.calendar.timezone,
                    "org_name": web.organisations(s).get(user.organisation or "", user.organisation),
                },
            )

    @r.get("/prestataire/{reference}/{instance}")
    def referral_page(request: Request, reference: str, instance: str):
        with wf.sessions.begin() as s:
            user = web.user(request, s)
            access.require(user, "inbox")
            case = repository.get_case(s, reference[:40].upper())
            inst = _instance(case, instance)
            if case is None or inst is None:
                raise access.NotVisible()
            compiled = web.compiled_for(case)
            sop = compiled.sop
            if not access.can_view_referral(user, sop, case, inst):
                raise access.NotVisible()
            queries.log_view(s, user, case, "referral", web.now(), inst.label_key)
            lang = web.lang(request, user)
            cats = access.consent_categories(case)
            blocks = []
            for fid, data in (case.data or {}).items():
                # Data minimisation: the identification (as the consent allows) and, below, only
                # the need this referral is for, never the whole assessment.
                if fid == "identification":
                    blocks.append(
                        _form_block(sop, fid, access.filter_form_data(sop, fid, data, cats), lang, cats)
                    )
            item_block = _item_block(sop, inst, lang, cats)
            inst_blocks = [
                _form_block(
                    sop, fid, access.filter_form_data(sop, fid, data, cats), lang, cats, web.organisations(s)
                )
                for fid, data in (inst.data or {}).items()
            ]
            step = sop.steps[inst.step]
            return web.render(
                request,
                "referral.html",
                {
                    **base_ctx(request, s, user),
                    "case": case,
                    "inst": inst,
                    "sop": sop,
                    "name": case.display_name if access.name_visible(cats) else None,
                    "item": _item_label(sop, inst, lang),
                    "item_block": item_block,
                    "state": sop.label(step.states[inst.state].label, lang),
                    "due": queries.instance_due(s, inst) if not inst.final else None,
                    "blocks": blocks,
                    "inst_blocks": inst_blocks,
                    "tz": sop.calendar.timezone,
                    "categories": sorted(web.option_label(sop, "data_category", c, lang) for c in cats),
                    "actions": [
                        (tr.trigger, sop.label(tr.label, lang))
                        for tr in access.actions_for(compiled, case, inst, user)
                    ],
                },
            )

    # -- notifications ---------------------------------------------------------------------------------
    @r.get("/notifications")
    def notifications(request: Request):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "notifications")
            sop = web.latest(s).sop
            lang = web.lang(request, user)
            msgs = [_notification(s, sop, m, lang) for m in queries.notifications(s, user)]
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

    # -- directory -------------------------------------------------------------------------------------
    @r.get("/repertoire")
    def directory_page(request: Request, need: str = "", region: str = ""):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "directory")
            sop = web.latest(s).sop
            error, results = None, []
            if need and region:
                try:
                    results = directory.match(s, need[:64], region[:64], limit=20)
                except directory.MatchError as e:
                    error = str(e)
            return web.render(
                request,
                "directory.html",
                {
                    **base_ctx(request, s, user),
                    "sop": sop,
                    "need": need,
                    "region": region,
                    "results": results,
                    "error": error,
                    "searched": bool(need and region),
                },
            )

    # -- directory: services, editing (coordination), re-verification --------------------------------
    def _service_or_404(s, service_id: str) -> dict[str, Any]:
        svc = directory.TABLES["service"]
        row = s.execute(select(svc).where(svc.c.id == service_id[:100])).mappings().first()
        if row is None:
            raise access.NotVisible()
        return dict(row)

    def _service_ctx(s, request: Request, user: User, service_id: str) -> dict[str, Any]:
        sop = web.latest(s).sop
        lang = web.lang(request, user)
        service = _service_or_404(s, service_id)
        cap, unit, langs = (directory.TABLES[k] for k in ("service_capacity", "unit", "language"))
        caps = [
            dict(r)
            for r in s.execute(
                select(cap, unit.c.name.label("unit_name"))
                .join(unit, unit.c.id == cap.c.unit_id, isouter=True)
                .where(cap.c.service_id == service["id"])
                .order_by(cap.c.id)
            ).mappings()
        ]
        languages = [
            r.name for r in s.execute(select(langs.c.name).where(langs.c.service_id == service["id"]))
        ]
        history = directory.audit_trail(s, "service", service["id"])
        for c in caps:
            history += directory.audit_trail(s, "service_capacity", c["id"])
        history.sort(key=lambda a: a.id, reverse=True)
        return {
            **base_ctx(request, s, user),
            "sop": sop,
            "service": service,
            "org_name": web.organisations(s).get(service["organization_id"], service["organization_id"]),
            "caps": caps,
            "languages": languages,
            "history": [
                {
                    "at": fmt_datetime(a.at, lang, sop.calendar.timezone),
                    "actor": a.actor,
                    "action": a.action,
                    "object": f"{a.object_type}:{a.object_id}",
                    "diff": [
                        (k, v[0] if len(v) > 0 else None, v[1] if len(v) > 1 else None)
                        for k, v in (a.diff or {}).items()
                    ],
                }
                for a in history
            ],
            "can_edit": access.can(user, "directory_edit"),
            "statuses": directory_statuses(),
            "values": None,
            "errors": {},
        }

    @r.get("/repertoire/services")
    def services_list(request: Request):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "directory")
            svc = directory.TABLES["service"]
            rows = s.execute(select(svc).order_by(svc.c.name)).mappings().all()
            return web.render(
                request,
                "directory_services.html",
                {
                    **base_ctx(request, s, user),
                    "rows": rows,
                    "orgs": web.organisations(s),
                    "stale_view": False,
                },
            )

    @r.get("/repertoire/a-verifier")
    def services_to_verify(request: Request):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "directory")
            sop = web.latest(s).sop
            today = wf.local_today(sop, web.now())
            stale = directory.stale_services(s, today, months=6)
            rows = [
                {
                    "id": x.service_id,
                    "name": x.name,
                    "organization_id": x.organization_id,
                    "status": x.status,
                    "assured_date": x.assured_date,
                }
                for x in stale
            ]
            return web.render(
                request,
                "directory_services.html",
                {
                    **base_ctx(request, s, user),
                    "rows": rows,
                    "orgs": web.organisations(s),
                    "stale_view": True,
                },
            )

    @r.get("/repertoire/services/{service_id}")
    def service_page(request: Request, service_id: str):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "directory")
            return web.render(request, "directory_service.html", _service_ctx(s, request, user, service_id))

    @r.post("/repertoire/services/{service_id}")
    async def service_edit(request: Request, service_id: str):
        form = await request.form()

        def work():
            with wf.sessions() as s:
                user = web.user(request, s)
                access.require(user, "directory_edit")
                service = _service_or_404(s, service_id)
                cap = directory.TABLES["service_capacity"]
                cap_ids = list(s.scalars(select(cap.c.id).where(cap.c.service_id == service["id"])))
            lang = web.lang(request, user)
            values = {k: str(form.get(k, ""))[:2000] for k in SERVICE_FIELDS}
            values |= {f"cap.{c}": str(form.get(f"cap.{c}", ""))[:20] for c in cap_ids}
            errors: dict[str, str] = {}
            changes: dict[str, Any] = {}
            for k in SERVICE_FIELDS:
                v = values[k].strip()
                if k in ("minimum_age", "maximum_age"):
                    if v and not v.isdigit():
                        errors[k] = t("integer_expected", lang)
                    changes[k] = int(v) if v.isdigit() else None
                elif k == "status":
                    if v not in directory_statuses():
                        errors[k] = t("choose", lang)
                    changes[k] = v
                else:
                    changes[k] = v or None
            caps: dict[str, int] = {}
            for c in cap_ids:
                v = values[f"cap.{c}"].strip()
                if not v.isdigit():
                    errors[f"cap.{c}"] = t("integer_expected", lang)
                else:
                    caps[c] = int(v)

            class _Invalid(Exception):
                pass

            now = web.now()
            if not errors:
                try:
                    with wf.sessions.begin() as s:
                        try:
                            directory.update_service(s, service["id"], changes, user.id, now=now)
                        except directory.DirectoryValidationError as e:
                            errors.update({p.column: p.message for p in e.problems})
                        for c, n in caps.items():
                            old = s.scalar(select(cap.c.available).where(cap.c.id == c))
                            if old == n:
                                continue
                            try:
                                directory.set_capacity(
                                    s, c, n, user.id, updated=wf.local_today(web.latest(s).sop, now), now=now
                                )
                            except directory.DirectoryValidationError as e:
                                errors.update({f"cap.{c}": p.message for p in e.problems})
                        if errors:
                            raise _Invalid()
                except _Invalid:
                    pass
            if errors:
                with wf.sessions() as s:
                    ctx = _service_ctx(s, request, user, service_id)
                return web.render(
                    request,
                    "directory_service.html",
                    {**ctx, "values": values, "errors": errors, "error": t("form_errors", lang)},
                    status=422,
                )
            request.session["flash"] = t("saved", lang)
            return RedirectResponse(f"/repertoire/services/{quote(service['id'])}", status_code=303)

        return await run_in_threadpool(work)

    @r.post("/repertoire/services/{service_id}/verifier")
    def service_verified(request: Request, service_id: str):
        with wf.sessions.begin() as s:
            user = web.user(request, s)
            access.require(user, "directory_edit")
            service = _service_or_404(s, service_id)
            now = web.now()
            today = wf.local_today(web.latest(s).sop, now)
            directory.mark_verified(s, service["id"], user.id, today, now=now)
            lang = web.lang(request, user)
        request.session["flash"] = f"{t('saved', lang)} {t('last_verified', lang)} : {fmt_date(today, lang)}"
        return RedirectResponse(f"/repertoire/services/{quote(service['id'])}", status_code=303)

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
            return _svg_response(web.svg(("flow", sop.key, lang), diagrams.flow_dot(sop, lang)))

    @r.get("/pos/etapes/{step_id}.svg")
    def sop_step_svg(request: Request, step_id: str):
        with wf.sessions() as s:
            user = web.user(request, s)
            sop = web.latest(s).sop
            if step_id not in sop.steps:
                raise access.NotVisible()
            lang = web.lang(request, user)
            return _svg_response(
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

    # -- dashboard -------------------------------------------------------------------------------------
    @r.get("/tableau-de-bord")
    def dashboard(request: Request):
        from .charts import bar_chart

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
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "dashboard")
            with_names = noms not in ("", "0")
            if with_names:
                access.require(user, "export_names")
            region = user.region if user.role == "supervisor" else None
            # French Excel: a UTF-8 byte order mark (accents) and ';' between cells.
            buf = io.StringIO()
            buf.write("\ufeff")
            writer = csv.writer(buf, delimiter=";")
            for row in queries.export_rows(s, secret=web.secret_key, with_names=with_names, region=region):
                writer.writerow([queries.csv_safe(c) for c in row])
        name = "mno-export-noms.csv" if with_names else "mno-export-pseudonymise.csv"
        return StreamingResponse(
            iter([buf.getvalue()]),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{name}"'},
        )

    return r


# -- helpers ---------------------------------------------------------------------------------------------
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


def _svg_response(data: bytes) -> Response:
    return Response(
        data,
        media_type="image/svg+xml",
        headers={
            "content-security-policy": SVG_CSP,
            "cache-control": "private, max-age=300",
        },
    )


def _instance(case: Case | None, key: str) -> StepInstance | None:
    if case is None:
        return None
    return next((i for i in case.instances if key in (i.label_key, str(i.id))), None)


def _item_label(sop: SOP, inst: StepInstance, lang: str) -> str:
    if not inst.item:
        return ""
    need = inst.item.get("need")
    return sop.label(sop.options.get("need", {}).get(need), lang) or str(need or inst.key)


def _item_block(sop: SOP, inst: StepInstance, lang: str, cats: set[str] | None) -> dict[str, Any] | None:
    """The need a referral is for (a row of the repeat group its step iterates on), filtered
    by the consent categories like any other form data."""
    step = sop.steps.get(inst.step)
    fe = getattr(step, "instances", None) if step else None
    if not inst.item or not hasattr(fe, "for_each"):
        return None
    form_id, field_id = fe.for_each.split(".")
    group = next((f for f in sop.forms[form_id].fields if f.id == field_id), None)
    if group is None:
        return None
    rows, hidden = [], []
    for sf in group.fields or []:
        if cats is not None and not access.field_visible(f"{form_id}.{field_id}.{sf.id}", sf, cats):
            hidden.append(sop.label(sf.label, lang))
            continue
        if sf.id in inst.item:
            rows.append((sop.label(sf.label, lang), display_value(sop, sf, inst.item[sf.id], lang)))
    return {"title": sop.label(group.label, lang), "rows": rows, "tables": [], "hidden": hidden}


def _form_block(
    sop: SOP, form_id: str, data: dict, lang: str, cats: set[str] | None, orgs: dict[str, str] | None = None
) -> dict[str, Any]:
    """A titled list of (label, text) — repeat groups as a table — for a stored form."""
    form = sop.forms.get(form_id)
    if form is None:
        return {"title": form_id, "rows": [(k, str(v)) for k, v in (data or {}).items()], "tables": []}
    rows, tables, hidden = [], [], []
    for f in form.fields:
        if cats is not None and not access.field_visible(f"{form_id}.{f.id}", f, cats):
            hidden.append(sop.label(f.label, lang))
            continue
        if f.id not in (data or {}):
            continue
        value = data[f.id]
        if f.type == FieldType.repeat:
            subs = f.fields or []
            head = [sop.label(sf.label, lang) for sf in subs]
            body = [[display_value(sop, sf, row.get(sf.id), lang) for sf in subs] for row in value]
            tables.append({"label": sop.label(f.label, lang), "head": head, "body": body})
        else:
            text = display_value(sop, f, value, lang)
            if orgs and any(st.recipient == f"{form_id}.{f.id}" for st in sop.steps.values()):
                text = f"{orgs.get(str(value), value)} ({value})" if str(value) in orgs else text
            rows.append((sop.label(f.label, lang), text))
    return {"title": sop.label(form.title, lang), "rows": rows, "tables": tables, "hidden": hidden}


def _timeline(sop: SOP, events, lang: str) -> list[dict[str, Any]]:
    from .i18n import role_label

    out = []
    for ev in events:
        step = sop.steps.get(ev.step or "")
        if ev.action == "create":
            what = "Dossier créé" if lang == "fr" else "Case created"
        elif ev.action == "reassign":
            d = ev.data or {}
            what = ("Réattribué : " if lang == "fr" else "Reassigned: ") + (
                f"{d.get('from') or '—'} → {d.get('to')} — {d.get('reason', '')}"
            )
        elif ev.action == "reopen":
            what = ("Dossier rouvert : " if lang == "fr" else "Case reopened: ") + str(
                (ev.data or {}).get("reason", "")
            )
        elif ev.action == "extend_deadline":
            what = ("Délai prolongé : " if lang == "fr" else "Deadline extended: ") + str(
                (ev.data or {}).get("reason", "")
            )
        else:
            tr = next((x for x in step.transitions if x.trigger == ev.trigger), None) if step else None
            what = sop.label(tr.label, lang) if tr else (ev.trigger or ev.action)
        move = ""
        if step and ev.from_state in step.states and ev.to_state in step.states:
            move = (
                f"{sop.label(step.states[ev.from_state].label, lang)} → "
                f"{sop.label(step.states[ev.to_state].label, lang)}"
            )
        started = []
        for eff in ev.effects or []:
            if "started" in eff:
                sid = eff["started"].split(":")[0]
                if sid in sop.steps:
                    started.append(sop.label(sop.steps[sid].label, lang))
        role = (
            sop.label(sop.roles[ev.role].label, lang) if ev.role in sop.roles else role_label(ev.role, lang)
        )
        out.append(
            {
                "seq": ev.seq,
                "at": fmt_datetime(ev.at, lang, sop.calendar.timezone),
                "actor": ev.actor,
                "role": role,
                "org": ev.organisation,
                "what": what,
                "step": sop.label(step.label, lang) if step else "",
                "instance": ev.instance_key,
                "move": move,
                "started": started,
                "closed": any(e.get("case_closed") for e in ev.effects or []),
            }
        )
    return out


def _provider_field(
    s, views: list[FieldView], field_id: str, case: Case, inst: StepInstance, lang: str
) -> None:
    """Turn the recipient field into a choice of matched providers (organisation ids) for the
    referral's need and the case's region, with the reasons; other organisations follow."""
    view = next((v for v in views if v.name == field_id), None)
    if view is None:
        return
    orgs = Web.organisations(s)
    need = (inst.item or {}).get("need")
    candidates = []
    if need and case.region:
        try:
            candidates = directory.match(s, str(need), case.region, limit=8)
        except directory.MatchError:
            candidates = []
    seen: dict[str, str] = {}
    notes = []
    for c in candidates:
        if c.organization_id not in seen:
            seen[c.organization_id] = f"{c.organization_name} — {c.service_name}"
            notes.append((seen[c.organization_id], c.reasons))
    others = [(oid, name) for oid, name in orgs.items() if oid not in seen]
    current = view.text
    if current and current not in seen and current not in orgs:
        others.insert(0, (current, current))
    view.type = "provider"
    view.options = list(seen.items())
    view.groups = [(t("other_providers", lang), others)] if others else []
    view.notes = notes


def _notification(s, sop: SOP, m, lang: str) -> dict[str, Any]:
    """A digest as the reminders render it (subject and text); other messages on one line."""
    if m.template == "digest":
        from jinja2 import TemplateError

        from ..reminders.outbox import render

        try:
            r = render(s, m)
        except (TemplateError, KeyError, ValueError, TypeError):
            return {"m": m, "subject": t("digest", lang), "text": ""}
        return {"m": m, "subject": r.subject, "text": r.text.strip()}
    return {"m": m, "subject": "", "text": _notification_text(sop, m, lang)}


def _notification_text(sop: SOP, m, lang: str) -> str:
    ctx = m.context or {}
    step = sop.steps.get(ctx.get("step", ""))
    where = sop.label(step.label, lang) if step else ctx.get("step", "")
    key = str(ctx.get("instance") or "")
    if key and step is not None and step.recipient:  # a referral instance: the need's label
        need = sop.options.get("need", {}).get(key)
        where = f"{where} — {sop.label(need, lang) if need else key}"
    state = (
        sop.label(step.states[ctx["state"]].label, lang) if step and ctx.get("state") in step.states else ""
    )
    due = fmt_datetime(ctx.get("due_at"), lang, sop.calendar.timezone) if ctx.get("due_at") else ""
    ref = ctx.get("reference", "")
    if lang == "en":
        head = {"task": "To do", "reminder": "Reminder", "escalation": "Escalation"}.get(m.kind, m.kind)
        tail = f" — due {due}" if due else ""
    else:
        head = {"task": "À faire", "reminder": "Rappel", "escalation": "Escalade"}.get(m.kind, m.kind)
        tail = f" — échéance {due}" if due else ""
    sep = ": " if lang == "en" else " : "
    return f"{head}{sep}{ref} · {where}" + (f" · {state}" if state else "") + tail
