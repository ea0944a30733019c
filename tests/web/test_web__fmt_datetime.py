"""``fmt_datetime`` formats digits itself (a list of 400 rows called Babel 400 times): its text is
Babel's ``dd/MM/yyyy HH:mm`` for every language, time zone and aware or naive instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from hypothesis import given, settings
from hypothesis import strategies as st

from mno_workflow import i18n as catalogues
from mno_workflow.web.i18n import fmt_datetime

ZONES = ["UTC", "Africa/Ouagadougou", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"]


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 30)),
       st.sampled_from([None, UTC, timezone(timedelta(hours=-3, minutes=-30)), ZoneInfo("Europe/Paris")]),
       st.sampled_from(["fr", "en"]), st.sampled_from(ZONES))
def test_same_text_as_babel(value, tzinfo, lang, tz):
    if tzinfo is not None:
        value = value.replace(tzinfo=tzinfo)
    expected = format_datetime(value, "dd/MM/yyyy HH:mm", tzinfo=ZoneInfo(tz),
                               locale=catalogues.babel_locale(lang))
    assert fmt_datetime(value, lang, tz) == expected


def test_strings_and_empty_values_unchanged():
    assert fmt_datetime(None) == "" and fmt_datetime("") == ""
    assert fmt_datetime("2025-01-15T13:30:00Z", "fr", "Africa/Ouagadougou") == "15/01/2025 13:30"
    assert fmt_datetime("pas une date") == "pas une date"
