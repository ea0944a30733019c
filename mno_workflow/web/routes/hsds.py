"""Read-only HSDS 3.1 API (``/hsds/...``, as the official ``openapi.json`` defines it) so that Open
Referral tools can read the service directory: services, organisations, taxonomies, taxonomy terms
and service-at-locations, paged lists (``page``, ``per_page``) with the official filters
(``search``, ``taxonomy_term_id``, ``taxonomy_id``, ``organization_id``, ``modified_after``,
``minimal``, ``top_only``, ``parent_id``, ``postcode``; ``format=ndjson`` streams every result
without paging; see :mod:`mno_workflow.directory.hsds_query`) and one object by id (its HSDS UUID,
or the product's slug). Objects are always fully nested, so ``full`` and ``full_service`` are
accepted and change nothing; ``proximity`` (distance from a postcode) is refused with 422: the
directory holds no coordinates for it. The routes' OpenAPI document is ``/hsds/openapi.json``
(operation ids of the official document).

Public like any provider directory, but the staff's personal contacts are not: without sign-in
(and for a signed-in role without the ``directory_contacts`` permission, :mod:`..access`) every
answer is the public form of :mod:`mno_workflow.directory.public` (no HSDS ``contacts``, no phone
of a contact person); a session cookie or ``Authorization: Bearer`` token of a role with that
permission gets them. Every answer says which form it is in the ``X-Directory-View`` header
(``public`` or ``full``; ``GET /hsds/`` says it in ``view`` too) and varies on ``Authorization``
and ``Cookie``; a full answer is ``Cache-Control: private, no-store``. A bearer token that is
invalid, expired or revoked is refused (401), never read as anonymous. No case data is reachable
(the ``mno_referral`` profile data leaves out the focal point's user id).

Every full answer that holds at least one contact person is written to the access log like the
other sensitive reads, one row per request (``web_export_log`` through
:func:`..contacts_log.log_contacts_read`: who, role, what ``hsds.<object>``, the path and filters,
the number of objects, the contact persons' number and ids, names « oui »), listed on the
coordinator's ``/journal-acces``."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sqlalchemy import select

from ...directory import hsds_json, hsds_query
from ...directory.hsds31 import PROFILE_URI, hsds_id
from ...directory.tables import TABLES
from ...i18n import N_, gettext
from ...sop.diagnostics import said, text_in
from ...store.models import User
from .. import access, tokens
from ..contacts_log import log_contacts_read
from ..core import Web
from ..openapi_lang import Documents, add_document_route

ENDPOINTS = {
    "services": "service",
    "organizations": "organization",
    "taxonomies": "taxonomy",
    "taxonomy_terms": "taxonomy_term",
    "service_at_locations": "service_at_location",
}
# the summary of each « one object by id » operation (English, as the official document; catalogues)
ONE_SUMMARY = {
    "services": said("One service by id (UUID or slug)"),
    "organizations": said("One organization by id (UUID or slug)"),
    "taxonomies": said("One taxonomy by id (UUID or slug)"),
    "taxonomy_terms": said("One taxonomy_term by id (UUID or slug)"),
    "service_at_locations": said("One service_at_location by id (UUID or slug)"),
}
# operationIds of the official HSDS 3.1 openapi.json (list, one)
OPERATIONS = {
    "services": ("getPaginatedListOfServices", "getFullyNestedServiceById"),
    "organizations": ("getPaginatedListOfOrganizations", "getOrganizationById"),
    "taxonomies": ("getPaginatedListOfTaxonomies", "getTaxonomyById"),
    "taxonomy_terms": ("getPaginatedListOfTaxonomyTerms", "getTaxonomyTermById"),
    "service_at_locations": ("getPaginatedListOfServiceAtLocation", "getServiceAtLocationWithNestedDataById"),
}
MAX_PER_PAGE = 500
# the HSDS objects whose nested form holds contact persons (organization → services → contacts)
WITH_CONTACTS = frozenset({"service", "organization", "service_at_location"})


def contact_ids(value: Any) -> set[str]:
    """Ids of every HSDS ``contact`` nested anywhere in ``value`` (objects, lists of objects)."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, sub in item.items():
                if key == "contacts" and isinstance(sub, list):
                    found.update(c["id"] for c in sub if isinstance(c, dict) and c.get("id"))
                stack.append(sub)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _page(items: list[dict[str, Any]], page: int, per_page: int) -> dict[str, Any]:
    """The HSDS ``Page`` envelope (total_items, total_pages, page_number, size, first_page,
    last_page, empty) around page ``page`` (1-based) of ``items``."""
    total_pages = max(1, math.ceil(len(items) / per_page))
    chunk = items[(page - 1) * per_page : page * per_page]
    return {
        "total_items": len(items),
        "total_pages": total_pages,
        "page_number": page,
        "size": len(chunk),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not chunk,
        "contents": chunk,
    }


