"""Import and export of the directory as HSDS files: a CSV package (one CSV per object) or one JSON file.

Import validates every row with its pydantic model, then checks ids, foreign keys and area names
across the whole package (and the rows already in the database), and reports every problem as
``file:row:column: message`` (row = line in the CSV file, 1 = header). Nothing is written unless
the whole package is valid; :func:`import_package` then inserts or updates rows by id (rows absent
from the package are kept) and writes one ``dir_audit`` row per added or changed object, all in
the caller's transaction. ``dry_run=True`` only reports what would be added, changed or
unchanged. Export writes the same shapes back, ordered by id, so import → export → import changes
nothing.

The JSON form is the tabular package in one file: ``{"profile": ..., "<object>": [row, ...]}``.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from mno_workflow.directory.areas import AreaRegistry, default_registry
from mno_workflow.directory.schema import MODELS, PROFILE_REQUIRED, foreign_keys
from mno_workflow.directory.tables import TABLES, DirAudit

PROFILE = "https://openreferral.org/hsds/3.0 + mno-workflow/service_referral"
CHUNK = 500
Progress = Callable[[str, int], None]


@dataclass(frozen=True, order=True)
class Problem:
    """One validation problem. ``row`` is the CSV line (1 = header; 0 = the file itself)."""

    file: str
    row: int
    column: str
    message: str

    def format(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.message}"


class DirectoryValidationError(Exception):
    """Raised when directory data is invalid; ``problems`` lists every problem found, in file order."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(p.format() for p in problems))


class DirectoryImportError(DirectoryValidationError):
    """Raised when an import package is invalid; nothing was written."""


@dataclass(frozen=True)
class RawRow:
    """One row as read: ``hsds`` = from an HSDS 3.1 package (HSDS rules; unknown references kept)."""

    file: str
    row: int
    values: dict[str, Any]
    hsds: bool = False


@dataclass
class TableChanges:
    """Ids of one HSDS object added, changed and unchanged by an import."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do), per HSDS object name."""

    dry_run: bool
    tables: dict[str, TableChanges] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    def total(self, kind: str) -> int:
        """Number of ``kind`` (``added``, ``changed`` or ``unchanged``) rows over all objects."""
        return sum(len(getattr(t, kind)) for t in self.tables.values())

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            name: {"added": len(t.added), "changed": len(t.changed), "unchanged": len(t.unchanged)}
            for name, t in self.tables.items()
        }

    @property
    def has_changes(self) -> bool:
        return self.total("added") + self.total("changed") > 0


# --------------------------------------------------------------------------------------------- read
# The readers live in hsds_read.py; these names stay importable from here.


def read_csv_package(folder: Path) -> tuple[dict[str, list[RawRow]], list[Problem]]:
    """See :func:`mno_workflow.directory.hsds_read.read_csv_package`."""
    from mno_workflow.directory import hsds_read

    return hsds_read.read_csv_package(folder)


def read_json_package(path: Path) -> tuple[dict[str, list[RawRow]], list[Problem]]:
    """See :func:`mno_workflow.directory.hsds_read.read_json_package`."""
    from mno_workflow.directory import hsds_read

    return hsds_read.read_json_package(path)


def rows_from_mapping(
    data: dict[str, Any], label: str = "<data>"
) -> tuple[dict[str, list[RawRow]], list[Problem]]:
    """See :func:`mno_workflow.directory.hsds_read.rows_from_mapping`."""
    from mno_workflow.directory import hsds_read

    return hsds_read.rows_from_mapping(data, label)


def read_package(path: Path) -> tuple[dict[str, list[RawRow]], list[Problem]]:
    """See :func:`mno_workflow.directory.hsds_read.read_package`."""
    from mno_workflow.directory import hsds_read

    return hsds_read.read_package(path)


# ----------------------------------------------------------------------------------------- validate


_PATTERN_HINTS = {
    "url": "lien http(s)://, mailto: ou tel: attendu (javascript: et autres refusés)",
    "website": "lien http(s)://, mailto: ou tel: attendu (javascript: et autres refusés)",
    "number": "numéro de téléphone attendu, ex. +226 70 12 34 56",
    "currency": "code de devise ISO 4217 attendu : XOF",
    "opens_at": "heure HH:MM attendue",
    "closes_at": "heure HH:MM attendue",
    "byday": "jours RFC 5545 attendus, ex. MO,TU,WE",
    "email": "adresse e-mail attendue",
    "assurer_email": "adresse e-mail attendue",
    "focal_point_user_id": "identifiant d'utilisateur attendu, ex. focal.oim",
    "country": "code pays ISO 3166 attendu, ex. BF",
    "code": "code de langue ISO 639 attendu, ex. fr, mos, dyu, ff",
}


