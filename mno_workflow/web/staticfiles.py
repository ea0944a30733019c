"""Static files (CSS, JavaScript, vendored htmx) under fingerprinted names, cached for a year.

``/static/app.3f2a9c1b07.css`` serves ``app.css`` when ``3f2a9c1b07`` is the first 10 hex digits
of its SHA-256 (computed once at start-up): such a URL never changes content, so it is sent with
``Cache-Control: public, max-age=31536000, immutable``; the plain name (``/static/app.css``) still
works with a one-hour cache. Templates call ``static_url('app.css')``. Compression is Starlette's
``GZipMiddleware`` (see :func:`.app.create_app`).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from fastapi.staticfiles import StaticFiles

FINGERPRINT = re.compile(r"^(?P<stem>[^/]+)\.(?P<digest>[0-9a-f]{10})(?P<ext>\.[A-Za-z0-9]+)$")
YEAR = "public, max-age=31536000, immutable"
HOUR = "public, max-age=3600"


class FingerprintedStatic(StaticFiles):
    """:class:`StaticFiles` that knows each top-level file's digest (see module doc)."""

    def __init__(self, directory: Path | str):
        super().__init__(directory=str(directory))
        self.digests = {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:10]
            for p in Path(directory).iterdir()
            if p.is_file()
        }

    def url(self, name: str) -> str:
        """``/static/<stem>.<digest><ext>`` for a known file, else ``/static/<name>``."""
        digest = self.digests.get(name)
        if digest is None:
            return f"/static/{name}"
        stem, dot, ext = name.rpartition(".")
        return f"/static/{stem}.{digest}.{ext}" if dot else f"/static/{name}"

    async def get_response(self, path: str, scope):
        m = FINGERPRINT.match(path)
        immutable = False
        if m and self.digests.get(m["stem"] + m["ext"]) == m["digest"]:
            path, immutable = m["stem"] + m["ext"], True
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["cache-control"] = YEAR if immutable else HOUR
        return response


class StaticGZip:
    """Starlette's ``GZipMiddleware`` for ``/static/`` only: pages are not compressed, because they
    carry the CSRF token next to text a user typed (BREACH)."""

    def __init__(self, app, minimum_size: int = 500):
        from starlette.middleware.gzip import GZipMiddleware

        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope.get("path", "").startswith("/static/"):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)
