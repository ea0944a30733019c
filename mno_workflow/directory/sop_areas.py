"""The administrative areas a directory search understands for one SOP: the regions of its
``region`` option list, in the country of its calendar, so a Togo case's « maritime » is a region
as a Burkina Faso case's « kadiogo » is (tryout 8, K6).

Burkina Faso's SOP gets the registry shipped with the package (``data/bf_areas.csv``: former
names, provinces, neighbours), widened with any region of its option list the file lacks. Another
country's SOP gets a registry built from its option list: one region per option (its code and its
label in every language of the SOP), under one country area named by the country's names (Babel's,
French and English), its ISO code and the usual words for national coverage. Such a registry has
no neighbours and no provinces: a service covers the case's region or the whole country.
"""

from __future__ import annotations

from typing import Any

from .areas import Area, AreaRegistry, default_registry

NATIONAL_WORDS = ("National", "Tout le pays", "Couverture nationale", "Nationwide", "Whole country")
SHIPPED = {"BF": default_registry}  # country code → the registry shipped for it

_CACHE: dict[int, tuple[Any, AreaRegistry]] = {}


def country_of(sop: Any) -> str | None:
    """The SOP's country code (its calendar's ``holidays``, ``GB`` for ``GB-ENG``), None without."""
    holidays = getattr(getattr(sop, "calendar", None), "holidays", None)
    return holidays.split("-", 1)[0].upper() if holidays else None


def _country_names(code: str) -> tuple[str, ...]:
    from babel import Locale
    names = [Locale.parse(lang).territories.get(code) for lang in ("fr", "en")]
    return tuple(dict.fromkeys(n for n in names if n))


def registry_for(sop: Any | None) -> AreaRegistry:
    """The area registry of ``sop`` (an SOP model; None: Burkina Faso's, as before any SOP)."""
    if sop is None:
        return default_registry()
    hit = _CACHE.get(id(sop))
    if hit is not None and hit[0] is sop:
        return hit[1]
    registry = _build(sop)
    _CACHE[id(sop)] = (sop, registry)
    return registry


def _build(sop: Any) -> AreaRegistry:
    code = country_of(sop)
    regions: dict[str, dict[str, str]] = dict(sop.options.get("region") or {})
    shipped = SHIPPED.get(code or "")
    base = shipped() if shipped is not None else None
    if base is not None and all(c in base.areas and base.areas[c].kind == "region" for c in regions):
        return base
    if base is not None:
        areas, neighbours, country = dict(base.areas), base.neighbours, base.country.code
    else:
        country = (code or "country").lower()
        names = _country_names(code) if code else ()
        areas = {country: Area(country, "country", names[0] if names else (code or country), None, "",
                               (*names[1:], *((code,) if code else ()), *NATIONAL_WORDS), True)}
        neighbours = {}
    for option, label in regions.items():
        if option in areas and areas[option].kind == "region":
            continue
        words = [w for w in (label or {}).values() if w]
        name = (label or {}).get("fr") or (words[0] if words else option)
        areas[option] = Area(option, "region", name, country, "",
                             tuple(dict.fromkeys(w for w in words if w != name)), True)
    return AreaRegistry(areas, neighbours)


def address_regions(session: Any, service_ids: list[str], registry: AreaRegistry) -> dict[str, set[str]]:
    """The regions of ``registry`` where each service of ``service_ids`` is, read from the
    addresses of its locations (``service_at_location``), else of its organisation's locations:
    the region a service without any ``service_area`` row serves. An address in another country
    than the registry's (its ``country`` column) counts for nothing."""
    from sqlalchemy import select

    from .tables import TABLES
    svc, sal, loc, addr = (TABLES[k] for k in ("service", "service_at_location", "location", "address"))
    own = registry.country.code.upper()
    by_location: dict[str, set[str]] = {}
    by_org: dict[str, set[str]] = {}
    rows = session.execute(select(loc.c.id, loc.c.organization_id, addr.c.region, addr.c.state_province,
                                  addr.c.country).join(addr, addr.c.location_id == loc.c.id))
    for location, org, region, province, country in rows:
        if country and str(country).upper() != own:
            continue
        found: set[str] = set()
        for name in (region, province):
            if name:
                found |= registry.resolve_regions(str(name))
        by_location.setdefault(location, set()).update(found)
        by_org.setdefault(org, set()).update(found)
    placed: dict[str, set[str]] = {}
    for sid, location in session.execute(select(sal.c.service_id, sal.c.location_id)
                                         .where(sal.c.service_id.in_(service_ids))):
        placed.setdefault(sid, set()).update(by_location.get(location, set()))
    out: dict[str, set[str]] = {}
    for sid, org in session.execute(select(svc.c.id, svc.c.organization_id).where(svc.c.id.in_(service_ids))):
        out[sid] = placed[sid] if placed.get(sid) else by_org.get(org, set())
    return out


def loaded_registries(session: Any) -> list[AreaRegistry]:
    """Burkina Faso's registry, then that of each SOP loaded in the database (its latest version):
    the areas a directory row may name — a Togo service area « Maritime » once a Togo SOP is loaded
    (what an import or an edit checks, :func:`.validate.validate_rows`)."""
    out = [default_registry()]
    if session is None:
        return out
    from sqlalchemy import inspect, select

    from ..reminders.rendering import sop_model
    from ..store.models import SopVersion
    if not inspect(session.connection()).has_table(SopVersion.__tablename__):
        return out
    latest = {row.sop_id: row for row in session.scalars(select(SopVersion).order_by(SopVersion.id))}
    for row in latest.values():
        registry = registry_for(sop_model(row))
        if all(registry is not r for r in out):
            out.append(registry)
    return out


def national_word_abroad(session: Any, sop: Any | None, services: list[Any]) -> set[str]:
    """The ids of ``services`` (rows with ``id`` and ``organization_id``) whose organisation is
    established outside ``sop``'s country only (:func:`.need_check.abroad`): for them a service
    area named by a word of no country (« National », « Tout le pays ») is their own country, not
    the SOP's — a Burkina Faso service « National » covers no Togo region. Empty without ``sop``."""
    if sop is None or not services:
        return set()
    from .need_check import abroad
    away = abroad(session, sop, {s["organization_id"] for s in services})
    return {s["id"] for s in services if s["organization_id"] in away}


def is_national_word(name: str) -> bool:
    """Whether a service-area name is a word of no country (« National », « Tout le pays »)."""
    from .areas import fold
    return fold(name) in {fold(w) for w in NATIONAL_WORDS}
