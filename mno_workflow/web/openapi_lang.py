"""The OpenAPI documents (``/api/v1/openapi.json``, ``/hsds/openapi.json``) in the reader's language:
``?lang=`` else ``Accept-Language`` (French unless a catalogue matches). Only the words change —
every ``description`` and ``summary`` (API, tags, operations, parameters, responses, schemas and
their fields, security schemes) is a catalogue message, written in the code with ``N_("…")``
(French source) or ``said("…")`` (English source: the HSDS words of the official document,
FastAPI's own). Paths, operation ids and schemas are the same in every language (API clients
depend on them). One document per language is built once and kept.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from ..i18n import norm_lang, texts
from ..sop.diagnostics import said

#: the words FastAPI writes itself in every document (English), translated like ours
FRAMEWORK_WORDS = (said("Successful Response"), said("Validation Error"))
#: keys whose text value is a sentence for people
WORDED = frozenset({"description", "summary"})
#: keys holding data (examples, defaults, allowed values): never translated, even a « description »
DATA = frozenset({"examples", "example", "default", "enum", "const"})


def request_lang(query_lang: str | None, accept_language: str | None) -> str:
    """The language of a document request: ``?lang=`` when given, else that of
    ``Accept-Language`` as for the API's error messages (``en-GB`` → ``en``), else French."""
    if query_lang:
        return norm_lang(query_lang)
    from .api_models import lang_of
    return lang_of(accept_language)


def translated(doc: dict[str, Any], lang: str) -> dict[str, Any]:
    """A copy of the OpenAPI document ``doc`` with its descriptions and summaries in ``lang`` (a
    text not in the catalogues stays as written)."""
    words = texts(lang)

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (words.get(v, v) if k in WORDED and isinstance(v, str)
                        else v if k in DATA else walk(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(copy.deepcopy(doc))


class Documents:
    """One translated document per language, built from ``build()`` on first demand; ``fill``
    (``str.format`` values) completes the translated ``info.description`` when it holds
    placeholders (the HSDS profile: ``{profile}``)."""

    def __init__(self, build: Callable[[], dict[str, Any]], **fill: str):
        self.build, self.fill = build, fill
        self.by_lang: dict[str, dict[str, Any]] = {}

    def get(self, lang: str) -> dict[str, Any]:
        found = self.by_lang.get(lang)
        if found is None:
            found = translated(self.build(), lang)
            if self.fill:
                info = found.get("info", {})
                if "description" in info:
                    info["description"] = info["description"].format(**self.fill)
            self.by_lang[lang] = found
        return found

    def clear(self) -> None:
        self.by_lang.clear()


def add_document_route(where: Any, documents: Documents) -> None:
    """Add ``GET /openapi.json`` to ``where`` (an application or a router): ``documents`` in
    ``?lang=`` else ``Accept-Language``, with ``Content-Language`` and ``Vary``; under a mount
    (``/api/v1``) the document names it in ``servers``, as FastAPI's own route does."""
    @where.get("/openapi.json", include_in_schema=False)
    def openapi(request: Request, lang: str | None = None) -> JSONResponse:
        chosen = request_lang(lang, request.headers.get("accept-language"))
        doc = documents.get(chosen)
        root_path = request.scope.get("root_path", "").rstrip("/")
        if root_path and root_path not in {s.get("url") for s in doc.get("servers", [])}:
            doc = {**doc, "servers": [{"url": root_path}, *doc.get("servers", [])]}
        return JSONResponse(doc, headers={"Content-Language": chosen, "Vary": "Accept-Language"})
