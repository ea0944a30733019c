"""The case pages: the case list with its filters, the new case form, the case page and its
per-step diagram (SVG)."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from ...engine.errors import EngineError, FormInvalid
from ...engine.opening import open_case, registration
from ...engine.reassign_rules import may_reassign
from ...render.case_history import case_history_svg
from ...store import repository
from ...store.models import User
from .. import access, duplicates, formtokens, list_filters, queries, sop_pick, worklists
from ..core import Web
from ..i18n import t
from ..multiform import flat_views, parse_forms
from ..user_words import inactive_users, namer, user_names
from . import common
from .case_page import case_page_ctx  # noqa: F401  (re-exported: case_actions.py)
from .common import case_and_instance, svg_response

PAGE_SIZE = 50
#: the case list's filters (kept by its bulk reassignment form): assigned_to, a case manager's
#: cases — the link of a deactivation (tryout 5, H26)
LIST_FILTERS = ("q", "region", "step", "state", "overdue", "assigned_to")


def case_list_ctx(web: Web, s, request: Request, user: User, f: dict[str, str], page: int,
                  before: str = "", after: str = "") -> dict[str, Any]:
    """The context of ``cases.html``: one page of the cases the user may see, filtered by ``f``
    (keys q, region, step, state, overdue, assigned_to: a case manager's cases, the link of a
    deactivation), older than the case ``before`` or newer than ``after``
    (references: keyset pagination, see :mod:`..worklists`; ``page`` is the old offset paging),
    with the bulk reassignment form when allowed."""
    access.require(user, "cases")
    sops = sop_pick.RowSops(web, s, sop_pick.own(web, s, user))  # rows: their own case's SOP
    sop = sops.default.sop
    lang = web.lang(request, user)
    listed_sops = list_filters.listed_sops(web, s, user, sops.default)  # filters: every listed SOP's (K5)
    codes, in_sops = list_filters.parsed(f)
    page = max(1, min(page, 10_000))
    listed = worklists.case_page(
        s,
        access.case_clause(user),
        search=f["q"][:100] or None,
        region=codes["region"],
        step=codes["step"],
        state=codes["state"],
        sops=in_sops,
        overdue_before=web.now() if f["overdue"] else None,
        assignee=f.get("assigned_to", "")[:100] or None,
        before=before[:40] or None,
        after=after[:40] or None,
        limit=PAGE_SIZE,
        offset=0 if before or after else (page - 1) * PAGE_SIZE,
    )
    cases = listed.cases
    late = queries.overdue_case_ids(s, web.now(), [c.id for c in cases])
    states = sorted({(sid, st) for sid, step_ in sop.steps.items() for st in step_.states})
    # the open cases the user's role may reassign under their own SOP (tryout 8, K3): their
    # checkboxes, and the form only when there is one
    movable = {c.id: sops.sop(c.sop_version_id) for c in cases if c.status == "open"
               and access.can(user, "reassign") and may_reassign(sops.sop(c.sop_version_id), user.role)}
    bulk = access.can(user, "reassign") and any(may_reassign(sops.sop(c.sop_version_id), user.role)
                                                for c in cases)
    return {
        "sop": sop,
        "row_sop": sops.sop,
        "cases": cases,
        "late": late,
        "total": listed.total,
        "total_capped": listed.capped,
        "older": listed.older,
        "newer": listed.newer,
        "page": page,
        "f": f,
        "states": states,
        "filters": list_filters.options(listed_sops, lang),
        "can_bulk": bulk,
        "movable": movable,
        # the case managers who may take one of the cases that can be ticked: of its SOP, of its
        # region when it has one (engine/reassign_rules.py; tryout 8, K2)
        "targets": access.reassign_targets(s, user, [(movable[c.id].sop, c.region) for c in cases
                                                     if c.id in movable]) if bulk else [],
        "target_region": list_filters.region_words(listed_sops, lang),
        # the assignee column: display names (the id in the title), a deleted account in words
        "who": namer(user_names(s, [c.assignee for c in cases] + [f.get("assigned_to") or None]), lang),
        # deactivated case managers, marked « (désactivé) » beside their name (tryout 5, H26)
        "inactive": inactive_users(s, [c.assignee for c in cases] + [f.get("assigned_to") or None]),
        "bulk": None,
    }


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
        assigned_to: str = "",
        page: int = 1,
        before: str = "",
        after: str = "",
    ):
        with wf.sessions() as s:
            user = web.user(request, s)
            f = {"q": q, "region": region, "step": step, "state": state, "overdue": overdue,
                 "assigned_to": assigned_to}
            ctx = case_list_ctx(web, s, request, user, f, page, before, after)
            queries.log_views(s, user, [c.reference for c in ctx["cases"]], "list", web.now())
            s.commit()
            return web.render(request, "cases.html", {**base_ctx(request, s, user), **ctx})

    @r.get("/dossiers/nouveau")
    def new_case_form(request: Request, sop: str = ""):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "create_case")
            # several SOPs registered: ?sop= (the choice on the page), else the user's own
            compiled, regs = sop_pick.pick(web, s, user, sop[:64] or None, own_only=True)
            model = compiled.sop
            lang = web.lang(request, user)
            register = registration(model, user.role)
            views, loose = new_case_views(model, register, lang, web.now())
            ctx = {**base_ctx(request, s, user), **new_case_ctx(model, register, regs, lang)}
        with wf.sessions.begin() as s:
            form_token = formtokens.issue(s, user.id, web.now())
        return web.render(
            request,
            "case_new.html",
            {**ctx, "views": views, "loose": loose, "form_token": form_token},
        )

    @r.post("/dossiers/nouveau")
    async def new_case(request: Request):
        form = await request.form()

        def work():
            with wf.sessions() as s:
                user = web.user(request, s)
                access.require(user, "create_case")
                compiled, regs = sop_pick.pick(web, s, user, str(form.get("sop") or "")[:64] or None,
                                               own_only=True)
                sop = compiled.sop
                ctx = base_ctx(request, s, user)
            lang = ctx["lang"]
            start = sop.steps[sop.start]
            register = next((tr for tr in start.transitions if tr.forms and user.role in tr.by), None)
            ctx.update(new_case_ctx(sop, register, regs, lang))
            payload = parse_forms(sop, register, form) if register else {}  # one form or several
            actor = access.actor_for(user)
            form_token = str(form.get("form_token") or "")

            def again(status: int, token: str, exc: EngineError | None = None, **shown):
                """The form shown again with the input kept (and ``exc``'s per-field errors)."""
                views, loose = flat_views(sop, register, lang, payload, exc)
                return web.render(request, "case_new.html", {
                    **ctx, "views": views, "loose": loose, "form_token": token, **shown,
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
        User.role == "supervisor", User.region == case.region, User.active.is_(True),
        access.sop_admits_clause(User.sop_id, case.sop_version_id))  # its SOP's (H24)
        .order_by(User.display_name)))
    return gettext("Ce dossier relève de la région {region} : ses escalades vont à son superviseur "
                   "({names}), pas à celui de votre région ; réattribuez-le à un gestionnaire de cette "
                   "région si besoin.", lang, region=region, names=", ".join(names) or "—")


def new_case_views(sop, register, lang: str, now):
    """The fields of a fresh « Nouveau dossier » form: those of the SOP's registration (the form of
    its first step the user's role fills; several forms: their fields in order)."""
    from ..forms import form_views
    if register is not None and len(register.forms) == 1:
        return form_views(sop, register.forms[0], lang, now=now)
    return flat_views(sop, register, lang, None)


def new_case_ctx(sop, register, regs, lang: str) -> dict[str, Any]:
    """What « Nouveau dossier » shows of the SOP: the SOP, the title of its registration form, and
    the SOPs to choose from (by title) when several are registered."""
    forms = register.forms if register is not None else []
    return {"sop": sop, "form_title": sop.label(sop.forms[forms[0]].title, lang) if forms else "",
            "sop_choices": sop_pick.choices(regs, sop.sop, lang)}
