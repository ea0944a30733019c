"""The service directory pages: matching providers for a need and region, the service list,
services to re-verify, a service page with its history, editing (coordination) and verification."""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from ... import directory
from ...directory.audit_values import object_names
from ...directory.audit_words import history_rows
from ...directory.names_lang import in_lang
from ...directory.versions import Ref, StaleDirectoryObject, check, read_version, version
from ...i18n import colon, gettext
from ...sop.diagnostics import text_in
from ...store.models import User
from .. import access
from ..core import Web
from ..directory_contacts import contacts_for, log_disclosure
from ..i18n import fmt_date, fmt_datetime, t
from . import common

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
    from ...directory.schema import SERVICE_STATUSES

    return SERVICE_STATUSES


def stale_words(web: Web, s, lang: str, e: StaleDirectoryObject) -> dict[str, Any]:
    """A stale directory save's 409 block: the version opened, the current one, and each change since
    in words (who, when, which object, field: old → new), as the page's history shows them."""
    timezone = web.latest(s).sop.calendar.timezone
    users = dict(s.execute(select(User.id, User.display_name)).all())
    names = {**object_names(s, lang), **web.directory_names(s, lang)}
    changes = history_rows(e.changes, lang, names, users=users, timezone=timezone)
    return {"yours": e.yours, "current": e.current,
            "changes": [{**h, "at": fmt_datetime(h["at"], lang, timezone)} for h in changes]}


