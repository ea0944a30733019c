"""The in-app inbox (read/unread) and the log notifier for roles nobody holds."""

from __future__ import annotations

import logging
from datetime import timedelta

from mno_workflow.reminders.notifiers import notifiers_from_env
from mno_workflow.reminders.outbox import deliver, inbox, mark_read, unread_count
from mno_workflow.reminders.sweeper import sweep
from tests.engine.helpers import CONSENT, CW, IDENT, NEEDS, first_visit, to_referrals

from .helpers import ESCALATION_AT, MON, messages


def test_inbox_read_unread(users):
    wf = users
    ref = to_referrals(wf)
    first_visit(wf, ref)  # issue 13: the follow-up runs alongside; visited at once
    sweep(wf, now=ESCALATION_AT)
    with wf.sessions() as s:  # stored, not yet delivered: the inbox shows delivered messages only
        assert inbox(s, "idrissa.sanou") == [] and unread_count(s, "idrissa.sanou") == 0
    deliver(wf, notifiers_from_env({}), now=ESCALATION_AT)
    with wf.sessions.begin() as s:
        items = inbox(s, "idrissa.sanou")
        assert [i.subject for i in items] == [f"Référencement {ref} : délai dépassé"] * 2 + [
            f"Évaluation des besoins {ref} : nouvelle tâche (En attente de validation)"]
        assert [i.kind for i in items] == ["escalation", "escalation", "task"]
        assert all(i.reference == ref and i.read_at is None for i in items)
        assert "Échéance : 05/06/2025 23:59" in items[0].text
        assert unread_count(s, "idrissa.sanou") == 3
        assert unread_count(s, "mariam.kabore") == 3  # issue 13: + the follow-up's task
        assert unread_count(s, "ali.ouedraogo") == 0  # another region
        # someone else's ids are ignored
        mariam_ids = [i.id for i in inbox(s, "mariam.kabore")]
        assert mark_read(s, "idrissa.sanou", mariam_ids, ESCALATION_AT) == 0
        assert mark_read(s, "idrissa.sanou", [items[2].id], ESCALATION_AT + timedelta(minutes=3)) == 1
        assert mark_read(s, "idrissa.sanou", [items[2].id], ESCALATION_AT + timedelta(minutes=9)) == 0
    with wf.sessions() as s:
        assert unread_count(s, "idrissa.sanou") == 2
        assert unread_count(s, "mariam.kabore") == 3  # issue 13: + the follow-up's task (none read)
        assert [i.id for i in inbox(s, "idrissa.sanou", unread_only=True)] == [items[0].id, items[1].id]
        read = [i for i in inbox(s, "idrissa.sanou") if i.read_at is not None]
        assert [(i.id, i.read_at) for i in read] == [(items[2].id, ESCALATION_AT + timedelta(minutes=3))]
        assert len(inbox(s, "idrissa.sanou", limit=1)) == 1
    with wf.sessions() as s:
        en = inbox(s, "awa.traore")
    assert [i.subject for i in en][:1] == [f"Referral {ref}: deadline missed"]
    assert messages(wf, recipient_user="awa.traore", channel="email") == []


def test_role_nobody_holds_goes_to_the_log(users, caplog):
    """The plan waits for a supervisor past its deadline: escalation to the coordinator, whom
    nobody is; one log message names the role."""
    wf = users
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, IDENT)
    wf.fire(ref, "record_consent", CW, CONSENT)
    wf.fire(ref, "submit_assessment", CW, NEEDS)  # pending_review: 3 working days, then coordinator
    report = sweep(wf, now=MON + timedelta(days=14))
    assert report.escalations == [(ref, "needs_assessment:1", "pending_review", "expiry")]
    logged = messages(wf, channel="log")
    assert [(m.recipient_role, m.recipient_user, m.template, m.late) for m in logged] == [
        ("coordinator", None, "escalation", True)]
    with caplog.at_level(logging.INFO, logger="mno_workflow.notify"):
        out = deliver(wf, notifiers_from_env({}), now=MON + timedelta(days=14))
    assert logged[0].id in out.sent
    lines = [r for r in caplog.records if r.name == "mno_workflow.notify"]
    assert len(lines) == 1
    line = lines[0]
    assert line.levelno == logging.WARNING
    text = line.getMessage()
    assert f"id={logged[0].id} " in text
    assert "role=coordinator" in text and f"reference={ref}" in text and "user=-" in text
    assert "late=true" in text
    assert f"subject='Évaluation des besoins {ref} : délai dépassé'" in text
    assert line.recipient_role == "coordinator" and line.reference == ref
    assert "Aminata" not in text and "Sawadogo" not in text
    assert messages(wf, channel="log")[0].status == "sent"