def _french(err: dict[str, Any], column: str) -> str:
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "valeur obligatoire manquante"
    if kind == "extra_forbidden":
        return "colonne inconnue"
    if kind == "literal_error":
        return f"valeur '{value}' invalide ; attendu : {ctx.get('expected', '')}".replace(" or ", ", ")
    if kind.startswith("date_") or kind == "date_type":
        return f"date invalide '{value}' (attendu AAAA-MM-JJ, date réelle)"
    if kind.startswith("int_"):
        return f"nombre entier attendu, reçu '{value}'"
    if kind.startswith("float_"):
        return f"nombre attendu, reçu '{value}'"
    if kind == "greater_than_equal":
        return f"valeur {value} trop petite : minimum {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"valeur {value} trop grande : maximum {ctx.get('le')}"
    if kind == "string_too_short" or (kind == "string_type" and value is None):
        return "valeur obligatoire manquante"
    if kind == "string_too_long":
        return f"valeur trop longue (maximum {ctx.get('max_length')} caractères)"
    if kind == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(column, f"format attendu {ctx.get('pattern')}")
        return f"valeur '{value}' mal formée : {hint}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind == "string_type":
        return f"texte attendu, reçu {value!r}"
    return str(err["msg"])


def _fk_label(table: str) -> str:
    return {
        "organization": "organisation",
        "service": "service",
        "location": "lieu",
        "unit": "unité",
        "taxonomy": "taxonomie",
        "taxonomy_term": "terme de taxonomie",
        "contact": "contact",
        "service_at_location": "service-lieu",
    }.get(table, table)


@dataclass
class _Valid:
    raw: RawRow
    values: dict[str, Any]


def _existing_ids(session: Session, name: str, ids: Iterable[str]) -> set[str]:
    table = TABLES[name]
    ids = list(ids)
    found: set[str] = set()
    for i in range(0, len(ids), CHUNK):
        found |= set(session.scalars(select(table.c.id).where(table.c.id.in_(ids[i : i + CHUNK]))))
    return found


