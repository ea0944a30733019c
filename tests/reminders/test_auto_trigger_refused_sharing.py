"""Issue 13, the sweeper's path: an automatic ``on_expiry: fire`` that would send a referral of a
case whose person refused data sharing is refused by the consent gate (guard_not_met, the reason
names the consent), escalated and audited; nothing is sent. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import Actor, WorkflowEngine
from mno_workflow.reminders.stored_message import restored
from mno_workflow.reminders.sweeper import sweep
from mno_workflow.sop.loader import load_text
from mno_workflow.store import repository
from mno_workflow.store.base import Base, make_engine
from mno_workflow.store.models import AuditEvent

from ..conftest import BF_SOP

START = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
CW = Actor("mariam.kabore", "caseworker")
DRAFT = """        label: {fr: À envoyer, en: To be sent}
        deadline:
          within: 3 working days
          on_expiry: {escalate: supervisor}"""


@pytest.fixture
def wf(db_url):
    text = BF_SOP.read_text(encoding="utf-8")
    assert text.count(DRAFT) == 1
    text = text.replace(DRAFT, DRAFT.replace("{escalate: supervisor}", "{escalate: supervisor, fire: send}"))
    db = make_engine(db_url)
    Base.metadata.create_all(db)
    engine = WorkflowEngine(db, SimulatedClock(START))
    engine.load_sop(load_text(text, "mnr-auto-send.yaml"))
    yield engine
    db.dispose()


def test_automatic_send_after_a_refusal_is_refused_by_the_consent_gate(wf):
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, {"first_name": "Salif", "last_name": "Zongo", "sex": "male",
                                  "estimated_age": 30, "return_date": "2025-06-01", "region": "kadiogo"})
    wf.fire(ref, "refer_immediately", CW, {"dimension": "social", "need": "medical", "urgency": "Fièvre"})
    wf.fire(ref, "record_refusal", CW, {"refused_on": "2025-06-02", "given_by": "self"})
    report = sweep(wf, now=START + timedelta(days=7))
    assert not report.auto_fired and len(report.failed) == 1
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        assert {i.label_key: i.state for i in case.instances}["referral:medical"] == "draft"
        (ev,) = s.scalars(select(AuditEvent).where(AuditEvent.action == "auto_trigger_failed"))
        assert ev.trigger == "send" and ev.data["code"] == "guard_not_met"
        reason = restored(ev.data["reason"])  # issue 18: the message id, shown in any language
        assert "consentement refusé" in reason.text("fr")
        assert "consent refused" in reason.text("en")
