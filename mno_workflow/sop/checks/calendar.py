"""E038: the ``calendar:`` block names a time zone or holiday code that does not exist; E021: its
``managed_by`` names a role the SOP does not define; W171: the holidays are another country's than
the time zone's (``timezone: Africa/Niamey`` with ``holidays: NI``, Nicaragua for Niger's ``NE``:
every working-day deadline would skip Nicaragua's holidays; tryout 3, F5). The time zone's country
is read from the IANA database's ``zone.tab`` (the system's or the ``tzdata`` package's); without
it, or for a zone of no country (``UTC``), W171 is not checked.

Checked at validate time so that ``timezone: Europe/Londres`` or ``holidays: XX`` is an error with
its file:line:col instead of a traceback at the first ``case create``. Holiday codes are a country
(``BF``) or an ISO 3166-2 subdivision (``GB-ENG``, ``AU-VIC``, ``US-MO``) of the ``holidays``
package; only the code is checked here (the calendar itself is built by
:mod:`mno_workflow.engine.calendar`).
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import holidays as _holidays

from ..diagnostics import Diagnostic, Said, joined, said
from ..loader import LoadedSOP


@lru_cache(maxsize=1)
def supported_countries() -> frozenset[str]:
    """Country codes (and their aliases: ``GBR``, ``UK``) the installed ``holidays`` package knows,
    read from its registry without importing a country's module (importing all of them took
    ~90 ms of every ``mno validate``, issue 15)."""
    from holidays.registry import EntityLoader

    return frozenset(EntityLoader.get_country_codes(include_aliases=True))


@lru_cache(maxsize=64)
def subdivisions(country: str) -> list[str]:
    """Subdivision codes of ``country`` in the ``holidays`` package (imports that country's module
    only). ``country`` must be one of :func:`supported_countries`."""
    return list(getattr(_holidays, country).subdivisions)


def holiday_code_problem(code: str) -> tuple[str, str] | None:
    """``(message, hint)`` when ``code`` (``BF``, ``GB-ENG``) is not a country or subdivision of
    the ``holidays`` package; ``None`` when it is."""
    known = supported_countries()
    country, _, sub = code.partition("-")
    if country not in known:
        near = difflib.get_close_matches(country, sorted(known), n=3)
        return (said("the holidays package knows no country {country!r}", country=country),
                _maybe(said("two-letter ISO 3166 country code, e.g. BF, FR, GB"), near))
    if sub and sub not in subdivisions(country):
        subs = subdivisions(country)
        if not subs:  # no regional holidays in the package: a real ISO 3166-2 code is accepted and
            # the national holidays apply (engine/holiday_sources.py, check_code)
            import pycountry
            if pycountry.subdivisions.get(code=code) is not None:
                return None
            return (said("{code!r} is not an ISO 3166-2 subdivision of {country}", code=code,
                         country=country),
                    said("a real ISO 3166-2 code, or {country} alone", country=country))
        return (said("{sub!r} is not a subdivision of {country} in the holidays package", sub=sub,
                     country=country),
                said("subdivisions of {country}: {codes}", country=country,
                     codes=", ".join(f"{country}-{s}" for s in subs)))
    return None


def timezone_problem(name: str) -> tuple[str, str] | None:
    """``(message, hint)`` when ``name`` is not an IANA time zone; ``None`` when it is."""
    try:
        ZoneInfo(name)
        return None
    except (ZoneInfoNotFoundError, ValueError):
        near = difflib.get_close_matches(name, sorted(available_timezones()), n=3, cutoff=0.6)
        return (said("unknown time zone {name!r}", name=name),
                _maybe(said("an IANA name, e.g. Africa/Ouagadougou, Europe/London"), near))


def _maybe(hint: str, near: list[str]) -> str:
    """``hint``, followed by « did you mean a, b? » when there are ``near`` names."""
    if not near:
        return hint
    return joined([hint, said("did you mean {names}?", names=", ".join(near))], cls=Said)


@lru_cache(maxsize=1)
def zone_countries() -> dict[str, str]:
    """``{IANA time zone: ISO 3166 country}`` from ``zone.tab`` (empty when not found)."""
    import zoneinfo
    from pathlib import Path

    places = [Path(p) / "zone.tab" for p in zoneinfo.TZPATH]
    try:
        import importlib.resources

        places.append(Path(str(importlib.resources.files("tzdata.zoneinfo") / "zone.tab")))
    except (ImportError, ModuleNotFoundError, TypeError):
        pass
    for place in places:
        try:
            lines = place.read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        return {cols[2]: cols[0] for cols in (line.split("\t") for line in lines)
                if len(cols) >= 3 and not cols[0].startswith("#")}
    return {}


class CountryName:
    """« NE (Niger) » in the reader's language (Babel's territory names), as a message value."""

    def __init__(self, code: str) -> None:
        self.code = code

    def text(self, lang: str | None = None) -> str:
        from babel import Locale, UnknownLocaleError
        try:
            name = Locale.parse(lang or "en").territories.get(self.code)
        except (UnknownLocaleError, ValueError):
            name = None
        return f"{self.code} ({name})" if name else self.code

    def __str__(self) -> str:
        return self.text("en")


def country_mismatch(timezone: str, code: str) -> tuple[str, str] | None:
    """``(message, hint)`` when the ``holidays`` code's country is not the time zone's."""
    zone_country = zone_countries().get(timezone)
    country = code.partition("-")[0]
    if not zone_country or zone_country == country:
        return None
    return (said("the holidays are those of {holidays} but the time zone {timezone} is in {country}",
                 holidays=CountryName(country), timezone=timezone, country=CountryName(zone_country)),
            said("holidays: {code} (or a subdivision), unless this SOP really follows another country's "
                 "public holidays", code=zone_country))


def check_calendar(loaded: LoadedSOP) -> list[Diagnostic]:
    """E038 for the SOP's time zone and holiday code, E021 for each ``managed_by`` role that is not
    one of the SOP's ``roles`` (see the module doc); with its file:line:col."""
    cal, out = loaded.model.calendar, []
    roles = loaded.model.roles
    for j, role in enumerate(cal.managed_by or []):
        if role not in roles:
            near = difflib.get_close_matches(role, list(roles), n=1)
            out.append(loaded.diag(
                ("calendar", "managed_by", j), "E021",
                said("unknown role {role!r} in calendar.managed_by", role=role),
                _maybe(said("a role of 'roles:': {names}", names=", ".join(sorted(roles))),
                       [repr(n) for n in near])))
    problem = timezone_problem(cal.timezone)
    if problem:
        out.append(loaded.diag(("calendar", "timezone"), "E038", *problem))
    if cal.holidays:
        problem = holiday_code_problem(cal.holidays)
        if problem:
            out.append(loaded.diag(("calendar", "holidays"), "E038", *problem))
        elif not timezone_problem(cal.timezone):
            mismatch = country_mismatch(cal.timezone, cal.holidays)
            if mismatch:
                out.append(loaded.diag(("calendar", "holidays"), "W171", *mismatch, severity="warning"))
    return out
