"""The written rule set for time (docs/working-days.md), table-tested with real dates, and the
deadlines that can no longer be silently left unarmed. Engine tests run on SQLite and PostgreSQL.

* "within N days of date D" is due at the END of day D+N in the SOP time zone;
* a cut-off applies to the unit of the deadline (calendar days: the next calendar day);
* datetime form values are UTC instants, compared as instants (``not_future``, ``not_before``);
* a deadline that cannot be armed refuses the transition (``deadline_not_armed``, fr/en) unless
  the SOP says ``optional: true``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from mno_workflow.engine.calendar import BusinessCalendar
from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.deadlines import due_at
from mno_workflow.engine.engine import Actor, WorkflowEngine
from mno_workflow.engine.errors import DeadlineNotArmed, FormInvalid
from mno_workflow.engine.forms import validate_form
from mno_workflow.kit.runner import same_when
from mno_workflow.sop.loader import load_text
from mno_workflow.sop.schema import Calendar, Deadline, Duration
from mno_workflow.store.base import Base, make_engine
from mno_workflow.store.models import AuditEvent
from mno_workflow.store.models import Deadline as DeadlineRow

from ..conftest import snapshot
from .time_sop import TIME_SOP

NAIROBI = ZoneInfo("Africa/Nairobi")
BF = BusinessCalendar.from_sop(Calendar(timezone="Africa/Ouagadougou", holidays="BF"))
PARIS = BusinessCalendar.from_sop(Calendar(timezone="Europe/Paris", holidays="FR"))
SOP = load_text(TIME_SOP, "timing.yaml").model
CW, SUP = Actor("wanjiru", "caseworker"), Actor("otieno", "supervisor")


def end_of(cal: BusinessCalendar, y: int, m: int, d: int) -> datetime:
    return datetime.combine(date(y, m, d), time.max, tzinfo=cal.tz).astimezone(UTC)


# --------------------------------------------------------------- "within N days of date D"
@pytest.mark.parametrize(("cal", "within", "start", "due_day"), [
    (BF, "15 days", "2025-07-01", (2025, 7, 16)),       # the decision of 1 July
    (BF, "1 day", "2025-07-01", (2025, 7, 2)),
    (BF, "2 weeks", "2025-07-01", (2025, 7, 15)),
    (BF, "1 month", "2025-01-31", (2025, 2, 28)),
    (BF, "0 days", "2025-07-01", (2025, 7, 1)),
    (BF, "1 working day", "2025-05-14", (2025, 5, 16)),  # 15 May is a BF holiday
    (PARIS, "1 day", "2025-03-29", (2025, 3, 30)),      # DST night: still the end of the local day
    (PARIS, "1 day", "2025-10-25", (2025, 10, 26)),
])
def test_a_date_only_start_is_due_at_the_end_of_the_last_day(cal, within, start, due_day):
    dl = Deadline.model_validate({"within": within, "start": "d.on", "cutoff": "13:00"})
    got = due_at(dl, datetime(2025, 1, 1, tzinfo=UTC), {"d": {"on": start}}, cal)
    assert got == end_of(cal, *due_day)
    assert cal.local_date(got) == date(*due_day)  # the last day is usable to its end


def test_hours_from_a_date_start_at_local_midnight():
    dl = Deadline.model_validate({"within": "72 hours", "start": "d.on"})
    got = due_at(dl, datetime(2025, 1, 1, tzinfo=UTC), {"d": {"on": "2025-06-02"}}, BF)
    assert got == datetime(2025, 6, 5, tzinfo=UTC)


# ----------------------------------------------------------------- cut-off follows the unit
@pytest.mark.parametrize(("cal", "start", "within", "due_day", "why"), [
    (BF, datetime(2025, 4, 19, 10, tzinfo=UTC), "2 days", (2025, 4, 20),
     "24/7 service: Saturday 10:00 before 13:00 is day one, due end of Sunday (not Tuesday)"),
    (BF, datetime(2025, 4, 19, 14, tzinfo=UTC), "2 days", (2025, 4, 21),
     "after the cut-off: day one is the next calendar day, Sunday"),
    (BF, datetime(2025, 4, 19, 10, tzinfo=UTC), "2 working days", (2025, 4, 23),
     "working days: next working day (Easter Monday skipped), Tue then Wed"),
    (BF, datetime(2025, 4, 22, 10, tzinfo=UTC), "2 working days", (2025, 4, 23),
     "working day before the cut-off is day one"),
    (BF, datetime(2025, 5, 14, 14, tzinfo=UTC), "1 working day", (2025, 5, 16),
     "after the cut-off on Wed 14 May; Thu 15 May is a holiday (coutumes et traditions)"),
    (PARIS, datetime(2025, 3, 29, 10, tzinfo=ZoneInfo("Europe/Paris")), "1 day", (2025, 3, 29),
     "Paris, day of the spring DST change after"),
])
def test_cutoff_applies_to_the_unit_of_the_deadline(cal, start, within, due_day, why):
    got = cal.add(start, Duration.model_validate(within), cutoff=time(13, 0))
    assert got == end_of(cal, *due_day), why


# ------------------------------------------------------------------ scenario date matching
def test_a_scenario_date_does_not_match_midnight_of_that_day():
    tz = "Africa/Ouagadougou"
    assert not same_when(date(2025, 7, 16), datetime(2025, 7, 16, tzinfo=UTC), tz)
    assert same_when(date(2025, 7, 16), end_of(BF, 2025, 7, 16), tz)
    assert same_when(date(2025, 7, 16), datetime(2025, 7, 16, 8, tzinfo=UTC), tz)
    assert not same_when(date(2025, 7, 16), datetime(2025, 7, 17, tzinfo=UTC), tz)


# ---------------------------------------------------------------------- datetime values
NOW = datetime(2025, 6, 2, 23, 0, tzinfo=UTC)  # Tuesday 3 June 2025, 02:00 in Nairobi


def form(payload, context=None, now=NOW):
    return validate_form(SOP, "incident", payload, context=context or {},
                         today=now.astimezone(NAIROBI).date(), now=now)


@pytest.mark.parametrize(("sent", "stored"), [
    ("2025-06-02T21:30", "2025-06-02T18:30:00Z"),            # local Nairobi time (UTC+3)
    ("2025-06-02T21:30:00+03:00", "2025-06-02T18:30:00Z"),
    ("2025-06-02T18:30:00Z", "2025-06-02T18:30:00Z"),
    ("2025-06-03T00:30+02:00", "2025-06-02T22:30:00Z"),      # past instant, later local date
])
def test_datetimes_are_stored_as_utc_instants(sent, stored):
    assert form({"occurred_at": sent})["occurred_at"] == stored


@pytest.mark.parametrize(("sent", "refused"), [
    ("2025-06-03T23:59", True),          # ~22 h ahead in Nairobi, same local date as now
    ("2025-06-03T02:30", True),          # 30 min ahead
    ("2025-06-03T01:30", False),         # 30 min ago
    ("2025-06-03T00:30+02:00", False),   # 22:30 UTC on 2 June: in the past whatever its text says
    ("2025-06-03T02:30+03:00", True),    # 23:30 UTC: 30 min ahead
])
def test_not_future_on_a_datetime_compares_instants(sent, refused):
    if refused:
        with pytest.raises(FormInvalid) as info:
            form({"occurred_at": sent})
        assert "occurred_at" in info.value.errors
        assert info.value.errors["occurred_at"].en == "The date cannot be in the future."
    else:
        form({"occurred_at": sent})


def test_not_before_on_datetimes_compares_instants():
    # 30 minutes after the incident, written with another offset: accepted.
    form({"occurred_at": "2025-06-02T10:00:00+03:00", "reported_at": "2025-06-02T07:30:00Z"})
    with pytest.raises(FormInvalid) as info:
        form({"occurred_at": "2025-06-02T10:00:00+03:00", "reported_at": "2025-06-02T06:30:00Z"})
    assert set(info.value.errors) == {"reported_at"}
    # the other instant as the form asks for it, day first in the SOP's time zone (tryout 4, G17)
    for lang in ("fr", "en"):
        said = info.value.errors["reported_at"].text(lang)
        assert re.search(r"\(02/06/2025 \d\d:00\)", said) and "2025-06" not in said, said


# ----------------------------------------------------------------------- engine, both DBs
@pytest.fixture
def tw(db_url):
    db = make_engine(db_url)
    Base.metadata.create_all(db)
    engine = WorkflowEngine(db, SimulatedClock(NOW))
    engine.load_sop(load_text(TIME_SOP, "timing.yaml"))
    yield engine
    db.dispose()


def _due(tw, ref):
    with tw.sessions() as s:
        return s.scalar(select(DeadlineRow.due_at).where(DeadlineRow.kind == "expiry",
                                                        DeadlineRow.status == "pending"))


def test_incident_time_starts_the_clock_as_an_instant(tw):
    ref = tw.create_case("timing", CW)
    tw.fire(ref, "record", CW, {"occurred_at": "2025-06-02T08:15"})  # Nairobi
    assert _due(tw, ref) == datetime(2025, 6, 5, 5, 15, tzinfo=UTC)


def test_decision_date_deadline_keeps_its_last_day(tw):
    ref = tw.create_case("timing", CW)
    tw.fire(ref, "decide", CW, {"occurred_at": "2025-06-01T08:00", "decided_on": "2025-06-01"})
    assert _due(tw, ref) == datetime(2025, 6, 16, 20, 59, 59, 999999, tzinfo=UTC)  # end of 16 June, EAT


@pytest.mark.parametrize(("trigger", "payload", "field"), [
    ("prioritise", {"occurred_at": "2025-06-01T08:00"}, "incident.priority"),
    ("decide", {"occurred_at": "2025-06-01T08:00"}, "incident.decided_on"),
])
def test_a_deadline_that_cannot_be_armed_refuses_the_transition(tw, trigger, payload, field):
    ref = tw.create_case("timing", CW)
    before = snapshot(tw)
    with pytest.raises(DeadlineNotArmed) as info:
        tw.fire(ref, trigger, CW, payload)
    assert snapshot(tw) == before  # nothing committed
    err = info.value
    assert err.code == "deadline_not_armed" and err.details["field"] == field
    assert f"« {field} » est vide" in err.text("fr") and "optional: true" in err.text("fr")
    assert "cannot be computed" in err.text("en") and field in err.text("en")


def test_an_optional_deadline_is_skipped_and_audited(tw):
    ref = tw.create_case("timing", CW)
    tw.fire(ref, "maybe", CW, {"occurred_at": "2025-06-01T08:00"})
    with tw.sessions() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.trigger == "maybe")).one()
        skipped = [e["deadline_skipped"] for e in ev.effects if "deadline_skipped" in e]
    assert [(d["state"], d["field"]) for d in skipped] == [("optional_priority", "incident.priority")]
    assert _due(tw, ref) is None



def test_a_skipped_deadline_says_why_in_words_not_the_technical_detail(tw):
    """The audit effect of a skipped optional deadline keeps a catalogue message (shown in the
    reader's language), not the English text of the exception."""
    from mno_workflow.reminders.stored_message import restored
    ref = tw.create_case("timing", CW)
    tw.fire(ref, "maybe", CW, {"occurred_at": "2025-06-01T08:00"})
    with tw.sessions() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.trigger == "maybe")).one()
        (reason,) = [e["deadline_skipped"]["reason"] for e in ev.effects if "deadline_skipped" in e]
    why = restored(reason)
    assert why.text("fr") == "le champ « incident.priority » est vide (il choisit la durée du délai)"
    assert why.text("en") == ("the deadline needs a value for incident.priority (it chooses the "
                              "deadline's duration), but it is empty")
    assert "but it is empty" not in str(reason)  # the words are stored, not the exception's text
