"""Table-driven tests of BusinessCalendar on real Burkina Faso 2025 dates and Paris DST days."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from mno_workflow.engine.calendar import BusinessCalendar, HolidayOverride, add_months
from mno_workflow.sop.schema import Calendar, Duration

PARIS = ZoneInfo("Europe/Paris")
EOD = time.max  # 23:59:59.999999
BF = BusinessCalendar.from_sop(Calendar(timezone="Africa/Ouagadougou", holidays="BF"))
FR = BusinessCalendar.from_sop(Calendar(timezone="Europe/Paris"))  # DST only, no holidays
C1300 = time(13, 0)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def eod(y: int, m: int, d: int) -> datetime:
    """End of a Ouagadougou day (UTC+0, no DST) as UTC."""
    return datetime.combine(date(y, m, d), EOD, tzinfo=UTC)


def paris(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=PARIS, fold=fold)


# ------------------------------------------------------------------------------------ holidays
@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2025, 1, 1), "Jour de l'An"),
        (date(2025, 1, 3), "Soulèvement populaire"),
        (date(2025, 4, 21), "Lundi de Pâques"),
        (date(2025, 5, 1), "Fête du travail"),
        (date(2025, 5, 29), "Ascension"),
        (date(2025, 8, 5), "Fête nationale"),
        (date(2025, 8, 15), "Assomption"),
        (date(2025, 10, 31), "Journée nationale des martyrs"),
        (date(2025, 12, 11), "Proclamation de l'Indépendance"),
        (date(2025, 12, 25), "Jour de Noël"),
        (date(2025, 3, 30), "Jour de Ramadan (estimé)"),  # Eid al-Fitr, estimated by the package
        (date(2025, 6, 6), "Jour de Tabaski (estimé)"),  # Eid al-Adha, estimated
        (date(2026, 4, 6), "Lundi de Pâques"),  # a second year is loaded lazily
        (date(2025, 4, 18), None),  # Good Friday is not a holiday in Burkina Faso
        (date(2025, 4, 22), None),
    ],
)
def test_bf_holiday_names_in_french(day, name):
    assert BF.holiday_name(day) == name


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 4, 18), True),  # Friday
        (date(2025, 4, 19), False),  # Saturday
        (date(2025, 4, 20), False),  # Sunday
        (date(2025, 4, 21), False),  # Easter Monday
        (date(2025, 4, 22), True),
        (date(2025, 5, 1), False),  # Thursday, Labour Day
        (date(2025, 8, 5), False),  # Tuesday, Independence
        (date(2025, 8, 15), False),  # Friday, Assumption
        (date(2025, 12, 11), False),  # Thursday
        (date(2025, 6, 6), False),  # Friday, Tabaski (estimate)
        (date(2025, 3, 31), True),  # Monday after the estimated Eid
    ],
)
def test_bf_is_working_day(day, working):
    assert BF.is_working_day(day) is working


def test_holidays_between_lists_sorted_dates_with_overrides():
    cal = BusinessCalendar("Africa/Ouagadougou", "BF", overrides=[
        HolidayOverride(date=date(2025, 3, 30), action="remove"),
        HolidayOverride(date=date(2025, 3, 31), name="Aïd el-Fitr"),
    ])
    assert cal.holidays_between(date(2025, 3, 1), date(2025, 5, 1)) == [
        (date(2025, 3, 8), "Journée internationale de la femme"),
        (date(2025, 3, 31), "Aïd el-Fitr"),
        (date(2025, 4, 21), "Lundi de Pâques"),
        (date(2025, 5, 1), "Fête du travail"),
    ]


# ----------------------------------------------------------------------- overrides (Eid moved)
EID_MOVED = [
    HolidayOverride(date=date(2025, 3, 30), name="estimation erronée", action="remove"),
    HolidayOverride(date=date(2025, 3, 31), name="Aïd el-Fitr (confirmé)"),
    HolidayOverride.model_validate({"date": "2025-06-06", "action": "remove"}),  # as read from a DB row
    HolidayOverride.model_validate({"date": "2025-06-07", "name": "Tabaski (confirmé)"}),
]
BF_EID = BusinessCalendar.from_sop(Calendar(timezone="Africa/Ouagadougou", holidays="BF"), EID_MOVED)


@pytest.mark.parametrize(
    ("cal", "start", "n", "due"),
    [
        (BF, utc(2025, 3, 28, 10), 1, eod(2025, 3, 31)),  # estimated Eid is a Sunday: no effect
        (BF_EID, utc(2025, 3, 28, 10), 1, eod(2025, 4, 1)),  # confirmed on Monday 31 March
        (BF, utc(2025, 6, 5, 10), 1, eod(2025, 6, 9)),  # Tabaski estimate Friday 6 June
        (BF_EID, utc(2025, 6, 5, 10), 1, eod(2025, 6, 6)),  # moved to Saturday: Friday works
    ],
)
def test_override_moves_eid(cal, start, n, due):
    assert cal.add_working_days(start, n) == due


def test_override_names_and_removal():
    assert BF_EID.holiday_name(date(2025, 3, 30)) is None
    assert BF_EID.holiday_name(date(2025, 3, 31)) == "Aïd el-Fitr (confirmé)"
    assert BF_EID.is_working_day(date(2025, 6, 6))
    assert BF.holiday_name(date(2025, 3, 31)) is None  # the other calendar is untouched


def test_last_override_for_a_date_wins():
    cal = BusinessCalendar("UTC", None, overrides=[
        HolidayOverride(date=date(2025, 7, 7), name="Jour férié exceptionnel"),
        HolidayOverride(date=date(2025, 7, 7), action="remove"),
        HolidayOverride(date=date(2025, 7, 8), action="remove"),
        HolidayOverride(date=date(2025, 7, 8), name="Deuxième jour"),
    ])
    assert cal.is_working_day(date(2025, 7, 7))
    assert cal.holiday_name(date(2025, 7, 8)) == "Deuxième jour"


def test_added_holiday_needs_a_name():
    with pytest.raises(ValidationError, match="needs a name"):
        HolidayOverride(date=date(2025, 3, 31))
    with pytest.raises(ValidationError):
        HolidayOverride(date=date(2025, 3, 31), name="x", action="move")


# ------------------------------------------------------------------------- add_working_days
@pytest.mark.parametrize(
    ("start", "n", "cutoff", "due"),
    [
        # ordinary week: the start day never counts without a cut-off
        (utc(2025, 4, 14, 10), 1, None, eod(2025, 4, 15)),
        (utc(2025, 4, 14, 23, 59), 1, None, eod(2025, 4, 15)),
        (utc(2025, 4, 14, 0, 0), 3, None, eod(2025, 4, 17)),
        # Friday before Easter: Monday 21 April is a holiday
        (utc(2025, 4, 18, 10), 1, None, eod(2025, 4, 22)),
        # start on a Saturday / on the holiday itself: day one is the next working day
        (utc(2025, 4, 19, 9), 1, None, eod(2025, 4, 22)),
        (utc(2025, 4, 21, 9), 1, None, eod(2025, 4, 22)),
        (utc(2025, 4, 12, 9), 1, None, eod(2025, 4, 14)),
        # 10 working days over the Easter week and 1 May
        (utc(2025, 4, 18, 10), 10, None, eod(2025, 5, 6)),
        (utc(2025, 4, 30, 16), 1, None, eod(2025, 5, 2)),
        # Independence (Tuesday 5 August), Assumption (Friday 15 August), 11 December (Thursday)
        (utc(2025, 8, 4, 10), 1, None, eod(2025, 8, 6)),
        (utc(2025, 8, 4, 10), 3, None, eod(2025, 8, 8)),
        (utc(2025, 8, 14, 12), 1, None, eod(2025, 8, 18)),
        (utc(2025, 12, 10, 9), 2, None, eod(2025, 12, 15)),
        # across the new year (Christmas, 1 January 2026 loaded lazily)
        (utc(2025, 12, 24, 10), 5, None, eod(2026, 1, 2)),
        # cut-off 13:00: strictly before counts that day as day one
        (utc(2025, 4, 14, 12, 59), 1, C1300, eod(2025, 4, 14)),
        (utc(2025, 4, 14, 13, 0), 1, C1300, eod(2025, 4, 15)),
        (utc(2025, 4, 14, 13, 30), 1, C1300, eod(2025, 4, 15)),
        (utc(2025, 4, 14, 9), 3, C1300, eod(2025, 4, 16)),
        (utc(2025, 4, 14, 14), 3, C1300, eod(2025, 4, 17)),
        (utc(2025, 4, 30, 12), 1, C1300, eod(2025, 4, 30)),
        (utc(2025, 4, 30, 14), 1, C1300, eod(2025, 5, 2)),  # 1 May in between
        # cut-off on a weekend or holiday morning: the next working day is day one
        (utc(2025, 4, 12, 10), 1, C1300, eod(2025, 4, 14)),
        (utc(2025, 4, 21, 9), 1, C1300, eod(2025, 4, 22)),
        # zero working days: the start itself
        (utc(2025, 4, 19, 9), 0, None, utc(2025, 4, 19, 9)),
    ],
)
def test_add_working_days_bf(start, n, cutoff, due):
    got = BF.add_working_days(start, n, cutoff)
    assert got == due
    assert got.tzinfo is UTC


def test_add_working_days_converts_other_zones_to_local_first():
    # 23:30 UTC+1 on Monday is 22:30 UTC Monday in Ouagadougou: still Monday, day one Tuesday
    start = datetime(2025, 4, 14, 23, 30, tzinfo=ZoneInfo("Africa/Lagos"))
    assert BF.add_working_days(start, 1) == eod(2025, 4, 15)
    # 00:30 Tuesday in Lagos is Monday 23:30 in Ouagadougou
    start = datetime(2025, 4, 15, 0, 30, tzinfo=ZoneInfo("Africa/Lagos"))
    assert BF.add_working_days(start, 1) == eod(2025, 4, 15)


def test_working_days_in_paris_end_at_local_midnight_in_summer_time():
    # Friday 28 March 2025 (CET) + 1 working day: end of Monday 31 March, now CEST (UTC+2)
    got = FR.add_working_days(paris(2025, 3, 28, 10), 1)
    assert got == utc(2025, 3, 31, 21, 59, 59, 999999)
    assert FR.local(got) == paris(2025, 3, 31, 23, 59, 59, 999999)


def test_custom_work_week_with_saturday():
    cal = BusinessCalendar("Africa/Ouagadougou", "BF", workweek=["mon", "tue", "wed", "thu", "fri", "sat"])
    assert cal.is_working_day(date(2025, 4, 19))
    assert cal.add_working_days(utc(2025, 4, 18, 10), 1) == eod(2025, 4, 19)


# --------------------------------------------------------------------- working_days_between
@pytest.mark.parametrize(
    ("a", "b", "cutoff", "count"),
    [
        (utc(2025, 4, 18, 10), eod(2025, 5, 6), None, 10),
        (utc(2025, 4, 14, 10), utc(2025, 4, 14, 18), None, 0),
        (utc(2025, 4, 14, 10), utc(2025, 4, 15, 8), None, 1),
        (utc(2025, 4, 15, 8), utc(2025, 4, 14, 10), None, -1),
        (utc(2025, 4, 14, 10), utc(2025, 4, 14, 18), C1300, 1),
        (utc(2025, 4, 14, 14), utc(2025, 4, 14, 18), C1300, 0),
        (utc(2025, 4, 19, 10), utc(2025, 4, 21, 12), None, 0),  # weekend + Easter Monday
        (utc(2025, 4, 19, 10), utc(2025, 4, 25, 12), None, 4),
    ],
)
def test_working_days_between(a, b, cutoff, count):
    assert BF.working_days_between(a, b, cutoff) == count


# --------------------------------------------------------------------- shift_working_days
@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (utc(2025, 4, 24, 14), -1, utc(2025, 4, 23, 14)),
        (utc(2025, 4, 22, 14), -1, utc(2025, 4, 18, 14)),  # over Easter Monday and the weekend
        (utc(2025, 4, 19, 14), 1, utc(2025, 4, 22, 14)),
        (utc(2025, 4, 19, 14), -1, utc(2025, 4, 18, 14)),
        (utc(2025, 4, 30, 9), 1, utc(2025, 5, 2, 9)),
        (utc(2025, 4, 30, 9), 0, utc(2025, 4, 30, 9)),
    ],
)
def test_shift_working_days_keeps_local_time(start, n, expected):
    assert BF.shift_working_days(start, n) == expected


# ----------------------------------------------------------------- add() with every unit
def d(text: str) -> Duration:
    return Duration.model_validate(text)


@pytest.mark.parametrize(
    ("cal", "start", "duration", "cutoff", "due"),
    [
        # minutes and hours are exact elapsed time; a holiday or cut-off changes nothing
        (BF, utc(2025, 4, 20, 23, 30), "45 minutes", None, utc(2025, 4, 21, 0, 15)),
        (BF, utc(2025, 4, 19, 10), "72 hours", None, utc(2025, 4, 22, 10)),
        (BF, utc(2025, 4, 14, 14), "24 hours", C1300, utc(2025, 4, 15, 14)),
        # calendar days and weeks ignore holidays
        (BF, utc(2025, 4, 18, 10), "3 days", None, utc(2025, 4, 21, 10)),
        (BF, utc(2025, 4, 18, 10), "2 weeks", None, utc(2025, 5, 2, 10)),
        # calendar days with the start-of-day rule (cut-off): reception day is day one
        (BF, utc(2025, 4, 14, 10), "1 day", C1300, eod(2025, 4, 14)),
        (BF, utc(2025, 4, 14, 14), "1 day", C1300, eod(2025, 4, 15)),
        (BF, utc(2025, 4, 18, 10), "3 days", C1300, eod(2025, 4, 20)),
        (BF, utc(2025, 4, 18, 14), "3 days", C1300, eod(2025, 4, 21)),  # issue 12: day one Sat 19
        (BF, utc(2025, 4, 14, 10), "1 week", C1300, eod(2025, 4, 20)),
        (BF, utc(2025, 3, 10, 9), "1 month", C1300, eod(2025, 4, 9)),
        # months: same day of month, clamped to the month's end
        (BF, utc(2025, 1, 31, 10), "1 month", None, utc(2025, 2, 28, 10)),
        (BF, utc(2024, 1, 31, 10), "1 month", None, utc(2024, 2, 29, 10)),
        (BF, utc(2025, 3, 31, 10), "1 month", None, utc(2025, 4, 30, 10)),
        (BF, utc(2025, 1, 31, 10), "2 months", None, utc(2025, 3, 31, 10)),
        (BF, utc(2025, 12, 15, 8), "1 month", None, utc(2026, 1, 15, 8)),
        (BF, utc(2025, 8, 31, 8), "6 months", None, utc(2026, 2, 28, 8)),
        # working days through add()
        (BF, utc(2025, 4, 18, 10), "10 working days", None, eod(2025, 5, 6)),
        (BF, utc(2025, 4, 14, 12), "3 working days", C1300, eod(2025, 4, 16)),
        # zero of anything: the start itself
        (BF, utc(2025, 4, 14, 12), "0 days", C1300, utc(2025, 4, 14, 12)),
    ],
)
def test_add_every_unit(cal, start, duration, cutoff, due):
    got = cal.add(start, d(duration), cutoff)
    assert got == due
    assert got.tzinfo is UTC


# ------------------------------------------------------------------ Europe/Paris DST
@pytest.mark.parametrize(
    ("start", "duration", "due", "elapsed_hours"),
    [
        # spring forward, Sunday 30 March 2025 (02:00 CET → 03:00 CEST)
        (paris(2025, 3, 29, 8), "1 day", paris(2025, 3, 30, 8), 23),
        (paris(2025, 3, 29, 2, 30), "1 day", paris(2025, 3, 30, 3, 30), 24),  # 02:30 does not exist
        (paris(2025, 3, 29, 8), "24 hours", paris(2025, 3, 30, 9), 24),
        (paris(2025, 3, 24, 8), "1 week", paris(2025, 3, 31, 8), 7 * 24 - 1),
        (paris(2025, 3, 15, 8), "1 month", paris(2025, 4, 15, 8), 31 * 24 - 1),
        # fall back, Sunday 26 October 2025 (03:00 CEST → 02:00 CET)
        (paris(2025, 10, 25, 8), "1 day", paris(2025, 10, 26, 8), 25),
        (paris(2025, 10, 25, 2, 30), "1 day", paris(2025, 10, 26, 2, 30), 24),  # first 02:30
        (paris(2025, 10, 26, 2, 30, fold=1), "1 day", paris(2025, 10, 27, 2, 30), 24),  # second 02:30
        (paris(2025, 10, 25, 8), "24 hours", paris(2025, 10, 26, 7), 24),
    ],
)
def test_paris_dst(start, duration, due, elapsed_hours):
    got = FR.add(start, d(duration))
    assert got == due.astimezone(UTC)
    assert got - start == timedelta(hours=elapsed_hours)


def test_paris_spring_gap_result_in_utc():
    assert FR.add(paris(2025, 3, 29, 2, 30), d("1 day")) == utc(2025, 3, 30, 1, 30)
    assert FR.add(paris(2025, 10, 25, 2, 30), d("1 day")) == utc(2025, 10, 26, 0, 30)


@pytest.mark.parametrize("wall", [time(2, 30), time(8, 0)])
def test_daily_series_over_dst_neither_skips_nor_doubles(wall):
    for first in (date(2025, 3, 27), date(2025, 10, 24)):
        start = FR.from_local(datetime.combine(first, wall))
        series = [FR.add(start, Duration(amount=k, unit="days")) for k in range(6)]
        assert series == sorted(set(series))  # strictly increasing: nothing doubled
        local_days = [FR.local(x).date() for x in series]
        assert local_days == [first + timedelta(days=k) for k in range(6)]  # one per day, none skipped


def test_subtract_days_and_hours_over_dst():
    due = paris(2025, 3, 30, 8)
    assert FR.subtract(due, d("1 day")) == utc(2025, 3, 29, 7)
    assert FR.subtract(due, d("24 hours")) == utc(2025, 3, 29, 6)
    # 12:00 CEST on 31 March → 12:00 CET on 28 February: the local time is kept, not the UTC time
    assert FR.subtract(paris(2025, 3, 31, 12), d("1 month")) == utc(2025, 2, 28, 11)


def test_local_midnight_and_end_of_day():
    assert FR.start_of_day(date(2025, 3, 30)) == utc(2025, 3, 29, 23)
    assert FR.end_of_day(date(2025, 3, 30)) == utc(2025, 3, 30, 21, 59, 59, 999999)
    assert BF.start_of_day(date(2025, 8, 5)) == utc(2025, 8, 5)
    assert FR.local(utc(2025, 7, 1, 10)) == paris(2025, 7, 1, 12)


def test_add_months_helper():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


# ------------------------------------------------------------------------------ errors
def test_naive_instants_are_refused():
    with pytest.raises(ValueError, match="naive"):
        BF.add_working_days(datetime(2025, 4, 14, 10), 1)
    with pytest.raises(ValueError, match="naive"):
        BF.add(datetime(2025, 4, 14, 10), d("1 day"))
    with pytest.raises(ValueError, match="naive"):
        BF.local(datetime(2025, 4, 14, 10))


def test_bad_configuration_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        BusinessCalendar("Mars/Olympus_Mons")
    with pytest.raises(ValueError, match="empty"):
        BusinessCalendar("UTC", workweek=[])
    with pytest.raises(ValueError, match="work-week"):
        BusinessCalendar("UTC", workweek=["monday"])
    with pytest.raises(ValueError, match="country"):
        BusinessCalendar("UTC", "XX")


def test_misuse_is_refused():
    with pytest.raises(ValueError, match="≥ 0"):
        BF.add_working_days(utc(2025, 4, 14), -1)
    with pytest.raises(TypeError, match="local date"):
        BF.is_working_day(utc(2025, 4, 14))
    with pytest.raises(ValueError, match="naive"):
        BF.from_local(utc(2025, 4, 14))
