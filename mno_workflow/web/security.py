"""Passwords (argon2id), API token digests (SHA-256) and secure headers (HSTS when the server
runs behind TLS). Login throttling is in :mod:`.throttle`, API tokens in :mod:`.tokens`, sessions
in :mod:`.websessions`.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

TOKEN_PREFIX = "mno_"

_hasher = PasswordHasher()
# Verified when the user does not exist, so that timing does not reveal which names exist.
_DUMMY_HASH = _hasher.hash("mno-workflow-dummy-password")


def hash_password(password: str) -> str:
    """An argon2id hash (salted, with its parameters) of ``password``."""
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored`` (an argon2 hash). Never raises."""
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def wall_now() -> datetime:
    return datetime.now(UTC)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

SECURE_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecureHeadersMiddleware:
    """Adds the secure headers (and HSTS with ``hsts``, i.e. behind TLS) to every HTTP response (a
    route may set a stricter or specific CSP itself, e.g. the handbook with its own stylesheet), and
    ``Cache-Control: no-store`` to every response that is not a static file (pages carry personal
    data; shared laptops)."""

    def __init__(self, app, hsts: bool = False):
        self.app = app
        self.extra = [(b"strict-transport-security", b"max-age=31536000")] if hsts else []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")

        async def wrapped(event):
            if event["type"] == "http.response.start":
                headers = list(event.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURE_HEADERS + self.extra if k not in present]
                if not static and not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                event = {**event, "headers": headers}
            await send(event)

        await self.app(scope, receive, wrapped)


class RequestHygieneMiddleware:
    """Outside the CSRF middleware, two checks on every HTTP request.

    - The ``Authorization`` header is dropped outside ``/api/`` and the read-only ``/hsds``:
      pages authenticate with the session cookie only, and the CSRF middleware skips its check
      for any request carrying ``Authorization: Bearer``.
    - A ``multipart/form-data`` body without a ``boundary`` gets 400 (it cannot be parsed; it
      used to crash into a 500); a boundary written another way (``;boundary=x``) is normalised.
      Pages take URL-encoded forms only: a multipart body to a page gets 415 (the CSRF
      middleware's multipart parser fails with the installed python-multipart).
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = list(scope.get("headers") or [])
        changed = False
        # /hsds (GET only) reads a bearer token too: with it, the staff's contacts (routes/hsds.py)
        if not _bearer_path(scope.get("path", "")) and any(k == b"authorization" for k, _ in headers):
            headers = [(k, v) for k, v in headers if k != b"authorization"]
            changed = True
        for i, (k, v) in enumerate(headers):
            if k == b"content-type" and v.split(b";", 1)[0].strip().lower() == b"multipart/form-data":
                boundary = _boundary(v)
                if not boundary:
                    await _bad_request(send)
                    return
                if not scope.get("path", "").startswith("/api/") and not is_upload(scope):
                    await _bad_request(send, 415, "Type de contenu non pris en charge : les pages "
                                       "acceptent des formulaires application/x-www-form-urlencoded. "
                                       "/ Unsupported media type.")
                    return
                headers[i] = (k, b"multipart/form-data; boundary=" + boundary)
                changed = True
        if changed:
            scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)


def _bearer_path(path: str) -> bool:
    """Whether a request to ``path`` may carry ``Authorization`` (the REST API; the HSDS API)."""
    return path.startswith(("/api/", "/hsds/")) or path == "/hsds"


def _boundary(content_type: bytes) -> bytes | None:
    for part in content_type.split(b";")[1:]:
        name, _, value = part.strip().partition(b"=")
        if name.strip().lower() == b"boundary" and value.strip().strip(b'"'):
            return value.strip().strip(b'"')
    return None


async def _bad_request(send, status: int = 400, text: str = "") -> None:
    body = (text or "Requête invalide : corps multipart/form-data sans « boundary ». "
            "/ Bad request: multipart/form-data body without a boundary.").encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


UPLOAD_PATH = re.compile(r"^/dossiers/[^/]+/pieces/[^/]+$")


def is_upload(scope) -> bool:
    """A file upload (attachments): the only page route taking ``multipart/form-data``. The CSRF
    middleware skips it (its multipart parser fails); the route checks the token itself with
    :func:`upload_csrf_ok`."""
    return scope.get("method") == "POST" and bool(UPLOAD_PATH.match(scope.get("path", "")))


def upload_csrf_ok(secret: str, cookie: str | None, field: str | None) -> bool:
    """The double-submit check of asgi-csrf for an upload: the ``csrftoken`` cookie is signed with
    ``secret`` and the form's ``csrftoken`` field equals it."""
    import secrets as _secrets

    from itsdangerous import BadSignature
    from itsdangerous.url_safe import URLSafeSerializer

    if not cookie or not field:
        return False
    try:
        URLSafeSerializer(secret).loads(cookie, "csrftoken")
    except BadSignature:
        return False
    return _secrets.compare_digest(cookie, field)
