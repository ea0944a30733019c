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
from ...directory.versions import StaleDirectoryObject, check, read_version, version
from ...engine.errors import Message
from ...i18n import dates, gettext
from ...protection import agreement_in_force
from ...protection.disclosure import type_label
from .. import access, agreement_form
from ..core import Web
from ..forms import WEB_DATE_ERROR
from ..i18n import t
from . import common
from .directory import stale_words


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
        lang = web.lang(request, user)
        return {**base_ctx(request, s, user), "rows": rows, "today": today, "focal": focal,
                "choices": agreement_form.choices(web.latest(s).sop, lang),
                "show_focal": access.can(user, "directory_contacts"),
                "can_edit": access.can(user, "directory_edit"),
                "values": values or {}, "errors": errors or {},
                # each agreement's version: its « Mettre fin » form sends it back (tryout 5, H6)
                "versions": {a: version(s, [("sharing_agreement", a)])
                             for a in (r["status"].agreement_id for r in rows) if a}}

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
                sop = web.latest(s).sop
                today = wf.local_today(sop, web.now())
                org = directory.TABLES["organization"]
                organisations = set(s.scalars(select(org.c.id)))
            lang = web.lang(request, user)
            values, row, problems = agreement_form.check(sop, form, organisations, today)
            errors = {k: m.text(lang) for k, m in problems.items()}
            if not errors:
                try:
                    with wf.sessions.begin() as s:
                        directory.create_object(s, "sharing_agreement", row, user.id, now=web.now())
                except directory.DirectoryValidationError as e:  # catalogue messages: the user's language
                    from ...sop.diagnostics import text_in
                    errors = {p.column: text_in(p.message, lang) for p in e.problems if p.column != "id"}
                    if any(p.column == "id" for p in e.problems):  # same organisation, same version
                        errors["agreement_version"] = gettext(
                            "Cette organisation a déjà un accord de cette version.", lang)
            if errors:
                with wf.sessions() as s:
                    ctx = _ctx(s, request, user, values, errors)
                _log_focal(request, user, ctx)
                return web.render(request, "agreements.html", ctx, status=422)  # the error summary says it
            with wf.sessions() as s:
                name = s.scalar(select(org.c.name).where(org.c.id == row["organization_id"])) or ""
            request.session["flash"] = gettext("Accord enregistré : {organisation}, version {version}.", lang,
                                               organisation=name, version=row["agreement_version"])
            return RedirectResponse(f"/repertoire/accords#agr-{row['organization_id']}", status_code=303)

        return await run_in_threadpool(work)

    @r.post("/repertoire/accords/{agreement_id}/fin")
    async def agreement_end(request: Request, agreement_id: str):
        form = await request.form()

        def refused(s, user, typed: str, message: str):
            """The register again with the row's « Fin » field marked (typed text kept)."""
            ctx = _ctx(s, request, user)
            ctx["end_error"] = {"id": agreement_id, "typed": typed, "text": message}
            opened = read_version(form.get("version"))
            if opened is not None:  # the version the user opened, not one they have not seen
                ctx["versions"][agreement_id[:100]] = opened
            return web.render(request, "agreements.html", ctx, status=422)

        def work():
            try:
                return write()
            except StaleDirectoryObject as e:  # nothing written; the date typed kept in its row
                with wf.sessions() as s:
                    user = web.user(request, s)
                    ctx = _ctx(s, request, user)
                    lang = web.lang(request, user)
                    ctx["end_stale"] = {**stale_words(web, s, lang, e), "id": agreement_id[:100],
                                        "typed": str(form.get("expires_on", "")).strip()[:20]}
                    words = gettext("Cet accord a été modifié depuis que vous l'avez ouvert", lang)
                    ctx["end_error"] = {"id": agreement_id[:100], "typed": ctx["end_stale"]["typed"],
                                        "text": words}
                _log_focal(request, user, ctx)
                return web.render(request, "agreements.html", ctx, status=409)

        def write():
            with wf.sessions.begin() as s:
                user = web.user(request, s)
                access.require(user, "directory_edit")
                lang = web.lang(request, user)
                agr = directory.TABLES["sharing_agreement"]
                signed = s.scalar(select(agr.c.signed_on).where(agr.c.id == agreement_id[:100]))
                typed = str(form.get("expires_on", "")).strip()[:20]
                day = agreement_form.read_day(typed) if typed else None
                if typed and day is None:  # day/month/year as every date field of the app
                    return refused(s, user, typed, Message.t(WEB_DATE_ERROR).text(lang))
                if day is not None and signed is not None and day < signed:  # tryout 3, F36
                    return refused(s, user, typed, gettext(
                        "La fin ne peut pas précéder la signature de l'accord ({day}).", lang,
                        day=dates.day_text(signed, lang)))
                try:
                    check(s, [("sharing_agreement", agreement_id[:100])], read_version(form.get("version")))
                    directory.update_object(s, "sharing_agreement", agreement_id[:100],
                                            {"expires_on": day.isoformat() if day else None},
                                            user.id, now=web.now())
                except directory.UnknownObject:
                    raise access.NotVisible() from None
                except directory.DirectoryValidationError as e:
                    from ...sop.diagnostics import text_in
                    return refused(s, user, typed, "; ".join(text_in(p.message, lang) for p in e.problems))
            request.session["flash"] = t("saved", web.lang(request, user))
            return RedirectResponse("/repertoire/accords", status_code=303)

        return await run_in_threadpool(work)
