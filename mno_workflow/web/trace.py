"""Which path wrote an audit event from the server: ``web`` (pages) or ``api`` (``/api/v1``), and
the client's address, recorded like the CLI records ``via: cli`` and its operating-system account.

:class:`TraceMiddleware` (pure ASGI) keeps both for the request in a context variable;
:func:`current` reads it where an engine :class:`~mno_workflow.engine.engine.Actor` is built
(``web/access/roles.py actor_for``). The address is the one uvicorn gives: the real client behind a
proxy started with ``--proxy-headers`` and ``--forwarded-allow-ips``. In the audit event it goes to
the ``os_user`` column as ``ip:ADDRESS`` (that column names the account or origin of the path).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

_TRACE: ContextVar[tuple[str, str | None] | None] = ContextVar("mno_request_trace", default=None)


def via_of(path: str) -> str:
    """``api`` for ``/api/…`` (and the read-only ``/hsds/…``), ``web`` for every page."""
    return "api" if path.startswith(("/api/", "/hsds")) else "web"


def current() -> tuple[str | None, str | None]:
    """``(via, origin)`` of the request being served (``("web", "ip:127.0.0.1")``), or
    ``(None, None)`` outside a request."""
    found = _TRACE.get()
    return found if found else (None, None)


class TraceMiddleware:
    """Sets the trace of each HTTP request (see the module doc)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        origin = f"ip:{client[0]}" if client and client[0] else None
        token = _TRACE.set((via_of(scope.get("path", "")), origin))
        try:
            await self.app(scope, receive, send)
        finally:
            _TRACE.reset(token)
