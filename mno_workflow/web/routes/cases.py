"""The case pages: the case list with its filters, the new case form, the case page and its
per-step diagram (SVG)."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from ...directory import organisations_off_platform
from ...engine import addressed
from ...engine.errors import EngineError, FormInvalid
from ...engine.opening import open_case
from ...render.case_history import case_history_svg
from ...store import repository
from ...store.models import Case, User
from .. import access, casetools, duplicates, formtokens, queries, stepview, worklists
from ..core import Web
from ..forms import form_views
from ..i18n import fmt_datetime, t
from ..multiform import flat_views, parse_forms
from ..presenters import correction_choices, form_block, item_label, timeline
from ..user_words import namer, user_names, user_shown
from . import common
from .attachments import notes_of
from .common import case_and_instance, svg_response

PAGE_SIZE = 50


def case_list_ctx(web: Web, s, request: Request, user: User, f: dict[str, str], page: int,
                  before: str = "", after: str = "") -> dict[str, Any]:
    """The context of ``cases.html``: one page of the cases the user may see, filtered by ``f``
    (keys q, region, step, state, overdue), older than the case ``before`` or newer than ``after``
    (references: keyset pagination, see :mod:`..worklists`; ``page`` is the old offset paging),
    with the bulk reassignment form when allowed."""
    access.require(user, "cases")
    sop = web.latest(s).sop
    page = max(1, min(page, 10_000))
    listed = worklists.case_page(
        s,
        access.case_clause(user),
        search=f["q"][:100] or None,
        region=f["region"][:64] or None,
        step=f["step"][:64] or None,
        state=f["state"][:64] or None,
        overdue_before=web.now() if f["overdue"] else None,
        before=before[:40] or None,
        after=after[:40] or None,
        limit=PAGE_SIZE,
        offset=0 if before or after else (page - 1) * PAGE_SIZE,
    )
    cases = listed.cases
    late = queries.overdue_case_ids(s, web.now(), [c.id for c in cases])
    states = sorted({(sid, st) for sid, step_ in sop.steps.items() for st in step_.states})
    bulk = access.can(user, "reassign")
    return {
        "sop": sop,
        "cases": cases,
        "late": late,
        "total": listed.total,
        "total_capped": listed.capped,
        "older": listed.older,
        "newer": listed.newer,
        "page": page,
        "f": f,
        "states": states,
        "can_bulk": bulk,
        "targets": access.reassign_targets(s, user) if bulk else [],
        # the assignee column: display names (the id in the title), a deleted account in words
        "who": namer(user_names(s, [c.assignee for c in cases]), web.lang(request, user)),
        "bulk": None,
    }


def _anchor_at(case: Case, x: dict[str, Any]) -> str:
    """Where the case page puts the anchor ``#step-<step>-<key>`` of step instance ``x`` (every
    instance has one, the place notifications and « Mon travail » link to): its box among the steps
    in progress (``open``), the standing states line, its referral's row, its data block, else a
    bare anchor atop the data (``bare``). Only an open case has steps in progress."""
    inst = x["inst"]
    if case.status == "open" and x["standing"]:
        return "standing"
    if case.status == "open" and not inst.final:
        return "open"
    if x["step"].recipient:
        return "referral"
    return "data" if x.get("data") else "bare"


def _shown(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Data blocks with something to show: no bare heading (« Validation du plan » approved without
    a comment; tryout 2, finding 20)."""
    return [b for b in blocks if b.get("rows") or b.get("tables") or b.get("hidden")]


