"""The M&E figures of one period, ready for every path (dashboard, exports, quarterly report,
DHIS2): the SOP's indicators from the audit events, suppressed and labelled, plus the directory's
health (services verified recently) and the needs without a provider in a region.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..sop.schema import SOP
from . import cache
from .compute import Result
from .periods import Period
from .present import Shown, present

FILTERS = ("region", "sex", "age_group", "need")  # the dashboard's filters (dimension names)


@dataclass
class DirectoryHealth:
    """Active services (not inactive/defunct) and how many were verified (HSDS ``assured_date``)
    within ``months`` before ``on``; ``by_type``: ``{organization_type: (verified, active)}``."""

    on: date
    months: int
    verified: int
    active: int
    by_type: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def percent(self) -> float | None:
        return round(100 * self.verified / self.active, 1) if self.active else None


@dataclass
class Figures:
    """Everything M&E shows for one period and filters. ``results``: raw (before suppression, for
    DHIS2 and tests); ``shown``: suppressed and labelled in ``lang``."""

    sop: SOP
    period: Period
    filters: dict[str, str]
    lang: str
    results: list[Result]
    shown: list[Shown]
    directory: DirectoryHealth | None
    unmet: list[tuple[str, str]]  # (need, region) pairs without any active provider
    org_names: dict[str, str]
    threshold: int


def organisations(session: Session) -> tuple[dict[str, str], dict[str, str]]:
    """``({id: name}, {id: organization_type})`` from the directory (empty without one)."""
    from ..directory.tables import TABLES

    org = TABLES["organization"]
    names, types = {}, {}
    for oid, name, typ in session.execute(select(org.c.id, org.c.name, org.c.organization_type)):
        names[oid] = name
        if typ:
            types[oid] = typ
    return names, types


def directory_health(session: Session, on: date, months: int = 6) -> DirectoryHealth:
    """:class:`DirectoryHealth` of the directory's services on day ``on``."""
    from ..directory.matching import EXCLUDED_STATUSES, months_before
    from ..directory.tables import TABLES

    svc, org = TABLES["service"], TABLES["organization"]
    since = months_before(on, months)
    out = DirectoryHealth(on, months, 0, 0)
    rows = session.execute(
        select(svc.c.assured_date, org.c.organization_type)
        .join(org, org.c.id == svc.c.organization_id, isouter=True)
        .where(svc.c.status.not_in(EXCLUDED_STATUSES))
    ).all()
    for assured, typ in rows:
        ok = isinstance(assured, date) and since <= assured <= on
        out.active += 1
        out.verified += ok
        v, a = out.by_type.get(typ or "unknown", (0, 0))
        out.by_type[typ or "unknown"] = (v + ok, a + 1)
    return out


def unmet_needs(session: Session, sop: SOP, regions: list[str], on: date) -> list[tuple[str, str]]:
    """``(need, region)`` pairs of the SOP's ``need`` options for which the directory has no
    candidate service (in the region, a neighbouring region or national); empty without a
    directory or a need mapping."""
    from ..directory.matching import MatchError, default_mapping, match

    mapping = default_mapping()
    out = []
    for need in sorted(sop.options.get("need", {})):
        if need not in mapping:
            continue
        for region in regions:
            try:
                if not match(session, need, region, limit=1, mapping=mapping, today=on, sop=sop):
                    out.append((need, region))
            except MatchError:
                continue
    return out


def figures(
    session: Session,
    sop: SOP,
    period: Period,
    now: datetime,
    *,
    filters: dict[str, Any] | None = None,
    lang: str = "fr",
    with_directory: bool = True,
    with_unmet: bool = False,
) -> Figures:
    """The :class:`Figures` of ``period`` (only the cases ``filters`` select: dimension → value).
    ``with_unmet``: also look for needs without provider (one directory match per need × region:
    about 2 s for the 17 regions; the report asks for it, the dashboard does not)."""
    if sop.indicators is None:
        raise ValueError("this SOP has no indicators: section / ce SOP n'a pas de section indicators:")
    filters = {k: str(v) for k, v in (filters or {}).items() if v and k in sop.indicators.dimensions}
    names, types = organisations(session)
    from ..directory.names_lang import names_in

    names = names_in(names, lang)  # an organisation's English name on an English report
    results = cache.results(session, sop, period, now, filters, types)  # exact invalidation

    def label_of(dim: str, code: str) -> str | None:
        d = sop.indicators.dimensions.get(dim)
        return (
            names.get(code) if d is not None and d.field and "provider" in dim and not d.directory else None
        )

    shown = [present(sop, r, lang, label_of) for r in results]
    health = unmet = None
    if with_directory:
        months = next((i.within_months for i in sop.indicators.list_ if i.count == "directory_verified"), 6)
        health = directory_health(session, period.end, months)
        regions = [filters["region"]] if "region" in filters else sorted(sop.options.get("region", {}))
        unmet = unmet_needs(session, sop, regions, period.end) if health.active and with_unmet else []
    return Figures(
        sop,
        period,
        filters,
        lang,
        results,
        shown,
        health,
        unmet or [],
        names,
        sop.indicators.suppression_threshold,
    )
