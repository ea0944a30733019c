"""``owner: {by: form.field, cases: {code: role}}``: the owner of a state comes from case data; the
task message and the deadline rows (reminders, escalation) address the chosen role."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, select

from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import Actor, WorkflowEngine
from mno_workflow.sop.loader import load_text, parse_yaml
from mno_workflow.store.models import Base, Deadline, OutboxMessage, User

from ..sop.test_docs import BASE_TEXT, TEXT, merge

PART = re.search(r"Un responsable qui dépend des données.*?<!-- sop-part -->\n```yaml\n(.*?)```",
                 TEXT, re.S)[1]
CW = Actor("mariam", "caseworker")


@pytest.fixture
def owf(db_url):
    base, _ = parse_yaml(BASE_TEXT, "base")
    part, _ = parse_yaml(PART, "part")
    db = create_engine(db_url)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, SimulatedClock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC)))
    wf.load_sop(load_text(json.dumps(merge(base, part), ensure_ascii=False), "owner.yaml"))
    with wf.sessions() as s, s.begin():
        s.add_all([User(id="mariam", display_name="Mariam", role="caseworker"),
                   User(id="idrissa", display_name="Idrissa", role="supervisor")])
    yield wf
    db.dispose()


@pytest.mark.parametrize("age_group, owner, told", [("child", "supervisor", "idrissa"),
                                                     ("adult", "caseworker", None)])
def test_owner_comes_from_case_data(owf, age_group, owner, told):
    ref = owf.create_case("exemple", CW)
    owf.fire(ref, "register", CW, {"name": "Awa", "age_group": age_group, "priority": "normal",
                                   "consent": True, "needs": [{"need": "housing", "refer": True}]})
    with owf.sessions() as s:
        rows = s.scalars(select(Deadline).where(Deadline.state == "draft")).all()
        assert rows and {r.owner_role for r in rows} == {owner}
        tasks = [(m.recipient_user, m.recipient_role) for m in s.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "task", OutboxMessage.channel == "inapp"))]
    if told:  # the caseworker who fired it is not told of their own task
        assert (told, owner) in tasks
    else:
        assert not [t for t in tasks if t[1] == "caseworker"]
