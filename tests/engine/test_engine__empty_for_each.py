"""A for_each step with no instance (every need marked ``refer: false``) is "all final" for every
flow rule, ``close_case`` included: the complete example of docs/sop-language.md closes the case
instead of leaving it open for ever with nothing to do (issue 12, trap SOPs)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, select

from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import Actor, WorkflowEngine
from mno_workflow.sop.loader import load_text
from mno_workflow.store import repository
from mno_workflow.store.models import AuditEvent, Base, Deadline

from ..sop.test_docs import BASE_TEXT

CW = Actor("mariam.kabore", "caseworker")
INTAKE = {"name": "Awa", "priority": "normal", "consent": True}


@pytest.fixture
def doc_wf(db_url):
    db = create_engine(db_url)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, SimulatedClock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC)))
    wf.load_sop(load_text(BASE_TEXT, "exemple.yaml"))
    yield wf
    db.dispose()


def test_no_need_to_refer_closes_the_case(doc_wf):
    ref = doc_wf.create_case("exemple", CW)
    needs = [{"need": "housing", "refer": False}, {"need": "medical"}]
    doc_wf.fire(ref, "register", CW, dict(INTAKE, needs=needs))
    with doc_wf.sessions() as s:
        case = repository.get_case(s, ref)
        assert case.status == "closed" and case.closed_at is not None
        assert [i.step for i in case.instances] == ["intake"]
        events = s.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)).all()
        assert any({"case_closed": True} in (e.effects or []) for e in events)
        assert s.scalars(select(Deadline).where(Deadline.case_id == case.id,
                                                Deadline.status == "pending")).all() == []


def test_a_need_to_refer_keeps_the_case_open(doc_wf):
    ref = doc_wf.create_case("exemple", CW)
    doc_wf.fire(ref, "register", CW, dict(INTAKE, needs=[{"need": "housing", "refer": True}]))
    with doc_wf.sessions() as s:
        case = repository.get_case(s, ref)
        assert case.status == "open"
        assert sorted(i.label_key for i in case.instances) == ["intake:1", "referral:housing"]
