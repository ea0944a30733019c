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


# -- issue 13 item 6: the all_final rules of an empty for_each keep their ``when`` ----------------
WHEN_TEXT = BASE_TEXT.replace(
    "  - {after: referral.all_final, close_case: true}",
    "  - {after: referral.all_final, when: \"intake.priority == 'urgent'\", close_case: true}\n"
    "  - {after: referral.all_final, when: \"intake.priority == 'normal'\", start: followup}\n"
    "  - {after: followup.done, close_case: true}").replace(
    "flow:\n", """  followup:
    label: {fr: Suivi, en: Follow-up}
    states:
      open: {label: {fr: Ouvert, en: Open}, initial: true, owner: caseworker,
             deadline: {within: 5 working days, on_expiry: {escalate: supervisor}}}
      done: {label: {fr: Fait, en: Done}, final: true}
    transitions:
      - {trigger: finish, label: {fr: Terminer, en: Finish}, from: open, to: done, by: [caseworker]}
flow:
""", 1)


@pytest.fixture
def when_wf(db_url):
    db = create_engine(db_url)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, SimulatedClock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC)))
    wf.load_sop(load_text(WHEN_TEXT, "exemple.yaml"))
    yield wf
    db.dispose()


@pytest.mark.parametrize(("priority", "status", "steps"), [
    ("normal", "open", ["intake", "followup"]),   # close_case's when is false: not closed
    ("urgent", "closed", ["intake"]),             # followup's when is false: not started
])
def test_empty_for_each_applies_all_final_rules_with_their_when(when_wf, priority, status, steps):
    ref = when_wf.create_case("exemple", CW)
    when_wf.fire(ref, "register", CW, dict(INTAKE, priority=priority,
                                           needs=[{"need": "housing", "refer": False}]))
    with when_wf.sessions() as s:
        case = repository.get_case(s, ref)
        assert case.status == status
        assert [i.step for i in case.instances] == steps


def test_empty_for_each_when_that_fails_is_reported_not_applied(when_wf):
    # A `when` reading a field that is absent fails at run time: false, and reported.
    text = WHEN_TEXT.replace("when: \"intake.priority == 'urgent'\"", "when: \"intake.return_date < now\"")
    assert text != WHEN_TEXT
    when_wf.load_sop(load_text(text.replace('version: "', 'version: "9'), "exemple.yaml"))
    ref = when_wf.create_case("exemple", CW)
    when_wf.fire(ref, "register", CW, dict(INTAKE, priority="urgent",
                                           needs=[{"need": "housing", "refer": False}]))
    with when_wf.sessions() as s:
        case = repository.get_case(s, ref)
        assert case.status == "open"
        events = s.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)).all()
        assert any("condition_error" in e for ev in events for e in (ev.effects or []))
