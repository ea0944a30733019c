"""Dates in the reader's language for messages (digests, e-mails, notifications, alert status):
day/month/year in every language (``23/09/2025``), through Babel's locale of the language
(:func:`mno_workflow.i18n.babel_locale`: ``fr_FR``, ``en_GB``), never an ISO date or a
``lang == "en"`` test.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from . import babel_locale

DAY = "dd/MM/yyyy"
INSTANT = "dd/MM/yyyy HH:mm"


def day_text(day: date | datetime, lang: str | None = None, timezone: str | None = None) -> str:
    """``23/09/2025``; an aware instant is first taken to ``timezone`` (default: its own)."""
    from babel.dates import format_date  # here: mno --help does not import Babel

    if isinstance(day, datetime):
        day = (day.astimezone(ZoneInfo(timezone)) if timezone and day.tzinfo else day).date()
    return format_date(day, DAY, locale=babel_locale(lang))


def instant_text(instant: datetime, lang: str | None = None, timezone: str = "UTC") -> str:
    """``23/09/2025 14:30`` in ``timezone``."""
    from babel.dates import format_datetime

    return format_datetime(instant, INSTANT, tzinfo=ZoneInfo(timezone), locale=babel_locale(lang))


def day_words(day: date, lang: str | None = None) -> str:
    """A day in words: « mardi 23 septembre 2025 », "Tuesday, 23 September 2025"."""
    from babel.dates import format_date

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
