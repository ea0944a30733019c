"""Flow conditions that raise at run time (issue 12): a flow rule's ``when``, a ``for_each``'s
``where`` and a step's ``disclosure`` take the safe branch but are never silently false — the
transition's audit event says which condition failed and why, a warning is logged, and the
supervisor and the case's caseworker get one escalation message (no personal data), on SQLite and
PostgreSQL."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, select

from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import Actor, WorkflowEngine
from mno_workflow.engine.errors import RoleNotAllowed
from mno_workflow.reminders.outbox import render
from mno_workflow.sop.loader import load_text, parse_yaml
from mno_workflow.store import repository
from mno_workflow.store.models import AuditEvent, Base, OutboxMessage, User

from ..sop.test_docs import BASE_TEXT

CW = Actor("mariam", "caseworker")
T0 = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
INTAKE = {"name": "Awa", "priority": "normal", "consent": True,
          "needs": [{"need": "housing", "refer": True}, {"need": "medical"}]}


def engine(db_url, change) -> WorkflowEngine:
    sop, _ = parse_yaml(BASE_TEXT, "base")
    change(sop)
    db = create_engine(db_url)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, SimulatedClock(T0))
    wf.load_sop(load_text(json.dumps(sop, ensure_ascii=False), "broken.yaml"))
    with wf.sessions.begin() as s:
        s.add(User(id="mariam", display_name="Mariam", role="caseworker", email="m@x.example"))
        s.add(User(id="sup", display_name="Sup", role="supervisor", language="en"))
    return wf


def last_event(wf, ref) -> AuditEvent:
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        return s.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                         .order_by(AuditEvent.seq.desc())).first()


def escalations(wf) -> list[OutboxMessage]:
    with wf.sessions() as s:
        return list(s.scalars(select(OutboxMessage).where(OutboxMessage.template == "condition_error")))


def test_where_that_raises_is_reported_audited_and_escalated(db_url, caplog):
    def change(sop):
        sop["steps"]["referral"]["instances"]["where"] = "item.refer"  # missing on the second need
    wf = engine(db_url, change)
    ref = wf.create_case("exemple", CW)
    with caplog.at_level(logging.WARNING, logger="mno.engine"):
        wf.fire(ref, "register", CW, INTAKE)
    with wf.sessions() as s:
        keys = [i.key for i in repository.get_case(s, ref).instances if i.step == "referral"]
    assert keys == ["housing"]  # the safe branch: the item whose condition broke is not started
    errors = [e["condition_error"] for e in last_event(wf, ref).effects if "condition_error" in e]
    assert len(errors) == 1 and errors[0]["where"] == "for_each" and errors[0]["condition"] == "item.refer"
    assert "n'a pas pu être évaluée" in errors[0]["fr"] and "could not be evaluated" in errors[0]["en"]
    assert any("condition error" in r.message for r in caplog.records)
    msgs = escalations(wf)
    assert {(m.recipient_user, m.channel) for m in msgs} >= {("sup", "inapp"), ("mariam", "inapp"),
                                                             ("mariam", "email")}
    with wf.sessions() as s:
        mail = render(s, next(m for m in msgs if m.recipient_user == "sup"))
        fr = render(s, next(m for m in msgs if m.channel == "email"))
    assert "could not be evaluated" in mail.subject and "item.refer" in mail.text
    assert "Awa" not in mail.text and "Awa" not in fr.text  # no personal data
    assert "impossible à évaluer" in fr.subject


def test_flow_when_that_raises_is_reported_not_silent(db_url):
    def change(sop):
        sop["flow"][0]["when"] = "intake.return_date < today"  # return_date left empty
    wf = engine(db_url, change)
    ref = wf.create_case("exemple", CW)
    wf.fire(ref, "register", CW, INTAKE)
    with wf.sessions() as s:
        assert [i.step for i in repository.get_case(s, ref).instances] == ["intake"]
    errors = [e["condition_error"] for e in last_event(wf, ref).effects if "condition_error" in e]
    assert [(e["where"], e["condition"]) for e in errors] == [("flow", "intake.return_date < today")]
    assert len({m.recipient_user for m in escalations(wf)}) == 2


def test_false_condition_is_not_reported(db_url):
    def change(sop):
        sop["flow"][0]["when"] = "intake.priority == 'urgent'"
    wf = engine(db_url, change)
    ref = wf.create_case("exemple", CW)
    wf.fire(ref, "register", CW, INTAKE)
    assert not [e for e in last_event(wf, ref).effects if "condition_error" in e]
    assert escalations(wf) == []


def test_disclosure_that_raises_refuses_the_provider_with_the_reason(db_url):
    def change(sop):
        sop["steps"]["referral"]["disclosure"] = "intake.return_date < today"
    wf = engine(db_url, change)
    ref = wf.create_case("exemple", CW)
    wf.fire(ref, "register", CW, INTAKE)
    wf.fire(ref, "send", CW, {"provider": "org-a"}, instance="housing")
    with pytest.raises(RoleNotAllowed) as info:
        wf.fire(ref, "accept", Actor("focal", "provider", "org-a"), instance="housing")
    assert "disclosure" in info.value.text("en") and "could not be evaluated" in info.value.text("en")
    assert "n'a pas pu être évaluée" in info.value.text("fr")
