"""Roles and permissions: which pages and tools each application role may open (:data:`PERMISSIONS`),
each role's home page, and the two refusals every path raises (403 :class:`Forbidden`, 404
:class:`NotVisible`)."""

from __future__ import annotations

from ...engine.engine import Actor
from ...store.models import User

ROLES = ("caseworker", "supervisor", "coordinator", "provider", "trainer", "me_officer", "sop_author",
         "first_responder")
CASE_ROLES = frozenset({"caseworker", "supervisor", "coordinator"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "work": CASE_ROLES,
    "cases": CASE_ROLES,
    "create_case": frozenset({"caseworker"}),
    "inbox": frozenset({"provider"}),
    "dashboard": frozenset({"me_officer", "supervisor", "coordinator"}),
    "export_names": frozenset({"supervisor", "coordinator"}),
    # SOP pages and documents print the directory (staff contacts: directory_contacts) and case figures
    "sop": frozenset(ROLES) - {"first_responder"},
    "directory": frozenset(ROLES) - {"first_responder"},  # no directory personal data (contacts)
    "alerts": frozenset({"first_responder"}),  # file alerts, "Mes signalements" (routes/alerts.py)
    "notifications": frozenset(ROLES),
    "reassign": frozenset({"supervisor", "coordinator"}),
    "person_data": frozenset({"supervisor", "coordinator"}),  # access request: everything on a person
    "directory_edit": frozenset({"coordinator"}),
    # staff's personal contacts (names, e-mails, phones of people, focal points' accounts): else the
    # public form, directory/public.py. Need-to-know (law 001-2021/AN, docs/audit.md "Who sees the
    # directory's staff contacts"): the roles that refer or answer referrals; not trainer (fictitious
    # data), me_officer (aggregates), sop_author (organisations and services, not staff phones).
    "directory_contacts": CASE_ROLES | {"provider"},
    "access_log": frozenset({"coordinator"}),
    "correct": frozenset({"coordinator"}),  # correct a step's state (engine/correct.py CORRECT_ROLES)
    "sop_workbench": frozenset({"coordinator", "sop_author"}),  # SOP drafts, publication, migration
    "outbox_log": frozenset({"coordinator"}),  # cancelled, stale and dead messages with their reason
    "own_access": frozenset(ROLES),  # one's own API tokens and sessions, channel preferences
    "user_admin": frozenset({"coordinator"}),  # every user's sessions and tokens, deactivation
    "sandbox_reset": frozenset({"trainer"}),  # reset the practice sandbox (web/sandbox_reset.py)
}

HOME = {
    "caseworker": "/travail",
    "supervisor": "/travail",
    "coordinator": "/travail",
    "provider": "/prestataire",
    "trainer": "/pos",
    "me_officer": "/tableau-de-bord",
    "sop_author": "/pos/atelier",
    "first_responder": "/signalements",
}



class Forbidden(Exception):
    """The user's role or scope does not allow this (HTTP 403)."""


class NotVisible(Exception):
    """The object does not exist for this user (HTTP 404: do not reveal it exists)."""


def can(user: User | None, permission: str) -> bool:
    return user is not None and user.role in PERMISSIONS.get(permission, frozenset())


def require(user: User | None, permission: str) -> None:
    if not can(user, permission):
        raise Forbidden(permission)


def actor_for(user: User) -> Actor:
    """The engine actor of ``user``, with the path (``web``/``api``) and client address of the
    request being served (web/trace.py), recorded in the audit events it writes."""
    from ..trace import current
    via, origin = current()
    return Actor(user.id, user.role, user.organisation, via=via, os_user=origin)
