"""Recognising the directory's own HSDS export when it is imported back, so that the round trip
export → edit elsewhere → import changes only what was edited (tryout 5, H7).

The HSDS export (:mod:`.hsds31`, :mod:`.hsds_json`) writes every id as ``uuid5(NAMESPACE,
"<object>/<slug>")`` and adds, for each organisation, an ``organization_identifier`` with scheme
``mno-workflow`` holding its slug. On import, :func:`own_rows` turns such rows back into the
directory's rows before validation:

* an id (and every reference) that is the uuid5 of an object in the database becomes its slug; an
  organisation absent from the database gets its slug back from its ``mno-workflow`` identifier
  (when the UUID is that slug's uuid5), and the identifier rows the export made up are dropped;
* a row that is one of the database's own: each cell still equal to what the export wrote for it
  takes the stored value back (the export's conversions — time zone as an offset, ``HH:MM:SS``,
  the region as ``state_province`` … — are not edits), each other cell is the edit. An unchanged
  row therefore compares equal to the stored one (« inchangés »), an edited row differs only in
  the cells edited (« modifiés »), a genuinely new row is added.

Rows of other HSDS packages (ids that are no uuid5 of the directory's objects) pass unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mno_workflow.directory.hsds31 import SLUG_SCHEME, _cell, hsds_id, hsds_rows
from mno_workflow.directory.problems import DirectoryImportError, Problem, RawRow
from mno_workflow.directory.schema import MODELS, foreign_keys
from mno_workflow.directory.tables import TABLES
from mno_workflow.directory.versions import EXPORT_KEY, changed_since_export
from mno_workflow.sop.diagnostics import said_fr


def _slug_maps(session: Session, sources: dict[str, list[RawRow]]) -> dict[str, dict[str, str]]:
    """Per object name, ``{uuid5 of a slug: slug}`` for the database's rows, plus the organisations
    that only the package's ``mno-workflow`` identifiers name."""
    maps: dict[str, dict[str, str]] = {}
    for name, table in TABLES.items():
        maps[name] = {hsds_id(name, i): i for i in session.scalars(select(table.c.id)) if i is not None}
    for raw in sources.get("organization_identifier", []):
        v = raw.values
        slug, oid = v.get("identifier"), v.get("organization_id")
        if _is_slug_identifier(v) and isinstance(slug, str) and hsds_id("organization", slug) == oid:
            maps["organization"].setdefault(oid, slug)
    return maps


def _is_slug_identifier(values: dict[str, Any]) -> bool:
    """The ``organization_identifier`` row the export makes up for an organisation's slug."""
    slug = values.get("identifier")
    if values.get("identifier_scheme") != SLUG_SCHEME or values.get("identifier_type") != "slug":
        return False
    return isinstance(slug, str) and values.get("id") == hsds_id("organization_identifier", f"slug/{slug}")


def _target(name: str, col: str, values: dict[str, Any]) -> str | None:
    """The object name a column refers to (``attribute.link_id`` by its ``link_entity``)."""
    if col == "id":
        return name
    if name == "attribute" and col == "link_id" and values.get("link_entity") in MODELS:
        return str(values["link_entity"])
    return foreign_keys(name).get(col)


def _slugged(name: str, values: dict[str, Any], maps: dict[str, dict[str, str]],
             row: dict[str, Any] | None = None) -> dict[str, Any]:
    """``values`` (cells of ``row``, by default all of them) with the id and references that are
    uuid5s of known objects turned back into slugs."""
    out = dict(values)
    for col, value in values.items():
        target = _target(name, col, row or values)
        if target and isinstance(value, str) and value in maps.get(target, {}):
            out[col] = maps[target][value]
    return out


def _filled(ext: Any) -> dict[str, str]:
    """Extension cells as the CSV holds them, the empty ones left out (a column another row has)."""
    return {k: _cell(x) for k, x in (ext or {}).items() if _cell(x) != ""}


