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
The pieces live in :mod:`.problems` (shapes), :mod:`.hsds_read` (readers), :mod:`.validate` and
:mod:`.package_export`; their public names stay importable from here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from mno_workflow.directory import audit_diff
from mno_workflow.directory.areas import AreaRegistry
from mno_workflow.directory.package_export import (  # noqa: F401  (re-exported)
    PROFILE,
    _cell,
    _jsonable,
    dump_tables,
    export_package,
    neutralise,
    restore,
)
from mno_workflow.directory.problems import (  # noqa: F401  (re-exported)
    DirectoryImportError,
    DirectoryValidationError,
    ImportReport,
    Problem,
    RawRow,
    TableChanges,
)
from mno_workflow.directory.schema import MODELS
from mno_workflow.directory.tables import TABLES, DirAudit
from mno_workflow.directory.validate import CHUNK, _Valid, validate_rows  # noqa: F401  (re-exported)

Progress = Callable[[str, int], None]


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


# ------------------------------------------------------------------------------------------- import


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
    since: int | None = None,
) -> ImportReport:
    """Validate ``sources`` and (unless ``dry_run``) write them in the session's transaction.

    Raises DirectoryImportError (nothing written) if any row is invalid. ``progress(name, n)`` is
    called after each object with the number of rows handled. ``since``: the directory version the
    package was exported at, if it is the directory's own export (:func:`.hsds_own.own_rows`).
    """
    from mno_workflow.directory.hsds_own import own_rows

    sources = own_rows(session, sources, since)  # the directory's own HSDS export: its rows again (H7)
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
                diff = audit_diff.created(v.values)
                audits.append(
                    dict(at=now, actor=actor, action="create", object_type=name, object_id=ident, diff=diff)
                )
            elif old != v.values:
                changes.changed.append(ident)
                diff = audit_diff.changed(old, v.values)
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
        from mno_workflow.directory.hsds_own import export_mark

        return apply_rows(session, sources, actor=actor, dry_run=dry_run, registry=registry, now=now,
                          progress=progress, since=export_mark(path))
    except DirectoryImportError as exc:
        if path.suffix.lower() == ".xlsx":
            from mno_workflow.directory.xlsx import cell_problems

            raise DirectoryImportError(cell_problems(exc.problems, path)) from None
        raise
