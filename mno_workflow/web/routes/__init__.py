"""The HTML pages (French first), one router module per area: sign-in, my work, cases, case actions,
provider inbox, notifications, directory, SOP pages for trainers, M&E dashboard and export.

Every page reads the user from the signed session and asks :mod:`..access` what they may see.
Forms work without JavaScript; htmx (vendored) loads action forms in place and posts them.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.routing import Route

from ..core import Web
from . import (
    access_log,
    account_access,
    agreements,
    alerts,
    attachments,
    auth,
    case_actions,
    cases,
    channels,
    dashboard,
    directory,
    notifications,
    outbox_log,
    print_forms,
    provider,
    report,
    sandbox,
    sop_documents,
    sop_pages,
    work,
    workbench,
)

# Added in this order to one router: a path matched by two routes goes to the first (e.g.
# ``/dossiers/nouveau`` before ``/dossiers/{reference}``, both in :mod:`.cases`).
AREAS = (auth, work, cases, case_actions, provider, notifications, directory, sop_pages, dashboard,
         access_log, agreements, print_forms, sop_documents, workbench, outbox_log, account_access,
         channels, attachments, report, alerts, sandbox)


def build_pages(web: Web) -> APIRouter:
    """One router with every page route, areas in the order of :data:`AREAS`."""
    r = APIRouter()
    for area in AREAS:
        area.add_routes(r, web)
    add_get_answers(r)
    return r


#: Paths whose forms are on a page that is not above them (``/mon-compte`` has no page).
FORM_PAGES = {("mon-compte",): "/mon-compte/acces"}


def add_get_answers(r: APIRouter) -> None:
    """Every path that only receives forms (POST) also answers GET — a reload after a failed
    submit, an address typed or shared: a redirect to the nearest page above it, the one holding
    the form (``…/delais/{instance}/prolonger`` → the case page, ``/dossiers/reattribuer`` → the
    case list, ``/logout`` → the home page), instead of « 405 Method Not Allowed ».

    The answer goes before any GET route its path would also match (``/dossiers/reattribuer``
    before ``/dossiers/{reference}``)."""
    routes = [x for x in r.routes if isinstance(x, Route)]
    gets = [x for x in routes if "GET" in (x.methods or ())]
    get_ids = {id(x) for x in gets}
    shapes = {_shape(g.path) for g in gets}

    def answer_for(path: str):
        parts = path.strip("/").split("/")
        held = next((FORM_PAGES[tuple(parts[:k])] for k in range(len(parts) - 1, 0, -1)
                     if tuple(parts[:k]) in FORM_PAGES), None)
        if held is not None:
            return lambda: RedirectResponse(held, status_code=303)
        # the nearest pattern above with a GET page: literal segments equal, parameters anywhere
        depth = next((k for k in range(len(parts) - 1, 0, -1) if _shape("/".join(parts[:k])) in shapes), 0)

        def answer(request: Request):
            above = request.url.path.strip("/").split("/")[:depth]
            return RedirectResponse("/" + "/".join(above), status_code=303)

        return answer

    for post in routes:
        if "POST" not in (post.methods or ()) or _shape(post.path) in shapes:
            continue  # a GET route of the same shape answers it (e.g. a download beside an upload)
        shadow = next((i for i, x in enumerate(r.routes)
                       if id(x) in get_ids and x.path_regex.match(post.path)), None)
        r.add_api_route(post.path, answer_for(post.path), methods=["GET"], include_in_schema=False,
                        name=f"{post.name}_get")
        if shadow is not None:
            r.routes.insert(shadow, r.routes.pop())


def _shape(path: str) -> tuple[str, ...]:
    """The segments of a route path, every ``{parameter}`` as ``{}``."""
    return tuple("{}" if x.startswith("{") else x for x in path.strip("/").split("/"))