def _merged(edited: dict[str, Any], exported: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """The stored row with the cells the file changed since the export; a cell the file left as the
    export wrote it, or dropped, stays as stored."""
    out = dict(stored)
    for col, value in edited.items():
        if col != "extensions":
            out[col] = value
        elif _filled(value) != _filled(exported.get("_ext")):
            out["extensions"] = {**(stored.get("extensions") or {}), **(value or {})}
    return out


def _as_written(name: str, exported: dict[str, Any]) -> dict[str, set[str]]:
    """Per column, the cells the exports write for this row: the tabular package's, and the HSDS
    JSON's (where a required field the row lacks is filled: ``state_province`` ← region …)."""
    from mno_workflow.directory.hsds31 import schemas
    from mno_workflow.directory.hsds_json import fill_required

    filled = {k: v for k, v in exported.items() if v is not None}
    if name in schemas():  # an official object (not the profile's service_referral)
        fill_required(name, exported, filled)
    cols = set(exported) | set(filled)
    return {c: {_cell(exported.get(c)), _cell(filled.get(c))} for c in cols}


def export_mark(path: Path | str) -> int | None:
    """The directory version an export was made at (``datapackage.json``, the HSDS JSON document or
    the workbook's custom property), None for any other package."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx" and path.is_file():
        return _workbook_mark(path)
    doc_path = path / "datapackage.json" if path.is_dir() else path
    if doc_path.suffix.lower() != ".json" or not doc_path.is_file():
        return None
    try:
        doc = json.loads(doc_path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return None
    mark = doc.get(EXPORT_KEY) if isinstance(doc, dict) else None
    return mark if isinstance(mark, int) and not isinstance(mark, bool) and mark >= 0 else None


def _workbook_mark(path: Path) -> int | None:
    """The ``mno_directory_version`` custom property of the workbook ``path`` (:mod:`.xlsx`)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is no workbook: read_xlsx_package says
        return None
    try:
        mark = next((p.value for p in book.custom_doc_props.props if p.name == EXPORT_KEY), None)
    finally:
        book.close()
    if isinstance(mark, str) and mark.isdigit():  # a spreadsheet may keep a number as text
        mark = int(mark)
    return mark if isinstance(mark, int) and not isinstance(mark, bool) and mark >= 0 else None


def _at_export(name: str, col: str, then: Any, row: dict[str, Any]) -> set[str]:
    """The cells an export made before a change would hold for a value ``then`` (a reference: its uuid5)."""
    target = _target(name, col, row)
    cells = {_cell(then)}
    if target and isinstance(then, str):
        cells.add(_cell(hsds_id(target, then)))
    return cells


def _since_export(name: str, raw: RawRow, slug: str, edited: dict[str, Any], stored: dict[str, Any],
                  changed: dict[str, Any], conflicts: list[Problem]) -> dict[str, Any]:
    """``edited`` without the cells changed in the directory since the export that the file left as
    they were then (the directory's newer value stays); a cell changed on both sides is a conflict."""
    out = dict(edited)
    for col, value in edited.items():
        if col == "extensions" or col not in changed:
            continue
        if _cell(value) in _at_export(name, col, changed[col], raw.values):
            del out[col]
        else:
            conflicts.append(_conflict(raw, col, stored.get(col), value))
    return out


def _same(a: Any, b: Any) -> bool:
    """Whether two cells hold the same value (a CSV text against a stored value: ``12`` = 12.0)."""
    if _cell(a) == _cell(b):
        return True
    try:
        return float(_cell(a)) == float(_cell(b))
    except ValueError:
        return False


def _conflict(raw: RawRow, col: str, now: Any, value: Any) -> Problem:
    return Problem(raw.file, raw.row, col, said_fr(
        "modifié dans le répertoire depuis l'export (maintenant « {now} ») et dans ce fichier "
        "(« {value} ») : exportez à nouveau, puis reportez-y votre modification",
        now=_cell(now), value=_cell(value)))


def product_rows_since(session: Session, sources: dict[str, list[RawRow]],
                       since: int) -> dict[str, list[RawRow]]:
    """Rows of the product's own package (slugs, the profile's values) exported at directory version
    ``since``: a cell changed in the directory since then and left as it was in the file takes the
    directory's value; a cell changed on both sides raises DirectoryImportError (nothing written)."""
    changed = changed_since_export(session, since)
    if not changed:
        return sources
    stored = _stored(session, {name for name, _ in changed})
    conflicts: list[Problem] = []
    out: dict[str, list[RawRow]] = {}
    for name, rows in sources.items():
        kept: list[RawRow] = []
        for raw in rows:
            ident = raw.values.get("id")
            now_row = stored.get(name, {}).get(ident) if isinstance(ident, str) else None
            if raw.hsds or now_row is None or (name, ident) not in changed:
                kept.append(raw)
                continue
            values = dict(raw.values)
            for col, then in changed[(name, ident)].items():
                if col not in values or _same(values[col], now_row.get(col)):
                    continue
                if _same(values[col], then):
                    values[col] = now_row.get(col)  # the file still holds the value of the export
                else:
                    conflicts.append(_conflict(raw, col, now_row.get(col), values[col]))
            kept.append(RawRow(raw.file, raw.row, values, raw.hsds))
        out[name] = kept
    if conflicts:
        raise DirectoryImportError(sorted(conflicts))
    return out


def own_rows(session: Session, sources: dict[str, list[RawRow]],
             since: int | None = None) -> dict[str, list[RawRow]]:
    """``sources`` with the directory's own exported rows recognised (see the module's docstring).

    ``since``: the directory version the export was made at (:func:`export_mark`): a cell changed
    in the directory since then and left as it was in the file keeps the directory's value; a cell
    changed on both sides raises DirectoryImportError (nothing written), one problem per cell."""
    if since is not None:  # the product's own package (slugs) exported at that version
        sources = product_rows_since(session, sources, since)
    hsds = [(name, raw) for name, rows in sources.items() for raw in rows if raw.hsds]
    if not hsds:
        return sources
    maps = _slug_maps(session, sources)
    known = any(isinstance(raw.values.get("id"), str) and raw.values["id"] in maps.get(name, {})
                for name, raw in hsds)
    idents = sources.get("organization_identifier", [])
    if not known and not any(_is_slug_identifier(r.values) for r in idents):
        return sources
    exported = {(name, row["id"]): row for name, rows in hsds_rows(session).items() for row in rows}
    stored = _stored(session, {name for name, _ in hsds})
    changed = changed_since_export(session, since) if since is not None else {}
    conflicts: list[Problem] = []
    out: dict[str, list[RawRow]] = {}
    for name, rows in sources.items():
        kept: list[RawRow] = []
        for raw in rows:
            if not raw.hsds:
                kept.append(raw)
                continue
            if name == "organization_identifier" and _is_slug_identifier(raw.values):
                continue  # the export's own identifier row: the slug it names is the id again
            ident = raw.values.get("id")
            slug = maps.get(name, {}).get(ident) if isinstance(ident, str) else None
            mine = exported.get((name, ident))
            if slug is not None and mine is not None and slug in stored.get(name, {}):
                written = _as_written(name, mine)
                edited = {c: v for c, v in raw.values.items()
                          if c == "extensions" or _cell(v) not in written.get(c, {""})}
                if (name, slug) in changed:
                    edited = _since_export(name, raw, slug, edited, stored[name][slug],
                                           changed[(name, slug)], conflicts)
                values = _merged(_slugged(name, edited, maps, raw.values), mine, stored[name][slug])
                kept.append(RawRow(raw.file, raw.row, {**values, "id": slug}, True))
            else:
                kept.append(RawRow(raw.file, raw.row, _slugged(name, raw.values, maps), True))
        out[name] = kept
    if conflicts:
        raise DirectoryImportError(sorted(conflicts))
    return out


def _stored(session: Session, names: set[str]) -> dict[str, dict[str, dict[str, Any]]]:
    """The stored rows of these objects as the import compares them (``hsds`` validation context)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for name in names:
        if name not in TABLES:
            continue
        model = MODELS[name]
        out[name] = {
            row["id"]: model.model_validate(dict(row), context={"hsds": True}).model_dump()
            for row in session.execute(select(TABLES[name])).mappings()
        }
    return out
