"""HSDS 3.1 JSON of the directory: fully nested ``service`` and ``organization`` objects as the official
schemas (``data/hsds31/schema``) and the HSDS API define them, built from :func:`hsds31.hsds_rows`.

Nesting follows the schemas: an array property whose items are ``X.json`` holds the rows of ``X``
pointing at the parent (``<parent>_id``; ``link_id`` for attributes, ``resource_id`` for metadata);
an object property (``organization``, ``program``, ``location``, ``unit``, ``taxonomy_term``,
``taxonomy_detail``) is the row its ``<property>_id`` names. Values are typed as the schemas say
(numbers, ``HH:MM:SS`` times, ISO dates, date-times in UTC ``Z`` form); empty values are left out;
fields HSDS requires but the product may not hold are filled as documented in
``docs/hsds-profile.md`` (``state_province`` ← region, ``postal_code`` ← "" — Burkina Faso has no
postal codes —, ``description`` ← name for taxonomies and terms). The ``mno`` profile's referral data
of a service is under ``mno_referral`` (JSON Schema: ``docs/hsds-profile.schema.json``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from mno_workflow.directory.hsds31 import PROFILE_URI, hsds_rows, schemas

OBJECT_KEYS = {"taxonomy_detail": ("taxonomy", "taxonomy_id")}
CHILD_KEYS = {"attribute": "link_id", "metadata": "resource_id"}
MAX_DEPTH = 4


def _ref_name(prop: dict[str, Any]) -> str | None:
    ref = (prop.get("items") or prop).get("$ref")
    return ref[: -len(".json")] if isinstance(ref, str) else None


def _typed(prop: dict[str, Any], value: Any) -> Any:
    """``value`` as the schema property ``prop`` wants it, or None when it cannot be."""
    if value is None or value == "":
        return None
    if prop.get("type") == "number":
        if isinstance(value, int | float):
            return value
        try:
            number = float(str(value).strip().strip('"'))
        except ValueError:
            return None
        return int(number) if number.is_integer() else number
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        if prop.get("format") == "date-time":
            return f"{value.isoformat()}T00:00:00Z"
        return value.isoformat()
    return str(value)


class Nester:
    """Builds nested HSDS objects from the rows of :func:`hsds_rows` (indexes built once)."""

    def __init__(self, rows: dict[str, list[dict[str, Any]]]) -> None:
        self.rows = rows
        self.by_id = {name: {r["id"]: r for r in table} for name, table in rows.items()}
        self.children: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
        for name, table in rows.items():
            for r in table:
                for col, value in r.items():
                    if col.endswith("_id") and isinstance(value, str):
                        self.children[(name, col, value)].append(r)
        self.referral = {r["service_id"]: r for r in rows.get("service_referral", []) if r.get("service_id")}

    def build(self, name: str, row: dict[str, Any], depth: int = 0, path: tuple[str, ...] = ()) -> dict:
        """The HSDS object ``name`` for ``row`` with its nested objects (to ``MAX_DEPTH``)."""
        schema = schemas()[name]
        out: dict[str, Any] = {}
        for key, prop in schema["properties"].items():
            target = _ref_name(prop)
            if target is None:
                value = _typed(prop, row.get(key))
                if value is not None:
                    out[key] = value
                continue
            if depth >= MAX_DEPTH or target in path:
                continue
            if prop.get("type") == "array":
                link = CHILD_KEYS.get(target, f"{name}_id")
                kids = self.children.get((target, link, row["id"]), [])
                if target == "attribute":
                    kids = [k for k in kids if k.get("link_entity") in (name, None, "")]
                out[key] = [self.build(target, k, depth + 1, (*path, name)) for k in kids]
            else:
                table, col = OBJECT_KEYS.get(key, (target, f"{key}_id"))
                ref = self.by_id.get(table, {}).get(row.get(col))
                if ref is not None:
                    out[key] = self.build(target, ref, depth + 1, (*path, name))
        self._fill_required(name, row, out)
        if name == "service" and row["id"] in self.referral:
            ref = self.referral[row["id"]]
            skip = ("id", "_ext", "service_id", "focal_point_user_id")  # a user id: not published
            kept = {k: v for k, v in ref.items() if k not in skip and v is not None}
            out["mno_referral"] = {k: _typed({}, v) for k, v in kept.items()}
        return out

    def _fill_required(self, name: str, row: dict[str, Any], out: dict[str, Any]) -> None:
        fill_required(name, row, out)


def fill_required(name: str, row: dict[str, Any], out: dict[str, Any]) -> None:
    """Fill in ``out`` the fields HSDS requires that ``row`` may not hold (docs/hsds-profile.md); the
    import reads these fills back as unchanged (:mod:`.hsds_own`)."""
    if name == "address":
        out.setdefault("state_province", row.get("region") or "")
        out.setdefault("postal_code", "")
    if name in ("taxonomy", "taxonomy_term", "organization", "program"):
        out.setdefault("description", row.get("name") or "")
    for key in schemas()[name].get("required", []):
        if key not in out and schemas()[name]["properties"][key].get("type") == "string":
            out[key] = ""


def objects(session: Session, name: str, *, public: bool = False) -> list[dict[str, Any]]:
    """Every row of HSDS object ``name`` (e.g. ``service``, ``organization``, ``taxonomy``,
    ``service_at_location``), fully nested, by id. ``public``: without the staff's personal
    contacts (:mod:`.public`: no ``contacts``, no phone of a contact)."""
    rows = hsds_rows(session, public=public)
    nester = Nester(rows)
    return [nester.build(name, r) for r in sorted(rows.get(name, []), key=lambda r: r["id"])]


def services(session: Session, *, public: bool = False) -> list[dict[str, Any]]:
    """Every service as a fully nested HSDS 3.1 ``service`` object, by id (see :func:`objects`)."""
    return objects(session, "service", public=public)


def organizations(session: Session, *, public: bool = False) -> list[dict[str, Any]]:
    """Every organisation as a fully nested HSDS 3.1 ``organization`` object, by id."""
    return objects(session, "organization", public=public)


def export_json(session: Session, path: Any, *, public: bool = False) -> None:
    """Write ``{"profile", "services": [...], "organizations": [...]}`` (nested HSDS JSON) to ``path``;
    ``public``: the public form (:mod:`.public`)."""
    from mno_workflow.directory.versions import EXPORT_KEY, directory_version

    doc = {"version": "3.1", "profile": PROFILE_URI, "services": services(session, public=public),
           "organizations": organizations(session, public=public),
           EXPORT_KEY: directory_version(session)}  # the import names what changed since (H7)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(doc, ensure_ascii=False, indent=1) + "\n")


# -------------------------------------------------------------------------------------------- read


def _scalar_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    return value


def flatten(doc: Any, label: str = "<json>") -> tuple[dict[str, list[Any]], list[Any]]:
    """Rows (``RawRow``, HSDS rules) of nested HSDS JSON: ``{"services": [...], "organizations":
    [...]}`` (this module's export), an API page ``{"contents": [...]}``, a list of services or one
    service. Each nested object becomes a row of its table (first occurrence of an id wins); scalar
    properties HSDS does not define go to ``extensions``; ``mno_referral`` is not read back (its
    focal point is not published). Returns (sources, problems)."""
    from mno_workflow.directory.hsds_io import Problem, RawRow

    if isinstance(doc, dict) and ("services" in doc or "organizations" in doc):
        tops = [("service", o) for o in doc.get("services") or []]
        tops += [("organization", o) for o in doc.get("organizations") or []]
    elif isinstance(doc, dict) and "contents" in doc:
        tops = [("service", o) for o in doc["contents"]]
    elif isinstance(doc, list):
        tops = [("service", o) for o in doc]
    elif isinstance(doc, dict):
        tops = [("service", doc)]
    else:
        from mno_workflow.sop.diagnostics import said_fr
        return {}, [Problem(label, 0, "-", said_fr("objet ou liste HSDS attendu"))]
    sources: dict[str, list[Any]] = {}
    seen: set[tuple[str, str]] = set()
    problems: list[Any] = []

    def walk(name: str, obj: Any, parent: tuple[str, str] | None) -> None:
        if not isinstance(obj, dict):
            from mno_workflow.sop.diagnostics import said_fr
            problems.append(Problem(f"{label}[{name}]", 0, "-", said_fr("objet attendu")))
            return
        props = schemas()[name]["properties"]
        values: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for key, value in obj.items():
            prop = props.get(key)
            if prop is not None and _ref_name(prop) is not None:
                target = _ref_name(prop)
                for child in value if isinstance(value, list) else [value]:
                    walk(target, child, (name, str(obj.get("id"))))
            elif prop is not None:
                values[key] = _scalar_text(value)
            elif key != "mno_referral" and not isinstance(value, dict | list):
                extra[key] = value
        if parent and f"{parent[0]}_id" in props and not values.get(f"{parent[0]}_id"):
            values[f"{parent[0]}_id"] = parent[1]
        if extra:
            values["extensions"] = extra
        key = (name, str(values.get("id")))
        if key in seen:
            return
        seen.add(key)
        rows = sources.setdefault(name, [])
        rows.append(RawRow(f"{label}[{name}]", len(rows) + 1, values, True))

    for name, obj in tops:
        walk(name, obj, None)
    return sources, problems


def read_hsds_json(path: Any) -> tuple[dict[str, list[Any]], list[Any]]:
    """:func:`flatten` of the JSON file ``path`` (Problem when unreadable)."""
    from pathlib import Path

    from mno_workflow.directory.hsds_io import Problem

    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        from mno_workflow.i18n.files import file_error
        return {}, [Problem(path.name, 0, "-", file_error(path, exc))]
    except ValueError as exc:  # the reader's English is logged, the position kept
        from mno_workflow.directory.read_words import json_error
        return {}, [Problem(path.name, getattr(exc, "lineno", 0), str(getattr(exc, "colno", "-")),
                            json_error(exc))]
    return flatten(doc, path.name)