def validate_rows(
    session: Session | None,
    sources: dict[str, list[RawRow]],
    registry: AreaRegistry | None = None,
    warnings: list[Problem] | None = None,
) -> tuple[dict[str, list[_Valid]], list[Problem]]:
    """Validate rows, ids, foreign keys (package ∪ database) and service-area names.

    Rows of an HSDS package (``RawRow.hsds``) follow HSDS 3.1 rules: a reference to an object in
    neither the package nor the database is moved to ``extensions["hsds:unresolved"]`` and
    reported in ``warnings`` (if given) instead of being an error; the ``mno`` profile's checks
    (required columns, area names, currency…) apply to the other rows."""
    warnings = warnings if warnings is not None else []
    registry = registry or default_registry()
    problems: list[Problem] = []
    valid: dict[str, list[_Valid]] = {}
    failed_ids: dict[str, set[str]] = {}  # ids of invalid rows: not reported again as unknown references
    for name, rows in sources.items():
        model = MODELS[name]
        first_seen: dict[str, int] = {}
        out: list[_Valid] = []
        for raw in rows:
            try:
                obj = model.model_validate(raw.values, context={"hsds": raw.hsds})
            except ValidationError as exc:
                for err in exc.errors(include_url=False):
                    column = str(err["loc"][0]) if err["loc"] else "-"
                    problems.append(Problem(raw.file, raw.row, column, _french(err, column)))
                if isinstance(raw.values.get("id"), str):
                    failed_ids.setdefault(name, set()).add(raw.values["id"])
                continue
            if obj.id in first_seen:
                problems.append(
                    Problem(
                        raw.file,
                        raw.row,
                        "id",
                        f"identifiant '{obj.id}' en double (déjà ligne {first_seen[obj.id]})",
                    )
                )
                continue
            first_seen[obj.id] = raw.row
            required = () if raw.hsds else PROFILE_REQUIRED.get(name, ())
            missing = [c for c in required if getattr(obj, c) is None]
            for col in missing:
                problems.append(Problem(raw.file, raw.row, col, "valeur obligatoire manquante"))
            if missing:
                failed_ids.setdefault(name, set()).add(obj.id)
                continue
            out.append(_Valid(raw, obj.model_dump()))
        valid[name] = out

    package_ids = {
        name: {v.values["id"] for v in rows} | failed_ids.get(name, set()) for name, rows in valid.items()
    }
    wanted: dict[str, set[str]] = {}
    refs: list[tuple[_Valid, str, str, str]] = []  # (row, column, table, id)
    for name, rows in valid.items():
        fks = foreign_keys(name)
        for v in rows:
            for col, target in fks.items():
                if v.values.get(col) is not None:
                    refs.append((v, col, target, v.values[col]))
            entity = v.values.get("link_entity") if name == "attribute" else None
            if entity in MODELS and v.values.get("link_id") is not None:
                refs.append((v, "link_id", entity, v.values["link_id"]))
    for _v, _col, target, ident in refs:
        if ident not in package_ids.get(target, set()):
            wanted.setdefault(target, set()).add(ident)
    in_db = {
        t: (_existing_ids(session, t, ids) if session is not None else set()) for t, ids in wanted.items()
    }
    for v, col, target, ident in refs:
        if ident not in package_ids.get(target, set()) and ident not in in_db.get(target, set()):
            message = f"{_fk_label(target)} inconnu(e) '{ident}'"
            if not v.raw.hsds:
                problems.append(Problem(v.raw.file, v.raw.row, col, message))
                continue
            ext = dict(v.values.get("extensions") or {})
            ext["hsds:unresolved"] = {**ext.get("hsds:unresolved", {}), col: ident}
            v.values["extensions"] = ext
            if col != "link_id":  # link_id is no foreign key in the database
                v.values[col] = None
            warnings.append(
                Problem(v.raw.file, v.raw.row, col, f"{message} : référence gardée dans extensions")
            )

    for v in valid.get("service_area", []):
        if v.raw.hsds:
            continue
        if registry.coverage(v.values["name"]) is None:
            problems.append(
                Problem(
                    v.raw.file,
                    v.raw.row,
                    "name",
                    f"zone inconnue '{v.values['name']}' : région, ancienne région, province "
                    f"ou « {registry.country.name} » attendue",
                )
            )
    seen_service: dict[str, int] = {}
    for v in valid.get("service_referral", []):
        sid = v.values["service_id"]
        if sid is None:
            continue
        if sid in seen_service:
            problems.append(
                Problem(
                    v.raw.file,
                    v.raw.row,
                    "service_id",
                    f"service '{sid}' déjà décrit ligne {seen_service[sid]}",
                )
            )
        seen_service.setdefault(sid, v.raw.row)
    problems.sort(key=lambda p: (p.file, p.row, p.column))
    return valid, problems


# ------------------------------------------------------------------------------------------- import


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value  # datetime is a date too


def _current(session: Session, name: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    table = TABLES[name]
    model = MODELS[name]
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(ids), CHUNK):
        for row in session.execute(select(table).where(table.c.id.in_(ids[i : i + CHUNK]))).mappings():
            out[row["id"]] = model.model_validate(dict(row), context={"hsds": True}).model_dump()
    return out