def case_page_ctx(web: Web, s, request: Request, user: User, case: Case) -> dict[str, Any]:
    """The context of ``case.html``: steps with their actions and deadlines, data blocks, timeline and
    the case tools (extend, reopen, reassign) the user may use."""
    compiled = web.compiled_for(case)
    sop = compiled.sop
    lang = web.lang(request, user)
    events = repository.trail(s, case)
    orgs = web.directory_names(s, lang)  # organisations and services by name, in lang
    steps = []
    from ...views import dues_of
    dues = dues_of(s, case)  # every open step's deadline in one statement
    for inst in case.instances:
        step = sop.steps[inst.step]
        # forms recorded while addressed to another organisation (a re-referral's earlier decline)
        before = addressed.earlier(sop, inst, addressed.from_trail(sop, inst, events))
        steps.append(
            {
                "inst": inst,
                "step": step,
                "label": sop.label(step.label, lang),
                "state": sop.label(step.states[inst.state].label, lang),
                "due": dues.get(inst.id),
                "actions": [
                    (tr.trigger, sop.label(tr.label, lang))
                    for tr in access.actions_for(compiled, case, inst, user)
                ],
                "item": item_label(sop, inst, lang),
                "recipient": orgs.get(inst.recipient or "", inst.recipient),
                "earlier": before,
                "data": _shown([
                    stepview.answered_by(sop, form_block(sop, fid, data, lang, None, orgs),
                                         before.get(fid), lang, orgs)
                    for fid, data in (inst.data or {}).items()
                ]),
            }
        )
    now = web.now()
    # « suivi par le gestionnaire »: not known to use the platform (uses_platform other than yes)
    off_platform = organisations_off_platform(s, [x["inst"].recipient for x in steps])
    from ...protection.consent import settings as consent_settings
    consent_step = consent_settings(sop).consent_step
    # what the reader may do at the consent step (« Que faire » of a referral the provider lost)
    again = [label for x in steps if x["inst"].step == consent_step for _t, label in x["actions"]]
    for x in steps:
        # tryout 2, finding 33: answering in the place of a provider that uses the platform is the
        # exception (it answers in its own inbox): those actions apart, not among the ordinary ones
        behalf = x["inst"].recipient and x["inst"].recipient not in off_platform
        x["behalf"] = [a for a in x["actions"] if behalf and stepview.on_behalf(sop, x["inst"].step, a[0])]
        x["actions"] = [a for a in x["actions"] if a not in x["behalf"]]
        x["extend"] = access.can_extend(compiled, case, x["inst"], user)
        x["standing"] = stepview.standing(sop, x["inst"])
        x["waits"] = stepview.waits(s, sop, case, x["inst"], orgs, lang, now) if not x["inst"].final else None
        x["answers"] = stepview.answers(sop, x["inst"], lang, orgs, x["earlier"])
        x["blind"] = stepview.provider_blind(s, sop, case, x["inst"], lang, now,  # tryout 2, finding 14
                                             [label for _t, label in x["actions"] + x["behalf"]], again)
        notes_ok = access.can_use_notes(s, user, sop, case, x["inst"], now)
        x["notes"] = notes_of(s, x["inst"]) if notes_ok else None
        x["anchor_at"] = _anchor_at(case, x)
    fids = [fid for fid, data in (case.data or {}).items()
            if not fid.startswith("_") and isinstance(data, dict)]
    data_blocks = [form_block(sop, fid, case.data[fid], lang, None) for fid in fids]
    mark = stepview.consent_mark(s, sop, case, lang, now)  # « retiré le … » on the consent no longer in force
    if mark and mark[0] in fids:
        data_blocks[fids.index(mark[0])]["mark"] = mark[1]
    data_blocks = _shown(data_blocks)
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
    from ... import attachments as files

    labels = {x["inst"].id: x["label"] + (f" · {x['item']}" if x["item"] else "") for x in steps}
    return {
        "attachments": [(a, labels.get(a.instance_id, "")) for a in files.of_case(s, case)]
        if access.can_view_case(user, case) else [],
        "attach_targets": [(x["inst"].label_key, labels[x["inst"].id]) for x in steps]
        if access.can_add_attachment(user, case) else [],
        "tool": None,
        "can_reopen": access.can_reopen(sop, case, user),
        "reopen_asks": _reopen_asks(sop, case, lang) if access.can_reopen(sop, case, user) else [],
        "corrections": correction_choices(sop, case, lang) if access.can_correct(case, user) else [],
        "can_reassign": reassign,
        "can_person_data": access.can(user, "person_data"),
        "targets": access.reassign_targets(s, user, case.region) if reassign else [],
        "durations": casetools.duration_options(lang),
        "case": case,
        "sop": sop,
        "steps": steps,
        "timeline": timeline(sop, events, lang, user_names(s)),
        "data_blocks": data_blocks,
        "tz": sop.calendar.timezone,
        # a name, never a bare id: « compte supprimé » (id) when no user row names it
        "assignee": user_shown(case.assignee, user_names(s, [case.assignee]), lang),
        # Only an open case has steps in progress (a closed one keeps e.g. « Consentement donné »).
        "open_steps": [x for x in steps if not x["inst"].final and not x["standing"]]
        if case.status == "open" else [],
        "standing_steps": [x for x in steps if x["standing"]] if case.status == "open" else [],
        "steps_bar": stepview.steps_bar(sop, case, now),
        "referrals": [x for x in steps if x["step"].recipient],
        "off_platform": off_platform,
        "erased": _erased(s, case, lang, sop.calendar.timezone),
    }


