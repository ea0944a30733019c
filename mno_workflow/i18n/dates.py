"""Dates and instants as people read them, the one implementation for every page, printed
document, e-mail, notification and export: day/month/year as digits in every language
(``23/09/2025``, ``23/09/2025 14:30``), an instant in the SOP's time zone, never an ISO date or a
``lang == "en"`` test.

The digit patterns are catalogue entries (context ``strftime``), so a language may set its own
order; Babel's locale of the language (:func:`mno_workflow.i18n.babel_locale`: ``fr_FR``,
``en_GB``) gives the day in words. ``i18n.short_date`` / ``short_datetime`` and the web pages'
``fmt_date`` / ``fmt_datetime`` delegate here.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from . import N_, babel_locale, pgettext


def _day_pattern(lang: str | None) -> str:
    # TRANSLATORS: strftime pattern of a day as digits; day first in English too ("%d/%m/%Y")
    return pgettext("strftime", "%d/%m/%Y", lang)


def _instant_pattern(lang: str | None) -> str:
    # TRANSLATORS: strftime pattern of a day and time; day first in English too ("%d/%m/%Y %H:%M")
    return pgettext("strftime", "%d/%m/%Y %H:%M", lang)


def _instant_pattern_of_the_year(lang: str | None) -> str:
    # TRANSLATORS: strftime pattern of a day and time of this year; day first ("%d/%m %H:%M")
    return pgettext("strftime", "%d/%m %H:%M", lang)


def _format(value: date, pattern: str) -> str:
    # %Y of a year before 1000 is not zero-padded by every C library: the year is written here
    return value.strftime(pattern.replace("%Y", f"{value.year:04d}"))


def _parsed(value: object) -> date | datetime | str:
    """An ISO text as a date or an instant (``2025-01-15``, ``2025-01-15T13:30:00Z``); any other
    text unchanged (it is shown as written)."""
    text = str(value).strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text


def _read(value: object) -> object:
    """``""`` for ``None`` or ``""``, an ISO text read (:func:`_parsed`), anything else as is: a
    ``str`` result is shown as written."""
    if value is None or value == "":
        return ""
    return _parsed(value) if isinstance(value, str) else value


def day_text(day: object, lang: str | None = None, timezone: str | None = None) -> str:
    """``23/09/2025``: a date, an instant (an aware one first taken to ``timezone``, default its
    own) or an ISO text; ``""`` for ``None`` or ``""``; another text is returned as written."""
    day = _read(day)
    if isinstance(day, str):
        return day
    if isinstance(day, datetime):
        day = (day.astimezone(ZoneInfo(timezone)) if timezone and day.tzinfo else day).date()
    if not isinstance(day, date):
        return str(day)
    return _format(day, _day_pattern(lang))


def instant_text(instant: object, lang: str | None = None, timezone: str | None = "UTC",
                 *, year: bool = True) -> str:
    """``23/09/2025 14:30`` in ``timezone`` (a naive instant is read as UTC; ``year`` False:
    ``23/09 14:30``, a deadline of this year); a date alone is a day (:func:`day_text`); an ISO
    text is read first; ``""`` for ``None`` or ``""``."""
    instant = _read(instant)
    if isinstance(instant, str):
        return instant
    if not isinstance(instant, datetime):
        return day_text(instant, lang)
    aware = instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)
    pattern = _instant_pattern(lang) if year else _instant_pattern_of_the_year(lang)
    return _format(aware.astimezone(ZoneInfo(timezone or "UTC")), pattern)


def day_words(day: date, lang: str | None = None) -> str:
    """A day in words: « mardi 23 septembre 2025 », "Tuesday, 23 September 2025"."""
    from babel.dates import format_date  # here: mno --help does not import Babel

    return format_date(day, format="full", locale=babel_locale(lang))


class DayText:
    """A day as one value of a message (``Message.t(..., expires_on=DayText(day))``): shown
    ``03/06/2025`` in the reader's language (:func:`day_text`), stored as its texts."""

    __slots__ = ("day",)

    def __init__(self, day: date) -> None:
        self.day = day

    def text(self, lang: str = "fr") -> str:
        return day_text(self.day, lang)

    def __repr__(self) -> str:
        return f"DayText({self.day.isoformat()})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DayText) and other.day == self.day

    def __hash__(self) -> int:
        return hash(self.day)


class InstantText:
    """An instant as one value of a message (``said(…, at=InstantText(at))``): shown
    ``03/06/2025 08:00`` (UTC unless ``timezone``) in the reader's language (:func:`instant_text`)."""

    __slots__ = ("instant", "timezone")

    def __init__(self, instant: object, timezone: str = "UTC") -> None:
        self.instant, self.timezone = instant, timezone

    def text(self, lang: str = "fr") -> str:
        return instant_text(self.instant, lang, self.timezone)

    def __repr__(self) -> str:
        return f"InstantText({self.instant!r})"


#: A day as people type it: day first (« 15/01/2025 », also 15.01.2025 or 15-01-2025), the pages'
#: way, or ISO (« 2025-01-15 »), the API's and scripts' way. :func:`read_day` reads both.
_DMY = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*$")
_ISO_DAY = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")

#: The accepted shapes, for help texts and errors (a catalogue entry: JJ/MM/AAAA in French).
DAY_SHAPES = N_("JJ/MM/AAAA ou AAAA-MM-JJ")


def read_day(text: str) -> date:
    """The day typed as ``15/01/2025`` (day first, as every page writes it; ``.`` or ``-`` also
    separate) or ``2025-01-15`` (ISO): the one parser of typed days, for the pages, the command
    line and the indicator periods. ValueError for anything else or a day that does not exist."""
    m = _DMY.match(text or "")
    if m:
        d, mo, y = (int(x) for x in m.groups())
        return date(y, mo, d)
    if _ISO_DAY.match(text or ""):
        return date.fromisoformat(text.strip())
    raise ValueError(text)


def iso_day(text: str) -> str:
    """``text`` as an ISO day when :func:`read_day` reads it (``15/01/2025`` → ``2025-01-15``),
    else unchanged but stripped: the engine's validation then says what is wrong."""
    try:
        return read_day(text).isoformat()
    except ValueError:
        return (text or "").strip()


#: An instant as people type it: day first and the time (« 10/06/2025 08:00 », seconds optional).
_DMY_TIME = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})"
                       r"(?:[ T]+(\d{1,2})[:h](\d{2})(?::(\d{2}))?)?\s*$")


class NoTimeZone(ValueError):
    """An instant typed without an offset (« 10/06/2025 08:00 ») and no time zone to read it in."""


def read_instant(text: str, timezone: str | None = None) -> datetime:
    """The aware instant typed as ISO 8601 with an offset (``2025-06-10T08:00:00Z``,
    ``…+01:00``), or without one — day first as every page writes it (``10/06/2025 08:00``, a day
    alone is its midnight) or ISO (``2025-06-10T08:00``) — read in ``timezone``.

    ValueError for anything else or a day that does not exist; :class:`NoTimeZone` for an
    instant without an offset when ``timezone`` is None."""
    text = (text or "").strip()
    m = _DMY_TIME.match(text)
    if m:
        d, mo, y, h, mi, sec = (int(x) if x else 0 for x in m.groups())
        naive = datetime(y, mo, d, h, mi, sec)
    else:
        if not re.match(r"^\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        naive = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        if naive.tzinfo is not None:
            return naive
    if timezone is None:
        raise NoTimeZone(text)
    return naive.replace(tzinfo=ZoneInfo(timezone))
