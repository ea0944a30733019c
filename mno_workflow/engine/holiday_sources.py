"""Where the public holidays of an SOP calendar come from: the ``holidays`` package (country and
ISO 3166-2 subdivision), dates the package lacks, the SOP's own extra dates and observance rules.

Shapes: a *calendar code* is ``"BF"`` (ISO 3166-1 alpha-2) or ``"GB-ENG"`` (ISO 3166-2: country,
hyphen, subdivision). :func:`year_holidays` returns ``{date: name}`` for one year; the business
calendar (:mod:`mno_workflow.engine.calendar`) applies administrator overrides on top.

Subdivisions: when the ``holidays`` package has regional holidays for the country (``GB``: ``ENG``,
``SCT``…; ``AU``: ``VIC``…; ``US``: ``MO``…) the subdivision must be one of them; when it has none
(``NG``), the code must be a real ISO 3166-2 subdivision (checked with ``pycountry``) and the
national holidays apply (:func:`subdivision_note` says so, for validate and the CLI).

Source of the additions: Burkina Faso, *Journée des coutumes et traditions* on 15 May, decree
2024-0262 of 6 March 2024 (Conseil des ministres), absent from ``holidays`` 0.109.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from importlib import metadata as _metadata

from ..i18n import N_, gettext

__all__ = ["HOLIDAYS_VERSION", "PACKAGE_GAPS", "check_code", "split_code", "subdivision_note",
           "year_holidays"]

HOLIDAYS_VERSION: str = _metadata.version("holidays")


def _holidays():
    """The ``holidays`` package, imported on first use (its country tables weigh a few MiB of
    the web server's start-up memory)."""
    import holidays

    return holidays
"""Version of the ``holidays`` package in use; recorded in each computed deadline's audit effect."""

# Holidays the package lacks: country → [(month, day, first year, name: a French message id)].
PACKAGE_GAPS: dict[str, list[tuple[int, int, int, str]]] = {
    "BF": [(5, 15, 2024, N_("Journée des coutumes et traditions"))],
}

_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def split_code(code: str) -> tuple[str, str | None]:
    """``"GB-ENG"`` → ``("GB", "ENG")``; ``"BF"`` → ``("BF", None)``."""
    country, _, subdiv = code.partition("-")
    return country, (subdiv or None)


def _package_knows_subdivisions(country: str) -> bool:
    try:
        entity = _holidays().country_holidays(country, years=[])
    except NotImplementedError:
        return False
    return bool(getattr(entity, "subdivisions", ()))


def check_code(code: str) -> None:
    """Raise ValueError (English text naming the code) unless ``code`` is a calendar code the
    ``holidays`` package can serve: a known country, and a subdivision it knows or, for a country
    without regional holidays in the package, a real ISO 3166-2 subdivision."""
    country, subdiv = split_code(code)
    try:
        entity = _holidays().country_holidays(country, years=[])
    except NotImplementedError:
        raise ValueError(f"the holidays package knows no country {country!r} "
                         f"(use an ISO 3166-1 code such as 'BF', 'GB', 'AU')") from None
    if subdiv is None:
        return
    known = tuple(getattr(entity, "subdivisions", ()))
    if known:
        if subdiv not in known:
            raise ValueError(f"{code!r}: the holidays package knows no subdivision {subdiv!r} of "
                             f"{country} (known: {', '.join(known)})")
        return
    import pycountry
    if pycountry.subdivisions.get(code=code) is None:
        raise ValueError(f"{code!r} is not an ISO 3166-2 subdivision of {country}")


def subdivision_note(code: str, lang: str = "fr") -> str | None:
    """A note in ``lang`` when a valid subdivision has no regional holidays in the package
    (national ones apply), else None."""
    country, subdiv = split_code(code)
    if subdiv and not _package_knows_subdivisions(country):
        return gettext("{code} : le paquet « holidays » n'a pas de jours fériés régionaux pour {country} ; "
                       "les jours fériés nationaux de {country} s'appliquent", lang,
                       code=code, country=country)
    return None


def package_language(supported, country: str, language: str) -> str | None:
    """The package's language for ``language``: itself (``fr``), else its variant of the country
    (``en`` in Burkina Faso: ``en_BF``), else its first variant (``en_US``); None when the package has
    no names in that language (the country's default names are kept)."""
    if language in supported:
        return language
    variants = [x for x in supported if x.split("_")[0] == language]
    return next((x for x in variants if x.endswith("_" + country.upper())), variants[0] if variants else None)


def _package_year(code: str, year: int, language: str) -> dict[date, str]:
    country, subdiv = split_code(code)
    if subdiv and not _package_knows_subdivisions(country):
        subdiv = None
    entity = _holidays().country_holidays(country, subdiv=subdiv, years=year)
    chosen = package_language(getattr(entity, "supported_languages", ()) or (), country, language)
    if chosen:
        entity = _holidays().country_holidays(country, subdiv=subdiv, years=year, language=chosen)
    table = {d: str(n) for d, n in entity.items() if d.year == year}
    for month, day, since, names in PACKAGE_GAPS.get(country, []):
        d = date(year, month, day)
        if year >= since and d not in table:
            table[d] = gettext(names, language)  # the catalogues (French where none)
    return table


def year_holidays(code: str | None, year: int, language: str = "fr",
                  extra: Iterable = (), observed: dict[str, str] | None = None) -> dict[date, str]:
    """Holidays of local year ``year``: package (+ :data:`PACKAGE_GAPS`) for ``code`` (None: no
    public holidays), then the SOP's ``extra`` holidays (objects with ``date``/``every``/``since``/
    ``until``/``name``, see :class:`mno_workflow.sop.schema.ExtraHoliday`), then ``observed``:
    ``{"sun": "mon", "sat": "fri"}`` adds, for a holiday on a Sunday, the nearest Monday (the
    nearer of the next or previous day with that weekday: Sunday → next Monday, Saturday →
    previous Friday) as "<name> (observé)" unless that day is already a holiday.
    Returns ``{date: name}`` (names in ``language``)."""
    table = _package_year(code, year, language) if code else {}
    for item in extra:
        name = item.name.get(language) or item.name.get("fr") or next(iter(item.name.values()))
        if item.date is not None:
            if item.date.year == year:
                table.setdefault(item.date, name)
            continue
        month, day = (int(x) for x in item.every.split("-"))
        if (item.since is None or year >= item.since) and (item.until is None or year <= item.until):
            try:
                table.setdefault(date(year, month, day), name)
            except ValueError:  # 29 February in a common year
                pass
    for when, to in (observed or {}).items():
        src, dst = _WEEKDAYS[when], _WEEKDAYS[to]
        forward = (dst - src) % 7
        shift = forward if forward <= 7 - forward else forward - 7  # the nearer of the two
        suffix = gettext(" (observé)", language)
        for d, name in sorted(table.items()):
            if d.weekday() == src:
                target = d + timedelta(days=shift)
                if target.year == year and target not in table:
                    table[target] = name + suffix
    return table
