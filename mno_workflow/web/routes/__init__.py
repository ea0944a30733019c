"""The HTML pages (French first), one router module per area: sign-in, my work, cases, case actions,
provider inbox, notifications, directory, SOP pages for trainers, M&E dashboard and export.

Every page reads the user from the signed session and asks :mod:`..access` what they may see.
Forms work without JavaScript; htmx (vendored) loads action forms in place and posts them.
"""

from __future__ import annotations

from fastapi import APIRouter

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
    return r
