"""What the page routers share: the base template context, htmx and client checks, SVG responses,
finding a case and a step instance of it."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from ...store.models import Case, StepInstance, User
from .. import queries
from ..core import Web


def base_ctx(web: Web, request: Request, s, user: User) -> dict[str, Any]:
    """The context every signed-in page has: ``user``, ``lang``, ``unread`` (notifications) and
    ``user_org`` (the name of the user's organisation, shown in the header instead of its id)."""
    org = ""
    if user.organisation:
        from sqlalchemy import select

        from ...directory.tables import TABLES

        t = TABLES["organization"]
        # not in the directory (a first responders' post): the account's name says where it is,
        # the header does not repeat it, and never shows the key (fds-poste-…)
        org = s.execute(select(t.c.name).where(t.c.id == user.organisation)).scalar() or ""
    from ...directory.names_lang import in_lang

    lang = web.lang(request, user)
    return {"user": user, "lang": lang, "unread": queries.unread_count(s, user),
            "user_org": in_lang(org, lang)}


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "-"



SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


def svg_response(data: bytes) -> Response:
    return Response(
        data,
        media_type="image/svg+xml",
        headers={
            "content-security-policy": SVG_CSP,
            "cache-control": "private, max-age=300",
        },
    )


def find_instance(case: Case | None, key: str) -> StepInstance | None:
    """The instance of ``case`` whose label key (``referral:cash``) or id is ``key``, or None."""
    if case is None:
        return None
    return next((i for i in case.instances if key in (i.label_key, str(i.id))), None)


def case_and_instance(s, reference: str, instance: str) -> tuple[Case, StepInstance]:
    """The case ``reference`` (cut to 40 characters, upper case) and its step instance ``instance``
    (label key or id, cut to 130 characters). Raises :class:`..access.NotVisible` (404) when either
    is unknown; what the user may see of them is the caller's check."""
    from ...store import repository
    from .. import access

    case = repository.get_case(s, reference[:40].upper())
    inst = find_instance(case, instance[:130])
    if case is None or inst is None:
        raise access.NotVisible()
    return case, inst

