"""Issue 13 item 5: ``mno sop migrate`` to a version that adds a parallel step starts it on the
migrated cases whose start rule already holds (the rule's event happened under the old version),
and only there: a ``when`` that does not hold, an event that has not happened, a closed case."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, select

from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import Actor, WorkflowEngine
from mno_workflow.engine.versions import migrate_cases
from mno_workflow.sop.loader import load_text
from mno_workflow.store import repository
from mno_workflow.store.audit import verify_all
from mno_workflow.store.models import AuditEvent, Base, Deadline

from ..sop.test_docs import BASE_TEXT

CW = Actor("mariam.kabore", "caseworker")
COORD = Actor("coord.mnr", "coordinator")
INTAKE = {"name": "Awa", "priority": "normal", "consent": True,
          "needs": [{"need": "housing", "refer": True}]}

# Version 2025.2 adds two parallel steps after intake: a desk started for every case, and a
# priority desk started only for urgent cases.
DESK = """  desk:
    label: {fr: Guichet, en: Desk}
    states:
      open: {label: {fr: Ouvert, en: Open}, initial: true, owner: caseworker,
             deadline: {within: 2 working days, on_expiry: {escalate: supervisor}}}
      done: {label: {fr: Fait, en: Done}, final: true}
    transitions:
      - {trigger: finish_desk, label: {fr: Terminer, en: Finish}, from: open, to: done, by: [caseworker]}
  priority_desk:
    label: {fr: Guichet prioritaire, en: Priority desk}
    states:
      open: {label: {fr: Ouvert, en: Open}, initial: true, owner: caseworker}
      done: {label: {fr: Fait, en: Done}, final: true}
    transitions:
      - {trigger: finish_priority, label: {fr: Terminer, en: Finish}, from: open, to: done,
         by: [caseworker]}
flow:
  - {after: intake.done, start: desk}
  - {after: intake.done, when: "intake.priority == 'urgent'", start: priority_desk}
"""
V2 = BASE_TEXT.replace('version: "2025.1"', 'version: "2025.2"').replace("flow:\n", DESK, 1)


@pytest.fixture
def doc_wf(db_url):
    db = create_engine(db_url)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, SimulatedClock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC)))
    wf.load_sop(load_text(BASE_TEXT, "exemple.yaml"))
    yield wf
    db.dispose()


def _steps(wf, ref):
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        return {i.label_key: i.state for i in case.instances}


def test_migration_starts_an_added_parallel_step_where_its_rule_holds(doc_wf):
    assert V2 != BASE_TEXT and "priority_desk" in V2
    registered = doc_wf.create_case("exemple", CW)
    doc_wf.fire(registered, "register", CW, INTAKE)
    urgent = doc_wf.create_case("exemple", CW)
    doc_wf.fire(urgent, "register", CW, dict(INTAKE, priority="urgent"))
    waiting = doc_wf.create_case("exemple", CW)  # not registered: intake.done has not happened
    closed = doc_wf.create_case("exemple", CW)   # nothing to refer: closed, not migrated
    doc_wf.fire(closed, "register", CW, dict(INTAKE, needs=[{"need": "housing", "refer": False}]))
    doc_wf.load_sop(load_text(V2, "exemple-2.yaml"))

    dry = migrate_cases(doc_wf, "exemple@2025.1", "exemple@2025.2", {}, COORD, dry_run=True)
    assert {"started": "desk:1", "by_migration": True} in dry.cases[registered].effects
    assert "desk:1" not in _steps(doc_wf, registered)  # a dry run writes nothing

    plan = migrate_cases(doc_wf, "exemple@2025.1", "exemple@2025.2", {}, COORD)
    assert set(plan.cases) == {registered, urgent, waiting}
    assert _steps(doc_wf, registered) == {"intake:1": "done", "referral:housing": "draft", "desk:1": "open"}
    assert _steps(doc_wf, urgent) == {"intake:1": "done", "referral:housing": "draft", "desk:1": "open",
                                      "priority_desk:1": "open"}
    assert _steps(doc_wf, waiting) == {"intake:1": "open"}
    assert _steps(doc_wf, closed) == {"intake:1": "done"}
    with doc_wf.sessions() as s:
        case = repository.get_case(s, registered)
        desk = next(i for i in case.instances if i.step == "desk")
        rows = s.scalars(select(Deadline).where(Deadline.instance_id == desk.id)).all()
        assert [r.kind for r in rows] == ["expiry"]  # armed like any step entering its state
        event = s.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                          .order_by(AuditEvent.seq.desc())).first()
        assert event.action == "migrate"
        assert {"started": "desk:1", "by_migration": True} in event.effects
        assert verify_all(s)[1] == []
    # the waiting case starts the desk by the normal flow once registered under 2025.2
    doc_wf.fire(waiting, "register", CW, INTAKE)
    assert _steps(doc_wf, waiting)["desk:1"] == "open"
    # the started step runs like any other
    doc_wf.fire(registered, "finish_desk", CW)
    assert _steps(doc_wf, registered)["desk:1"] == "done"


# Version 2025.3 keeps the desk step but starts it earlier (a rule the source version did not
# have), as the BF 2026.2 starts the follow-up with the approved plan instead of after the referrals.
LATE_DESK = DESK.split("  priority_desk:")[0] + "flow:\n  - {after: referral.any_final, start: desk}\n"
EARLY_DESK = DESK.split("  priority_desk:")[0] + "flow:\n  - {after: intake.done, start: desk}\n"


def test_migration_starts_a_step_a_new_rule_calls_for(db_url):
    db = create_engine(db_url)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, SimulatedClock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC)))
    try:
        late = BASE_TEXT.replace('version: "2025.1"', 'version: "2025.2"').replace("flow:\n", LATE_DESK, 1)
        early = BASE_TEXT.replace('version: "2025.1"', 'version: "2025.3"').replace("flow:\n", EARLY_DESK, 1)
        wf.load_sop(load_text(late, "exemple-2.yaml"))
        registered = wf.create_case("exemple", CW)
        wf.fire(registered, "register", CW, INTAKE)
        assert "desk:1" not in _steps(wf, registered)  # under 2025.2 the desk waits for a referral
        wf.load_sop(load_text(early, "exemple-3.yaml"))
        plan = migrate_cases(wf, "exemple@2025.2", "exemple@2025.3", {}, COORD)
        assert {"started": "desk:1", "by_migration": True} in plan.cases[registered].effects
        assert _steps(wf, registered)["desk:1"] == "open"
        # the same rule in both versions starts nothing again
        again = early.replace('version: "2025.3"', 'version: "2025.4"')
        wf.load_sop(load_text(again, "exemple-4.yaml"))
        plan = migrate_cases(wf, "exemple@2025.3", "exemple@2025.4", {}, COORD)
        assert not [e for e in plan.cases[registered].effects if e.get("by_migration")]
    finally:
        db.dispose()
