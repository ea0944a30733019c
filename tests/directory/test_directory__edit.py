"""Audited edits, the append-only audit table and the list of services to re-verify."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from mno_workflow.directory import (
    DirectoryValidationError,
    UnknownObject,
    audit_trail,
    create_object,
    import_package,
    mark_verified,
    match,
    set_capacity,
    stale_services,
    update_service,
)
from mno_workflow.directory.matching import months_before

from .conftest import MINIMAL, snapshot

NOW = datetime(2026, 11, 15, 9, 30, tzinfo=UTC)


@pytest.fixture
def loaded(session: Session) -> Session:
    import_package(session, MINIMAL, actor="loader")
    session.commit()
    return session


def test_update_service_writes_one_audit_row(loaded: Session) -> None:
    diff = update_service(
        loaded, "svc-b", {"status": "temporarily closed", "maximum_age": 30}, "alice", now=NOW
    )
    loaded.commit()
    assert diff == {"status": ["active", "temporarily closed"], "maximum_age": [35, 30]}
    rows = audit_trail(loaded, "service", "svc-b")
    assert [r.action for r in rows] == ["create", "update"]
    last = rows[-1]
    assert (last.actor, last.at, last.diff) == ("alice", NOW, diff)
    assert last.at.tzinfo is not None


def test_no_change_no_audit_row(loaded: Session) -> None:
    before = len(audit_trail(loaded))
    assert update_service(loaded, "svc-a", {"name": "Abri A"}, "alice") == {}
    assert len(audit_trail(loaded)) == before


def test_invalid_edit_changes_nothing(loaded: Session) -> None:
    before = snapshot(loaded)
    with pytest.raises(DirectoryValidationError) as err:
        update_service(loaded, "svc-a", {"status": "open"}, "alice")
    assert err.value.problems[0].format().startswith("service:svc-a:0:status: valeur 'open' invalide")
    with pytest.raises(DirectoryValidationError, match="organisation : identifiant inconnu"):
        update_service(loaded, "svc-a", {"organization_id": "org-zz"}, "alice")
    with pytest.raises(DirectoryValidationError, match="identifiant ne peut pas"):
        update_service(loaded, "svc-a", {"id": "svc-z"}, "alice")
    with pytest.raises(UnknownObject):
        update_service(loaded, "svc-nope", {"name": "x"}, "alice")
    loaded.rollback()
    assert snapshot(loaded) == before


def test_create_object_audited_and_duplicate_refused(loaded: Session) -> None:
    create_object(
        loaded,
        "service",
        {"id": "svc-c", "organization_id": "org-a", "name": "C", "status": "active"},
        "bob",
        now=NOW,
    )
    assert audit_trail(loaded, "service", "svc-c")[0].diff["name"] == [None, "C"]
    with pytest.raises(DirectoryValidationError, match="déjà utilisé"):
        create_object(
            loaded,
            "service",
            {"id": "svc-c", "organization_id": "org-a", "name": "C", "status": "active"},
            "bob",
        )


def test_audit_rows_cannot_be_updated_or_deleted(loaded: Session) -> None:
    row = audit_trail(loaded)[0]
    row.actor = "mallory"
    with pytest.raises(PermissionError):
        loaded.flush()
    loaded.rollback()
    row = audit_trail(loaded)[0]
    loaded.delete(row)
    with pytest.raises(PermissionError):
        loaded.flush()


def test_capacity_edit_takes_service_out_of_matching(loaded: Session) -> None:
    assert [c.service_id for c in match(loaded, "housing", "Kadiogo")] == ["svc-a"]
    set_capacity(loaded, "cap-a", 0, "focal.a", now=NOW)
    assert match(loaded, "housing", "Kadiogo") == []
    assert audit_trail(loaded, "service_capacity", "cap-a")[-1].diff == {
        "available": [4, 0],
        "updated": ["2026-10-01", "2026-11-15"],
    }
    with pytest.raises(DirectoryValidationError, match="trop petite"):
        set_capacity(loaded, "cap-a", -1, "focal.a")


def test_stale_services(session: Session, build) -> None:
    build.service("old", assured="2026-05-14")
    build.service("edge", assured="2026-05-15")  # exactly 6 months: not stale yet
    build.service("fresh", assured="2026-10-01")
    build.service("never", assured="")
    build.service("dead", status="defunct", assured="2020-01-01")
    build.service("inactive", status="inactive", assured="2025-01-01")
    build.load(session)
    stale = stale_services(session, date(2026, 11, 15))
    assert [(s.service_id, s.assured_date) for s in stale] == [
        ("never", None),
        ("inactive", date(2025, 1, 1)),
        ("old", date(2026, 5, 14)),
    ]
    assert [s.service_id for s in stale_services(session, date(2026, 11, 15), months=2)] == [
        "never",
        "inactive",
        "old",
        "edge",
    ]
    mark_verified(session, "old", "alice", date(2026, 11, 15))
    assert [s.service_id for s in stale_services(session, date(2026, 11, 15))] == ["never", "inactive"]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 8, 31), 6, date(2026, 2, 28)),
        (date(2028, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 3, 15), 6, date(2025, 9, 15)),
        (date(2026, 1, 10), 12, date(2025, 1, 10)),
    ],
)
def test_months_before(day: date, months: int, expected: date) -> None:
    assert months_before(day, months) == expected