def _lang(request: Request) -> str:
    """The language of the request's ``Accept-Language`` (French when it names none we have)."""
    from ..api_models import lang_of
    return lang_of(request.headers.get("accept-language"))


def _invalid(param: str, message: str) -> JSONResponse:
    return JSONResponse({"code": "request_invalid", "message": message, "errors": {param: message}},
                        status_code=422)


class BadToken(Exception):
    """A bearer token was given and is invalid, expired or revoked."""


def _headers(public: bool) -> dict[str, str]:
    out = {"X-Directory-View": "public" if public else "full", "Vary": "Authorization, Cookie"}
    if not public:
        out["Cache-Control"] = "private, no-store"
    return out


BEARER = {
    "type": "http", "scheme": "bearer",
    "description": N_("Facultatif : un jeton de l'API REST (POST /api/v1/auth/token) d'un rôle ayant la "
                      "permission directory_contacts donne la forme complète, avec les contacts du "
                      "personnel ; sans jeton, la forme publique."),
}
UNAUTHENTICATED = {"description": N_("Jeton invalide, expiré ou révoqué (code : unauthenticated)")}


def with_optional_bearer(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` (an OpenAPI 3.1 document, changed in place and returned) with the optional bearer
    authentication declared: the ``bearerAuth`` HTTP scheme in ``components.securitySchemes``,
    ``security: [{}, {bearerAuth: []}]`` (anonymous or bearer) and a 401 answer on every operation."""
    doc.setdefault("components", {}).setdefault("securitySchemes", {})["bearerAuth"] = BEARER
    for item in doc.get("paths", {}).values():
        for op in item.values():
            op["security"] = [{}, {"bearerAuth": []}]
            op.setdefault("responses", {}).setdefault("401", UNAUTHENTICATED)
    return doc


def build_hsds(web: Web) -> APIRouter:
    """The ``/hsds`` router on the application's engine."""
    router = APIRouter(prefix="/hsds", tags=["hsds"])
    wf = web.wf

    def viewer(request: Request) -> User | None:
        """The signed-in user (bearer token, else session cookie), or None. Raises BadToken."""
        auth = request.headers.get("authorization") or ""
        if auth:
            scheme, _, token = auth.partition(" ")
            found = tokens.check(wf.sessions, token.strip()[:200]) if scheme.lower() == "bearer" else None
            if found is None:
                raise BadToken()
            return found[0]
        uid = request.scope.get("mno.uid")  # set by websessions.ServerSessionMiddleware
        if not uid:
            return None
        with wf.sessions() as s:
            user = s.get(User, uid)
            if user is not None:
                s.expunge(user)
        return user if user is not None and user.active else None

    def public_view(request: Request) -> bool:
        """Whether ``request`` gets the public form (no personal contacts). Raises BadToken.
        Keeps the viewer in ``request.state.hsds_viewer`` for :func:`log_contacts`."""
        user = viewer(request)
        request.state.hsds_viewer = user
        return not access.can(user, "directory_contacts")

    def log_contacts(request: Request, name: str, items: list[dict[str, Any]],
                     params: dict[str, Any]) -> None:
        """Write the full read of ``items`` (HSDS objects ``name``) to the access log when they hold
        a contact person; nothing for the public form or an answer without contacts."""
        user = getattr(request.state, "hsds_viewer", None)
        if user is None or name not in WITH_CONTACTS or not access.can(user, "directory_contacts"):
            return
        people = contact_ids(items)
        if not people:
            return
        with wf.sessions.begin() as s:  # one row per request (contacts_log.py), the contacts by slug
            slugs = {hsds_id("contact", i): i for i in s.scalars(select(TABLES["contact"].c.id))}
            log_contacts_read(s, user.id, user.role, f"hsds.{name}", request.url.path,
                              [slugs.get(i, i) for i in people], len(items), web.now(), params)

    def refused(request: Request) -> JSONResponse:
        return JSONResponse({"code": "unauthenticated",
                             "message": gettext("Jeton invalide, expiré ou révoqué (ou sans « Bearer »).",
                                                _lang(request))},
                            status_code=401, headers={"WWW-Authenticate": "Bearer"})

    def respond(request: Request, make: Callable[[bool], Any]) -> Response:
        """``make(public)`` for the form ``request`` gets, with the view headers; 401 for a bad token."""
        try:
            public = public_view(request)
        except BadToken:
            return refused(request)
        out = make(public)
        if not isinstance(out, Response):
            out = JSONResponse(out)
        out.headers.update(_headers(public))
        return out

    @router.get("/", operation_id="getAPIMetaInformation", summary=N_("Méta-informations de l'API HSDS"))
    def meta(request: Request) -> Any:
        return respond(request, lambda public: {
            "version": "3.1", "profile": PROFILE_URI, "openapi_url": "/hsds/openapi.json",
            "view": "public" if public else "full",
            "contacts": gettext("Sans les contacts personnels du personnel (connexion requise).",
                                _lang(request))
                        if public else gettext("Avec les contacts du personnel.", _lang(request))})

    def answer(request: Request, *args: Any) -> Response:
        """:func:`listing` in the form the request gets."""
        return respond(request, lambda public: listing(request, public, *args))

    def listing(request: Request, public: bool, name: str, params: dict[str, Any], page: str, per_page: str,
                fmt: str | None, minimal: bool = False) -> Any:
        """A page (or the ndjson stream) of HSDS objects ``name`` passing ``params``; 422 when a
        parameter is malformed. ``public``: without the staff's personal contacts."""
        if fmt not in (None, "", "json", "ndjson"):
            return _invalid("format", gettext("format : json ou ndjson", _lang(request)))
        if params.get("proximity"):
            return _invalid("proximity", gettext("proximity n'est pas pris en charge : le répertoire n'a pas "
                                                 "de coordonnées", _lang(request)))
        try:
            number, size = int(page), int(per_page)
        except ValueError:
            number = size = 0
        if fmt != "ndjson" and (number < 1 or not 1 <= size <= MAX_PER_PAGE):
            return _invalid("page", gettext("page ≥ 1 et 1 ≤ per_page ≤ {n} attendus", _lang(request),
                                            n=MAX_PER_PAGE))
        with wf.sessions() as s:
            if name == "service_at_location" and params.get("organization_id"):
                params["_services"] = hsds_json.objects(s, "service", public=public)
            try:
                items = hsds_query.apply(s, name, hsds_json.objects(s, name, public=public), params)
            except hsds_query.QueryError as e:
                return _invalid(e.param, text_in(e.args[0], _lang(request)))
            if minimal:
                items = hsds_query.minimal(s, name, items)
        if fmt == "ndjson":
            log_contacts(request, name, items, {**params, "format": fmt})
            lines = (json.dumps(o, ensure_ascii=False) + "\n" for o in items)
            return StreamingResponse(lines, media_type="application/x-ndjson")
        out = _page(items, number, size)
        log_contacts(request, name, out["contents"], {**params, "page": number, "per_page": size})
        return out

    P = {  # the official parameters (components/parameters of openapi.json)
        "search": Query(None, description=said("Full text search.")),
        "page": Query("1", description=said("Page number of paginated result.")),
        "per_page": Query("50", description=said("Number of results requested in a single page.")),
        "format": Query(None, description=said("json (default) or ndjson (every result, no paging).")),
        "taxonomy_term_id": Query(None, description=said("Records with this taxonomy term (id or code).")),
        "taxonomy_id": Query(None, description=said("Records with any term of this taxonomy.")),
        "organization_id": Query(None, description=said("Services of this organization (UUID or slug).")),
        "modified_after": Query(None, description=said("Modified on or after this datetime (ISO 8601).")),
        "minimal": Query(False, description=said("Only 'id' and 'modified_date'.")),
        "full": Query(False, description=said("Fully nested (always the case here).")),
        "full_service": Query(False, description=said("Fully nested services (always the case here).")),
        "postcode": Query(None, description=said("Locations whose address has this postal code.")),
        "proximity": Query(None, description=said("Not supported (422).")),
    }
    list_op, one_op = OPERATIONS["services"]

    @router.get("/services", operation_id=list_op, summary=said("Services (paged, filtered)"))
    def services(request: Request, search: str | None = P["search"], page: str = P["page"],
                 per_page: str = P["per_page"],
                 format: str | None = P["format"],  # noqa: A002 - the HSDS parameter name
                 taxonomy_term_id: str | None = P["taxonomy_term_id"],
                 taxonomy_id: str | None = P["taxonomy_id"],
                 organization_id: str | None = P["organization_id"],
                 modified_after: str | None = P["modified_after"], minimal: bool = P["minimal"],
                 full: bool = P["full"]) -> Any:
        return answer(request, "service", {"search": search, "taxonomy_term_id": taxonomy_term_id,
                                           "taxonomy_id": taxonomy_id, "organization_id": organization_id,
                                           "modified_after": modified_after}, page, per_page, format, minimal)

    @router.get("/organizations", operation_id=OPERATIONS["organizations"][0],
                summary=said("Organizations (paged, filtered)"))
    def organizations(request: Request, search: str | None = P["search"],
                      full_service: bool = P["full_service"],
                      full: bool = P["full"], taxonomy_term_id: str | None = P["taxonomy_term_id"],
                      taxonomy_id: str | None = P["taxonomy_id"], page: str = P["page"],
                      per_page: str = P["per_page"], format: str | None = P["format"]) -> Any:  # noqa: A002
        return answer(request, "organization", {"search": search, "taxonomy_term_id": taxonomy_term_id,
                                                "taxonomy_id": taxonomy_id}, page, per_page, format)

    @router.get("/taxonomies", operation_id=OPERATIONS["taxonomies"][0], summary=said("Taxonomies (paged)"))
    def taxonomies(request: Request, search: str | None = P["search"], page: str = P["page"],
                   per_page: str = P["per_page"],
                   format: str | None = P["format"]) -> Any:  # noqa: A002
        return answer(request, "taxonomy", {"search": search}, page, per_page, format)

    @router.get("/taxonomy_terms", operation_id=OPERATIONS["taxonomy_terms"][0],
                summary=said("Taxonomy terms (paged, filtered)"))
    def taxonomy_terms(request: Request, search: str | None = P["search"], page: str = P["page"],
                       per_page: str = P["per_page"],
                       format: str | None = P["format"],  # noqa: A002
                       taxonomy_id: str | None = P["taxonomy_id"],
                       top_only: bool = Query(False, description=said("Only terms without parent.")),
                       parent_id: str | None = Query(None,
                                                     description=said("Children of this term."))) -> Any:
        return answer(request, "taxonomy_term", {"search": search, "taxonomy_id": taxonomy_id,
                                                 "top_only": top_only, "parent_id": parent_id},
                      page, per_page, format)

    @router.get("/service_at_locations", operation_id=OPERATIONS["service_at_locations"][0],
                summary=said("Services at locations (paged, filtered)"))
    def service_at_locations(request: Request, search: str | None = P["search"],
                             taxonomy_term_id: str | None = P["taxonomy_term_id"],
                             taxonomy_id: str | None = P["taxonomy_id"],
                             organization_id: str | None = P["organization_id"],
                             modified_after: str | None = P["modified_after"], full: bool = P["full"],
                             page: str = P["page"], per_page: str = P["per_page"],
                             format: str | None = P["format"],  # noqa: A002
                             postcode: str | None = P["postcode"],
                             proximity: str | None = P["proximity"]) -> Any:
        return answer(request, "service_at_location", {
            "search": search, "taxonomy_term_id": taxonomy_term_id, "taxonomy_id": taxonomy_id,
            "organization_id": organization_id, "modified_after": modified_after, "postcode": postcode,
            "proximity": proximity}, page, per_page, format)

    def one(name: str):
        def handler(request: Request, id: str):  # noqa: A002 - the HSDS path parameter is called id
            def make(public: bool) -> Any:
                with wf.sessions() as s:
                    for obj in hsds_json.objects(s, name, public=public):
                        if obj["id"] in (id, hsds_id(name, id)):
                            log_contacts(request, name, [obj], {})
                            return obj
                return JSONResponse(
                    {"code": "not_found", "message": gettext("{kind} introuvable : {id}", _lang(request),
                                                             kind=name, id=id)}, status_code=404
                )

            return respond(request, make)

        return handler

    for path, name in ENDPOINTS.items():
        router.add_api_route(f"/{path}/{{id}}", one(name), methods=["GET"], name=f"hsds_{path}_one",
                             operation_id=OPERATIONS[path][1], summary=ONE_SUMMARY[path])

    def document() -> dict[str, Any]:
        return with_optional_bearer(get_openapi(
            title="MNO Workflow — HSDS 3.1 API", version="3.1", routes=router.routes,
            description=said("Read-only HSDS 3.1 API of the service directory (profile {profile}).")))

    add_document_route(router, Documents(document, profile=PROFILE_URI))

    return router
