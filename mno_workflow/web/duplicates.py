"""Possible duplicates of a person being registered: same folded name and region with the same
birth date or an estimated age within ± 2 years, or the same phone number (any region).

Fields come from the SOP's ``case_summary`` (``name``, ``region``, ``birth_date``,
``estimated_age``, ``phone``); a SOP without them gets no check. Only cases the user may open are
shown (reference, name, link); the others are only counted, without reference or name
(data protection: a caseworker sees only their own cases, :func:`.access.case_clause`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..sop.schema import SOP
from ..store.models import Case, CaseRequest, User
from ..store.repository import fold
from . import access

AGE_MARGIN = 2
SCAN_LIMIT = 5000


@dataclass
class Duplicates:
    visible: list[Case]
    hidden: int  # similar cases the user may not open (counted only)

    def __bool__(self) -> bool:
        return bool(self.visible) or self.hidden > 0


def _get(data: dict[str, Any], ref: str | None) -> Any:
    if not ref:
        return None
    form, _, field = ref.partition(".")
    return (data.get(form) or {}).get(field)


def _age(data: dict, sop: SOP, on: date) -> int | None:
    s = sop.case_summary
    born = _get(data, s.birth_date)
    if born:
        try:
            b = date.fromisoformat(str(born)[:10])
            return on.year - b.year - ((on.month, on.day) < (b.month, b.day))
        except ValueError:
            return None
    age = _get(data, s.estimated_age)
    try:
        return int(age) if age not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _digits(phone: Any) -> str:
    text = "".join(ch for ch in str(phone or "") if ch.isdigit())
    return text[-8:]  # the subscriber number, with or without +226 / 00226


def find(s: Session, sop: SOP, user: User, form_id: str, payload: dict[str, Any],
         now: datetime) -> Duplicates:
    """Cases that may be the same person as the registration ``payload`` of ``form_id``. The phone
    is compared on its last 8 digits among the cases of the same region (or every case when the
    registration has no region), at most 5,000 cases read."""
    summ = sop.case_summary
    data = {form_id: payload}
    parts = [str(_get(data, ref) or "") for ref in summ.name]
    name = fold(" ".join(p for p in parts if p).strip()) if any(parts) else ""
    region = _get(data, summ.region)
    phone = _digits(_get(data, summ.phone))
    born = _get(data, summ.birth_date)
    age = _age(data, sop, now.date())
    conds = []
    if name:
        conds.append(Case.name_folded == name)
    if phone and len(phone) >= 8:
        conds.append(Case.region == region if region else Case.id.isnot(None))
    if not conds:
        return Duplicates([], 0)
    rows = s.scalars(select(Case).where(or_(*conds), Case.purged_at.is_(None)).limit(SCAN_LIMIT)).all()
    found = []
    for c in rows:
        cdata = c.data or {}
        same_phone = bool(phone) and len(phone) >= 8 and _digits(_get(cdata, summ.phone)) == phone
        same_person = False
        if name and c.name_folded == name and (not summ.region or c.region == region):
            cborn = _get(cdata, summ.birth_date)
            if born and cborn:
                same_person = str(born)[:10] == str(cborn)[:10]
            else:
                cage = _age(cdata, sop, now.date())
                same_person = age is not None and cage is not None and abs(age - cage) <= AGE_MARGIN
        if same_phone or same_person:
            found.append(c)
    visible = [c for c in found if access.can_view_case(user, c)]
    return Duplicates(visible[:20], len(found) - len(visible))


def record_dismissal(s: Session, sop: SOP, case: Case, user: User, similar: list[str], hidden: int,
                     now: datetime) -> None:
    """Audit « ce n'est pas la même personne »: one event ``duplicate_dismissed`` on the new case
    with the references the user was shown and how many others were counted."""
    from ..store.audit import append_event

    case.version += 1
    case.updated_at = now
    append_event(s, case, at=now, actor=user.id, role=user.role, organisation=user.organisation,
                 action="duplicate_dismissed", sop_version=f"{sop.sop}@{sop.version}",
                 data={"similar": similar, "hidden": hidden}, via="web")


def token_used(s: Session, user: User, key: str) -> bool:
    """True when the registration form with this idempotency key already created a case."""
    q = select(CaseRequest.id).where(CaseRequest.owner == user.id, CaseRequest.key == key)
    return s.scalar(q) is not None