def add_routes(r: APIRouter, web: Web) -> None:
    """Add to ``r`` the routes under ``/repertoire``."""
    wf = web.wf
    base_ctx = partial(common.base_ctx, web)

    # -- directory -------------------------------------------------------------------------------------
    @r.get("/repertoire")
    def directory_page(request: Request, need: str = "", region: str = "", sop: str = ""):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "directory")
            from ...engine import sop_choice
            from ...engine.errors import EngineError, Message
            lang = web.lang(request, user)
            error, results, chosen = None, [], None
            try:  # the SOP searched for: its regions, needs and country (tryout 8, K6)
                chosen = sop_choice.for_directory(s, wf.registry, sop[:64] or None,
                                                  getattr(user, "sop_id", None) or None,
                                                  hint=Message.t("choisissez la POS ci-dessous."))
            except EngineError as e:
                error = e.text(lang) if need and region or sop else None
            regs = sop_choice.registered(s, wf.registry) if not getattr(user, "sop_id", None) else []
            shown = chosen.sop if chosen is not None else None
            if need and region and shown is not None:  # reasons and errors: in the reader's language
                try:
                    results = directory.match(s, need[:64], region[:64], limit=20, sop=shown)
                except directory.MatchError as e:
                    error = text_in(e.args[0], lang)
            contacts = contacts_for(s, user, ({"id": c.service_id, "organization_id": c.organization_id}
                                              for c in results))
            from ...directory.need_check import abroad, abroad_help, abroad_mark
            away = {oid: abroad_mark(countries, lang)  # outside the SOP's country (tryout 6, I4)
                    for oid, countries in abroad(s, shown, {c.organization_id for c in results}).items()
                    } if shown is not None else {}
            page = web.render(
                request,
                "directory.html",
                {
                    **base_ctx(request, s, user),
                    "sop": shown,  # None: several SOPs, none chosen — the page asks which
                    "sops": [(r.sop_id, r.label(lang), r.compiled.sop) for r in regs if len(regs) > 1],
                    "need": need,
                    "region": region,
                    "results": results,
                    "contacts": contacts,
                    "error": error,
                    "searched": bool(need and region),
                    "abroad": away,
                    "abroad_why": abroad_help(lang) if away else "",
                },
            )
        log_disclosure(wf, web, request, user, contacts, need=need, region=region)
        return page

    # -- directory: services, editing (coordination), re-verification --------------------------------
    def _service_or_404(s, service_id: str) -> dict[str, Any]:
        svc = directory.TABLES["service"]
        row = s.execute(select(svc).where(svc.c.id == service_id[:100])).mappings().first()
        if row is None:
            raise access.NotVisible()
        return dict(row)

    def _service_refs(s, service_id: str) -> list[Ref]:
        """The objects the service form edits (the service and its capacities): its version is theirs."""
        cap = directory.TABLES["service_capacity"]
        caps = s.scalars(select(cap.c.id).where(cap.c.service_id == service_id).order_by(cap.c.id))
        return [("service", service_id), *(("service_capacity", c) for c in caps)]

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
        languages = [  # in the reader's language (the directory's translations: « French »)
            in_lang(r.name, lang)
            for r in s.execute(select(langs.c.name).where(langs.c.service_id == service["id"]))
        ]
        history = directory.audit_trail(s, "service", service["id"])
        for c in caps:
            history += directory.audit_trail(s, "service_capacity", c["id"])
        history.sort(key=lambda a: a.id, reverse=True)
        orgs = web.directory_names(s, lang)  # organisations and services by name, in lang
        users = dict(s.execute(select(User.id, User.display_name)).all())

        def shown(k: str, v: Any) -> Any:  # an organisation by its name, not its key (issue 18)
            return orgs.get(v, v) if k == "organization_id" and isinstance(v, str) else v

        return {
            **base_ctx(request, s, user),
            "sop": sop,
            "service": service,
            "org_name": orgs.get(service["organization_id"], service["organization_id"]),
            "contacts": contacts_for(s, user, [service]),
            "caps": caps,
            "languages": languages,
            # objects, actions and fields in words (directory/audit_words.py), never column names
            "history": [{**h, "at": fmt_datetime(h["at"], lang, sop.calendar.timezone)}
                        for h in history_rows(history, lang, {**object_names(s, lang), **orgs}, users=users,
                                              timezone=sop.calendar.timezone)],
            "can_edit": access.can(user, "directory_edit"),
            "statuses": directory_statuses(),
            "values": None,
            "errors": {},
            # the version the page is opened at: the edit and « Marquer vérifié » forms send it back
            "version": version(s, _service_refs(s, service["id"])),
            "stale": None,
        }

    @r.get("/repertoire/services")
    def services_list(request: Request):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "directory")
            svc = directory.TABLES["service"]
            rows = s.execute(select(svc).order_by(svc.c.name)).mappings().all()
            contacts = contacts_for(s, user, rows)
            page = web.render(
                request,
                "directory_services.html",
                {
                    **base_ctx(request, s, user),
                    "rows": rows,
                    "contacts": contacts,
                    "orgs": web.organisations(s, web.lang(request, user)),
                    "stale_view": False,
                },
            )
        log_disclosure(wf, web, request, user, contacts)
        return page

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
            contacts = contacts_for(s, user, rows)
            page = web.render(
                request,
                "directory_services.html",
                {
                    **base_ctx(request, s, user),
                    "rows": rows,
                    "contacts": contacts,
                    "orgs": web.organisations(s, web.lang(request, user)),
                    "stale_view": True,
                },
            )
        log_disclosure(wf, web, request, user, contacts)
        return page

    @r.get("/repertoire/services/{service_id}")
    def service_page(request: Request, service_id: str):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "directory")
            ctx = _service_ctx(s, request, user, service_id)
            page = web.render(request, "directory_service.html", ctx)
        log_disclosure(wf, web, request, user, ctx["contacts"])
        return page

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
            expected = read_version(form.get("version"))
            values = {k: str(form.get(k, ""))[:2000] for k in SERVICE_FIELDS}
            values |= {f"cap.{c}": str(form.get(f"cap.{c}", ""))[:20] for c in cap_ids}
            errors: dict[str, str] = {}
            changes: dict[str, Any] = {}
            for k in SERVICE_FIELDS:
                v = values[k].strip()
                if k in ("minimum_age", "maximum_age"):
                    if v[:1] == "-" and v[1:].isdigit():  # an integer, below the bound: say the bound
                        errors[k] = gettext("L'âge doit être 0 ou plus.", lang)
                    elif v and not v.isdigit():
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
            stale = None
            if not errors:
                try:
                    with wf.sessions.begin() as s:
                        # refused as a whole if another save came first (tryout 5, H6): nothing written
                        check(s, [("service", service["id"]), *(("service_capacity", c) for c in cap_ids)],
                              expected)
                        try:
                            directory.update_service(s, service["id"], changes, user.id, now=now)
                        except directory.DirectoryValidationError as e:
                            errors.update({p.column: text_in(p.message, lang) for p in e.problems})
                        for c, n in caps.items():
                            old = s.scalar(select(cap.c.available).where(cap.c.id == c))
                            if old == n:
                                continue
                            try:
                                directory.set_capacity(
                                    s, c, n, user.id, updated=wf.local_today(web.latest(s).sop, now), now=now
                                )
                            except directory.DirectoryValidationError as e:
                                errors.update({f"cap.{c}": text_in(p.message, lang) for p in e.problems})
                        if errors:
                            raise _Invalid()
                except _Invalid:
                    pass
                except StaleDirectoryObject as e:
                    with wf.sessions() as s:
                        stale = stale_words(web, s, lang, e)
            if errors or stale:
                with wf.sessions() as s:
                    ctx = _service_ctx(s, request, user, service_id)
                if not stale and expected is not None:  # a 422 keeps the version the user opened
                    ctx["version"] = expected
                log_disclosure(wf, web, request, user, ctx["contacts"])
                return web.render(  # the typed values kept; after a 409 the form carries the current version
                    request,
                    "directory_service.html",
                    {**ctx, "values": values, "errors": errors, "stale": stale,
                     "error": None if stale else t("form_errors", lang)},
                    status=409 if stale else 422,
                )
            request.session["flash"] = t("saved", lang)
            return RedirectResponse(f"/repertoire/services/{quote(service['id'])}", status_code=303)

        return await run_in_threadpool(work)

    @r.post("/repertoire/services/{service_id}/verifier")
    async def service_verified(request: Request, service_id: str):
        form = await request.form()

        def work():
            # « vérifié » vouches for the values the page showed: refused if they changed since (H6)
            expected = read_version(form.get("version"))
            with wf.sessions() as s:
                user = web.user(request, s)
                access.require(user, "directory_edit")
            lang = web.lang(request, user)
            try:
                with wf.sessions.begin() as s:
                    service = _service_or_404(s, service_id)
                    check(s, _service_refs(s, service["id"]), expected)
                    now = web.now()
                    today = wf.local_today(web.latest(s).sop, now)
                    directory.mark_verified(s, service["id"], user.id, today, now=now)
            except StaleDirectoryObject as e:
                with wf.sessions() as s:
                    ctx = {**_service_ctx(s, request, user, service_id),
                           "stale": {**stale_words(web, s, lang, e), "verify": True}}
                log_disclosure(wf, web, request, user, ctx["contacts"])
                return web.render(request, "directory_service.html", ctx, status=409)
            verified = f"{t('last_verified', lang)}{colon(lang)}{fmt_date(today, lang)}"
            request.session["flash"] = f"{t('saved', lang)} {verified}"
            return RedirectResponse(f"/repertoire/services/{quote(service['id'])}", status_code=303)

        return await run_in_threadpool(work)
