"""Optimistic concurrency for directory edits: the version a form was opened at, checked when it is saved.

A directory object's version is the number of its ``dir_audit`` rows. Every write of a directory
object appends one (:func:`mno_workflow.directory.edit.update_object`, ``create_object`` and the
HSDS import), the audit is append-only, so the count only grows and each change is a step. A form
that edits several objects at once (a service with its capacities) carries the sum over them.

A save checks the version inside its write transaction, after :func:`lock` has taken the write lock
on the objects' rows (a no-op ``UPDATE``: the row lock on PostgreSQL, the database write lock on
SQLite), so two saves of the same version cannot both pass. A stale save raises
:class:`StaleDirectoryObject` with the audit rows written since the version the form was opened at:
nothing is written, and the page shows them (old → new) beside the values the user typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Row, and_, func, or_, select, update
from sqlalchemy.orm import Session

from mno_workflow.directory.tables import TABLES, DirAudit

#: (HSDS object name, id), e.g. ("service", "svc-csps-mental")
Ref = tuple[str, str]


class StaleDirectoryObject(Exception):
    """The object(s) changed since the form was opened: ``changes`` = the audit rows since, oldest first."""

    def __init__(self, yours: int, current: int, changes: Sequence[Row]):
        super().__init__(f"directory object changed (version {yours} → {current})")
        self.yours = yours
        self.current = current
        self.changes = list(changes)


def _about(refs: Iterable[Ref]):
    terms = [and_(DirAudit.object_type == kind, DirAudit.object_id == oid) for kind, oid in refs]
    return or_(*terms) if terms else DirAudit.id.is_(None)


def version(session: Session, refs: Iterable[Ref]) -> int:
    """The version of these objects together: how many audit rows they have."""
    return session.scalar(select(func.count(DirAudit.id)).where(_about(list(refs)))) or 0


def changes_since(session: Session, refs: Iterable[Ref], since: int) -> list[Row]:
    """The audit rows of these objects after the first ``since`` ones (what changed since that version),
    as plain rows (``at``, ``actor``, ``action``, ``object_type``, ``object_id``, ``diff``) that outlive
    the transaction the refused save rolls back."""
    cols = (DirAudit.id, DirAudit.at, DirAudit.actor, DirAudit.action, DirAudit.object_type,
            DirAudit.object_id, DirAudit.diff)
    rows = session.execute(select(*cols).where(_about(list(refs))).order_by(DirAudit.id)).all()
    return list(rows[max(since, 0):])


def lock(session: Session, refs: Iterable[Ref]) -> None:
    """Take the write lock on these objects' rows for the rest of the caller's transaction."""
    for kind, oid in refs:
        table = TABLES[kind]
        session.execute(update(table).where(table.c.id == oid).values(id=table.c.id))


def check(session: Session, refs: Sequence[Ref], expected: int | None) -> int:
    """Lock the objects and return their version; raise StaleDirectoryObject if it is not ``expected``.

    ``expected`` None (a client that sent no version) skips the comparison, as the case forms do.
    """
    lock(session, refs)
    current = version(session, refs)
    if expected is not None and expected != current:
        raise StaleDirectoryObject(expected, current, changes_since(session, refs, expected))
    return current


def read_version(raw: object) -> int | None:
    """The version a form sent (its hidden ``version`` field), None if absent or not a number."""
    text = str(raw if raw is not None else "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


#: The key of an export's directory version (``datapackage.json``, the HSDS JSON document): the
#: import reads what changed in the directory since the export (:mod:`.hsds_own`).
EXPORT_KEY = "mno_directory_version"


def directory_version(session: Session) -> int:
    """The whole directory's version: the id of its latest audit row (0 when none)."""
    return session.scalar(select(func.max(DirAudit.id))) or 0


def changed_since_export(session: Session, mark: int) -> dict[tuple[str, str], dict[str, object]]:
    """Per object, each field changed after the directory version ``mark`` with its value then
    (the ``old`` of its first change since)."""
    out: dict[tuple[str, str], dict[str, object]] = {}
    rows = session.execute(select(DirAudit.object_type, DirAudit.object_id, DirAudit.diff)
                           .where(DirAudit.id > mark).order_by(DirAudit.id))
    for kind, oid, diff in rows:
        fields = out.setdefault((kind, oid), {})
        for field, change in (diff or {}).items():
            fields.setdefault(field, change[0] if change else None)
    return out

