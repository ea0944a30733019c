"""What a user does on a case: action forms (htmx or full page) and their posting, extending a
deadline, reopening a case, reassigning one case or many (bulk, from the case list)."""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ...engine.errors import CaseNotFound, EngineError, FormInvalid, Message, StaleVersion
from ...engine.instances import instance_keys
from ...i18n import gettext, ngettext
from ...store import repository
from ...store.models import User
from .. import access, casetools
from ..action_gone import accepts, gone_action
from ..core import Web, safe_next
from ..edit_values import edit_values, rebased
from ..forms import recall, rows_from_choices
from ..i18n import fmt_datetime, t
from ..multiform import errors_by_form, parse_forms, sections
from ..planview import plan_block, plan_forms
from ..presenters import form_block, item_label, provider_field, timeline
from ..user_words import name_of, user_names
from . import common
from .cases import LIST_FILTERS, case_list_ctx, case_page_ctx
from .common import case_and_instance, find_instance, is_htmx


def add_routes(r: APIRouter, web: Web) -> None:
    """Add to ``r`` the routes under ``/dossiers/{reference}/...`` that change a case, and
    ``/dossiers/reattribuer`` (bulk)."""
    wf = web.wf
    base_ctx = partial(common.base_ctx, web)

    # -- case tools: extend a deadline, reopen, reassign ---------------------------------------------
    def _render_case(request: Request, user: User, reference: str, status: int, tool: dict[str, Any]):
        with wf.sessions() as s:
            case = access.require_case(user, repository.get_case(s, reference[:40].upper()))
            ctx = case_page_ctx(web, s, request, user, case)
            # a refusal of a tool the page does not offer this user (another role, an erased case's
            # reopening): said at the top, as there is no form to say it in (tryout 9, L6)
            offered = {"reopen": ctx["can_reopen"], "erase": ctx["erase"], "reassign": ctx["can_reassign"],
                       "correct": ctx["corrections"]}
            hidden = tool.get("error") and not offered.get(tool["kind"], True)
            top = {"flash_error": tool["error"]} if hidden else {}
            page = {**base_ctx(request, s, user), **ctx, "tool": tool, **top}
            return web.render(request, "case.html", page, status=status)

    async def _case_tool(request: Request, reference: str, kind: str, key: str, do):
        """Run ``do(user, values, expected_version)``; on an error, the case page again with the
        form open, the input kept and the errors next to their fields."""
        form = await request.form()
        keys = ("by", "by_other", "reason", "reason_key", "assignee", "from_due", "target", "next",
                "risk_level", "confirm")
        values = {k: str(form.get(k, ""))[:1000] for k in keys}
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
                        for x in timeline(sop, repository.trail(s, fresh), lang, user_names(s))
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
            back = safe_next(values["next"], f"/dossiers/{reference[:40].upper()}")  # e.g. /travail
            return RedirectResponse(back, status_code=303)

        return await run_in_threadpool(work)

    @r.post("/dossiers/{reference}/delais/{instance}/prolonger")
    async def extend_deadline(request: Request, reference: str, instance: str):
        def do(user, v, expected, lang):
            by = v["by_other"].strip() if v["by"] == casetools.OTHER else v["by"]
            # the one-click extension of « Mon travail » sends the key of its reason: stored as a
            # message id, shown in each reader's language (tryout 2, finding 10)
            reason = (Message.t(v["reason_key"]) if v["reason_key"] in casetools.SYSTEM_REASONS
                      else v["reason"])
            due = casetools.extend(web, user, reference, instance, by, reason, expected,
                                   from_due=v["from_due"] in ("1", "on", "true"))
            with wf.sessions() as s:
                tz = web.compiled_for(repository.get_case(s, reference[:40].upper())).sop.calendar.timezone
            return f"{t('deadline_extended', lang)} {fmt_datetime(due, lang, tz)}"

        return await _case_tool(request, reference, "extend", instance[:130], do)

    @r.post("/dossiers/{reference}/rouvrir")
    async def reopen_case(request: Request, reference: str):
        def do(user, v, expected, lang):
            casetools.reopen(web, user, reference, v["reason"], expected,  # risk level if asked
                             {"risk_level": v["risk_level"]} if v["risk_level"] else None)
            return t("case_reopened", lang)

        return await _case_tool(request, reference, "reopen", "", do)

    @r.post("/dossiers/{reference}/effacer")
    async def erase_case(request: Request, reference: str):
        """The person's data erased at their request (tryout 9, L6): as ``mno case erase``."""
        def do(user, v, expected, lang):
            n = casetools.erase(web, user, reference, v["reason"], expected,
                                confirmed=v["confirm"] in ("1", "on", "true"))
            return ngettext("{n} valeur effacée.", "{n} valeurs effacées.", n, lang)

        return await _case_tool(request, reference, "erase", "", do)

    @r.post("/dossiers/{reference}/corriger")
    async def correct_case(request: Request, reference: str):
        def do(user, v, expected, lang):
            from ...engine.correct import correct_state
            with wf.sessions() as s:
                access.require(user, "correct")
                access.require_case(user, repository.get_case(s, reference[:40].upper()))
            instance, _, state = v["target"].partition("|")
            if not instance or not state:
                raise FormInvalid("correct", {"target": Message.t("Choisissez l'étape et son nouvel état.")})
            r = correct_state(wf, reference[:40].upper(), instance, state, v["reason"],
                              access.actor_for(user), expected_version=expected)
            return gettext("État corrigé : {instance} {before} → {after}", lang, instance=r["instance"],
                           before=r["before"]["state"], after=r["after"]["state"])

        return await _case_tool(request, reference, "correct", "", do)

    @r.post("/dossiers/{reference}/reattribuer")
    async def reassign_case(request: Request, reference: str):
        def do(user, v, expected, lang):
            ref = reference[:40].upper()
            with wf.sessions() as s:
                access.require(user, "reassign")
                access.require_case(user, repository.get_case(s, ref))
            vers = {ref: expected} if expected is not None else None
            casetools.reassign(web, user, [ref], v["assignee"], v["reason"], vers)
            with wf.sessions() as s:  # the new assignee by name, never the id
                name = name_of(s, v["assignee"], lang)
            # one case: the singular (tryout 2, finding 6)
            return gettext("Dossier réattribué : {reference} → {name}", lang, reference=ref, name=name)

        return await _case_tool(request, reference, "reassign", "", do)

    @r.post("/dossiers/reattribuer")
    async def reassign_bulk(request: Request):
        form = await request.form()
        refs = [str(x)[:40] for x in form.getlist("ref")][: casetools.MAX_BULK]
        assignee = str(form.get("assignee", ""))[:100]
        reason = str(form.get("reason", ""))[:1000]
        f = {k: str(form.get(k, ""))[:100] for k in LIST_FILTERS}

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
                    ctx = case_list_ctx(web, s, request, user, f, 1)
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
                    ctx = case_list_ctx(web, s, request, user, f, 1)
                    return web.render(
                        request,
                        "cases.html",
                        {**base_ctx(request, s, user), **ctx, "bulk": bulk},
                        status=e.http_status,
                    )
            with wf.sessions() as s:  # the new assignee by name, never the id
                name = name_of(s, assignee, lang)
            request.session["flash"] = ngettext("{n} dossier réattribué à {user}",
                                                "{n} dossiers réattribués à {user}", len(changed), lang,
                                                user=name)
            query = "&".join(f"{k}={quote(v)}" for k, v in f.items() if v)
            return RedirectResponse("/dossiers" + (f"?{query}" if query else ""), status_code=303)

        return await run_in_threadpool(work)

    # -- actions ---------------------------------------------------------------------------------------
    def _load_for_action(s, request: Request, reference: str, instance: str, trigger: str):
        user = web.user(request, s)
        case, inst = case_and_instance(s, reference, instance)
        compiled = web.compiled_for(case)
        sop = compiled.sop
        if user.role == "provider":
            if not access.can_view_referral(user, sop, case, inst):
                raise access.NotVisible()
            if not access.provider_view(s, sop, case, inst, web.now()).actions:
                raise access.Forbidden(trigger)  # consent withdrawn or expired, declined, closed
        else:
            access.require(user, "cases")
            access.require_case(user, case)
        step = sop.steps[inst.step]
        tr = next((x for x in step.transitions if x.trigger == trigger and user.role in x.by), None)
        if tr is None:
            # another role's trigger (a provider's « approve_plan »): « rôle non autorisé », as the API
            from ...engine.checks import refuse_foreign_trigger
            refuse_foreign_trigger(sop, user.role, trigger)
            raise access.Forbidden(trigger)
        return user, case, inst, compiled, tr

    def _action_ctx(s, request, user, case, inst, compiled, tr, values=None, errors=None):
        """``values``: the engine payload (one form, or ``{form_id: {...}}`` for ``form: [a, b]``);
        ``errors``: ``{form_id: {field: Message}}`` (web/multiform.py)."""
        sop = compiled.sop
        lang = web.lang(request, user)
        fresh = None if values else web.now()  # a fresh form: default: today dates pre-filled
        if not values and tr.forms:
            values = edit_values(sop, case, inst, tr)  # « Modifier la portée du consentement »
        if not values and tr.forms:  # a case opened by an alert: its data pre-fill the forms
            from ...engine.prefill import opening_rows, opening_values  # the API's and CLI's values
            values = opening_rows(sop, case, tr.forms, opening_values(sop, case, tr.forms))  # + rows_from
        forms, stray = sections(sop, tr, lang, values, errors, now=fresh)
        keys = instance_keys(sop, case.instances)
        for f in forms:  # rows_from: the key field offers the keys of the case's instances only
            rows_from_choices(sop, f.form_id, f.views, keys)
            recall(sop, case, f.form_id, f.views, lang)  # an alert's flags beside the fields they tick
        views = [v for f in forms for v in f.views]  # one error summary over every form
        loose = stray + [m for f in forms for m in f.loose]
        step = sop.steps[inst.step]
        plans = plan_forms(sop, inst.step, tr)  # the forms whose rows this transition turns into referrals
        names = web.directory_names(s, lang)
        for f in forms:
            if step.recipient and step.recipient.startswith(f.form_id + "."):
                provider_field(s, f.views, step.recipient.split(".", 1)[1], case, inst, lang,
                               sop=sop, now=web.now())
            if step.service and step.service.startswith(f.form_id + "."):  # services by name, not ids
                from ..service_choice import service_field
                same_form = step.recipient and step.recipient.startswith(f.form_id + ".")
                service_field(s, f.views, step.service.split(".", 1)[1], case, inst, lang,
                              provider=step.recipient.split(".", 1)[1] if same_form else None, sop=sop)
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
            "form_title": forms[0].title if len(forms) == 1 else "",
            "sections": forms if len(forms) > 1 else [],  # form: [a, b]: one fieldset per form
            "step_label": sop.label(step.label, lang),
            "item": item_label(sop, inst, lang),
            "version": case.version,
            "back": back,
            "action_url": f"/dossiers/{case.reference}/actions/{inst.label_key}/{tr.trigger}",
            # a decision (e.g. approving the plan, with its optional comment) shows what is being
            # decided: the data of the step's other forms, and the plan with the providers the
            # directory proposes; case roles only (a provider's view is consent-filtered)
            # (organisations and services by name in the reader's language, never org-…/svc-… keys)
            "in_view": [] if user.role == "provider" else [
                (plan_block(s, sop, case, fid, lang) if fid in plans else None)
                or form_block(sop, fid, (case.data or {}).get(fid) or (inst.data or {}).get(fid), lang, None,
                              names)
                for fid in dict.fromkeys(f for x in step.transitions for f in x.forms if f not in tr.forms)
                if (case.data or {}).get(fid) or (inst.data or {}).get(fid)
            ],
        }

    @r.get("/dossiers/{reference}/actions/{instance}/{trigger}")
    def action_form(request: Request, reference: str, instance: str, trigger: str):
        with wf.sessions() as s:
            user, case, inst, compiled, tr = _load_for_action(s, request, reference, instance, trigger)
            ctx = _action_ctx(s, request, user, case, inst, compiled, tr)
            name = "action_form.html" if is_htmx(request) else "action_page.html"
            # an old address (step done or replaced, state moved on): said at once, no form (J14)
            gone = gone_action(compiled.sop, case, inst, tr, web.lang(request, user),
                               user.organisation if user.role == "provider" else None)
            return web.render(request, name, {**ctx, "gone": gone}, status=409 if gone else 200)

    @r.post("/dossiers/{reference}/actions/{instance}/{trigger}")
    async def action_fire(request: Request, reference: str, instance: str, trigger: str):
        form = await request.form()

        def work():
            with wf.sessions() as s:
                user, case, inst, compiled, tr = _load_for_action(s, request, reference, instance, trigger)
                label_key = inst.label_key
            sop = compiled.sop
            lang = web.lang(request, user)
            payload = parse_forms(sop, tr, form)
            try:
                expected = int(str(form.get("version", "")))
            except ValueError:
                expected = None
            name = "action_form.html" if is_htmx(request) else "action_page.html"
            try:
                r = wf.fire(
                    case.reference,
                    trigger,
                    access.actor_for(user),
                    payload,
                    instance=label_key,
                    expected_version=expected,
                )
            except FormInvalid as e:
                with wf.sessions() as s:
                    ctx = _action_ctx(s, request, user, case, inst, compiled, tr, payload,
                                      errors_by_form(tr, e))
                return web.render(request, name, ctx, status=422)  # the error summary, no second banner
            except StaleVersion as e:
                with wf.sessions() as s:
                    fresh = repository.get_case(s, case.reference)
                    fresh_inst = find_instance(fresh, label_key) or inst
                    trail = repository.trail(s, fresh)
                    kept = rebased(tr, e.details.get("payload") or payload, trail, expected, fresh)
                    ctx = _action_ctx(s, request, user, fresh, fresh_inst, compiled, tr, kept)
                    lines = timeline(sop, trail, lang, user_names(s))
                    shown = access.visible_timeline(user, fresh_inst, lines, trail, sop)
                    changes = [x for x in shown if x["seq"] > (expected or 0)]
                    # the action may no longer be possible in the step's new state (the provider
                    # accepted in another tab): said, and no resubmission offered (tryout 5, H14); an
                    # edit of a done step that still takes it (a rectification) is not gone (tryout 10, M8)
                    step = sop.steps[fresh_inst.step]
                    gone = fresh.status == "closed" or not accepts(tr, fresh_inst)
                    now_state = sop.label(step.states[fresh_inst.state].label, lang) if gone else ""
                return web.render(
                    request,
                    name,
                    {
                        **ctx,
                        "stale": {
                            "yours": expected,
                            "current": e.details.get("current_version"),
                            "changes": changes,
                            "no_longer": now_state,
                            "reload": (f"/prestataire/{case.reference}/{label_key}" if user.role == "provider"
                                       else f"/dossiers/{case.reference}"),
                        },
                    },
                    status=409,
                )
            except EngineError as e:
                with wf.sessions() as s:
                    ctx = _action_ctx(s, request, user, case, inst, compiled, tr, payload)
                    fresh = repository.get_case(s, case.reference)  # no form again on an old step (J14)
                    gone = gone_action(sop, fresh, find_instance(fresh, label_key) or inst, tr, lang,
                                       user.organisation if user.role == "provider" else None)
                return web.render(request, name, {**ctx, "error": e.text(lang), "gone": gone},
                                  status=e.http_status)
            request.session["flash"] = f"{t('saved', lang)} — {sop.label(tr.label, lang)}"
            if user.role != "provider":  # a service not for this need (directory/need_check.py)
                from ...directory.need_check import warnings_after_fire
                warnings = warnings_after_fire(wf.sessions, sop, case.reference, r.step, r.instance,
                                               r.trigger, r.from_state, lang, r.region_from)
                if warnings:
                    request.session["flash_warning"] = " ".join(warnings)
            target = (
                f"/prestataire/{case.reference}/{label_key}"
                if user.role == "provider"
                else f"/dossiers/{case.reference}"
            )
            if r.region_from:  # moved out of this user's region: the list, where the warning shows (M9)
                with wf.sessions() as s:
                    if not access.can_view_case(user, repository.get_case(s, case.reference)):
                        target = "/dossiers"
            if is_htmx(request):
                return Response(status_code=204, headers={"HX-Redirect": target})
            return RedirectResponse(target, status_code=303)

        return await run_in_threadpool(work)
