"""An automatic ``on_expiry: fire`` that cannot happen (its transition needs a form) is escalated
once to the state's owner and the supervisor, with the reason in their language, and audited; the
next sweeps do nothing more (no silent retry, no flood). SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import Actor, WorkflowEngine
from mno_workflow.reminders.outbox import render
from mno_workflow.reminders.sweeper import sweep
from mno_workflow.sop.loader import load_text
from mno_workflow.store.audit import verify_all
from mno_workflow.store.base import Base, make_engine
from mno_workflow.store.models import AuditEvent, OutboxMessage, User

from ..engine.time_sop import TIME_SOP

START = datetime(2025, 6, 2, 6, 0, tzinfo=UTC)
CW = Actor("wanjiru", "caseworker")


@pytest.fixture
def tw(db_url):
    db = make_engine(db_url)
    Base.metadata.create_all(db)
    engine = WorkflowEngine(db, SimulatedClock(START))
    engine.load_sop(load_text(TIME_SOP, "timing.yaml"))
    with engine.sessions.begin() as s:
        s.add(User(id="wanjiru", display_name="Wanjiru", role="caseworker", language="en"))
        s.add(User(id="otieno", display_name="Otieno", role="supervisor", language="fr"))
    yield engine
    db.dispose()


def test_failing_automatic_trigger_is_escalated_once_and_audited(tw):
    ref = tw.create_case("timing", CW, assignee="wanjiru")
    tw.fire(ref, "park", CW)
    report = sweep(tw, now=START + timedelta(days=1, hours=1))
    assert [r[3] for r in report.failed] == ["expiry"] and not report.auto_fired
    with tw.sessions() as s:
        msgs = list(s.scalars(select(OutboxMessage).where(OutboxMessage.template == "auto_failed")
                              .order_by(OutboxMessage.id)))
        assert sorted((m.recipient_role, m.recipient_user) for m in msgs) == [
            ("caseworker", "wanjiru"), ("supervisor", "otieno")]
        texts = {m.recipient_user: render(s, m).text for m in msgs}
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "auto_trigger_failed")))
    assert "Reason: Form 'Note' is invalid — Note: This field is required" in texts["wanjiru"]
    assert "Raison : Formulaire « Note » invalide — Note : Ce champ est obligatoire" in texts["otieno"]
    assert "'close_with_note'" in texts["wanjiru"]
    (ev,) = events
    assert ev.trigger == "close_with_note" and ev.data["code"] == "form_invalid"
    assert ev.data["notified"] == ["caseworker", "supervisor"]
    with tw.sessions() as s:
        assert verify_all(s) == (1, [])  # the audit chain stays intact
    # Later sweeps: nothing more is sent, nothing retried.
    again = sweep(tw, now=START + timedelta(days=3))
    assert not again.failed and not again.claimed
    with tw.sessions() as s:
        assert len(list(s.scalars(select(OutboxMessage).where(
            OutboxMessage.template == "auto_failed")))) == 2
