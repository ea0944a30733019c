"""Reporting periods: a month (``2025-04`` or DHIS2 ``202504``), a quarter (``2025Q2``), a year
(``2025``) or a custom range (``01/04/2025..15/05/2025``, or ISO
``2025-04-01..2025-05-15``), with their DHIS2 ISO period code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..engine.errors import Message
from ..i18n import N_, current

#: A quarter in words, one message per quarter (French ordinals: « 1er », « 2e »).
QUARTERS = (N_("1er trimestre {year}"), N_("2e trimestre {year}"), N_("3e trimestre {year}"),
            N_("4e trimestre {year}"))

class PeriodError(ValueError):
    """A period text that is none of the accepted forms. ``message`` is a catalogue
    :class:`~mno_workflow.engine.errors.Message` (``message.text(lang)`` in the reader's
    language); ``str(e)`` is its text in the current language (:data:`mno_workflow.i18n.current`,
    set by ``mno --lang``)."""

    def __init__(self, message):
        self.message = message
        super().__init__(message.text(current.get()))

    def text(self, lang: str) -> str:
        return self.message.text(lang)


@dataclass(frozen=True)
class Period:
    """Days ``start`` to ``end`` (both included); ``kind`` month/quarter/year/custom; ``iso`` the
    DHIS2 period (``2025Q2``, ``202504``, ``2025``; None for a custom range)."""

    start: date
    end: date
    kind: str
    iso: str | None

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    def label(self, lang: str = "fr") -> str:
        """« 2e trimestre 2025 », « avril 2025 », « 2025 », « du 01/04/2025 au 15/05/2025 »."""
        from babel.dates import format_date

        from ..i18n import bare_locale, gettext

        loc = bare_locale(lang)
        if self.kind == "quarter":
            q = (self.start.month - 1) // 3 + 1
            return gettext(QUARTERS[q - 1], lang, year=self.start.year)
        if self.kind == "month":
            return format_date(self.start, "LLLL yyyy", locale=loc)
        if self.kind == "year":
            return str(self.start.year)
        a, b = format_date(self.start, "short", locale=loc), format_date(self.end, "short", locale=loc)
        return gettext("du {start} au {end}", lang, start=a, end=b)


def _month_end(y: int, m: int) -> date:
    return (date(y + (m == 12), m % 12 + 1, 1)) - timedelta(days=1)


def parse(text: str) -> Period:
    """A :class:`Period` from ``text``; raises :class:`PeriodError`."""
    s = (text or "").strip()
    if m := re.fullmatch(r"(\d{4})[Qq]([1-4])", s):
        y, q = int(m[1]), int(m[2])
        return Period(date(y, 3 * q - 2, 1), _month_end(y, 3 * q), "quarter", f"{y}Q{q}")
    if m := re.fullmatch(r"(\d{4})-?(0[1-9]|1[0-2])", s):
        y, mo = int(m[1]), int(m[2])
        return Period(date(y, mo, 1), _month_end(y, mo), "month", f"{y}{mo:02d}")
    if re.fullmatch(r"\d{4}", s):
        y = int(s)
        return Period(date(y, 1, 1), date(y, 12, 31), "year", s)
    day = r"(\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})"  # ISO, or day first as the pages write it
    if m := re.fullmatch(rf"{day}\s*\.\.\s*{day}", s):
        a, b = _day(m[1]), _day(m[2])
        if b < a:
            raise PeriodError(Message.t("la fin ({end}) est avant le début ({start})", start=m[1], end=m[2]))
        return Period(a, b, "custom", None)
    raise PeriodError(Message.t("« {period} » n'est pas une période : écrivez par exemple 2025Q2, 2025-04, "
                                "2025 ou 01/04/2025..30/06/2025", period=s[:40]))


def _day(text: str) -> date:
    """``2025-04-01`` or ``01/04/2025`` (day first, as every page writes a date); PeriodError
    (in words, never Python's « day is out of range for month ») for a day not in the calendar."""
    from ..i18n.dates import read_day
    try:
        return read_day(text)
    except ValueError:
        raise PeriodError(Message.t("le {day} n'existe pas dans le calendrier", day=text)) from None


def months(period: Period) -> list[Period]:
    """The calendar months a period covers (for monthly DHIS2 values)."""
    out, y, m = [], period.start.year, period.start.month
    while date(y, m, 1) <= period.end:
        out.append(parse(f"{y}-{m:02d}"))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
