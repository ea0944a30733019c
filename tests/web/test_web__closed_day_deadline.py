"""A deadline that falls on a day the SOP's calendar does not work is said so next to its date
(tryout 3, F28): « (dimanche, jour non ouvré) », « (jour férié : Jour de Noël) », on the case page
and in ``mno case show``, French and English; the case page also says the SOP's rule and what it
counts from (« Délai prévu par la procédure : 1 mois à partir de « Identification — … » »).

Real Burkina Faso dates (Africa/Ouagadougou, UTC+0, BF public holidays of the ``holidays``
package): the needs assessment is due one calendar month after registration, at the same time.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.engine.calendar import BusinessCalendar
from mno_workflow.i18n.closed_day import closed_day_note
from mno_workflow.sop.loader import load_file

from .helpers import CONSENT, IDENT, MARIAM
from .test_web__case_page_consent import box, page

NIAMEY = BusinessCalendar("Africa/Niamey", "NE")  # UTC+1, Niger's holidays
CALENDAR = load_file(Path(__file__).resolve().parents[2] / "sops/burkina_faso/mnr.yaml").model.calendar


@pytest.mark.parametrize(("due", "fr", "en"), [
    (datetime(2025, 9, 7, 23, 59, tzinfo=UTC), "dimanche, jour non ouvré", "Sunday, not a working day"),
    (datetime(2025, 9, 6, 10, 0, tzinfo=UTC), "samedi, jour non ouvré", "Saturday, not a working day"),
    (datetime(2025, 12, 25, 10, 0, tzinfo=UTC), "jour férié : Jour de Noël", "public holiday: Christmas Day"),
    (datetime(2025, 8, 5, 23, 59, tzinfo=UTC), "jour férié : Fête nationale",
     "public holiday: Independence Day"),
    (datetime(2025, 9, 8, 0, 0, tzinfo=UTC), "", ""),  # Monday
    (datetime(2025, 12, 24, 23, 59, tzinfo=UTC), "", ""),  # Wednesday before Christmas
])
def test_closed_day_note_on_real_burkina_faso_dates(due, fr, en):
    assert closed_day_note(BusinessCalendar.from_sop(CALENDAR), due, "fr") == fr
    assert closed_day_note(BusinessCalendar.from_sop(CALENDAR, language="en"), due, "en") == en


def test_the_local_day_decides_not_the_utc_one():
    niamey = NIAMEY  # UTC+1: Saturday 23:30 UTC is Sunday there
    sunday = datetime(2025, 9, 6, 23, 30, tzinfo=UTC)
    assert closed_day_note(niamey, sunday, "fr") == "dimanche, jour non ouvré"
    assert closed_day_note(niamey, datetime(2025, 9, 7, 23, 30, tzinfo=UTC), "fr") == ""  # Monday 00:30


def _assessment_case(live, registered: datetime) -> str:
    live.clock.set(registered)
    wf = live.wf
    ref = wf.create_case("mnr_bf", MARIAM)
    wf.fire(ref, "register", MARIAM, IDENT)
    wf.fire(ref, "record_consent", MARIAM, CONSENT)
    return ref


@pytest.mark.parametrize(("registered", "fr", "en"), [
    (datetime(2025, 8, 7, 10, 0, tzinfo=UTC), "(dimanche, jour non ouvré)", "(Sunday, not a working day)"),
    (datetime(2025, 11, 25, 10, 0, tzinfo=UTC), "(jour férié : Jour de Noël)",
     "(public holiday: Christmas Day)"),
])
def test_case_page_and_case_show_say_a_deadline_on_a_closed_day(live, registered, fr, en):
    ref = _assessment_case(live, registered)
    for lang, note, rule in (("fr", fr, "Délai prévu par la procédure : 1 mois à partir de « Identification"),
                             ("en", en, "Deadline set by the SOP: 1 month from “Identification")):
        assessment = box(page(live, ref, lang), "step-needs_assessment-1")
        due = re.search(r'<p class="due">(.*?)</p>', assessment, re.S).group(1)
        assert note in due, (lang, due)
        assert rule in assessment, (lang, assessment)
    shown = CliRunner().invoke(app, ["--db", str(live.wf.db.url), "case", "show", ref])
    line = next(x for x in shown.output.splitlines() if "Évaluation des besoins" in x)
    assert f"10:00 {fr}" in line, line  # then « (en retard) »: the CLI reads today's clock
    shown = CliRunner().invoke(app, ["--db", str(live.wf.db.url), "--lang", "en", "case", "show", ref])
    assert f"10:00 {en}" in shown.output, shown.output


def test_no_note_on_a_working_day(live):
    ref = _assessment_case(live, datetime(2025, 6, 2, 10, 0, tzinfo=UTC))  # due Wednesday 2 July
    assessment = box(page(live, ref, "fr"), "step-needs_assessment-1")
    assert "data-closed-day" not in assessment and "Délai prévu par la procédure" in assessment


@settings(deadline=None)  # the first draw of a year loads its holidays: not a timed test
@given(st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)))
def test_a_note_exactly_on_the_weekend_and_the_holidays_of_the_local_day(due):
    import holidays

    local = due.astimezone(ZoneInfo("Africa/Niamey")).date()
    closed = local.weekday() >= 5 or local in holidays.country_holidays("NE", years=local.year)
    assert bool(closed_day_note(NIAMEY, due, "fr")) is closed, local
