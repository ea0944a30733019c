"""Error pages of the web UI in the reader's language: titles in words (never an error code),
Starlette's English phrases replaced, a form over the size limit explained, crashes caught inside
the session so the 500 page knows who reads it.

:func:`install` adds the handlers and the innermost middleware to the app (``create_app``).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..engine.errors import EngineError
from ..i18n import gettext
from .core import Web
from .i18n import t

log = logging.getLogger("mno.web")

#: What Starlette says (HTTP 400, in English) when a form field or a part goes over the size limit
#: of ``Request.form()`` (``max_part_size`` 1 MB), and when a form has too many fields or files.
_FORM_LIMITS = ("Field exceeded maximum size", "Part exceeded maximum size")
_FORM_COUNTS = ("Too many fields", "Too many files")
FORM_LIMIT_MB = 1  # Starlette's default ``max_part_size`` (1024 KB), kept for every form


def viewer(web: Web, request: Request) -> dict:
    """The signed-in user (for the menu and the logout link of error pages), their language and
    unread count; an anonymous visitor gets the bare layout."""
    if "session" not in request.scope:
        return {"lang": "fr"}
    uid = request.scope.get("mno.uid")
    if not uid:
        return {"lang": web.lang(request)}
    try:
        from ..store.models import User
        from .queries import unread_count

        with web.wf.sessions() as s:
            user = s.get(User, uid)
            if user is None or not user.active:
                return {"lang": web.lang(request)}
            return {"user": user, "lang": web.lang(request, user), "unread": unread_count(s, user)}
    except Exception:  # an error page must render even when the database is down
        log.exception("error page: could not load the user")
        return {"lang": web.lang(request)}


def page(web: Web, request: Request, status: int, title: str, text: str, **extra: Any):
    """The error page: ``title`` and ``text`` are already in the reader's language when ``extra``
    holds ``lang``; else they are keys of :func:`t`."""
    ctx = viewer(web, request)
    lang = ctx["lang"]
    return web.render(request, "error.html",
                      {**ctx, "status": status, "title": t(title, lang), "text": t(text, lang), **extra},
                      status=status)


def engine_title(status: int, lang: str) -> str:
    """The heading of a refusal of the engine: words by its HTTP status, never its code."""
    if status >= 500:
        return t("server_error", lang)
    if status == 403:
        return t("forbidden", lang)
    if status == 404:
        return t("not_found", lang)
    return gettext("Action impossible", lang)


def is_form_limit(e: StarletteHTTPException) -> bool:
    """Whether ``e`` is Starlette refusing a form over its size or count limits."""
    return e.status_code == 400 and isinstance(e.detail, str) and e.detail.startswith(_FORM_LIMITS)


def http_page(web: Web, request: Request, e: StarletteHTTPException):
    """The page of an HTTP error raised by Starlette or a route, in the reader's language."""
    if e.status_code == 404:
        return page(web, request, 404, "not_found", "not_found_text")
    if e.status_code == 403:
        return page(web, request, 403, "forbidden", "forbidden_text")
    lang = viewer(web, request)["lang"]
    if is_form_limit(e):  # 413: the data typed is still in the form, one step back
        return page(web, request, 413, gettext("Formulaire trop volumineux", lang), gettext(
            "Un champ du formulaire dépasse la taille maximale ({n} Mo) : rien n'a été enregistré. "
            "Revenez au formulaire (ce que vous avez saisi y est encore), raccourcissez ce texte ou "
            "joignez-le comme pièce jointe, puis envoyez à nouveau.", lang, n=FORM_LIMIT_MB),
            back=_same_site(request.headers.get("referer")))
    if e.status_code == 405:
        return page(web, request, 405, gettext("Demande non acceptée à cette adresse", lang), gettext(
            "Cette adresse ne s'ouvre pas de cette façon : revenez à la page précédente ou à l'accueil.",
            lang))
    phrase = _phrase(e.status_code)
    if not e.detail or e.detail == phrase or str(e.detail).startswith(_FORM_COUNTS):
        # Starlette's English words: those of the catalogue
        return page(web, request, e.status_code, gettext("Erreur", lang),
                    gettext("La demande n'a pas pu être traitée.", lang))
    return page(web, request, e.status_code, gettext("Erreur", lang), str(e.detail))  # a route's words


def cookie_lang(scope: dict, secret_key: str, cookie: str, max_age: int) -> str:
    """The language of the session in the signed session cookie of ``scope`` (for the pages sent
    outside the session middleware); French without a valid session."""
    import json
    from base64 import b64decode
    from http.cookies import SimpleCookie

    from itsdangerous import BadSignature, TimestampSigner

    from .i18n import norm_lang

    headers = dict(scope.get("headers") or [])
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get(b"cookie", b"").decode("latin-1"))
        data = TimestampSigner(str(secret_key)).unsign(jar[cookie].value.encode(), max_age=max_age)
        return norm_lang(json.loads(b64decode(data)).get("lang"))
    except (KeyError, BadSignature, ValueError, AttributeError):
        return norm_lang(None)


def _same_site(referer: str | None) -> str:
    """The path (and query) of ``referer`` when it is a page of this site, else ""."""
    from urllib.parse import urlsplit

    from .core import safe_next

    if not referer:
        return ""
    parts = urlsplit(referer)
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""), "")


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class CrashPageMiddleware:
    """Innermost middleware: an unexpected error becomes the 500 page here, where the session and
    the signed-in user are known. (Starlette's handler of ``Exception`` runs outside every
    middleware, without the session: its page was French for every reader.)"""

    def __init__(self, app: Any, web: Web) -> None:
        self.app, self.web = app, web

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def watch(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as e:
            if started:
                raise
            from sqlalchemy.exc import OperationalError
            if isinstance(e, OperationalError):  # locked, or the server gone: said, the driver's text logged
                from ..store.db_words import raw_text
                log.error("database unavailable on %s %s: %s", scope.get("method"), scope.get("path"),
                          raw_text(e))
                request = Request(scope)
                lang = viewer(self.web, request)["lang"]
                response = page(self.web, request, 503, gettext("Base de données indisponible", lang),
                                gettext("La base de données est occupée ou injoignable : rien n'a été "
                                        "enregistré. Réessayez dans un instant ; si cela dure, prévenez "
                                        "l'administrateur.", lang), lang=lang)
            else:
                log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"),
                              exc_info=e)
                response = page(self.web, Request(scope), 500, "server_error", "server_error_text")
            await response(scope, receive, send)


def install(app: FastAPI, web: Web) -> None:
    """The handlers of engine refusals and HTTP errors, and :class:`CrashPageMiddleware` (call it
    before adding the session middlewares: it must be inside them)."""

    @app.exception_handler(EngineError)
    async def _engine(request: Request, e: EngineError):
        lang = viewer(web, request)["lang"]
        return page(web, request, e.http_status, engine_title(e.http_status, lang), e.text(lang))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, e: StarletteHTTPException):
        return http_page(web, request, e)

    app.add_middleware(CrashPageMiddleware, web=web)