def apply_rows(
    session: Session,
    sources: dict[str, list[RawRow]],
    *,
    actor: str = "import",
    dry_run: bool = False,
    registry: AreaRegistry | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate ``sources`` and (unless ``dry_run``) write them in the session's transaction.

    Raises DirectoryImportError (nothing written) if any row is invalid. ``progress(name, n)`` is
    called after each object with the number of rows handled.
    """
    warnings: list[Problem] = []
    valid, problems = validate_rows(session, sources, registry, warnings)
    if problems:
        raise DirectoryImportError(problems)
    now = now or datetime.now(UTC)
    report = ImportReport(dry_run=dry_run, warnings=sorted(warnings))
    for name in MODELS:  # parents before children
        rows = valid.get(name)
        if rows is None:
            continue
        table = TABLES[name]
        changes = report.tables.setdefault(name, TableChanges())
        current = _current(session, name, [v.values["id"] for v in rows])
        inserts: list[dict[str, Any]] = []
        audits: list[dict[str, Any]] = []
        for v in rows:
            ident = v.values["id"]
            old = current.get(ident)
            if old is None:
                changes.added.append(ident)
                inserts.append(v.values)
                diff = {k: [None, _jsonable(x)] for k, x in v.values.items() if x is not None}
                audits.append(
                    dict(at=now, actor=actor, action="create", object_type=name, object_id=ident, diff=diff)
                )
            elif old != v.values:
                changes.changed.append(ident)
                diff = {k: [_jsonable(old[k]), _jsonable(x)] for k, x in v.values.items() if old[k] != x}
                audits.append(
                    dict(at=now, actor=actor, action="update", object_type=name, object_id=ident, diff=diff)
                )
                if not dry_run:
                    session.execute(update(table).where(table.c.id == ident).values(**v.values))
            else:
                changes.unchanged.append(ident)
        if not dry_run:
            if inserts:
                session.execute(insert(table), inserts)
            if audits:
                session.execute(insert(DirAudit.__table__), audits)
        if progress:
            progress(name, len(rows))
    return report


def import_package(
    session: Session,
    path: Path | str,
    *,
    actor: str = "import",
    dry_run: bool = False,
    registry: AreaRegistry | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a CSV package folder or JSON file into the directory, all or nothing.

    Writes in the caller's session without committing; on DirectoryImportError nothing was
    written. Returns the ImportReport (added / changed / unchanged ids per object).
    """
    path = Path(path)
    sources, problems = read_package(path)
    try:
        if problems:
            # Still validate the readable files so the user sees every problem at once.
            _, more = validate_rows(session, sources, registry)
            raise DirectoryImportError(sorted(problems + more))
        return apply_rows(
            session, sources, actor=actor, dry_run=dry_run, registry=registry, now=now, progress=progress
        )
    except DirectoryImportError as exc:
        if path.suffix.lower() == ".xlsx":
            from mno_workflow.directory.xlsx import cell_problems

            raise DirectoryImportError(cell_problems(exc.problems, path)) from None
        raise


# ------------------------------------------------------------------------------------------- export


def dump_tables(session: Session) -> dict[str, list[dict[str, Any]]]:
    """Every directory object as ``{name: [row dict ordered like the model, ...]}``, rows by id."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name, model in MODELS.items():
        table = TABLES[name]
        rows = session.execute(select(table).order_by(table.c.id)).mappings()
        out[name] = [model.model_validate(dict(r), context={"hsds": True}).model_dump() for r in rows]
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return neutralise(str(value))


_FORMULA = ("=", "@", "\t", "\r", "+", "-")
_NUMBERISH = re.compile(r"[+-]?[0-9 .()/-]*")


def _risky(text: str) -> bool:
    if text.startswith(("+", "-")):  # "+226 70 12 34 56", "-5": no function can be called
        return not _NUMBERISH.fullmatch(text)
    return text.startswith(_FORMULA)


def neutralise(text: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula: a text starting with ``= @ + -``, tab
    or carriage return (or with ``'`` itself) gets a leading ``'``; :func:`restore` undoes it on
    import, so an export imports back unchanged."""
    return "'" + text if _risky(text) or text.startswith("'") else text


def restore(text: str) -> str:
    """The inverse of :func:`neutralise`."""
    if text.startswith("'") and (_risky(text[1:]) or text[1:].startswith("'")):
        return text[1:]
    return text


def export_package(session: Session, dest: Path | str, fmt: str = "csv") -> list[Path]:
    """Write the directory to ``dest`` (a folder for ``csv``; a folder or ``.json`` file for ``json``).

    Returns the files written. Raises ValueError for an unknown ``fmt``.
    """
    dest = Path(dest)
    data = dump_tables(session)
    if fmt == "json":
        target = dest if dest.suffix.lower() == ".json" else dest / "directory.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        doc: dict[str, Any] = {"profile": PROFILE}
        doc.update(
            {name: [{k: _jsonable(v) for k, v in r.items()} for r in rows] for name, rows in data.items()}
        )
        target.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return [target]
    if fmt != "csv":
        raise ValueError(f"unknown export format {fmt!r}: csv or json")
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in data.items():
        path = dest / f"{name}.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            columns = list(MODELS[name].model_fields)
            writer.writerow(columns)
            for r in rows:
                writer.writerow([_cell(r[c]) for c in columns])
        written.append(path)
    descriptor = {
        "name": "mno-directory",
        "profile": "tabular-data-package",
        "hsds_profile": PROFILE,
        "resources": [{"name": n, "path": f"{n}.csv", "profile": "tabular-data-resource"} for n in data],
    }
    (dest / "datapackage.json").write_text(json.dumps(descriptor, indent=1) + "\n", encoding="utf-8")
    written.append(dest / "datapackage.json")
    return written
