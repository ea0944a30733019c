"""Read-only HSDS 3.1 API (``/hsds/...``, as the official ``openapi.json`` defines it) so that Open
Referral tools can read the service directory: services, organisations, taxonomies, taxonomy terms
and service-at-locations, paged lists (``page``, ``per_page``) and one object by id (its HSDS UUID,
or the product's slug). Public like any provider directory; no case or personal data is reachable
(the ``mno_referral`` profile data leaves out the focal point's user id)."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from ...directory import hsds_json
from ...directory.hsds31 import PROFILE_URI, hsds_id
from ..core import Web

ENDPOINTS = {
    "services": "service",
    "organizations": "organization",
    "taxonomies": "taxonomy",
    "taxonomy_terms": "taxonomy_term",
    "service_at_locations": "service_at_location",
}


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


def build_hsds(web: Web) -> APIRouter:
    """The ``/hsds`` router on the application's engine."""
    router = APIRouter(prefix="/hsds")
    wf = web.wf

    @router.get("/")
    def meta() -> dict[str, str]:
        return {"version": "3.1", "profile": PROFILE_URI, "openapi_url": "/hsds/openapi.json"}

    def listing(name: str):
        def handler(page: str = Query("1"), per_page: str = Query("50")) -> Any:
            try:
                number, size = int(page), int(per_page)
            except ValueError:
                number = size = 0
            if number < 1 or not 1 <= size <= 500:
                return JSONResponse(
                    {"code": "request_invalid", "message": "page ≥ 1 et 1 ≤ per_page ≤ 500 attendus / "
                     "page ≥ 1 and 1 ≤ per_page ≤ 500 expected"},
                    status_code=422,
                )
            with wf.sessions() as s:
                return _page(hsds_json.objects(s, name), number, size)

        return handler

    def one(name: str):
        def handler(id: str):  # noqa: A002 - the HSDS path parameter is called id
            with wf.sessions() as s:
                for obj in hsds_json.objects(s, name):
                    if obj["id"] in (id, hsds_id(name, id)):
                        return obj
            return JSONResponse(
                {"code": "not_found", "message": f"{name} introuvable / not found: {id}"}, status_code=404
            )

        return handler

    for path, name in ENDPOINTS.items():
        router.add_api_route(f"/{path}", listing(name), methods=["GET"], name=f"hsds_{path}")
        router.add_api_route(f"/{path}/{{id}}", one(name), methods=["GET"], name=f"hsds_{path}_one")
    return router