def _erased(s, case: Case, lang: str, timezone: str) -> dict[str, str] | None:
    """``{"title", "banner"}`` of a case whose personal data were erased (tryout 3, F31), else None."""
    from ...engine import erasure_words

    erasure = erasure_words.erasure_of(s, case)
    if erasure is None:
        return None
    return {"title": erasure_words.title(lang), "banner": erasure_words.banner(erasure, lang, timezone)}


def add_routes(r: APIRouter, web: Web) -> None:
    """Add to ``r`` the routes ``/dossiers``, ``/dossiers/nouveau`` (GET, POST), ``/dossiers/{reference}`` and
    ``/dossiers/{reference}/schema/{instance}.svg`` — ``nouveau`` before ``{reference}``."""
    wf = web.wf
    base_ctx = partial(common.base_ctx, web)

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
        before: str = "",
        after: str = "",
    ):
        with wf.sessions() as s:
            user = web.user(request, s)
            f = {"q": q, "region": region, "step": step, "state": state, "overdue": overdue}
            ctx = case_list_ctx(web, s, request, user, f, page, before, after)
            queries.log_views(s, user, [c.reference for c in ctx["cases"]], "list", web.now())
            s.commit()
            return web.render(request, "cases.html", {**base_ctx(request, s, user), **ctx})

    @r.get("/dossiers/nouveau")
    def new_case_form(request: Request):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "create_case")
            sop = web.latest(s).sop
            views, loose = form_views(sop, "identification", web.lang(request, user), now=web.now())
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
            register = next((tr for tr in start.transitions if tr.forms and user.role in tr.by), None)
            payload = parse_forms(sop, register, form) if register else {}  # one form or several
            actor = access.actor_for(user)
            form_token = str(form.get("form_token") or "")

            def again(status: int, token: str, exc: EngineError | None = None, **shown):
                """The form shown again with the input kept (and ``exc``'s per-field errors)."""
                views, loose = flat_views(sop, register, lang, payload, exc)
                return web.render(request, "case_new.html", {
                    **ctx, "sop": sop, "views": views, "loose": loose, "form_token": token, **shown,
                }, status=status)

            if not formtokens.known(wf.sessions, form_token, user.id):
                # Unknown token: the input is shown again with a fresh token.
                with wf.sessions.begin() as s:
                    fresh = formtokens.issue(s, user.id, web.now())
                return again(409, fresh, error=t("form_expired", lang))
            dups = None
            if register:
                with wf.sessions() as s:
                    # a retry of a saved form (same token) goes to its case: no check then
                    if not duplicates.token_used(s, user, formtokens.idempotency_key(form_token)):
                        dups = duplicates.find(s, sop, user, register.form if isinstance(register.form, str)
                                                  else None, payload, web.now())
                if dups and not form.get("not_duplicate"):
                    # Shown before saving: the user opens one of them, or confirms and saves.
                    return again(409, form_token, dups=dups)
            try:
                # Create and register in one transaction; the form token is the idempotency key:
                # a second submit (double click, retry after a lost answer) goes to the same case.
                opened = open_case(wf, sop.sop, actor, payload,
                                   trigger=register.trigger if register else None,
                                   idempotency_key=formtokens.idempotency_key(form_token))
            except FormInvalid as e:
                return again(422, form_token, e)  # the error summary says it (no second banner)
            except EngineError as e:
                return again(e.http_status, form_token, error=e.text(lang))
            ref = opened.reference
            if dups and not opened.replayed:
                with wf.sessions.begin() as s:
                    duplicates.record_dismissal(s, sop, repository.get_case(s, ref), user,
                                                [c.reference for c in dups.visible], dups.hidden, web.now())
            if not opened.replayed:
                request.session["flash"] = f"{t('saved', lang)} {ref}"
                with wf.sessions() as s:  # another region's case: said at once (tryout 3, F35)
                    elsewhere = other_region_notice(s, sop, user, repository.get_case(s, ref), lang)
                if elsewhere:
                    request.session["flash"] += " " + elsewhere
            return RedirectResponse(f"/dossiers/{ref}", status_code=303)

        return await run_in_threadpool(work)

    @r.get("/dossiers/{reference}")
    def case_page(request: Request, reference: str):
        with wf.sessions.begin() as s:
            user = web.user(request, s)
            access.require(user, "cases")
            case = access.require_case(user, repository.get_case(s, reference[:40].upper()))
            queries.log_view(s, user, case, "page", web.now())
            ctx = case_page_ctx(web, s, request, user, case)
            return web.render(request, "case.html", {**base_ctx(request, s, user), **ctx})

    @r.get("/dossiers/{reference}/donnees-personne")
    def person_data(request: Request, reference: str, format: str = "html"):
        """Access request: everything held about the person (printable HTML, or ?format=json)."""
        from fastapi.responses import HTMLResponse, JSONResponse

        from ...person_export import person_record, render_html

        with wf.sessions.begin() as s:
            user = web.user(request, s)
            access.require(user, "person_data")
            case = access.require_case(user, repository.get_case(s, reference[:40].upper()))
            sop = web.compiled_for(case).sop
            record = person_record(s, case, sop, web.lang(request, user), web.now())
            queries.log_view(s, user, case, "export", web.now(), instance="export-person")
        if format == "json":
            return JSONResponse({k: v for k, v in record.items() if k != "words"})
        from .print_forms import PRINT_CSP  # its own stylesheet: the site CSP would drop it

        return HTMLResponse(render_html(record), headers={"content-security-policy": PRINT_CSP})

    @r.get("/dossiers/{reference}/schema/{instance}.svg")
    def case_diagram(request: Request, reference: str, instance: str):
        with wf.sessions() as s:
            user = web.user(request, s)
            case, inst = case_and_instance(s, reference, instance)
            sop = web.compiled_for(case).sop
            if user.role != "provider":
                access.require(user, "cases")
            if not access.can_view_referral(user, sop, case, inst):
                raise access.NotVisible()
            lang = web.lang(request, user)
            # Drawn per SOP version when the case was migrated (render/case_history.py).
            data = case_history_svg(repository.trail(s, case), sop, inst.step, inst.key, inst.state, lang,
                                    lambda dot: web.svg(("case", case.id), dot, cache=False))
            return svg_response(data)


