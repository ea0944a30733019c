"""A deadline that falls on a day the SOP's calendar does not work, said to the reader: « dimanche,
jour non ouvré », « jour férié : Noël » (French), "Sunday, not a working day", "public holiday:
Christmas Day" (English); nothing on a working day.

A deadline counted in calendar days, weeks, months or hours (a 24/7 rule, or the SOP's « 1 mois »
for the needs assessment) is due when the SOP says, also on a Sunday or a public holiday; the
engine does not move it (docs/working-days.md). The case page and ``mno case show`` say so next
to the date, so that nobody is surprised on the Monday. Working-day deadlines never fall there.

Source: tryout 3, finding F28 (issue 18).
"""

from __future__ import annotations

from datetime import datetime

from . import gettext


def closed_day_note(cal, due: datetime, lang: str) -> str:
    """Words for ``due`` (an aware instant) when its local day (``cal``: the SOP's
    :class:`~mno_workflow.engine.calendar.BusinessCalendar`, with the stored holiday overrides)
    is not a working day: the holiday's name, else the weekday; "" on a working day."""
    day = cal.local_date(due)
    if cal.is_working_day(day):
        return ""
    holiday = cal.holiday_name(day)
    if holiday:
        return gettext("jour férié : {name}", lang, name=holiday)
    from babel.dates import format_date

    from . import babel_locale
    weekday = format_date(day, format="EEEE", locale=babel_locale(lang))
    return gettext("{weekday}, jour non ouvré", lang, weekday=weekday)
