"""Issue 11: the outbox re-checks at send time that the cause of a message still holds, and drops
stale messages — through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mno_workflow.reminders.notifiers import InAppNotifier, LogNotifier, SmtpNotifier
from mno_workflow.reminders.outbox import deliver
from mno_workflow.reminders.sweeper import sweep
from tests.engine.helpers import CW, IDENT

from .helpers import messages

TUESDAY = datetime(2025, 6, 4, 9, 0, tzinfo=UTC)  # Wednesday: after the screening reminder (due Wed)


def notifiers(port: int) -> dict:
    return {"inapp": InAppNotifier(), "log": LogNotifier(),
            "email": SmtpNotifier("127.0.0.1", port, "MNO <mno@mnr.example.bf>", timeout=5)}


def queued_reminder(wf) -> str:
    """A new case in screening whose reminder was queued while SMTP was down (not delivered)."""
    ref = wf.create_case("mnr_bf", CW)
    report = sweep(wf, now=TUESDAY)
    assert len(report.reminders) == 1
    emails = messages(wf, channel="email", kind="reminder")
    assert [m.status for m in emails] == ["pending"]
    return ref


def test_case_closed_after_queuing_nothing_is_delivered(users, smtp):
    wf = users
    handler, port = smtp
    ref = queued_reminder(wf)
    wf.clock.set(TUESDAY + timedelta(minutes=5))
    wf.fire(ref, "screen_out", CW, {"reason": "duplicate"})  # closes the case
    report = deliver(wf, notifiers(port), now=TUESDAY + timedelta(days=40))
    assert handler.messages == []  # nothing reached the SMTP server
    assert report.sent == []
    rows = messages(wf)
    assert rows and {m.status for m in rows} == {"cancelled"}
    assert all(f"dossier {ref} clos" in m.reason for m in rows)
    assert {i for i, _ in report.cancelled} == {m.id for m in rows}


def test_state_left_cancels_the_reminder(users, smtp):
    wf = users
    handler, port = smtp
    ref = queued_reminder(wf)
    wf.clock.set(TUESDAY + timedelta(minutes=5))
    wf.fire(ref, "register", CW, IDENT)  # screening left: the reminder is moot
    deliver(wf, notifiers(port), now=TUESDAY + timedelta(minutes=10))
    reminders = messages(wf, kind="reminder")
    assert reminders and {m.status for m in reminders} == {"cancelled"}
    assert "n'est plus « screening » mais « identified »" in reminders[0].reason
    assert handler.messages == []


def test_messages_older_than_the_cut_off_are_dropped_as_stale(users, smtp):
    wf = users
    handler, port = smtp
    queued_reminder(wf)
    # 7 days (the SOP's outbox_stale_after) after queuing: still open, same state, but stale.
    report = deliver(wf, notifiers(port), now=TUESDAY + timedelta(days=7))
    assert handler.messages == []
    reminder = messages(wf, channel="email", kind="reminder")[0]
    assert reminder.status == "stale" and "7 days" in reminder.reason
    assert report.sent == [] and len(report.cancelled) == len(messages(wf))


def test_fresh_messages_are_delivered(users, smtp):
    wf = users
    handler, port = smtp
    queued_reminder(wf)
    report = deliver(wf, notifiers(port), now=TUESDAY + timedelta(days=6, hours=23))
    assert report.cancelled == []
    assert any("rappel" in mail["Subject"].lower() for mail in handler.messages)
