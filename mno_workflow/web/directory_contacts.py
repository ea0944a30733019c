"""The contacts shown beside each service on the ``/repertoire`` pages: the focal points (HSDS
contact persons of the service or of its organisation, with their own phones, and the referral
focal point's account) for a reader with the ``directory_contacts`` permission, else the public
form (the organisation's and the service's own e-mail and numbers, as
:mod:`mno_workflow.directory.public` publishes them).

A page that showed some staff contact writes one access-log row naming them
(:func:`..contacts_log.log_contacts_read`, ``what`` = ``web.directory``), as the API, the printed
documents and the referral slip do; the public form writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from ..directory import TABLES
from . import access

__all__ = ["Contact", "ServiceContacts", "contacts_for", "log_disclosure"]


@dataclass
class Contact:
    """One line of contact: a person (``person``) or an institution's own channel."""

    name: str = ""
    title: str = ""
    email: str = ""
    phones: list[str] = field(default_factory=list)
    person: bool = False


@dataclass
class ServiceContacts:
    """What a page shows for one service, and the ids of the persons it disclosed."""

    contacts: list[Contact] = field(default_factory=list)
    disclosed: list[str] = field(default_factory=list)


def _rows(session, name: str, column: str, values: set[str]) -> list[dict]:
    if not values:
        return []
    table = TABLES[name]
    return [dict(r) for r in session.execute(
        select(table).where(table.c[column].in_(sorted(values))).order_by(table.c.id)).mappings()]


def contacts_for(session, user, services: Iterable[dict]) -> dict[str, ServiceContacts]:
    """``{service id: ServiceContacts}`` for ``services`` (mappings with ``id`` and
    ``organization_id``), in the form ``user`` may read (full with ``directory_contacts``)."""
    from ..store.models import User

    services = [{"id": str(s["id"]), "organization_id": s.get("organization_id")} for s in services]
    ids = {s["id"] for s in services}
    orgs = {s["organization_id"] for s in services if s["organization_id"]}
    full = access.can(user, "directory_contacts")
    phones = _rows(session, "phone", "service_id", ids) + _rows(session, "phone", "organization_id", orgs)
    organisations = {r["id"]: r for r in _rows(session, "organization", "id", orgs)}
    own_services = {r["id"]: r for r in _rows(session, "service", "id", ids)}
    people = (_rows(session, "contact", "service_id", ids)
              + _rows(session, "contact", "organization_id", orgs)) if full else []
    person_phones = _rows(session, "phone", "contact_id", {p["id"] for p in people})
    focal_users: dict[str, User] = {}
    referrals = _rows(session, "service_referral", "service_id", ids) if full else []
    wanted = {r["focal_point_user_id"] for r in referrals if r.get("focal_point_user_id")}
    if wanted:
        focal_users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(sorted(wanted))))}
    out: dict[str, ServiceContacts] = {}
    for s in services:
        sc = ServiceContacts()
        for ref in referrals:
            u = focal_users.get(ref.get("focal_point_user_id") or "")
            if ref["service_id"] == s["id"] and u is not None:
                numbers = [u.phone] if u.phone else []
                sc.contacts.append(Contact(u.display_name, "", u.email or "", numbers, True))
                sc.disclosed.append(u.id)
        mine = [p for p in people if p.get("service_id") == s["id"]] or [
            p for p in people if p.get("organization_id") == s["organization_id"] and not p.get("service_id")]
        for p in mine:
            numbers = [ph["number"] for ph in person_phones
                       if ph["contact_id"] == p["id"] and ph.get("number")]
            sc.contacts.append(Contact(p.get("name") or "", p.get("title") or "", p.get("email") or "",
                                       numbers, True))
            sc.disclosed.append(p["id"])
        own = [ph["number"] for ph in phones if not ph.get("contact_id") and ph.get("number")
               and (ph.get("service_id") == s["id"]
                    or (not ph.get("service_id") and ph.get("organization_id") == s["organization_id"]))]
        org = organisations.get(s["organization_id"] or "", {})
        email = (own_services.get(s["id"], {}).get("email") or org.get("email") or "")
        if own or email:
            sc.contacts.append(Contact(org.get("name") or "", "", email, list(dict.fromkeys(own)), False))
        out[s["id"]] = sc
    return out


def log_disclosure(wf, web, request, user, found: dict[str, ServiceContacts], **filters) -> None:
    """One access-log row for a page that showed the staff contacts of ``found`` (none for the
    public form or when no person was shown)."""
    from .contacts_log import log_contacts_read

    disclosed = [i for sc in found.values() for i in sc.disclosed]
    if user is None or not disclosed or not access.can(user, "directory_contacts"):
        return
    with wf.sessions.begin() as s:
        log_contacts_read(s, user.id, user.role, "web.directory", request.url.path, disclosed,
                          len(found), web.now(), filters)
