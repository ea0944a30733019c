"""``wait_for`` is evaluated in the transaction that changes the awaited data (no hourly polling),
and a state entered by an automatic trigger starts its clock at the due instant, not at the sweep.
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import Actor, WorkflowEngine
from mno_workflow.reminders.sweeper import sweep
from mno_workflow.sop.loader import load_text
from mno_workflow.store import repository
from mno_workflow.store.base import Base, make_engine
from mno_workflow.store.models import Deadline, StepInstance

from ..conftest import BF_SOP, BF_VERSION
from ..engine.helpers import CW, to_referrals
from ..engine.time_sop import TIME_SOP


def _wait_sop():
    text = BF_SOP.read_text(encoding="utf-8").replace(f'version: "{BF_VERSION}"', 'version: "2026.2-wait"')
    return load_text(text.replace("""          within: 30 days
          remind: [3 days before]
          on_expiry: {escalate: supervisor}""", """          within: 30 days
          wait_for: "steps.consent == 'withdrawn'"
          on_expiry: {fire: end_follow_up}"""), "wait.yaml")


def test_the_event_releases_the_minimum_period_in_its_own_transaction(db_url, clock):
    db = make_engine(db_url)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, clock)
    wf.load_sop(_wait_sop())
    needs = {"assessed_on": "2025-06-02", "risk_level": "low",
             "needs": [{"dimension": "social", "need": "documentation", "referral_needed": False}]}
    ref = to_referrals(wf, needs=needs)
    wf.fire(ref, "record_visit", CW, {"visit_date": "2025-06-02", "contact_mode": "phone",
                                      "services_received": True, "risk_level": "low"})
    clock.advance(timedelta(days=31))
    assert sweep(wf).waiting  # period over, event not yet
    clock.advance(timedelta(hours=5, minutes=17))
    assert sweep(wf).claimed == 0  # nothing polls
    event_at = clock.now()
    wf.fire(ref, "withdraw_consent", CW, {"withdrawn_on": "2025-07-03", "expressed_by": "self"})
    with wf.sessions() as s:
        row = s.scalar(select(Deadline).where(Deadline.state == "monitoring", Deadline.kind == "expiry"))
        assert (row.status, row.due_at, row.fire_at) == ("pending", event_at, event_at)
        ev = repository.trail(s, repository.get_case(s, ref))[-1]
        assert {"wait_over": {"instance": "follow_up:1", "state": "monitoring",
                              "due_at": event_at.isoformat()}} in ev.effects
    r = sweep(wf, now=event_at)  # the very instant of the event: due at once, not an hour later
    assert (ref, "follow_up:1", "monitoring", "expiry") in r.auto_fired
    db.dispose()


def test_a_state_entered_by_an_automatic_trigger_starts_at_the_due_instant(db_url):
    start = datetime(2025, 6, 2, 6, 0, tzinfo=UTC)
    db = make_engine(db_url)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, SimulatedClock(start))
    wf.load_sop(load_text(TIME_SOP, "timing.yaml"))
    ref = wf.create_case("timing", Actor("wanjiru", "caseworker"))
    wf.fire(ref, "start_chain", Actor("wanjiru", "caseworker"))
    due_first = start + timedelta(days=1)
    sweep_at = due_first + timedelta(minutes=15)  # cron every 15 min: the sweep comes later
    r = sweep(wf, now=sweep_at)
    assert [x[2] for x in r.auto_fired] == ["first"]
    with wf.sessions() as s:
        inst = s.scalar(select(StepInstance).where(StepInstance.state == "second"))
        assert inst.entered_at == due_first
        row = s.scalar(select(Deadline).where(Deadline.state == "second", Deadline.kind == "expiry"))
        assert (row.start_at, row.due_at) == (due_first, due_first + timedelta(hours=2))
    db.dispose()
