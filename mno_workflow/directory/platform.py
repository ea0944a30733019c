"""Whether an organisation has someone to answer referrals on the platform: the directory says it
uses the platform (``uses_platform: yes``) *and* it has an active account of a role that answers
referrals (a ``scope: recipient`` role of a registered SOP, « point focal ») *in the SOP of the
referral*: an account tied to another SOP (``users.sop_id``, tryout 5, H24) sees none of this
SOP's referrals and is told none of them (:func:`mno_workflow.web.access.sop_admits`), so it does
not count as the organisation's answerer for it.

One predicate for every place that decides who follows a provider's answer (tryout 6, I7): the
case page (« suivi par le gestionnaire »), the API's ``off_platform``, ``mno case show``, the send
form's mark and warning, and the reminders of an off-platform provider's referral that go to the
case manager — all through :func:`mno_workflow.directory.organisations_off_platform`. An
organisation marked ``yes`` whose focal points have no account yet (or were all deactivated) would
otherwise get an emergency referral in an inbox nobody reads, the case page telling the case
manager it answers there itself.
"""

from __future__ import annotations

import threading

from sqlalchemy import select

#: the answering roles of an SOP version, by the hash of its text (parsed once)
_ROLES: dict[str, frozenset[str]] = {}
_LOCK = threading.Lock()
#: the role that answers referrals when no SOP is registered (the reference SOP's)
DEFAULT_ANSWERING = frozenset({"provider"})


def answering_roles(session, sop_id: str | None = None) -> frozenset[str]:
    """The ``scope: recipient`` roles of every version of SOP ``sop_id`` registered in this
    database (of every SOP when None; :data:`DEFAULT_ANSWERING` when none is)."""
    from ..store.models import SopVersion
    query = select(SopVersion.id, SopVersion.sha256)
    if sop_id:
        query = query.where(SopVersion.sop_id == sop_id)
    rows = session.execute(query).all()
    roles: set[str] = set()
    for vid, sha in rows:
        hit = _ROLES.get(sha)
        if hit is None:
            from ..reminders.rendering import _sop
            row = session.get(SopVersion, vid)
            sop = _sop(row)
            hit = frozenset(r for r, spec in sop.roles.items() if spec.scope == "recipient")
            with _LOCK:
                _ROLES[sha] = hit
        roles |= hit
    return frozenset(roles) or DEFAULT_ANSWERING


def with_focal_point(session, ids, sop_id: str | None) -> set[str]:
    """The organisations of ``ids`` that have at least one active account of an answering role
    (:func:`answering_roles`) that works in SOP ``sop_id`` — without SOP, or of that SOP (the
    rule of :func:`mno_workflow.web.access.sop_admits`); ``sop_id`` None: any account."""
    from sqlalchemy import or_

    from ..store.models import User
    ids = {i for i in ids if i}
    if not ids:
        return set()
    roles = sorted(answering_roles(session, sop_id))
    query = select(User.organisation).distinct().where(
        User.organisation.in_(ids), User.active.is_(True), User.role.in_(roles))
    if sop_id:
        query = query.where(or_(User.sop_id.is_(None), User.sop_id == "", User.sop_id == sop_id))
    return set(session.scalars(query))
