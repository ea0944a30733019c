"""Sub-national calendars (ISO 3166-2 through the ``holidays`` package), extra holidays and
observance rules of the SOP, the Burkina Faso additions and the pinned ``holidays`` version.

Every row is a real date: England 2025 Easter, Victoria (Melbourne Cup), Missouri (Truman Day),
Lagos (national holidays only), Burkina Faso (15 May, Tabaski estimate)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from mno_workflow.engine.calendar import BusinessCalendar
from mno_workflow.engine.holiday_sources import HOLIDAYS_VERSION, check_code, subdivision_note
from mno_workflow.sop.schema import Calendar, Duration

ROOT = Path(__file__).resolve().parents[2]


def cal(tz: str, code: str | None, **kw) -> BusinessCalendar:
    return BusinessCalendar.from_sop(Calendar(timezone=tz, holidays=code, **kw))


def local_eod(tz: str, y: int, m: int, d: int) -> datetime:
    return datetime.combine(date(y, m, d), time.max, tzinfo=ZoneInfo(tz)).astimezone(UTC)


@pytest.mark.parametrize(
    ("tz", "code", "start", "within", "due_day", "why"),
    [
        ("Europe/London", "GB-ENG", (2025, 4, 17, 10), "5 working days", (2025, 4, 28),
         "Good Friday 18 Apr and Easter Monday 21 Apr are bank holidays in England"),
        ("Europe/London", "GB", (2025, 4, 17, 10), "5 working days", (2025, 4, 25),
         "GB alone has no Easter Monday (it is regional): the reason to write GB-ENG"),
        ("Europe/London", "GB-SCT", (2025, 4, 17, 10), "5 working days", (2025, 4, 25),
         "Scotland: Good Friday only"),
        ("Australia/Melbourne", "AU-VIC", (2025, 10, 31, 10), "2 working days", (2025, 11, 5),
         "Melbourne Cup Tue 4 Nov 2025 (Victoria); weekend skipped"),
        ("Australia/Melbourne", "AU-VIC", (2025, 11, 1, 10), "1 working day", (2025, 11, 3),
         "Saturday start: day one is Monday"),
        ("Australia/Sydney", "AU-NSW", (2025, 10, 31, 10), "2 working days", (2025, 11, 4),
         "no Melbourne Cup in New South Wales"),
        ("America/Chicago", "US-MO", (2025, 5, 7, 10), "1 working day", (2025, 5, 9),
         "Truman Day Thu 8 May 2025 (Missouri)"),
        ("America/Chicago", "US-IL", (2025, 5, 7, 10), "1 working day", (2025, 5, 8),
         "no Truman Day in Illinois"),
        ("Africa/Lagos", "NG-LA", (2025, 9, 30, 10), "1 working day", (2025, 10, 2),
         "Independence Day 1 Oct (national holiday; no regional ones in the package)"),
        ("Africa/Ouagadougou", "BF", (2025, 5, 14, 10), "1 working day", (2025, 5, 16),
         "Journée des coutumes et traditions, Thu 15 May (decree of 6 March 2024)"),
        ("Africa/Ouagadougou", "BF", (2025, 6, 5, 10), "1 working day", (2025, 6, 9),
         "Tabaski (estimate) Fri 6 June 2025"),
    ],
)
def test_working_days_on_regional_calendars(tz, code, start, within, due_day, why):
    c = cal(tz, code)
    got = c.add(datetime(*start, tzinfo=ZoneInfo(tz)), Duration.model_validate(within))
    assert got == local_eod(tz, *due_day), why


def test_bf_holiday_list_2025_to_2027_is_recorded():
    """An upgrade of ``holidays`` that changes Burkina Faso's list must fail here, loudly: then
    check the new list, update this record and the pin in pyproject.toml together."""
    c = cal("Africa/Ouagadougou", "BF")
    got = [(d.isoformat(), n) for d, n in c.holidays_between(date(2025, 1, 1), date(2027, 12, 31))]
    assert got == [
        ("2025-01-01", "Jour de l'An"), ("2025-01-03", "Soulèvement populaire"),
        ("2025-03-08", "Journée internationale de la femme"), ("2025-03-30", "Jour de Ramadan (estimé)"),
        ("2025-04-21", "Lundi de Pâques"), ("2025-05-01", "Fête du travail"),
        ("2025-05-15", "Journée des coutumes et traditions"), ("2025-05-29", "Ascension"),
        ("2025-06-06", "Jour de Tabaski (estimé)"), ("2025-08-05", "Fête nationale"),
        ("2025-08-15", "Assomption"), ("2025-09-04", "Mouloud (estimé)"),
        ("2025-10-31", "Journée nationale des martyrs"), ("2025-11-01", "Toussaint"),
        ("2025-12-11", "Proclamation de l'Indépendance"), ("2025-12-25", "Jour de Noël"),
        ("2026-01-01", "Jour de l'An"), ("2026-01-03", "Soulèvement populaire"),
        ("2026-03-08", "Journée internationale de la femme"),
        ("2026-03-09", "Journée internationale de la femme (observé)"),
        ("2026-03-20", "Jour de Ramadan (estimé)"), ("2026-04-06", "Lundi de Pâques"),
        ("2026-05-01", "Fête du travail"), ("2026-05-14", "Ascension"),
        ("2026-05-15", "Journée des coutumes et traditions"), ("2026-05-27", "Jour de Tabaski (estimé)"),
        ("2026-08-05", "Fête nationale"), ("2026-08-15", "Assomption"), ("2026-08-25", "Mouloud (estimé)"),
        ("2026-10-31", "Journée nationale des martyrs"), ("2026-11-01", "Toussaint"),
        ("2026-11-02", "Toussaint (observé)"), ("2026-12-11", "Proclamation de l'Indépendance"),
        ("2026-12-25", "Jour de Noël"),
        ("2027-01-01", "Jour de l'An"), ("2027-01-03", "Soulèvement populaire"),
        ("2027-01-04", "Soulèvement populaire (observé)"),
        ("2027-03-08", "Journée internationale de la femme"),
        ("2027-03-09", "Jour de Ramadan (estimé)"), ("2027-03-29", "Lundi de Pâques"),
        ("2027-05-01", "Fête du travail"), ("2027-05-06", "Ascension"),
        ("2027-05-15", "Journée des coutumes et traditions"), ("2027-05-16", "Jour de Tabaski (estimé)"),
        ("2027-08-05", "Fête nationale"), ("2027-08-14", "Mouloud (estimé)"), ("2027-08-15", "Assomption"),
        ("2027-08-16", "Assomption (observé)"), ("2027-10-31", "Journée nationale des martyrs"),
        ("2027-11-01", "Journée nationale des martyrs (observé); Toussaint"),
        ("2027-12-11", "Proclamation de l'Indépendance"), ("2027-12-25", "Jour de Noël"),
    ]


@pytest.mark.parametrize(("day", "name"), [
    (date(2023, 5, 15), None),  # before the decree of 6 March 2024
    (date(2024, 5, 15), "Journée des coutumes et traditions"),
    (date(2025, 5, 15), "Journée des coutumes et traditions"),
])
def test_bf_customs_and_traditions_day_from_2024(day, name):
    assert cal("Africa/Ouagadougou", "BF").holiday_name(day) == name


def test_holidays_version_is_inside_the_pinned_range():
    text = (ROOT / "pyproject.toml").read_text()
    def as_tuple(v: str) -> tuple[int, ...]:  # 0.109 == 0.109.0
        parts = [int(x) for x in v.split(".")]
        return tuple(parts + [0] * (3 - len(parts)))
    if m := re.search(r'"holidays~=(\d+)\.(\d+)\.(\d+)"', text):  # ~=0.109.0 means >=0.109.0,<0.110
        low, high = ".".join(m.groups()), f"{m[1]}.{int(m[2]) + 1}"
    else:
        low, high = re.search(r'"holidays>=([\d.]+),<([\d.]+)"', text).groups()
    assert as_tuple(low) <= as_tuple(HOLIDAYS_VERSION) < as_tuple(high)


@pytest.mark.parametrize(("code", "message"), [
    ("XX", "knows no country 'XX'"),
    ("GB-XX", "knows no subdivision 'XX' of GB (known: ENG, NIR, SCT, WLS)"),
    ("NG-XX", "'NG-XX' is not an ISO 3166-2 subdivision of NG"),
])
def test_bad_codes_are_value_errors(code, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        check_code(code)
    with pytest.raises(ValueError, match=re.escape(message)):
        cal("UTC", code)


def test_subdivision_without_regional_holidays_is_noted():
    assert subdivision_note("NG-LA", "en") == ("NG-LA: the holidays package has no regional holidays for NG; "
                                               "the national holidays of NG apply")
    assert subdivision_note("NG-LA") == ("NG-LA : le paquet « holidays » n'a pas de jours fériés régionaux "
                                         "pour NG ; les jours fériés nationaux de NG s'appliquent")
    assert subdivision_note("GB-ENG") is None and subdivision_note("BF") is None


@pytest.mark.parametrize("code", ["gb-eng", "GBENG", "GB-", "GB-ENGLAND"])
def test_calendar_code_shape_is_checked_by_the_schema(code):
    with pytest.raises(ValidationError):
        Calendar(holidays=code)


def test_extra_holidays_and_observance_of_the_sop():
    c = cal("Africa/Lagos", "NG-LA", extra_holidays=[
        {"date": "2025-06-02", "name": {"fr": "Jour exceptionnel", "en": "Exceptional day"}},
        {"every": "07-14", "since": 2025, "name": {"fr": "Fête régionale", "en": "Regional day"}},
        {"date": "2025-09-14", "name": {"fr": "Journée locale", "en": "Local day"}},
    ], observed={"sun": "mon", "sat": "fri"})
    assert c.holiday_name(date(2025, 6, 2)) == "Jour exceptionnel"
    assert c.holiday_name(date(2024, 7, 14)) is None  # before 'since'
    assert c.holiday_name(date(2025, 7, 14)) == "Fête régionale"
    assert c.holiday_name(date(2026, 7, 14)) == "Fête régionale"
    # 14 July 2029 is a Saturday: observed on Friday 13 July; Sun 14 Sept 2025 → Mon 15 Sept.
    assert c.holiday_name(date(2029, 7, 13)) == "Fête régionale (observé)"
    assert c.holiday_name(date(2025, 9, 15)) == "Journée locale (observé)"
    assert not c.is_working_day(date(2025, 9, 15))
    assert cal("Africa/Lagos", "NG-LA").is_working_day(date(2025, 9, 15))


@pytest.mark.parametrize("bad", [
    {"name": {"fr": "x"}},  # neither date nor every
    {"date": "2025-06-02", "every": "06-02", "name": {"fr": "x"}},
    {"every": "13-01", "name": {"fr": "x"}},
])
def test_extra_holiday_shape(bad):
    with pytest.raises(ValidationError):
        Calendar(extra_holidays=[bad])


def test_managers_default_and_declared():
    assert Calendar().managers({"caseworker": 1, "supervisor": 1}) == ["supervisor"]
    assert Calendar(managed_by=["focal_point"]).managers({"supervisor": 1}) == ["focal_point"]
    assert Calendar(holidays="GB-ENG").key == "GB-ENG" and Calendar().key == "-"


REGIONAL = [cal("Europe/London", "GB-ENG"), cal("Australia/Melbourne", "AU-VIC"),
            cal("America/Chicago", "US-MO"), cal("Africa/Lagos", "NG-LA"), cal("Africa/Ouagadougou", "BF"),
            cal("Europe/Paris", "FR")]


@settings(max_examples=300, deadline=None)
@given(c=st.sampled_from(REGIONAL),
       start=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31),
                          timezones=st.just(UTC)),
       n=st.integers(1, 60), cutoff=st.sampled_from([None, time(13, 0), time(0, 30)]))
def test_a_working_day_deadline_never_lands_on_a_non_working_day(c, start, n, cutoff):
    due = c.add(start, Duration(amount=n, unit="working_days"), cutoff)
    day = c.local_date(due)
    assert c.is_working_day(day) and c.local(due).time() == time.max
    assert c.working_days_between(start, due, cutoff) == n
