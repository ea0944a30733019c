"""Audited edits of directory objects, the audit trail, and the list of services due for re-verification.

Every create or update goes through :func:`create_object` / :func:`update_object`, which validate
the whole resulting row with its HSDS model (and its foreign keys against the database) and
append one ``dir_audit`` row (who, when in UTC, which object, ``{field: [old, new]}``) in the
caller's transaction. Functions never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from mno_workflow.directory import audit_diff
from mno_workflow.directory.areas import AreaRegistry
from mno_workflow.directory.hsds_io import (
    DirectoryValidationError,
    Problem,
    RawRow,
    validate_rows,
)
from mno_workflow.directory.matching import months_before
from mno_workflow.directory.schema import MODELS
from mno_workflow.directory.tables import TABLES, DirAudit


class UnknownObject(LookupError):
    """No directory object of that kind with that id."""


def _row(session: Session, kind: str, object_id: str) -> dict[str, Any]:
    if kind not in MODELS:
        raise UnknownObject(f"objet HSDS inconnu '{kind}'")
    table = TABLES[kind]
    row = session.execute(select(table).where(table.c.id == object_id)).mappings().first()
    if row is None:
        raise UnknownObject(f"{kind} '{object_id}' introuvable")
    return MODELS[kind].model_validate(dict(row)).model_dump()


def _validated(
    session: Session, kind: str, values: dict[str, Any], label: str, registry: AreaRegistry | None
) -> dict[str, Any]:
    valid, problems = validate_rows(session, {kind: [RawRow(label, 0, values)]}, registry)
    if problems:
        raise DirectoryValidationError(problems)
    return valid[kind][0].values


def _audit(
    session: Session,
    actor: str,
    action: str,
    kind: str,
    object_id: str,
    diff: dict[str, Any],
    now: datetime | None,
) -> None:
    session.execute(
        insert(DirAudit.__table__).values(
            at=now or datetime.now(UTC),
            actor=actor,
            action=action,
            object_type=kind,
            object_id=object_id,
            diff=diff,
        )
    )


def create_object(
    session: Session,
    kind: str,
    values: dict[str, Any],
    actor: str,
    *,
    now: datetime | None = None,
    registry: AreaRegistry | None = None,
) -> dict[str, Any]:
    """Insert one ``kind`` object (an HSDS object name, e.g. ``"service"``) and audit it.

    Returns the stored values. Raises DirectoryValidationError (nothing written) if invalid or if
    the id already exists.
    """
    label = f"{kind}:{values.get('id', '?')}"
    table = TABLES[kind]
    if values.get("id") and session.scalar(select(table.c.id).where(table.c.id == values["id"])):
        raise DirectoryValidationError(
            [Problem(label, 0, "id", f"identifiant '{values['id']}' déjà utilisé")]
        )
    clean = _validated(session, kind, values, label, registry)
    session.execute(insert(table).values(**clean))
    diff = audit_diff.created(clean)
    _audit(session, actor, "create", kind, clean["id"], diff, now)
    return clean


def update_object(
    session: Session,
    kind: str,
    object_id: str,
    changes: dict[str, Any],
    actor: str,
    *,
    now: datetime | None = None,
    registry: AreaRegistry | None = None,
) -> dict[str, list[Any]]:
    """Apply ``changes`` ({field: new value}) to one object and audit the difference.

    Returns the diff ``{field: [old, new]}`` (dates as ISO strings); an empty diff writes no audit
    row. Raises UnknownObject if absent, DirectoryValidationError (nothing written) if the
    resulting row is invalid or ``changes`` renames the id.
    """
    old = _row(session, kind, object_id)
    label = f"{kind}:{object_id}"
    if "id" in changes and changes["id"] != object_id:
        raise DirectoryValidationError([Problem(label, 0, "id", "l'identifiant ne peut pas être modifié")])
    new = _validated(session, kind, {**old, **changes}, label, registry)
    diff = audit_diff.changed(old, new)
    if diff:
        table = TABLES[kind]
        session.execute(update(table).where(table.c.id == object_id).values(**{k: new[k] for k in diff}))
        _audit(session, actor, "update", kind, object_id, diff, now)
    return diff


def update_service(
    session: Session, service_id: str, changes: dict[str, Any], actor: str, *, now: datetime | None = None
) -> dict[str, list[Any]]:
    """Update one service (see :func:`update_object`)."""
    return update_object(session, "service", service_id, changes, actor, now=now)


def update_organization(
    session: Session,
    organization_id: str,
    changes: dict[str, Any],
    actor: str,
    *,
    now: datetime | None = None,
) -> dict[str, list[Any]]:
    """Update one organization (see :func:`update_object`)."""
    return update_object(session, "organization", organization_id, changes, actor, now=now)


def set_capacity(
    session: Session,
    capacity_id: str,
    available: int,
    actor: str,
    *,
    updated: date | None = None,
    now: datetime | None = None,
) -> dict[str, list[Any]]:
    """Record the places available on one ``service_capacity`` row (``updated`` defaults to today UTC)."""
    stamp = updated or (now or datetime.now(UTC)).date()
    return update_object(
        session, "service_capacity", capacity_id, {"available": available, "updated": stamp}, actor, now=now
    )


def mark_verified(
    session: Session, service_id: str, actor: str, on: date, *, now: datetime | None = None
) -> dict[str, list[Any]]:
    """Record that a service's information was checked on ``on`` (HSDS ``assured_date``)."""
    return update_object(session, "service", service_id, {"assured_date": on}, actor, now=now)


def audit_trail(
    session: Session, object_type: str | None = None, object_id: str | None = None
) -> list[DirAudit]:
    """Audit rows, oldest first, optionally for one object type and id."""
    query = select(DirAudit).order_by(DirAudit.id)
    if object_type is not None:
        query = query.where(DirAudit.object_type == object_type)
    if object_id is not None:
        query = query.where(DirAudit.object_id == object_id)
    return list(session.scalars(query))


@dataclass(frozen=True)
class StaleService:
    """A service to re-verify. ``assured_date`` None means never verified."""

    service_id: str
    name: str
    organization_id: str
    status: str
    assured_date: date | None


def stale_services(session: Session, today: date, months: int = 6) -> list[StaleService]:
    """Services (except defunct ones) last verified before ``today`` minus ``months`` calendar months.

    Never-verified services are included. Sorted oldest first (never verified first), then by id.
    """
    cutoff = months_before(today, months)
    svc = TABLES["service"]
    rows = session.execute(
        select(svc.c.id, svc.c.name, svc.c.organization_id, svc.c.status, svc.c.assured_date)
        .where(svc.c.status != "defunct")
        .where((svc.c.assured_date.is_(None)) | (svc.c.assured_date < cutoff))
    ).all()
    out = [StaleService(r.id, r.name, r.organization_id, r.status, r.assured_date) for r in rows]
    out.sort(key=lambda s: (s.assured_date or date.min, s.service_id))
    return out
