"""One implementation of dates as people read them (``mno_workflow/i18n/dates.py``): a table of
real dates and instants in French and English, day first, instants in the SOP's time zone; the
other helpers (``i18n.short_date``/``short_datetime``, the pages' ``fmt_date``/``fmt_datetime``)
give the same text, and no other module formats a day as digits itself."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from mno_workflow import i18n
from mno_workflow.i18n.dates import day_text, instant_text
from mno_workflow.web.i18n import fmt_date, fmt_datetime

PACKAGE = Path(__file__).resolve().parents[2] / "mno_workflow"

DAYS = [  # (value, fr, en)
    (date(2026, 1, 8), "08/01/2026", "08/01/2026"),
    (date(2025, 12, 31), "31/12/2025", "31/12/2025"),
    (date(2024, 2, 29), "29/02/2024", "29/02/2024"),
    ("2026-01-08", "08/01/2026", "08/01/2026"),           # an ISO text stored in a form's data
    (date(999, 3, 4), "04/03/0999", "04/03/0999"),
    (None, "", ""),
    ("", "", ""),
    ("pas une date", "pas une date", "pas une date"),      # shown as written
]

INSTANTS = [  # (value, time zone, fr, en)
    (datetime(2026, 1, 8, 23, 30, tzinfo=UTC), "Africa/Ouagadougou", "08/01/2026 23:30", "08/01/2026 23:30"),
    (datetime(2026, 1, 8, 23, 30, tzinfo=UTC), "Europe/Paris", "09/01/2026 00:30", "09/01/2026 00:30"),
    (datetime(2025, 3, 30, 1, 30, tzinfo=UTC), "Europe/Paris", "30/03/2025 03:30", "30/03/2025 03:30"),  # DST
    (datetime(2025, 6, 2, 10, 0), "Europe/Paris", "02/06/2025 12:00", "02/06/2025 12:00"),  # naive: UTC
    ("2025-01-15T13:30:00Z", "Africa/Ouagadougou", "15/01/2025 13:30", "15/01/2025 13:30"),
    ("2025-01-15T13:30:00+00:00", "Europe/Paris", "15/01/2025 14:30", "15/01/2025 14:30"),
    (None, "UTC", "", ""),
]


@pytest.mark.parametrize(("value", "fr", "en"), DAYS)
def test_a_day_reads_day_first_in_both_languages_through_every_helper(value, fr, en) -> None:
    for lang, expected in (("fr", fr), ("en", en)):
        assert day_text(value, lang) == expected, (value, lang)
        assert fmt_date(value, lang) == expected, (value, lang)
        if not isinstance(value, str) and value is not None:
            assert i18n.short_date(value, lang) == expected, (value, lang)


@pytest.mark.parametrize(("value", "tz", "fr", "en"), INSTANTS)
def test_an_instant_reads_in_the_sops_time_zone_through_every_helper(value, tz, fr, en) -> None:
    for lang, expected in (("fr", fr), ("en", en)):
        assert instant_text(value, lang, tz) == expected, (value, tz, lang)
        assert fmt_datetime(value, lang, tz) == expected, (value, tz, lang)
        assert i18n.short_datetime(value, lang, tz) == expected, (value, tz, lang)


def test_an_instant_as_a_day_is_the_day_of_the_sops_time_zone() -> None:
    late = datetime(2026, 1, 8, 23, 30, tzinfo=UTC)
    assert day_text(late, "fr", "Europe/Paris") == "09/01/2026"
    assert day_text(late, "en", "Africa/Ouagadougou") == "08/01/2026"


DIGITS = re.compile(r"""strftime\(\s*["'][^"']*%d/%m|["']dd/MM/yyyy""")


def test_no_other_module_writes_a_day_as_digits_itself() -> None:
    found = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
             if p.name != "dates.py" and DIGITS.search(p.read_text(encoding="utf-8"))]
    assert found == [], found
