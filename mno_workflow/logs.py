"""One logging configuration for the whole application (standard :mod:`logging`, ``dictConfig``):
timestamps (UTC, ISO 8601), levels, logger names, the request id and the acting user id (never
names, contacts or form data), as text lines or JSON lines (``--log-format json``).

Loggers: ``mno.engine`` (every transition, INFO), ``mno.reminders`` (every sweep, INFO),
``mno.outbox`` (delivery failures, WARNING), ``mno.web`` (login failures, WARNING; request ids),
``uvicorn.*`` (server and access lines, same format). Call :func:`configure` once at start.

Work that is not real casework (the training pack's scenario runs, the demo data loaded at start)
runs inside :func:`routine` (``"exercise"``, ``"demo"``): its transitions and sweeps are logged
at DEBUG, with a ``run`` field naming the kind, so the server log at INFO holds real work only.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import logging.config
import os
import re
import time
import uuid
from typing import Any

#: Request id and user id of the work being done (set by the web middleware and sign-in code).
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
user_id: contextvars.ContextVar[str] = contextvars.ContextVar("user_id", default="-")

#: "" for real work, else what the work is ("exercise", "demo"): see :func:`routine`.
run_kind: contextvars.ContextVar[str] = contextvars.ContextVar("run_kind", default="")

TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [req=%(request_id)s user=%(user_id)s] %(message)s"
_RID = re.compile(r"[A-Za-z0-9-]{1,64}")
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime",
                                                                           "request_id", "user_id"}


class ContextFilter(logging.Filter):
    """Adds ``request_id`` and ``user_id`` (from the context variables) to every record, and
    ``run`` (``exercise``, ``demo``) to the records of work done inside :func:`routine`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = getattr(record, "request_id", None) or request_id.get()
        record.user_id = getattr(record, "user_id", None) or user_id.get()
        if run_kind.get() and not getattr(record, "run", None):
            record.run = run_kind.get()
        return True


@contextlib.contextmanager
def routine(kind: str):
    """Inside: the work is ``kind`` (``"exercise"``, ``"demo"``), not real casework; the engine's
    transitions and the sweeps are logged at DEBUG (:func:`work_level`) instead of INFO."""
    token = run_kind.set(kind)
    try:
        yield
    finally:
        run_kind.reset(token)


def work_level() -> int:
    """INFO for real work, DEBUG inside :func:`routine` (exercise runs, demo data loading)."""
    return logging.DEBUG if run_kind.get() else logging.INFO


class UTCFormatter(logging.Formatter):
    """Text lines with an ISO 8601 UTC timestamp (``2025-06-02T08:30:00.123Z``)."""

    converter = time.gmtime

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(record.created))
        return f"{stamp}.{int(record.msecs):03d}Z"


class JSONFormatter(UTCFormatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, ``message``, ``request_id``,
    ``user_id``, the record's extra fields (``event``, ``case``, ``trigger``…) and ``exc``."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {"time": self.formatTime(record), "level": record.levelname,
                               "logger": record.name, "message": record.getMessage(),
                               "request_id": getattr(record, "request_id", "-"),
                               "user_id": getattr(record, "user_id", "-")}
        for k, v in record.__dict__.items():
            if k not in _STANDARD and not k.startswith("_"):
                out[k] = v if isinstance(v, str | int | float | bool | None) else str(v)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


class StderrHandler(logging.StreamHandler):
    """Writes to the *current* ``sys.stderr`` (which tests and servers may replace)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):  # type: ignore[override]
        import sys
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


class RequestIdMiddleware:
    """ASGI middleware: a request id per HTTP request (the client's ``X-Request-ID`` when it is
    1-64 letters, digits or dashes, else a new one), in the logs and in the response header."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _RID.fullmatch(given) else uuid.uuid4().hex[:16]
        token = request_id.set(rid)
        user_token = user_id.set("-")

        async def send_with_id(message: dict) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)
            user_id.reset(user_token)


def config_dict(fmt: str = "text", level: str = "INFO") -> dict[str, Any]:
    """The ``dictConfig`` of the application (also given to uvicorn as ``log_config``)."""
    formatter = {"()": JSONFormatter} if fmt == "json" else {"()": UTCFormatter, "format": TEXT_FORMAT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": ContextFilter}},
        "formatters": {"main": formatter},
        "handlers": {"stderr": {"()": StderrHandler, "formatter": "main", "filters": ["context"]}},
        "loggers": {
            "mno": {"level": level, "handlers": ["stderr"], "propagate": False},
            "mno_workflow": {"level": level, "handlers": ["stderr"], "propagate": False},
            "uvicorn": {"level": level, "handlers": ["stderr"], "propagate": False},
            "uvicorn.access": {"level": level, "handlers": ["stderr"], "propagate": False},
            "uvicorn.error": {"level": level, "propagate": True},
        },
        "root": {"level": "WARNING", "handlers": ["stderr"]},
    }


def configure(fmt: str | None = None, level: str | None = None) -> dict[str, Any]:
    """Configure logging: ``fmt`` ``text``/``json`` (default ``$MNO_LOG_FORMAT``, else text),
    ``level`` (default ``$MNO_LOG_LEVEL``, else INFO). Returns the dict applied."""
    fmt = fmt or os.environ.get("MNO_LOG_FORMAT") or "text"
    level = (level or os.environ.get("MNO_LOG_LEVEL") or "INFO").upper()
    cfg = config_dict(fmt, level)
    logging.config.dictConfig(cfg)
    return cfg
