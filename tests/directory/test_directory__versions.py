"""The version of directory objects (tryout 5, H6): the count of their audit rows, checked under
the rows' write lock; a stale check names each change since and lets nothing through."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from mno_workflow.directory import import_package, set_capacity, update_service
from mno_workflow.directory.versions import (
    StaleDirectoryObject,
    changed_since_export,
    check,
    directory_version,
    read_version,
    version,
)

from .conftest import MINIMAL


@pytest.fixture
def loaded(session: Session) -> Session:
    import_package(session, MINIMAL, actor="loader")
    session.commit()
    return session


def test_each_edit_is_a_version_and_a_stale_check_names_the_changes(loaded: Session) -> None:
    refs = [("service", "svc-b")]
    opened = version(loaded, refs)
    assert check(loaded, refs, opened) == opened
    update_service(loaded, "svc-b", {"fees_description": "Gratuit"}, "alice")
    update_service(loaded, "svc-b", {"fees_description": "Gratuit"}, "bob")  # no change: no version
    loaded.commit()
    assert version(loaded, refs) == opened + 1
    with pytest.raises(StaleDirectoryObject) as stale:
        check(loaded, refs, opened)
    assert (stale.value.yours, stale.value.current) == (opened, opened + 1)
    [change] = stale.value.changes
    assert change.actor == "alice" and change.diff["fees_description"][1] == "Gratuit"
    assert check(loaded, refs, None) == opened + 1  # no version sent: no comparison
    loaded.rollback()


def test_another_object_does_not_make_a_form_stale(loaded: Session) -> None:
    refs = [("service", "svc-b")]
    opened = version(loaded, refs)
    update_service(loaded, "svc-a", {"fees_description": "Autre"}, "alice")
    loaded.commit()
    assert check(loaded, refs, opened) == opened
    loaded.rollback()


def test_the_directory_version_and_the_fields_changed_since(loaded: Session) -> None:
    mark = directory_version(loaded)
    assert mark > 0 and changed_since_export(loaded, mark) == {}
    before = update_service(loaded, "svc-b", {"eligibility_description": "Adultes"}, "alice")
    update_service(loaded, "svc-b", {"eligibility_description": "Adultes seulement"}, "bob")
    loaded.commit()
    then = before["eligibility_description"][0]
    assert changed_since_export(loaded, mark) == {("service", "svc-b"): {"eligibility_description": then}}


@pytest.mark.parametrize(("raw", "expected"), [("3", 3), (" 12 ", 12), ("", None), ("-1", None), ("x", None),
                                               (None, None), ("9" * 12, None)])
def test_read_version(raw, expected) -> None:
    assert read_version(raw) == expected


def test_capacities_count_in_their_service_form(loaded: Session) -> None:
    from sqlalchemy import select

    from mno_workflow.directory import TABLES

    cap = TABLES["service_capacity"]
    row = loaded.execute(select(cap.c.id, cap.c.service_id)).first()
    if row is None:
        pytest.skip("no capacity in the minimal package")
    refs = [("service", row.service_id), ("service_capacity", row.id)]
    opened = version(loaded, refs)
    set_capacity(loaded, row.id, 1, "alice")
    loaded.commit()
    with pytest.raises(StaleDirectoryObject):
        check(loaded, refs, opened)
    loaded.rollback()
