"""Data-sharing agreements (the MoU of the mechanism's terms of reference): which is in force.

Agreements are rows of the directory's ``sharing_agreement`` table (exported and imported with
the directory, edits audited in ``dir_audit``): organisation, signed on, agreement version, data
categories and purposes (space-separated codes), expiry date, data focal point. An agreement is in
force on a day when it was signed on or before that day and has not expired (``expires_on`` is the
last day of validity).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select


@dataclass(frozen=True)
class AgreementStatus:
    """``in_force``; ``agreement_id`` of the newest agreement in force (or of the newest at all);
    ``reason``: ``agreement.in_force``, ``agreement.none``, ``agreement.expired`` or
    ``agreement.not_yet_signed``."""

    in_force: bool
    reason: str
    agreement_id: str | None = None
    version: str | None = None
    expires_on: date | None = None
    categories: frozenset[str] = frozenset()  # the data categories it lists (space-separated codes)


def agreement_in_force(session: Any, organisation_id: str, day: date) -> AgreementStatus:
    """The sharing-agreement status of ``organisation_id`` on ``day`` (a date in the SOP's time zone)."""
    from ..directory.tables import TABLES

    t = TABLES["sharing_agreement"]
    rows = list(session.execute(select(t).where(t.c.organization_id == organisation_id)
                                .order_by(t.c.signed_on.desc(), t.c.id)))
    if not rows:
        return AgreementStatus(False, "agreement.none")
    for r in rows:
        if r.signed_on <= day and (r.expires_on is None or r.expires_on >= day):
            return AgreementStatus(True, "agreement.in_force", r.id, r.agreement_version, r.expires_on,
                                   frozenset(str(r.data_categories or "").split()))
    newest = rows[0]
    reason = "agreement.not_yet_signed" if newest.signed_on > day else "agreement.expired"
    return AgreementStatus(False, reason, newest.id, newest.agreement_version, newest.expires_on)
