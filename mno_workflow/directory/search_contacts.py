"""Who may see the focal points in ``mno directory search``: the same ``directory_contacts``
permission as the web pages and the API (:mod:`mno_workflow.web.access`), for the operator named
by ``--as USER:ROLE`` (an active account of the users table, :mod:`mno_workflow.cli_identity`).

Without ``--as``, or for a role without the permission, the focal points' accounts are left out
(``None``) and a note says why and how to get them; with it, they are shown and the read is written
to the access log (``cli.directory.search``, :mod:`mno_workflow.web.contacts_log`), user and role
of ``--as`` and the operating-system account in ``filters.os_user``. A full ``mno directory
export`` (administrators with database access; no ``--as``) is logged too, as the other CLI
exports are: user ``cli:<system account>``, ``what`` ``cli.directory.export``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from ..sop.diagnostics import said_fr
from .matching import Candidate


def disclose_focal_points(session: Session, found: list[Candidate], actor_text: str,
                          filters: dict[str, Any], now: datetime | None = None) -> str:
    """Clear the ``focal_point_user_id`` of every candidate of ``found`` (in place) unless the
    ``--as`` operator ``actor_text`` has the ``directory_contacts`` permission; then write one
    access-log row naming the focal points shown (at ``now``, default the current UTC instant).

    Returns the note to print on stderr (a catalogue message, French as ``str``; '' when the focal
    points are shown). Raises
    :class:`mno_workflow.cli_identity.UnknownActor` for an unknown or inactive account, ValueError
    for malformed ``actor_text`` (the caller turns both into one line and exit 1)."""
    from ..cli_identity import os_user, resolve_actor
    from ..web import access
    from ..web.contacts_log import log_contacts_read

    allowed = access.PERMISSIONS["directory_contacts"]
    roles = ", ".join(r for r in access.ROLES if r in allowed)
    who = resolve_actor(session, actor_text) if actor_text.strip() else None
    if who is None or who.role not in allowed:
        for c in found:
            c.focal_point_user_id = None
        if who is None:
            return said_fr("note : points focaux masqués (données personnelles du personnel) ; pour les "
                           "voir, --as UTILISATEUR:ROLE d'un compte ayant la permission "
                           "directory_contacts ({roles}).",
                           roles=roles)
        return said_fr("note : le rôle « {role} » n'a pas la permission directory_contacts : points focaux "
                       "masqués ; pour les voir, --as UTILISATEUR:ROLE d'un compte de rôle {roles}.",
                       role=who.role, roles=roles)
    log_contacts_read(session, who.user, who.role, "cli.directory.search", "mno directory search",
                      [c.focal_point_user_id for c in found], len(found), now or datetime.now(UTC),
                      {**filters, "os_user": os_user()})
    return ""


def log_full_export(session: Session, data: dict[str, list[dict[str, Any]]], fmt: str, dest: str,
                    now: datetime | None = None) -> bool:
    """One access-log row for a full ``mno directory export`` of ``data`` (``{table: [row]}``) in
    format ``fmt`` to ``dest``: user ``cli:<system account>``, role ``cli`` (as the other CLI
    exports, ``commands/export.py``), ``what`` ``cli.directory.export``, naming the contact
    persons, the services' focal point accounts and the agreements whose focal point is written.
    Returns whether a row was added (nothing personal: none)."""
    from ..cli_identity import os_user
    from ..web.contacts_log import log_contacts_read

    named = [r["id"] for r in data.get("contact", [])]
    named += [r["focal_point_user_id"] for r in data.get("service_referral", [])
              if r.get("focal_point_user_id")]
    named += [r["id"] for r in data.get("sharing_agreement", [])
              if r.get("focal_point_name") or r.get("focal_point_email")]
    objects = sum(len(rows) for rows in data.values())
    return log_contacts_read(session, f"cli:{os_user()}", "cli", "cli.directory.export",
                             "mno directory export", named, objects, now or datetime.now(UTC),
                             {"format": fmt, "dest": dest})
