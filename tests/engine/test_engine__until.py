"""``until:`` — "the earlier of 90 days or the decision": the cookbook recipe of docs/sop-language.md
ends its protection period at the decision (in that transaction), or at 90 days (sweeper)."""

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
T0 = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def uwf(db_url):
    base, _ = parse_yaml(BASE_TEXT, "base")
    part, _ = parse_yaml(PART, "part")
    db = create_engine(db_url)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, SimulatedClock(T0))
    wf.load_sop(load_text(json.dumps(merge(base, part), ensure_ascii=False), "until.yaml"))
    yield wf
    db.dispose()


def state(wf, ref):
    with wf.sessions() as s:
        return repository.get_case(s, ref).instances[0].state


def protected(wf) -> str:
    ref = wf.create_case("exemple", CW)
    wf.fire(ref, "reflect", CW)
    wf.fire(ref, "protect", CW)
    assert state(wf, ref) == "protection"
    return ref


def test_decision_ends_the_period_at_once(uwf):
    ref = protected(uwf)
    uwf.fire(ref, "record_decision", CW, {"decided_on": "2025-06-20"})
    assert state(uwf, ref) == "done"  # end_protection ran in the same transaction
    with uwf.sessions() as s:
        assert s.scalars(select(Deadline).where(Deadline.state == "protection",
                                                Deadline.status == "pending")).all() == []
        events = [e.trigger for e in s.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
        assert events[-2:] == ["record_decision", "end_protection"]


def test_without_decision_the_period_ends_at_90_days(uwf):
    ref = protected(uwf)
    sweep(uwf, now=T0 + timedelta(days=89))
    assert state(uwf, ref) == "protection"
    sweep(uwf, now=T0 + timedelta(days=90, minutes=1))
    assert state(uwf, ref) == "done"


def test_until_already_true_on_entry(uwf):
    ref = uwf.create_case("exemple", CW)
    uwf.fire(ref, "reflect", CW)
    uwf.fire(ref, "record_decision", CW, {"decided_on": "2025-06-03"})
    assert state(uwf, ref) == "reflection"  # no until there
    uwf.fire(ref, "protect", CW)
    assert state(uwf, ref) == "done"
