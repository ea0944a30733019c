"""The web application: FastAPI + Jinja2 pages, the REST API under ``/api/v1``, vendored htmx.

``create_app(wf, secret_key=...)`` wires, from the outside in: secure headers (CSP without inline
script, frame denial, no-store; HSTS with ``https_only``), request hygiene (``Authorization``
dropped outside ``/api/``, multipart without boundary → 400), CSRF (double-submit signed cookie
``csrftoken``: a hidden field in every form, the ``x-csrftoken`` header for htmx; ``/api/`` is
exempt: bearer tokens only), signed session cookie, the server-side session check
(:mod:`.websessions`), then the pages and the API. Errors never show a traceback: pages in the
reader's language (:mod:`.error_pages`) and a JSON body under ``/api``.
"""

from __future__ import annotations

import gc
import logging
from contextlib import asynccontextmanager
from html import escape

from asgi_csrf import asgi_csrf
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.middleware.sessions import SessionMiddleware

from ..engine.engine import WorkflowEngine
from ..store.base import Base
from ..store.wal import WalCheckpointer
from . import access, error_pages
from . import models as _models  # noqa: F401  (registers the web_ tables on Base)
from .api import build_api
from .core import HERE, LoginRequired, Web
from .i18n import t
from .routes import build_pages
from .security import is_upload
from .staticfiles import FingerprintedStatic

log = logging.getLogger("mno.web")

SESSION_MAX_AGE = 8 * 3600
SESSION_COOKIE = "mno_session"


def _error_page(web: Web, request: Request, status: int, title: str, text: str):
    return error_pages.page(web, request, status, title, text)


def _csrf_failed(secret_key: str):
    """The page of a form refused by the CSRF check, in the language of the reader's session (read
    from its signed cookie: the check runs outside the session middleware)."""

    async def send_page(scope, send, _message_id):
        lang = error_pages.cookie_lang(scope, secret_key, SESSION_COOKIE, SESSION_MAX_AGE)
        body = (
            f'<!doctype html><html lang="{lang}"><meta charset="utf-8"><title>403</title>'
            f'<p>{escape(t("csrf_failed", lang))}</p><p><a href="/">{escape(t("back_home", lang))}</a></p>'
            "</html>"
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [(b"content-type", b"text/html; charset=utf-8")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return send_page


def create_app(
    wf: WorkflowEngine,
    *,
    secret_key: str,
    sweeper_interval: int | None = None,
    sop_id: str | None = None,
    https_only: bool = False,
) -> FastAPI:
    """The ASGI application on the workflow engine ``wf``.

    ``secret_key`` signs sessions and CSRF tokens and keys the export pseudonyms (keep it stable
    and secret). With ``sweeper_interval`` (seconds), the reminder sweeper runs in this process
    (APScheduler background job) while the application is up. ``sop_id`` defaults to the first
    SOP loaded. ``https_only`` marks cookies Secure and sends HSTS (set it behind TLS).
    """
    if not secret_key or len(secret_key) < 16:
        raise ValueError("secret_key must be at least 16 characters")
    Base.metadata.create_all(wf.db)
    web = Web(wf, secret_key, sop_id)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        sched = None
        wal = WalCheckpointer(wf.db).start()  # SQLite: checkpoints off the requests' path
        # What exists once the application is up (modules, compiled SOPs, templates: ~180,000
        # objects) lives as long as the process: kept out of the garbage collector's full
        # collections, which took ~100 ms of a request now and then (issue 15). Undone at shutdown.
        # No gc.collect() first: a full collection of a big process (the test suite starts
        # hundreds of applications) costs more than the little start-up garbage frozen with it.
        gc.freeze()
        if sweeper_interval:
            from ..reminders.scheduler import make_scheduler

            sched = make_scheduler(wf, sweeper_interval)
            sched.start()
        try:
            yield
        finally:
            if sched is not None:
                sched.shutdown(wait=False)
            wal.stop()
            gc.unfreeze()

    app = FastAPI(title="MNO Workflow", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.web = web
    static = FingerprintedStatic(HERE / "static")
    web.templates.env.globals["static_url"] = static.url
    app.mount("/static", static, name="static")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:  # for clients that ask before reading the page's <link rel=icon>
        return RedirectResponse(static.url("favicon.svg"), status_code=301)

    api = build_api(web)
    app.mount("/api/v1", api)
    from .keyerrors import install as install_key_errors

    install_key_errors(app, api, web)  # unreadable audit key: 503 page / JSON, never a 500
    app.include_router(build_pages(web))
    from .routes.hsds import build_hsds

    app.include_router(build_hsds(web))

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _e: LoginRequired):
        if request.headers.get("hx-request") == "true":
            return JSONResponse({}, status_code=401, headers={"HX-Redirect": "/login"})
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        nxt = target if request.method == "GET" and target != "/" else ""
        url = "/login" + (f"?next={_quote(nxt)}" if nxt else "")
        return RedirectResponse(url, status_code=303)

    @app.exception_handler(access.Forbidden)
    async def _forbidden(request: Request, _e: Exception):
        return _error_page(web, request, 403, "forbidden", "forbidden_text")

    @app.exception_handler(access.NotVisible)
    async def _not_visible(request: Request, _e: Exception):
        return _error_page(web, request, 404, "not_found", "not_found_text")

    @app.exception_handler(Exception)
    async def _crash(request: Request, e: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=e)
        return _error_page(web, request, 500, "server_error", "server_error_text")

    from fastapi.exceptions import RequestValidationError

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, _e: RequestValidationError):
        return _error_page(web, request, 404, "not_found", "not_found_text")

    error_pages.install(app, web)  # engine refusals, HTTP errors, crashes: pages in the reader's language
    from .websessions import ServerSessionMiddleware

    app.add_middleware(ServerSessionMiddleware, sessions=wf.sessions)  # inside the cookie session
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=https_only,
    )
    app.add_middleware(
        asgi_csrf,
        signing_secret=secret_key,
        always_protect={"/login"},
        cookie_secure=https_only,
        send_csrf_failed=_csrf_failed(secret_key),
        # The API authenticates with bearer tokens only (never the session cookie): no CSRF risk.
        # Uploads (multipart) check their token in the route (security.upload_csrf_ok).
        skip_if_scope=lambda scope: scope.get("path", "").startswith("/api/") or is_upload(scope),
    )
    from .security import RequestHygieneMiddleware, SecureHeadersMiddleware

    app.add_middleware(RequestHygieneMiddleware)  # outside CSRF: a Bearer header never skips it
    app.add_middleware(SecureHeadersMiddleware, hsts=https_only)
    from .trace import TraceMiddleware

    app.add_middleware(TraceMiddleware)  # via web/api and client address for the audit (web/trace.py)
    from ..logs import RequestIdMiddleware
    from .staticfiles import StaticGZip

    app.add_middleware(StaticGZip)  # static files compressed (htmx 52 KB → ~16 KB on a 3G link)
    app.add_middleware(RequestIdMiddleware)  # outermost: every log line of a request has its id
    return app


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="/")
