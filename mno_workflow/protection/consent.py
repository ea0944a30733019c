"""The consent in force for a case at an instant: the latest consent record, read one way everywhere.

Status, from the SOP's ``data_protection.consent_step`` (default ``consent``) latest instance:
``given`` (and not past ``expires_on``), ``expired`` (given, but ``expires_on`` is before the day
of ``at`` in the SOP's time zone: the date is the last day of validity), ``withdrawn``,
``overridden`` (a supervisor's override with a legal basis), ``refused``, or ``none`` (not asked
yet). The scope (data categories, recipient kinds, purposes) comes from the consent form's data
(``data_protection.consent_form``, default ``consent``); an override's, from the override form's
(``data_protection.override_form``): its ``data_categories`` and, when it has one, its
``share_with`` (the consent form's recipient codes; an override without it, as recorded before
the BF SOP 2026.8, covers every recipient).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..sop.schema import SOP
from ..sop.schema_protection import DataProtection

STATUSES = ("given", "expired", "withdrawn", "overridden", "refused", "none")


def settings(sop: SOP) -> DataProtection:
    """The SOP's ``data_protection`` section, or its defaults when the SOP has none."""
    return sop.data_protection or DataProtection()


@dataclass(frozen=True)
class ConsentInForce:
    """The consent in force. ``status`` is one of :data:`STATUSES`; ``categories``,
    ``recipient_kinds`` and ``purposes`` are the codes the consent lists (empty unless given or
    expired; for an override, ``categories`` are those it discloses, empty meaning every one:
    ``data_protection.override_form`` / ``override_categories``, and ``recipient_kinds`` the
    ``share_with`` codes it lists); ``expires_on`` the last day of validity (None: no expiry);
    ``today`` the day of the evaluation in the SOP's time zone."""

    status: str
    categories: frozenset[str] = field(default_factory=frozenset)
    recipient_kinds: frozenset[str] = field(default_factory=frozenset)
    purposes: frozenset[str] = field(default_factory=frozenset)
    expires_on: date | None = None
    today: date | None = None
    covered_types: frozenset[str] | None = None

    # ``covered_types``: the directory organisation types the chosen recipient kinds cover
    # (``data_protection.recipient_kinds``); None when the SOP maps no kinds (type not checked),
    # and for an override whose record lists no ``share_with`` (every recipient: tryout 7, J4).

    @property
    def in_force(self) -> bool:
        """True when something may be disclosed at all: given (not expired) or overridden."""
        return self.status in ("given", "overridden")


def _codes(value: Any) -> frozenset[str]:
    if isinstance(value, list | tuple | set | frozenset):
        return frozenset(str(v) for v in value)
    return frozenset()


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def consent_in_force(sop: SOP, case: Any, at: datetime) -> ConsentInForce:
    """The :class:`ConsentInForce` of ``case`` (a store ``Case`` with its ``instances`` and
    ``data``) at the aware instant ``at``. Never raises for missing data: no consent record is
    status ``none``."""
    dp = settings(sop)
    today = at.astimezone(ZoneInfo(sop.calendar.timezone)).date()
    state = None
    for inst in getattr(case, "instances", None) or []:  # ordered by id: the last one is the latest
        if inst.step == dp.consent_step:
            state = inst.state
    if state not in ("given", "withdrawn", "overridden", "refused"):
        return ConsentInForce("none", today=today)
    if state == "overridden":  # what the override discloses: its own list, else the SOP's default
        record = (getattr(case, "data", None) or {}).get(dp.override_form) or {}
        cats = _codes(record.get("data_categories")) or frozenset(dp.override_categories or ())
        kinds = _codes(record.get("share_with"))
        return ConsentInForce(state, cats, kinds, today=today,
                              covered_types=_covered(dp, kinds) if "share_with" in record else None)
    if state != "given":
        return ConsentInForce(state, today=today, covered_types=frozenset() if dp.recipient_kinds else None)
    form = (getattr(case, "data", None) or {}).get(dp.consent_form) or {}
    expires = _day(form.get("expires_on"))
    status = "expired" if expires is not None and expires < today else "given"
    if form.get("given") is False:
        status = "refused"
    kinds = _codes(form.get("share_with"))
    return ConsentInForce(status, _codes(form.get("data_categories")), kinds,
                          _codes(form.get("purposes")), expires, today, _covered(dp, kinds))


def _covered(dp: DataProtection, kinds: frozenset[str]) -> frozenset[str] | None:
    """The directory organisation types the recipient ``kinds`` cover (None: the SOP maps none)."""
    return frozenset(t for k in kinds for t in dp.recipient_kinds.get(k, ())) if dp.recipient_kinds else None


def allows_statistics(sop: SOP, case: Any, at: datetime) -> bool:
    """Whether ``case`` may appear as a row of a pseudonymised (statistical) export: its latest
    consent record (given, or given and since expired) lists the SOP's ``statistics_purpose``.
    Cases without it (refused, withdrawn, overridden, not asked, purpose not chosen) are counted
    in aggregates only. True when the SOP names no statistics purpose."""
    purpose = settings(sop).statistics_purpose
    if purpose is None:
        return True
    consent = consent_in_force(sop, case, at)
    return consent.status in ("given", "expired") and purpose in consent.purposes
