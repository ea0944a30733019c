"""Service provider directory in the shape of Open Referral HSDS 3.x: storage, import/export, matching, edits.

Public API::

    import_package(session, path, *, actor="import", dry_run=False) -> ImportReport
    export_package(session, dest, fmt="csv") -> list[Path]
    match(session, need, region, age=None, sex=None, language=None, limit=10) -> list[Candidate]
    update_service(session, service_id, changes, actor) -> {field: [old, new]}
    stale_services(session, today, months=6) -> list[StaleService]
    load_sample(session) -> ImportReport
"""

import weakref

from mno_workflow.directory.areas import AreaRegistry, default_registry, fold, read_areas
from mno_workflow.directory.edit import (
    StaleService,
    UnknownObject,
    audit_trail,
    create_object,
    mark_verified,
    set_capacity,
    stale_services,
    update_object,
    update_organization,
    update_service,
)
from mno_workflow.directory.hsds_io import (
    DirectoryImportError,
    DirectoryValidationError,
    ImportReport,
    Problem,
    export_package,
    import_package,
)
from mno_workflow.directory.matching import Candidate, MatchError, match, read_need_mapping
from mno_workflow.directory.sample import SAMPLE_DIR, load_sample
from mno_workflow.directory.tables import TABLES, DirAudit

__all__ = [
    "SAMPLE_DIR",
    "TABLES",
    "AreaRegistry",
    "Candidate",
    "DirAudit",
    "DirectoryImportError",
    "DirectoryValidationError",
    "ImportReport",
    "MatchError",
    "Problem",
    "StaleService",
    "UnknownObject",
    "audit_trail",
    "create_object",
    "default_registry",
    "export_package",
    "fold",
    "import_package",
    "load_sample",
    "mark_verified",
    "match",
    "read_areas",
    "read_need_mapping",
    "set_capacity",
    "stale_services",
    "update_object",
    "update_organization",
    "update_service",
]


def organisation_known(session, organisation_id: str) -> bool | None:
    """Whether ``organisation_id`` is an organization of the directory; None when the directory
    is empty (nothing to check against, e.g. a database used without a directory)."""
    from sqlalchemy import func, select

    from .tables import TABLES
    org = TABLES["organization"]
    if not session.scalar(select(func.count()).select_from(org)):
        return None
    return session.scalar(select(org.c.id).where(org.c.id == organisation_id)) is not None


_HAS_DIRECTORY: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine -> has dir tables


def organisations_off_platform(session, ids, *, sop_id: str | None) -> set[str]:
    """The organisations of ``ids`` not known to use the platform: their directory row does not
    say ``uses_platform: yes`` (``no``, empty, or no row; every one of them when the directory is
    absent from this database), or it does but nobody can answer there — no active account of a
    role that answers referrals (:func:`organisations_without_focal_point`; tryout 6, I7). They
    answer by phone, in person or e-mail and the caseworker records their answers (« suivi par le
    gestionnaire »). An empty value is *off* the platform: a provider that nobody said uses it
    would otherwise wait for answers typed in an inbox nobody reads, its answers recordable only
    as an exception. Read by the case page, the API (``GET /api/v1/cases/{reference}``:
    ``steps[].off_platform``), ``mno case show``, and the reminders chasing a provider.
    ``sop_id``: the SOP of the referrals (an account of another SOP answers none of them:
    :mod:`.platform`); None only where no SOP is in question."""
    from sqlalchemy import inspect, select

    from .tables import TABLES
    ids = {i for i in ids if i}
    org = TABLES["organization"]
    if not ids or not inspect(session.connection()).has_table(org.name):
        return ids
    on = set(session.scalars(select(org.c.id).where(org.c.id.in_(ids), org.c.uses_platform == "yes")))
    from .platform import with_focal_point
    return ids - (on & with_focal_point(session, on, sop_id))


def organisations_without_focal_point(session, ids, *, sop_id: str | None) -> set[str]:
    """The organisations of ``ids`` the directory marks ``uses_platform: yes`` that have no active
    account to answer there for SOP ``sop_id`` (:mod:`.platform`): off the platform although the
    directory says otherwise — the send form marks them and a send to one warns (tryout 6, I7)."""
    from sqlalchemy import inspect, select

    from .platform import with_focal_point
    from .tables import TABLES
    ids = {i for i in ids if i}
    org = TABLES["organization"]
    if not ids or not inspect(session.connection()).has_table(org.name):
        return set()
    on = set(session.scalars(select(org.c.id).where(org.c.id.in_(ids), org.c.uses_platform == "yes")))
    return on - with_focal_point(session, on, sop_id)


def organisation_type(session, organisation_id: str) -> str | None:
    """The directory ``organization_type`` of ``organisation_id`` (``""`` when the organisation
    has none or is unknown); None when the directory is empty or absent from this database
    (nothing to check against)."""
    from sqlalchemy import func, inspect, select

    from .tables import TABLES
    org = TABLES["organization"]
    key = session.get_bind()
    if key not in _HAS_DIRECTORY:
        _HAS_DIRECTORY[key] = inspect(session.connection()).has_table(org.name)
    if not _HAS_DIRECTORY[key]:
        return None
    memo = session.info.setdefault("mno_organisation_types", {})  # one request's session: a list
    if "" not in memo:  # page asks for the same few organisations row after row
        memo[""] = bool(session.scalar(select(func.count()).select_from(org)))
    if not memo[""]:
        return None
    if organisation_id not in memo:
        memo[organisation_id] = session.scalar(
            select(org.c.organization_type).where(org.c.id == organisation_id)) or ""
    return memo[organisation_id]


def organisation_types(session, ids) -> dict[str, str | None]:
    """:func:`organisation_type` of each of ``ids`` (in their order, without repeats), in one
    statement for those this session has not asked yet (the « Envoyer » form greys out every
    organisation the consent does not cover: one query, not one per organisation)."""
    from sqlalchemy import select

    from .tables import TABLES
    ids = list(dict.fromkeys(i for i in ids if i))
    if not ids or organisation_type(session, ids[0]) is None:  # no directory: nothing to check against
        return dict.fromkeys(ids)
    memo = session.info["mno_organisation_types"]
    missing = [i for i in ids if i not in memo]
    if missing:
        org = TABLES["organization"]
        found = dict(session.execute(
            select(org.c.id, org.c.organization_type).where(org.c.id.in_(missing))).all())
        memo.update({i: found.get(i) or "" for i in missing})
    return {i: memo[i] for i in ids}
