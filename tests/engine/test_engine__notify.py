"""``notify:`` on transitions: roles, the assignee, the recipient organisation and a role taken from
case data are told through the outbox in the transition's transaction, recorded in the audit
effects; a role nobody holds gives a ``log`` message naming it (nothing dropped silently)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, select

from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import Actor, WorkflowEngine
from mno_workflow.reminders.outbox import render
from mno_workflow.sop.diagnostics import SOPError
from mno_workflow.sop.loader import load_text, parse_yaml
from mno_workflow.store.models import AuditEvent, Base, OutboxMessage, User

from ..sop.test_docs import BASE_TEXT, TEXT, merge

PART = re.search(r"### Prévenir d'autres personnes.*?<!-- sop-part -->\n```yaml\n(.*?)```", TEXT, re.S)[1]
CW = Actor("mariam", "caseworker")
FOCAL = Actor("focal.ong_a", "provider", "ong_a")


def sop_text(part: str = PART) -> str:
    base, _ = parse_yaml(BASE_TEXT, "base")
    data, _ = parse_yaml(part, "part")
    return json.dumps(merge(base, data), ensure_ascii=False)


@pytest.fixture
def nwf(db_url):
    db = create_engine(db_url)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, SimulatedClock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC)))
    wf.load_sop(load_text(sop_text(), "notify.yaml"))
    with wf.sessions() as s, s.begin():
        s.add_all([User(id="mariam", display_name="Mariam", role="caseworker", email="m@example.org"),
                   User(id="idrissa", display_name="Idrissa", role="supervisor"),
                   User(id="focal.ong_a", display_name="Focal A", role="provider", organisation="ong_a"),
                   User(id="focal.ong_b", display_name="Focal B", role="provider", organisation="ong_b")])
    yield wf
    db.dispose()


def messages(wf, kind="notify"):
    with wf.sessions() as s:
        return [(m.recipient_user, m.recipient_role, m.channel)
                for m in s.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)
                                   .order_by(OutboxMessage.id))]


def to_draft(wf) -> str:
    ref = wf.create_case("exemple", CW)
    wf.fire(ref, "register", CW, {"name": "Awa", "priority": "normal", "consent": True,
                                   "needs": [{"need": "housing", "refer": True}]})
    return ref


def test_send_notifies_role_recipient_and_role_from_data(nwf):
    ref = to_draft(nwf)
    assert messages(nwf) == []
    nwf.fire(ref, "send", CW, {"provider": "ong_a", "lead": "caseworker"})
    got = messages(nwf)
    assert ("idrissa", "supervisor", "inapp") in got                      # a role
    assert ("focal.ong_a", "provider", "inapp") in got                    # the recipient organisation
    assert not any(u == "focal.ong_b" for u, _, _ in got)                 # not another organisation
    assert ("mariam", "caseworker", "inapp") in got and ("mariam", "caseworker", "email") in got  # role_from
    with nwf.sessions() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.trigger == "send")).one()
        notified = [e for e in event.effects if "notified" in e]
        assert {e["notified"] for e in notified} == {"supervisor", "recipient", "referral.lead=caseworker"}
        m = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "notify")).first()
        text = render(s, m).text
        assert ref in text and "Awa" not in text                          # a reference, never case data


def test_accept_notifies_the_assignee(nwf):
    ref = to_draft(nwf)
    nwf.fire(ref, "send", CW, {"provider": "ong_a"})
    before = len(messages(nwf))
    nwf.fire(ref, "accept", FOCAL)
    assert messages(nwf)[before:] == [("mariam", "assignee", "inapp"), ("mariam", "assignee", "email")]


def test_empty_role_from_is_a_log_message_naming_it(nwf):
    ref = to_draft(nwf)
    nwf.fire(ref, "send", CW, {"provider": "ong_a"})  # lead left empty
    assert (None, "referral.lead=None", "log") in messages(nwf)


def test_unknown_notify_target_is_e021_with_hint():
    with pytest.raises(SOPError) as info:
        load_text(sop_text(PART.replace("notify: [supervisor, recipient", "notify: [supervisr, recipient")),
                  "x.yaml")
    [d] = [d for d in info.value.diagnostics if d.code == "E021"]
    assert "supervisr" in d.message and "did you mean 'supervisor'" in d.hint


def test_deadline_notify_at_expiry(nwf):
    """``deadline: {notify: [...]}``: at expiry the sweeper tells them too (here the assignee and the
    recipient organisation), besides the escalation."""
    from datetime import timedelta

    from mno_workflow.reminders.sweeper import sweep
    ref = to_draft(nwf)
    nwf.fire(ref, "send", CW, {"provider": "ong_a"})
    before = len(messages(nwf))
    sweep(nwf, now=datetime(2025, 6, 2, 8, 0, tzinfo=UTC) + timedelta(days=30))
    new = messages(nwf)[before:]
    assert ("mariam", "assignee", "inapp") in new and ("focal.ong_a", "provider", "inapp") in new
    assert messages(nwf, "escalation")  # the escalation still happens
    with nwf.sessions() as s:
        m = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "notify")
                      .order_by(OutboxMessage.id.desc())).first()
        assert "délai échu" in render(s, m).subject
