"""The data-sharing agreement register (``/repertoire/accords``): every organisation with its
agreement in force (or its absence); the coordinator records a new agreement or ends one. Each
change is validated like an import (per-field errors, input kept) and audited in ``dir_audit``."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from ... import directory
from ...directory.names_lang import in_lang
from ...protection import agreement_in_force
from ...protection.disclosure import type_label
from .. import access
from ..core import Web
from ..i18n import t
from . import common

FIELDS = ("organization_id", "signed_on", "agreement_version", "data_categories", "purposes",
          "expires_on", "focal_point_name", "focal_point_email")


def add_routes(r: APIRouter, web: Web) -> None:
    """Add to ``r`` the routes ``/repertoire/accords`` (GET, POST) and ``/repertoire/accords/{id}/fin``."""
    wf = web.wf
    base_ctx = partial(common.base_ctx, web)

    def _ctx(s, request, user, values=None, errors=None):
        org = directory.TABLES["organization"]
        today = wf.local_today(web.latest(s).sop, web.now())
        rows = []
        for oid, name, otype in s.execute(select(org.c.id, org.c.name, org.c.organization_type)
                                          .order_by(org.c.id)):
            rows.append({"id": oid, "name": in_lang(name, web.lang(request, user)),  # in the reader's words
                         "type": otype, "status": agreement_in_force(s, oid, today),
                         "type_label": type_label(otype, web.lang(request, user)) if otype else None})
        # the agreement's data focal point: staff contact, only with directory_contacts (contacts_log)
        focal: dict[str, dict] = {}
        if access.can(user, "directory_contacts"):
            agr = directory.TABLES["sharing_agreement"]
            ids = [r["status"].agreement_id for r in rows if r["status"].agreement_id]
            for a in s.execute(select(agr.c.id, agr.c.focal_point_name, agr.c.focal_point_email)
                               .where(agr.c.id.in_(ids))):
                if a.focal_point_name or a.focal_point_email:
                    focal[a.id] = {"name": a.focal_point_name or "", "email": a.focal_point_email or ""}
        return {**base_ctx(request, s, user), "rows": rows, "today": today, "focal": focal,
                "show_focal": access.can(user, "directory_contacts"),
                "can_edit": access.can(user, "directory_edit"),
                "values": values or {}, "errors": errors or {}}

    @r.get("/repertoire/accords")
    def agreements(request: Request):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "directory")
            ctx = _ctx(s, request, user)
            page = web.render(request, "agreements.html", ctx)
        _log_focal(request, user, ctx)
        return page

    def _log_focal(request: Request, user, ctx) -> None:
        """One access-log row when the page showed agreements' focal points (web/contacts_log.py)."""
        from ..contacts_log import log_contacts_read

        if ctx["focal"]:
            with wf.sessions.begin() as s:
                log_contacts_read(s, user.id, user.role, "web.agreements", request.url.path,
                                  ctx["focal"], len(ctx["rows"]), web.now())

    @r.post("/repertoire/accords")
    async def agreement_add(request: Request):
        form = await request.form()

        def work():
            with wf.sessions() as s:
                user = web.user(request, s)
                access.require(user, "directory_edit")
            values = {k: str(form.get(k, "")).strip()[:500] for k in FIELDS}
            aid = f"agr-{values['organization_id'].removeprefix('org-')}-{values['agreement_version']}"
            errors: dict[str, str] = {}
            try:
                with wf.sessions.begin() as s:
                    row = {"id": aid.replace(".", "-"), **{k: v or None for k, v in values.items()}}
                    directory.create_object(s, "sharing_agreement", row, user.id, now=web.now())
            except directory.DirectoryValidationError as e:  # catalogue messages: the user's language
                from ...sop.diagnostics import text_in
                errors = {p.column: text_in(p.message, web.lang(request, user)) for p in e.problems}
            lang = web.lang(request, user)
            if errors:
                with wf.sessions() as s:
                    ctx = _ctx(s, request, user, values, errors)
                _log_focal(request, user, ctx)
                return web.render(request, "agreements.html", {**ctx, "error": t("form_errors", lang)},
                                  status=422)
            request.session["flash"] = t("saved", lang)
            return RedirectResponse("/repertoire/accords", status_code=303)

        return await run_in_threadpool(work)

    @r.post("/repertoire/accords/{agreement_id}/fin")
    async def agreement_end(request: Request, agreement_id: str):
        form = await request.form()

        def work():
            with wf.sessions.begin() as s:
                user = web.user(request, s)
                access.require(user, "directory_edit")
                try:
                    directory.update_object(s, "sharing_agreement", agreement_id[:100],
                                            {"expires_on": str(form.get("expires_on", ""))[:10] or None},
                                            user.id, now=web.now())
                except directory.UnknownObject:
                    raise access.NotVisible() from None
                except directory.DirectoryValidationError as e:
                    from ...sop.diagnostics import text_in
                    request.session["flash"] = "; ".join(text_in(p.message, web.lang(request, user))
                                                         for p in e.problems)
                    return RedirectResponse("/repertoire/accords", status_code=303)
            request.session["flash"] = t("saved", web.lang(request, user))
            return RedirectResponse("/repertoire/accords", status_code=303)

        return await run_in_threadpool(work)
