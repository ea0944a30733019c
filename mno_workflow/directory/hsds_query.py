"""Filters of the read-only HSDS 3.1 API, as the official ``openapi.json`` names them
(``search``, ``taxonomy_term_id``, ``taxonomy_id``, ``organization_id``, ``modified_after``,
``minimal``, ``top_only``, ``parent_id``, ``postcode``), applied to the nested HSDS objects of
:func:`mno_workflow.directory.hsds_json.objects`.

Ids in filters may be the HSDS UUID or the product's slug (``org-csps``): both name the same
object. ``search`` is a case- and accent-insensitive substring search in the names and
descriptions. ``modified_after`` compares with the object's last change in the directory's own
audit (``dir_audit``: imports and edits), an aware ISO 8601 date-time or a date. Raises
:class:`QueryError` (French / English) for a malformed value.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .hsds31 import hsds_id
from .tables import DirAudit

SEARCH_KEYS = ("name", "alternate_name", "description", "email", "code")


class QueryError(ValueError):
    """A filter value that cannot be read; ``param`` names it."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param


def _fold(text: Any) -> str:
    raw = unicodedata.normalize("NFKD", str(text or ""))
    return "".join(c for c in raw if not unicodedata.combining(c)).casefold()


def _ids(kind: str, value: str) -> set[str]:
    return {value, hsds_id(kind, value)}


def _terms(obj: dict) -> list[dict]:
    return [a.get("taxonomy_term") or {"id": a.get("taxonomy_term_id")} for a in obj.get("attributes") or []]


def _has_term(obj: dict, term: str) -> bool:
    wanted = _ids("taxonomy_term", term)
    return any(t.get("id") in wanted or t.get("code") == term for t in _terms(obj))


def _has_taxonomy(obj: dict, taxonomy: str) -> bool:
    wanted = _ids("taxonomy", taxonomy)
    return any((t.get("taxonomy_id") in wanted) for t in _terms(obj))


def parse_instant(text: str) -> datetime:
    """An aware instant from ``2026-01-31T10:00:00Z``, ``…+01:00`` or a date (its midnight UTC)."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        from mno_workflow.sop.diagnostics import said_fr
        raise QueryError("modified_after", said_fr(
            "modified_after : date-heure ISO 8601 avec fuseau attendue (« {text} »)", text=text))
    return moment


def last_changes(session: Session, kind: str) -> dict[str, datetime]:
    """``{HSDS id: last change}`` of every ``kind`` object from the directory's audit."""
    rows = session.execute(select(DirAudit.object_id, func.max(DirAudit.at))
                           .where(DirAudit.object_type == kind).group_by(DirAudit.object_id))
    out = {}
    for object_id, at in rows:
        out[hsds_id(kind, object_id)] = at
        out[object_id] = at
    return out


def apply(session: Session, kind: str, objects: Iterable[dict], params: dict[str, Any]) -> list[dict]:
    """The objects of ``kind`` (``service``, ``organization``…) that pass every given filter."""
    out = list(objects)
    search = (params.get("search") or "").strip()
    if search:
        needle = _fold(search)
        out = [o for o in out if any(needle in _fold(o.get(k)) for k in SEARCH_KEYS)]
    if params.get("taxonomy_term_id"):
        out = [o for o in out if _has_term(o, params["taxonomy_term_id"])]
    if params.get("taxonomy_id"):
        if kind == "taxonomy_term":
            wanted = _ids("taxonomy", params["taxonomy_id"])
            out = [o for o in out if o.get("taxonomy_id") in wanted]
        else:
            out = [o for o in out if _has_taxonomy(o, params["taxonomy_id"])]
    if params.get("organization_id"):
        wanted = _ids("organization", params["organization_id"])
        if kind == "service_at_location":
            services = {s["id"] for s in params.get("_services", []) if s.get("organization_id") in wanted}
            out = [o for o in out if o.get("service_id") in services]
        else:
            out = [o for o in out if o.get("organization_id") in wanted]
    if params.get("top_only"):
        out = [o for o in out if not o.get("parent_id")]
    if params.get("parent_id"):
        wanted = _ids("taxonomy_term", params["parent_id"])
        out = [o for o in out if o.get("parent_id") in wanted]
    if params.get("postcode"):
        code = params["postcode"].strip()
        out = [o for o in out if any(a.get("postal_code") == code
                                     for a in (o.get("location") or {}).get("addresses") or [])]
    if params.get("modified_after"):
        since = parse_instant(params["modified_after"])
        changed = last_changes(session, kind)
        out = [o for o in out if changed.get(o["id"]) is not None and changed[o["id"]] >= since]
    return out


def minimal(session: Session, kind: str, objects: list[dict]) -> list[dict]:
    """``[{"id", "modified_date"}]`` (HSDS ``minimal``): the last change from the directory's audit."""
    changed = last_changes(session, kind)
    return [{"id": o["id"], "modified_date": changed[o["id"]].isoformat() if o["id"] in changed else None}
            for o in objects]
