"""Conditions see real dates (timestamps), can call days_between / working_days_between, and a CEL
run-time error in a guard is ``guard_error`` (not ``guard_not_met``), with nothing written — except a
value the case has not recorded: that is missing data, said in words (``guard_not_met``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine

from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import Actor, WorkflowEngine
from mno_workflow.engine.errors import GuardError, GuardNotMet
from mno_workflow.sop.celtypes import ENV_KEY, type_env
from mno_workflow.sop.expr import compile_expr
from mno_workflow.sop.loader import load_text
from mno_workflow.store.models import Base

from ..conftest import snapshot

SOP_TEXT = """
sop: dates
version: "1"
title: {fr: Dates, en: Dates}
languages: [fr, en]
calendar: {timezone: Africa/Ouagadougou, holidays: BF}
roles:
  caseworker: {label: {fr: Gestionnaire, en: Caseworker}}
forms:
  seen:
    title: {fr: Visite, en: Visit}
    fields:
      - {id: last_seen_on, type: date, required: true, label: {fr: Vu le, en: Seen on}}
      - {id: incident_at, type: datetime, label: {fr: Incident, en: Incident}}
      - {id: note, type: text, label: {fr: Note, en: Note}}
start: closure
steps:
  closure:
    label: {fr: Clôture, en: Closure}
    states:
      open: {label: {fr: Ouvert, en: Open}, initial: true}
      closed: {label: {fr: Clos, en: Closed}, final: true}
    transitions:
      - {trigger: record, label: {fr: Noter, en: Record}, from: open, internal: true,
         by: [caseworker], form: seen}
      - {trigger: close, label: {fr: Clore, en: Close}, from: open, to: closed, by: [caseworker],
         when: "days_between(seen.last_seen_on, today) <= 10"}
      - {trigger: close_working, label: {fr: Clore, en: Close}, from: open, to: closed, by: [caseworker],
         when: "working_days_between(seen.last_seen_on, today) <= 5"}
      - {trigger: close_recent, label: {fr: Clore, en: Close}, from: open, to: closed, by: [caseworker],
         when: "now - seen.incident_at < duration('72h')"}
      - {trigger: close_broken, label: {fr: Clore, en: Close}, from: open, to: closed, by: [caseworker],
         when: "seen.note > 3"}
flow:
  - {after: closure.closed, close_case: true}
"""
CW = Actor("mariam.kabore", "caseworker")


@pytest.fixture
def dates_wf(db_url):
    db = create_engine(db_url)
    Base.metadata.create_all(db)
    clock = SimulatedClock(datetime(2025, 6, 10, 9, 0, tzinfo=UTC))  # Tuesday 10 June 2025
    wf = WorkflowEngine(db, clock)
    wf.load_sop(load_text(SOP_TEXT, "dates.yaml"))
    yield wf
    db.dispose()


@pytest.mark.parametrize("seen, trigger, allowed", [
    ("2025-05-31", "close", True),           # 10 calendar days
    ("2025-05-30", "close", False),          # 11
    ("2025-06-02", "close_working", True),   # Tue 3, Wed 4, Thu 5, Mon 9, Tue 10 (Fri 6 = Tabaski)
    ("2025-05-30", "close_working", False),  # + Mon 2 June = 6
])
def test_date_guards_with_helpers(dates_wf, seen, trigger, allowed):
    ref = dates_wf.create_case("dates", CW)
    dates_wf.fire(ref, "record", CW, {"last_seen_on": seen})
    if allowed:
        assert dates_wf.fire(ref, trigger, CW).to_state == "closed"
    else:
        with pytest.raises(GuardNotMet):
            dates_wf.fire(ref, trigger, CW)


@pytest.mark.parametrize("incident, allowed", [
    ("2025-06-08T09:30:00+00:00", True), ("2025-06-07T08:59:00+00:00", False)])
def test_datetime_minus_instant_is_a_duration(dates_wf, incident, allowed):
    ref = dates_wf.create_case("dates", CW)
    dates_wf.fire(ref, "record", CW, {"last_seen_on": "2025-06-01", "incident_at": incident})
    if allowed:
        dates_wf.fire(ref, "close_recent", CW)
    else:
        with pytest.raises(GuardNotMet):
            dates_wf.fire(ref, "close_recent", CW)


def test_run_time_error_is_guard_error_and_writes_nothing(dates_wf):
    ref = dates_wf.create_case("dates", CW)
    dates_wf.fire(ref, "record", CW, {"last_seen_on": "2025-06-01", "note": "x"})
    before = snapshot(dates_wf)
    with pytest.raises(GuardError) as info:
        dates_wf.fire(ref, "close_broken", CW)
    assert info.value.code == "guard_error" and not isinstance(info.value, GuardNotMet)
    assert info.value.details["condition"] == "seen.note > 3"
    assert "seen.note > 3" in info.value.text("fr") and "seen.note > 3" in info.value.text("en")
    assert info.value.details["error"]
    assert snapshot(dates_wf) == before


def test_missing_value_is_missing_data_in_words_not_an_sop_error(dates_wf, caplog):
    """Tryout 2 #17: a guard reading a value the case never recorded is not « une erreur de la
    POS » with its expression: the field is named by its label, the expression goes to the log."""
    ref = dates_wf.create_case("dates", CW)
    before = snapshot(dates_wf)
    with caplog.at_level("INFO", logger="mno.engine"), pytest.raises(GuardNotMet) as info:
        dates_wf.fire(ref, "close", CW)  # seen.last_seen_on was never recorded
    e = info.value
    assert e.code == "guard_not_met" and e.details == {"missing": "last_seen_on"}
    assert e.text("fr") == "Une donnée nécessaire manque au dossier : « Vu le » (Visite)."
    assert e.text("en") == "Data needed is missing from the case: 'Seen on' (Visit)."
    for lang in ("fr", "en"):
        assert "seen." not in e.text(lang) and "POS" not in e.text(lang) and "SOP" not in e.text(lang)
    assert any("days_between(seen.last_seen_on, today)" in r.getMessage() for r in caplog.records)
    assert snapshot(dates_wf) == before


@pytest.mark.parametrize("source, expected", [
    ("today == timestamp('2025-06-10T00:00:00Z')", True),
    ("seen.last_seen_on < today", True),
    ("days_between(today, seen.last_seen_on)", -9),
    ("days_between(seen.last_seen_on, now)", 9),
    ("seen.last_seen_on + duration('216h') == today", True),
    ("string(seen.last_seen_on) == '2025-06-01T00:00:00+00:00'", True),
])
def test_dates_are_timestamps(source, expected):
    sop = load_text(SOP_TEXT, "dates.yaml").model
    ctx = {"seen": {"last_seen_on": "2025-06-01"}, "today": "2025-06-10", "now": "2025-06-10T23:30:00Z",
           ENV_KEY: type_env(sop)}
    assert compile_expr(source).evaluate(ctx) == expected


def test_working_days_between_without_a_session_uses_the_sop_calendar():
    """A transient case (the new-case form) has no session: the SOP's own calendar is used."""
    from mno_workflow.store.models import Case
    sop = load_text(SOP_TEXT, "dates.yaml").model
    wf = WorkflowEngine(create_engine("sqlite://"), SimulatedClock(datetime(2025, 6, 10, 9, 0, tzinfo=UTC)))
    ctx = wf.context(Case(data={"seen": {"last_seen_on": "2025-06-02"}}), None, sop,
                     datetime(2025, 6, 10, 9, 0, tzinfo=UTC))
    assert compile_expr("working_days_between(seen.last_seen_on, today)").evaluate(ctx) == 5
