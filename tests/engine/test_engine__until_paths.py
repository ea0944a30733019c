"""``until:`` is checked on every path that enters a state (issue 12): after a transition the
sweeper fires at a deadline's expiry (``on_expiry: fire``), and at case creation (a case created
with its first form in the same transaction) — not only after a user's transition."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, select

from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import Actor, WorkflowEngine
from mno_workflow.reminders.sweeper import sweep
from mno_workflow.sop.loader import load_text, parse_yaml
from mno_workflow.store import repository
from mno_workflow.store.models import AuditEvent, Base, Deadline

from ..sop.test_docs import BASE_TEXT, TEXT, merge

PART = re.search(r"### Un minimum, puis jusqu'à la décision.*?<!-- sop-part -->\n```yaml\n(.*?)```",
                 TEXT, re.S)[1]
CW = Actor("mariam", "caseworker")
T0 = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)  # Monday


def sop_text() -> str:
    """The cookbook recipe, changed so that (1) the reflection period ends by itself (the sweeper
    fires ``protect``), (2) the case's first state has ``until: has(decision.decided_on)``, and
    (3) the decision can be recorded from the first state."""
    base, _ = parse_yaml(BASE_TEXT, "base")
    part, _ = parse_yaml(PART, "part")
    sop = merge(base, part)
    intake = sop["steps"]["intake"]
    intake["states"]["reflection"]["deadline"] = {"within": "30 days", "on_expiry": {"fire": "protect"}}
    intake["states"]["open"]["deadline"] = {"within": "10 days", "until": "has(decision.decided_on)",
                                            "on_expiry": {"fire": "reflect"}}
    for t in intake["transitions"]:
        if t["trigger"] == "record_decision":
            t["from"] = ["open", "reflection", "protection"]
    return json.dumps(sop, ensure_ascii=False)


@pytest.fixture
def uwf(db_url):
    db = create_engine(db_url)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, SimulatedClock(T0))
    wf.load_sop(load_text(sop_text(), "until-paths.yaml"))
    yield wf
    db.dispose()


def state(wf, ref):
    with wf.sessions() as s:
        return repository.get_case(s, ref).instances[0].state


def triggers(wf, ref):
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        return [e.trigger for e in s.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                                             .order_by(AuditEvent.seq))]


def test_until_true_when_the_sweeper_enters_the_state_ends_it_at_once(uwf):
    ref = uwf.create_case("exemple", CW)
    uwf.fire(ref, "reflect", CW)
    uwf.fire(ref, "record_decision", CW, {"decided_on": "2025-06-03"})
    assert state(uwf, ref) == "reflection"
    sweep(uwf, now=T0 + timedelta(days=29))
    assert state(uwf, ref) == "reflection"
    sweep(uwf, now=T0 + timedelta(days=30, minutes=1))  # protect fired by the sweeper
    assert state(uwf, ref) == "done"  # protection's until already held: ended in that sweep
    assert triggers(uwf, ref)[-2:] == ["protect", "end_protection"]
    with uwf.sessions() as s:
        assert s.scalars(select(Deadline).where(Deadline.state == "protection",
                                                Deadline.status == "pending")).all() == []


def test_until_true_at_case_creation_ends_the_first_state_at_once(uwf):
    ref = uwf.create_case("exemple", CW, fire=("record_decision", {"decided_on": "2025-06-01"}))
    assert state(uwf, ref) == "reflection"  # open's until held: its on_expiry fire ran at creation
    assert triggers(uwf, ref)[-2:] == ["record_decision", "reflect"]


def test_until_false_at_creation_leaves_the_deadline_running(uwf):
    ref = uwf.create_case("exemple", CW)
    assert state(uwf, ref) == "open"
    with uwf.sessions() as s:
        rows = s.scalars(select(Deadline).where(Deadline.state == "open", Deadline.status == "pending")).all()
    assert rows
