"""Error handlers for an audit key that cannot be read (``AuditKeyError``): a 503 page in the
user's language on the web pages, a 503 JSON error ``audit_key_unavailable`` on the API — never a
500 or a traceback. The technical detail (file name, reason) goes to the server log only, not to
the visitor. Installed by ``web/app.py`` on the application and on the mounted API."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ..i18n import gettext
from ..store.auditkey import AuditKeyError
from ..store.auditkey_text import CODE, TEXT, TITLE

log = logging.getLogger("mno.web")


def install(app: FastAPI, api: FastAPI, web: Any) -> None:
    """Register the handlers on the pages application ``app`` and the API application ``api``."""

    @app.exception_handler(AuditKeyError)
    async def _page(request: Request, e: AuditKeyError):
        from .error_pages import viewer as _viewer
        log.error("audit key unavailable on %s %s: %s", request.method, request.url.path, e)
        ctx = _viewer(web, request)
        lang = ctx["lang"]
        return web.render(request, "error.html", {**ctx, "status": 503, "title": gettext(TITLE, lang),
                                                  "text": gettext(TEXT, lang)}, status=503)

    @api.exception_handler(AuditKeyError)
    async def _api(request: Request, e: AuditKeyError):
        from .api_models import lang_of
        log.error("audit key unavailable on %s %s: %s", request.method, request.url.path, e)
        lang = lang_of(request.headers.get("accept-language"))
        return JSONResponse({"code": CODE, "message": gettext(TEXT, lang)}, status_code=503)