def other_region_notice(s, sop, user, case, lang: str) -> str:
    """« Ce dossier relève de la région Yaadga (Ouahigouya) : son superviseur est Salif Zongo… »
    when a case manager registers a case of another region than theirs — its deadlines and
    escalations go to that region's supervisors, and theirs will not see it; "" otherwise."""
    from sqlalchemy import select

    from ...i18n import gettext
    from ...store.models import User
    if case is None or not user.region or not case.region or case.region == user.region:
        return ""
    region = sop.label(sop.options.get("region", {}).get(case.region), lang) or case.region
    names = list(s.scalars(select(User.display_name).where(
        User.role == "supervisor", User.region == case.region, User.active.is_(True))
        .order_by(User.display_name)))
    return gettext("Ce dossier relève de la région {region} : ses escalades vont à son superviseur "
                   "({names}), pas à celui de votre région ; réattribuez-le à un gestionnaire de cette "
                   "région si besoin.", lang, region=region, names=", ".join(names) or "—")


def _reopen_asks(sop, case, lang: str) -> list[dict]:
    """The fields the reopening form asks (engine/reopen_values.py): the risk level of the first
    follow-up, required when the case has none, with the last known one pre-selected."""
    from ...engine.reopen_values import asked
    out = []
    for a in asked(sop, case.data):
        opts = sop.options.get(a.options or "", {})
        form_id, _, field_id = a.path.partition(".")
        spec = next((f for f in sop.forms[form_id].fields if f.id == field_id), None) \
            if form_id in sop.forms else None
        out.append({"field": a.field, "required": a.current is None, "current": a.current,
                    "label": sop.label(spec.label, lang) if spec else a.field,
                    "options": [(c, sop.label(opts.get(c), lang) if opts.get(c) else c) for c in a.codes]})
    return out
