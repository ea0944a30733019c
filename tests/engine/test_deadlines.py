"""Tests of the pure deadline functions on real SOP deadline kinds (priority, incident date, cut-off)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from mno_workflow.engine.calendar import BusinessCalendar
from mno_workflow.engine.deadlines import (
    DeadlineError,
    InvalidStartError,
    MissingFieldError,
    UnknownChoiceError,
    due_at,
    extend,
    later_of,
    reminder_instants,
    resolve_duration,
    resume_after_pause,
    start_instant,
)
from mno_workflow.sop.schema import Calendar, Deadline, Duration, Unit

BF = BusinessCalendar.from_sop(Calendar(timezone="Africa/Ouagadougou", holidays="BF"))
FR = BusinessCalendar.from_sop(Calendar(timezone="Europe/Paris"))
PARIS = ZoneInfo("Europe/Paris")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def eod(y: int, m: int, d: int) -> datetime:
    return datetime.combine(date(y, m, d), time.max, tzinfo=UTC)


REFERRAL = Deadline.model_validate({
    "within": {"by": "referral.priority",
               "cases": {"emergency": "24 hours", "urgent": "72 hours", "normal": "10 working days"}},
    "remind": ["2 hours after", "50%", "1 working day after", "1 working day before"],
})
PEP = Deadline.model_validate({"within": "72 hours", "start": "incident.occurred_at", "remind": ["50%"]})
ACK = Deadline.model_validate({"within": "3 working days", "cutoff": "13:00"})
ENTERED = utc(2025, 4, 18, 10)  # Friday before Easter Monday


def prio(value):
    return {"referral": {"priority": value}}


# ----------------------------------------------------------------------------- durations
@pytest.mark.parametrize(
    ("value", "expected"),
    [("emergency", "24 hours"), ("urgent", "72 hours"), ("normal", "10 working days")],
)
def test_resolve_duration_by_priority(value, expected):
    assert resolve_duration(REFERRAL, prio(value)) == Duration.model_validate(expected)


def test_resolve_plain_duration_ignores_data():
    assert resolve_duration(ACK, {}) == Duration(amount=3, unit=Unit.working_days)


@pytest.mark.parametrize("data", [{}, {"referral": {}}, prio(None), prio(""), {"referral": None}])
def test_missing_choice_names_the_field(data):
    with pytest.raises(MissingFieldError) as err:
        resolve_duration(REFERRAL, data)
    assert err.value.field == "referral.priority"
    assert "referral.priority" in str(err.value)


@pytest.mark.parametrize("value", ["critical", "Urgent", 3, ["urgent"]])
def test_unknown_choice_names_the_field_and_choices(value):
    with pytest.raises(UnknownChoiceError) as err:
        resolve_duration(REFERRAL, prio(value))
    assert err.value.field == "referral.priority"
    assert err.value.choices == ["emergency", "normal", "urgent"]
    assert isinstance(err.value, ValueError)


# ---------------------------------------------------------------------------- start instant
@pytest.mark.parametrize(
    ("cal", "value", "expected"),
    [
        (BF, date(2025, 4, 19), utc(2025, 4, 19)),  # a date: local midnight
        (FR, date(2025, 3, 30), utc(2025, 3, 29, 23)),  # midnight CET, before the jump
        (FR, date(2025, 7, 1), utc(2025, 6, 30, 22)),  # midnight CEST
        (BF, utc(2025, 4, 19, 22), utc(2025, 4, 19, 22)),
        (FR, datetime(2025, 7, 1, 10, tzinfo=PARIS), utc(2025, 7, 1, 8)),
        (FR, datetime(2025, 7, 1, 10), utc(2025, 7, 1, 8)),  # naive: local wall time of the SOP
        (BF, "2025-04-19", utc(2025, 4, 19)),
        (BF, "2025-04-19T22:00:00+00:00", utc(2025, 4, 19, 22)),
        (FR, "2025-07-01T10:00:00", utc(2025, 7, 1, 8)),
    ],
)
def test_start_from_date_field(cal, value, expected):
    got = start_instant(PEP, ENTERED, {"incident": {"occurred_at": value}}, cal)
    assert got == expected
    assert got.tzinfo is UTC


def test_start_entered():
    paris_entry = datetime(2025, 4, 18, 12, tzinfo=PARIS)
    assert start_instant(REFERRAL, paris_entry, {}, BF) == utc(2025, 4, 18, 10)
    explicit = Deadline.model_validate({"within": "1 day", "start": "entered"})
    assert start_instant(explicit, ENTERED, {}, BF) == ENTERED
    with pytest.raises(ValueError, match="naive"):
        start_instant(REFERRAL, datetime(2025, 4, 18, 10), {}, BF)


@pytest.mark.parametrize(("value", "error"), [(None, MissingFieldError), ("hier", InvalidStartError),
                                               (5, InvalidStartError), (True, InvalidStartError)])
def test_bad_start_field(value, error):
    with pytest.raises(error) as err:
        start_instant(PEP, ENTERED, {"incident": {"occurred_at": value}}, BF)
    assert err.value.field == "incident.occurred_at"


# -------------------------------------------------------------------------------- due_at
@pytest.mark.parametrize(
    ("deadline", "entered", "data", "due"),
    [
        (REFERRAL, ENTERED, prio("emergency"), utc(2025, 4, 19, 10)),
        (REFERRAL, ENTERED, prio("urgent"), utc(2025, 4, 21, 10)),  # hours ignore Easter Monday
        (REFERRAL, ENTERED, prio("normal"), eod(2025, 5, 6)),  # 10 working days over 21 April, 1 May
        # post-rape care: 72 h from the incident, not from intake two days later
        (PEP, utc(2025, 4, 21, 9), {"incident": {"occurred_at": utc(2025, 4, 19, 22)}}, utc(2025, 4, 22, 22)),
        # acknowledgement within 3 working days, cut-off 13:00
        (ACK, utc(2025, 4, 14, 12), {}, eod(2025, 4, 16)),
        (ACK, utc(2025, 4, 14, 13, 30), {}, eod(2025, 4, 17)),
        (ACK, utc(2025, 8, 4, 12), {}, eod(2025, 8, 7)),  # Monday before Independence: Mon, Wed, Thu
    ],
)
def test_due_at(deadline, entered, data, due):
    assert due_at(deadline, entered, data, BF) == due


def test_calendar_days_with_start_of_day_rule():
    report = Deadline.model_validate({"within": "1 day", "cutoff": "13:00"})
    assert due_at(report, utc(2025, 4, 14, 9), {}, BF) == eod(2025, 4, 14)
    assert due_at(report, utc(2025, 4, 14, 15), {}, BF) == eod(2025, 4, 15)


# ----------------------------------------------------------------------------- reminders
def test_referral_reminders_sorted():
    due = due_at(REFERRAL, ENTERED, prio("normal"), BF)
    # Issue 12: reminders of a working-day deadline land at 08:00 on working days, not at night or
    # on Sundays (the 50 % instant, Sun 27 Apr 17:00, moves to the start of Friday 25 Apr).
    assert reminder_instants(REFERRAL, ENTERED, due, BF) == [
        ("50%", utc(2025, 4, 25, 8)),
        ("1 working day before", utc(2025, 5, 5, 8)),
        ("2 hours after", utc(2025, 5, 7, 1, 59, 59, 999999)),  # hours stay exact
        ("1 working day after", utc(2025, 5, 7, 8)),
    ]


def test_reminders_before_start_are_left_out():
    deadline = Deadline.model_validate({"within": "24 hours", "remind": ["2 working days before", "50%",
                                                                        "30 minutes before"]})
    start = utc(2025, 4, 14, 10)
    due = due_at(deadline, start, {}, BF)
    assert reminder_instants(deadline, start, due, BF) == [
        ("50%", utc(2025, 4, 14, 22)),
        ("30 minutes before", utc(2025, 4, 15, 9, 30)),
    ]


@pytest.mark.parametrize(
    ("start", "within", "expected"),
    [
        # due Saturday 26 April 14:00: the working day before is Friday 25, same local time
        (utc(2025, 4, 23, 14), "72 hours", [("1 working day before", utc(2025, 4, 25, 14)),
                                           ("1 working day after", utc(2025, 4, 28, 14))]),
        # due Tuesday 22 April 09:00: the working day before skips Easter Monday
        (utc(2025, 4, 17, 9), "120 hours", [("1 working day before", utc(2025, 4, 18, 9)),
                                           ("1 working day after", utc(2025, 4, 23, 9))]),
        # due Tuesday 22 April 14:00 from a Saturday start: Friday 18 is before the start, left out
        (utc(2025, 4, 19, 14), "72 hours", [("1 working day after", utc(2025, 4, 23, 14))]),
    ],
)
def test_working_day_reminders_keep_the_due_time_of_day(start, within, expected):
    deadline = Deadline.model_validate({"within": within,
                                        "remind": ["1 working day after", "1 working day before"]})
    due = due_at(deadline, start, {}, BF)
    assert reminder_instants(deadline, start, due, BF) == expected


def test_reminders_over_paris_dst_days_vs_hours():
    deadline = Deadline.model_validate({"within": "2 days", "remind": ["1 day before", "24 hours before"]})
    start = datetime(2025, 3, 28, 8, tzinfo=PARIS)  # CET
    due = due_at(deadline, start, {}, FR)
    assert due == utc(2025, 3, 30, 6)  # 08:00 CEST
    assert reminder_instants(deadline, start, due, FR) == [
        ("24 hours before", utc(2025, 3, 29, 6)),  # 07:00 CET
        ("1 day before", utc(2025, 3, 29, 7)),  # 08:00 CET
    ]


# ----------------------------------------------------------------- extension, pause, events
@pytest.mark.parametrize(
    ("due", "duration", "expected"),
    [
        (eod(2025, 4, 22), "2 working days", eod(2025, 4, 24)),
        (eod(2025, 4, 30), "1 working day", eod(2025, 5, 2)),
        (utc(2025, 4, 22, 10), "48 hours", utc(2025, 4, 24, 10)),
        (utc(2025, 1, 31, 10), "1 month", utc(2025, 2, 28, 10)),
    ],
)
def test_extend(due, duration, expected):
    assert extend(due, Duration.model_validate(duration), BF) == expected


def test_resume_after_pause():
    # paused Tuesday 22 April 10:00, resumed Thursday 24 10:00: Wednesday and Thursday lost
    assert resume_after_pause(eod(2025, 4, 24), utc(2025, 4, 22, 10), utc(2025, 4, 24, 10), BF,
                              Unit.working_days) == eod(2025, 4, 28)
    # same-day pause loses no working day
    assert resume_after_pause(eod(2025, 4, 24), utc(2025, 4, 22, 10), utc(2025, 4, 22, 16), BF,
                              Unit.working_days) == eod(2025, 4, 24)
    # elapsed units move by the exact pause length
    assert resume_after_pause(utc(2025, 4, 24, 10), utc(2025, 4, 22, 10), utc(2025, 4, 22, 16), BF,
                              Unit.hours) == utc(2025, 4, 24, 16)
    with pytest.raises(ValueError, match="before"):
        resume_after_pause(eod(2025, 4, 24), utc(2025, 4, 22, 10), utc(2025, 4, 21, 10), BF, Unit.hours)


def test_minimum_period_that_waits_for_an_event():
    minimum = BF.add(utc(2025, 4, 1, 9), Duration.model_validate("30 days"))
    assert minimum == utc(2025, 5, 1, 9)
    assert later_of(minimum, None) is None  # decision not taken yet: still open
    assert later_of(minimum, utc(2025, 4, 20)) == minimum  # early decision: the minimum holds
    assert later_of(minimum, utc(2025, 6, 2, 15)) == utc(2025, 6, 2, 15)
    with pytest.raises(ValueError, match="naive"):
        later_of(minimum, datetime(2025, 6, 2))
    assert timedelta(0) < minimum - utc(2025, 4, 1, 9)


@pytest.mark.parametrize(("call", "fr", "en"), [
    (lambda: resolve_duration(REFERRAL, {}),
     "le champ « referral.priority » est vide (il choisit la durée du délai)",
     "the deadline needs a value for referral.priority (it chooses the deadline's duration), "
     "but it is empty"),
    (lambda: resolve_duration(REFERRAL, prio("critical")),
     "« referral.priority » vaut 'critical', valeur absente du délai (emergency, normal, urgent)",
     "referral.priority is 'critical', which the deadline does not list; expected one of "
     "emergency, normal, urgent"),
    (lambda: start_instant(PEP, ENTERED, {"incident": {"occurred_at": None}}, BF),
     "le champ « incident.occurred_at » est vide (le délai part de cette date)",
     "the deadline needs a value for incident.occurred_at (the deadline starts at that date), "
     "but it is empty"),
    (lambda: start_instant(PEP, ENTERED, {"incident": {"occurred_at": "hier"}}, BF),
     "« incident.occurred_at » ne contient pas une date",
     "incident.occurred_at does not hold a date: a deadline can only start at a date or datetime"),
])
def test_deadline_errors_say_why_in_words(call, fr, en):
    """Each deadline error says why in the catalogue's words (fr, en); its English ``str`` is the
    technical detail for the log."""
    with pytest.raises(DeadlineError) as err:
        call()
    assert (err.value.why.text("fr"), err.value.why.text("en")) == (fr, en)
