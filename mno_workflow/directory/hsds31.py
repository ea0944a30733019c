"""HSDS 3.1 as Open Referral lays it out: reading the official tabular package, writing it back, and
the nested HSDS JSON of ``service`` / ``organization`` objects (for exports and the ``/hsds`` API).

The layout (object names, file names such as ``organizations.csv``, columns, nesting) comes from the
official schemas vendored in ``data/hsds31/schema`` (CC BY-SA 4.0, Open Referral). Reading: files
are matched by ``datapackage.json`` (when it is a real descriptor) or by HSDS file names; columns
and files HSDS does not know are kept in ``extensions``; rows are validated with HSDS rules only
(``RawRow.hsds``). Writing: ids that are not UUIDs (the product's slugs such as ``org-apr``) are
written as deterministic UUIDs (:func:`hsds_id`, uuid5 of ``<object>/<slug>``), references alike,
and each organisation's slug is kept as an ``organization_identifier`` (scheme :data:`SLUG_SCHEME`).
The ``mno`` profile's tables (``service_referral``) are written beside the HSDS files; see
``docs/hsds-profile.md``.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from mno_workflow.directory import sniff
from mno_workflow.directory.hsds_io import Problem, RawRow, dump_tables
from mno_workflow.directory.schema import MODELS, foreign_keys

SCHEMA_DIR = Path(__file__).parent / "data" / "hsds31" / "schema"
PROFILE_URI = "urn:mno-workflow:hsds-profile:mno:1.0"  # documented in docs/hsds-profile.md
NAMESPACE = uuid.UUID("6f1c1a52-3b8e-5b8c-9d3a-2f0b6a1d7e10")
SLUG_SCHEME = "mno-workflow"
PROFILE_TABLES = ("service_referral",)
UNRESOLVED = "hsds:unresolved"


@cache
def schemas() -> dict[str, dict[str, Any]]:
    """``{object name: official JSON Schema}`` for the 22 HSDS 3.1 objects, in datapackage order."""
    out = []
    for path in SCHEMA_DIR.glob("*.json"):
        if path.name == "openapi.json":
            continue
        doc = json.loads(path.read_text(encoding="utf-8"))
        out.append((doc["datapackage_metadata"]["order"], doc["name"], doc))
    return {name: doc for _order, name, doc in sorted(out, key=lambda t: (t[0], t[1]))}


def columns(name: str) -> list[str]:
    """The tabular columns of HSDS object ``name`` (its scalar properties, in schema order)."""
    return [
        k for k, v in schemas()[name]["properties"].items() if v.get("type") not in ("array", "object", None)
    ]


def file_names() -> dict[str, str]:
    """``{HSDS file name: object name}`` (``organizations.csv`` → ``organization``)."""
    return {doc["path"]: name for name, doc in schemas().items()}


def is_hsds_package(folder: Path) -> bool:
    """Whether ``folder`` holds an HSDS 3.1 tabular package rather than the product's own package:
    it has a ``datapackage.json`` or a file named as HSDS names it and not as the product does."""
    folder = Path(folder)
    descriptor = folder / "datapackage.json"
    if descriptor.exists():
        try:
            return json.loads(descriptor.read_text(encoding="utf-8-sig")).get("name") != "mno-directory"
        except (OSError, ValueError, AttributeError):
            return True
    return any(f.name in file_names() and f.stem not in MODELS for f in folder.glob("*.csv"))


def _descriptor_paths(folder: Path, problems: list[Problem]) -> dict[str, str]:
    """``{file name: object}`` from ``datapackage.json`` when it is a descriptor; else HSDS's names.

    A descriptor that is no JSON (e.g. a symbolic link stored as text, as in the official example)
    is a warning-free fallback to the HSDS file names; a resource naming an unknown object is kept
    as an extension file."""
    names = dict(file_names())
    path = folder / "datapackage.json"
    if not path.exists():
        return names
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return names
    for res in doc.get("resources", []) if isinstance(doc, dict) else []:
        if isinstance(res, dict) and res.get("name") in MODELS and isinstance(res.get("path"), str):
            names[Path(res["path"]).name] = res["name"]
    return names


def read_hsds_package(folder: Path) -> tuple[dict[str, list[RawRow]], list[Problem]]:
    """Read an HSDS 3.1 tabular package: rows of known objects (unknown columns → ``extensions``),
    other CSV files whole as ``extension_file`` rows. Returns (sources, problems)."""
    folder = Path(folder)
    problems: list[Problem] = []
    paths = _descriptor_paths(folder, problems)
    sources: dict[str, list[RawRow]] = {}
    for path in sorted(folder.glob("*.csv")):
        label = path.name
        name = paths.get(label) or (path.stem if path.stem in MODELS else None)
        try:
            text, _ = sniff.read_text(path)  # read and decoded once for both
            reader = sniff.reader(path, text=text)
            table = list(reader)
            opened = sniff.swallowed_rows(path, text=text)
        except sniff.UndecidableEncoding as exc:
            problems.append(Problem(label, 0, "-", exc.args[0]))  # a said_fr message
            continue
        except csv.Error as exc:
            from mno_workflow.directory.read_words import csv_error
            line = getattr(reader, "line_num", 0)
            problems.append(Problem(label, line, "-", csv_error(exc, line)))
            continue
        if opened is not None:  # the rest of the file read as one cell (tryout 3, F8)
            from mno_workflow.sop.diagnostics import said_fr
            problems.append(Problem(label, opened, "-", said_fr(
                "un guillemet ouvert ici n'est pas fermé où il le faudrait : les lignes suivantes seraient "
                "lues comme une seule cellule")))
            continue
        if not table:
            from mno_workflow.sop.diagnostics import said_fr
            problems.append(Problem(label, 1, "-", said_fr("fichier vide : ligne d'en-tête attendue")))
            continue
        header = [h.strip() for h in table[0]]
        if name is None or name == "extension_file":
            sources.setdefault("extension_file", []).append(
                RawRow(label, 1, {"id": label, "extensions": {"header": header, "rows": table[1:]}}, True)
            )
            continue
        known = MODELS[name].model_fields
        from mno_workflow.directory.read_words import one_column
        if one_column(header, known):  # a separator not detected: one line, not a row per cell
            problems.append(Problem(label, 1, "-", one_column(header, known)))
            continue
        rows = sources.setdefault(name, [])
        for number, cells in enumerate(table[1:], start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                from mno_workflow.sop.diagnostics import said_fr
                message = said_fr("{cells} cellules pour {columns} colonnes", cells=len(cells),
                                  columns=len(header))
                problems.append(Problem(label, number, "-", message))
                continue
            values: dict[str, Any] = {}
            extra: dict[str, Any] = {}
            for col, cell in zip(header, cells, strict=False):
                (values if col in known and col != "extensions" else extra)[col] = cell
            if extra:
                values["extensions"] = extra
            rows.append(RawRow(label, number, values, True))
    return sources, problems


# ------------------------------------------------------------------------------------------- write


def hsds_id(name: str, ident: str | None) -> str | None:
    """The HSDS id (a UUID) of the row ``ident`` of object ``name``: itself when it is a UUID, else
    uuid5(:data:`NAMESPACE`, ``"<name>/<ident>"``) — stable, so references stay valid."""
    if ident is None:
        return None
    try:
        return str(uuid.UUID(ident))
    except ValueError:
        return str(uuid.uuid5(NAMESPACE, f"{name}/{ident}"))


def _timezone_number(row: dict[str, Any]) -> float | int | None:
    """HSDS ``schedule.timezone``: a UTC offset in hours (an IANA name is converted at ``dtstart``)."""
    value = row.get("timezone")
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except ValueError:
        try:
            zone = ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            return None
        day = row.get("dtstart") or row.get("valid_from") or date(2026, 1, 1)
        number = zone.utcoffset(datetime(day.year, day.month, day.day)).total_seconds() / 3600
    return int(number) if number == int(number) else number


def _time(value: str | None) -> str | None:
    """``HH:MM`` → ``HH:MM:SS`` (HSDS examples); other HSDS times unchanged."""
    if value and len(value) == 5:
        return value + ":00"
    return value


def hsds_rows(session: Session, *, public: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Every directory object as HSDS 3.1 rows: ``{object: [ {column: value} ]}`` with UUID ids and
    references, unresolved references restored, extension columns added after the HSDS ones, and
    an ``organization_identifier`` for each organisation whose id is a slug. Profile tables and
    extension files are included under their own names. ``public``: without the staff's personal
    contacts (:mod:`.public`)."""
    data = dump_tables(session, public=public)
    out: dict[str, list[dict[str, Any]]] = {}
    for name, rows in data.items():
        if name == "extension_file":  # kept whole, under its file name
            out[name] = [{"id": r["id"], "_ext": r["extensions"] or {}} for r in rows]
            continue
        fks = foreign_keys(name)
        converted = []
        for row in rows:
            ext = dict(row.get("extensions") or {})
            unresolved = ext.pop(UNRESOLVED, {})
            new: dict[str, Any] = {}
            for col, value in row.items():
                if col == "extensions":
                    continue
                if col == "id":
                    value = hsds_id(name, value)
                elif col in unresolved:
                    value = unresolved[col]
                elif col in fks:
                    value = hsds_id(fks[col], value)
                elif name == "attribute" and col == "link_id" and row.get("link_entity") in MODELS:
                    value = hsds_id(row["link_entity"], value)
                new[col] = value
            if name == "schedule":
                new["timezone"] = _timezone_number(row)
                new["opens_at"], new["closes_at"] = _time(row["opens_at"]), _time(row["closes_at"])
            new["_ext"] = ext
            converted.append(new)
        out[name] = converted
    idents = out.get("organization_identifier", [])
    existing = {(r["organization_id"], r["identifier_scheme"]) for r in idents}
    for org in data.get("organization", []):
        if hsds_id("organization", org["id"]) != org["id"]:
            oid = hsds_id("organization", org["id"])
            if (oid, SLUG_SCHEME) not in existing:
                out.setdefault("organization_identifier", []).append(
                    {"id": hsds_id("organization_identifier", f"slug/{org['id']}"), "organization_id": oid,
                     "identifier_scheme": SLUG_SCHEME, "identifier_type": "slug", "identifier": org["id"],
                     "_ext": {}}
                )
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(int(value)) if value == int(value) else repr(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def datapackage() -> dict[str, Any]:
    """The ``datapackage.json`` of an HSDS 3.1 tabular package, built from the official schemas
    as HSDS's own tooling does (one resource per object: name, path, format, mediatype, profile,
    schema with fields, primaryKey and foreignKeys)."""
    resources = []
    for name, doc in schemas().items():
        fields = []
        fkeys = []
        required = set(doc.get("required", [])) | set(doc.get("tabular_required", []))
        for col in columns(name):
            prop = doc["properties"][col]
            field: dict[str, Any] = {"name": col, "type": prop.get("datapackage_type", prop["type"])}
            for key in ("title", "description", "format"):
                if key in prop:
                    field[key] = prop[key]
            constraints = dict(prop.get("constraints", {}))
            constraints["required"] = col in required
            if "enum" in prop:
                constraints["enum"] = prop["enum"]
            field["constraints"] = constraints
            fields.append(field)
            target = foreign_keys(name).get(col) if name in MODELS else None
            if target and target in schemas():
                fkeys.append({"fields": col, "reference": {"resource": target, "fields": "id"}})
        schema: dict[str, Any] = {"fields": fields, "primaryKey": "id"}
        if fkeys:
            schema["foreignKeys"] = fkeys
        resources.append(
            {"name": name, "path": doc["path"], **doc["datapackage_metadata"], "schema": schema}
        )
    for res in resources:
        res.pop("order", None)
    return {
        "name": "human_services_data",
        "title": "Human Services Data Specification",
        "profile": "tabular-data-package",
        "version": "3.1",
        "hsds_profile": PROFILE_URI,
        "license": {"name": "CC-BY-SA-4.0", "path": "https://creativecommons.org/licenses/by-sa/4.0/"},
        "resources": resources,
    }


def export_tabular(session: Session, dest: Path | str, *, public: bool = False) -> list[Path]:
    """Write the HSDS 3.1 tabular package to folder ``dest``: one file per HSDS object under its
    HSDS name (every file, even empty), the profile tables, the kept extension files, and
    ``datapackage.json``. Returns the files written. ``public``: the public form (:mod:`.public`)."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    rows = hsds_rows(session, public=public)
    written: list[Path] = []

    def write(path: Path, header: list[str], body: list[list[str]]) -> None:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(body)
        path.write_text(buf.getvalue(), encoding="utf-8")
        written.append(path)

    for name, doc in schemas().items():
        cols = columns(name)
        table = rows.get(name, [])
        # the product's own columns (e.g. ``note``) follow as extension columns, then kept extras
        own = [
            c for c in MODELS.get(name, MODELS["extension_file"]).model_fields
            if c not in cols and c != "extensions" and any(r.get(c) is not None for r in table)
        ]
        extra = list(dict.fromkeys(k for r in table for k in r["_ext"]))
        body = [
            [_cell(r.get(c)) for c in cols + own] + [_cell(r["_ext"].get(k)) for k in extra] for r in table
        ]
        write(dest / doc["path"], cols + own + extra, body)
    descriptor = datapackage()
    from mno_workflow.directory.versions import EXPORT_KEY, directory_version

    descriptor[EXPORT_KEY] = directory_version(session)  # the import names what changed since (H7)
    for name in PROFILE_TABLES:
        cols = [c for c in MODELS[name].model_fields if c != "extensions"]
        write(dest / f"{name}.csv", cols, [[_cell(r.get(c)) for c in cols] for r in rows.get(name, [])])
        descriptor["resources"].append(
            {"name": name, "path": f"{name}.csv", "format": "csv", "mediatype": "text/csv",
             "profile": "tabular-data-resource", "hsds_profile": PROFILE_URI}
        )
    for ext in rows.get("extension_file", []):
        kept = ext["_ext"]
        write(dest / Path(ext["id"]).name, kept.get("header", []), kept.get("rows", []))
    (dest / "datapackage.json").write_text(
        json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    written.append(dest / "datapackage.json")
    return written

