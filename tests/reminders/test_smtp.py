"""E-mail delivery through a real SMTP server on loopback (aiosmtpd): accents, retries, dead, leases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mno_workflow.reminders.notifiers import (
    DeliveryError,
    InAppNotifier,
    LogNotifier,
    SmtpNotifier,
    notifiers_from_env,
)
from mno_workflow.reminders.outbox import LEASE, NOT_CONFIGURED_RETRY, deliver
from mno_workflow.reminders.sweeper import sweep
from tests.engine.helpers import first_visit, to_referrals

from .conftest import free_port
from .helpers import ESCALATION_AT, messages, one

SENDER = "MNO Workflow <mno@mnr.example.bf>"


def notifiers(port: int) -> dict:
    return {"inapp": InAppNotifier(), "log": LogNotifier(),
            "email": SmtpNotifier("127.0.0.1", port, SENDER, timeout=5)}


@pytest.fixture
def escalated(users):
    """A case whose two referral drafts expired: escalations to the Kadiogo supervisors."""
    wf = users
    ref = to_referrals(wf)
    first_visit(wf, ref)  # issue 13: the follow-up runs alongside; only the drafts expire
    report = sweep(wf, now=ESCALATION_AT)
    assert len(report.escalations) == 2
    return wf, ref


EMAILS = 6  # e-mails of the escalated case: 4 tasks (issue 13: with the follow-up's), 2 escalations


def test_escalation_email_with_accents(escalated, smtp):
    wf, ref = escalated
    handler, port = smtp
    emails = messages(wf, channel="email")
    # task to the supervisor (plan), three tasks to the caseworker (drafts and, issue 13, the
    # follow-up started with the approved plan), two escalations
    assert sorted((m.template, m.recipient_address) for m in emails) == [
        ("escalation", "idrissa.sanou@mnr.example.bf"), ("escalation", "idrissa.sanou@mnr.example.bf"),
        ("task", "idrissa.sanou@mnr.example.bf"), ("task", "mariam.kabore@mnr.example.bf"),
        ("task", "mariam.kabore@mnr.example.bf"), ("task", "mariam.kabore@mnr.example.bf")]
    report = deliver(wf, notifiers(port), now=ESCALATION_AT)
    assert report.failed == [] and report.dead == []
    assert len(report.sent) == len(messages(wf))  # e-mails and in-app messages
    assert len(handler.messages) == 6  # issue 13: + the follow-up's task
    for m in messages(wf):
        assert (m.status, m.sent_at, m.attempts, m.last_error) == ("sent", ESCALATION_AT, 1, None)

    esc = [mail for mail in handler.messages if mail["Subject"].endswith("délai dépassé")]
    assert len(esc) == 2
    mail = esc[0]
    assert mail["Subject"] == f"Référencement {ref} : délai dépassé"
    assert mail["To"] == "idrissa.sanou@mnr.example.bf"
    assert mail["From"] == SENDER
    assert mail["Auto-Submitted"] == "auto-generated"
    body = mail.get_body(("plain",)).get_content()
    assert f"Le délai du dossier {ref} est dépassé." in body
    assert "État : À envoyer" in body
    assert "Échéance : 05/06/2025 23:59" in body
    assert "Rôle responsable : Gestionnaire de cas" in body
    assert "Vous recevez ce message en tant que Superviseur." in body
    # data protection: no name, no case data
    for m in handler.messages:
        text = m.as_string() + m.get_body(("plain",)).get_content()
        for secret in ("Aminata", "Sawadogo", "2001-03-14", "vocational", "psychosocial"):
            assert secret not in text
    # the raw header is RFC 2047-encoded; the envelope sender is the configured address
    assert "=?utf-8?" in esc[0].as_string().lower()
    assert handler.envelopes[0][0] == "mno@mnr.example.bf"
    tasks = sorted(mail["Subject"] for mail in handler.messages if "nouvelle tâche" in mail["Subject"])
    assert tasks == [f"Référencement {ref} : nouvelle tâche (À envoyer)"] * 2 + [
        f"Suivi {ref} : nouvelle tâche (Premier suivi à faire)",  # issue 13: follow-up with the plan
        f"Évaluation des besoins {ref} : nouvelle tâche (En attente de validation)"]
    # nothing left to do
    assert deliver(wf, notifiers(port), now=ESCALATION_AT + timedelta(days=1)).claimed == 0


@pytest.mark.parametrize("reply", ["451 4.3.0 Mailbox busy, try again later", "550 5.1.1 No such user"])
def test_refused_by_server_is_retried_then_delivered(escalated, smtp, reply):
    wf, _ = escalated
    handler, port = smtp
    handler.reply = reply
    t0 = ESCALATION_AT
    report = deliver(wf, notifiers(port), now=t0)
    assert len(report.failed) == EMAILS and handler.messages == []
    for m in messages(wf, channel="email"):
        assert (m.status, m.attempts, m.sent_at) == ("failed", 1, None)
        assert m.next_attempt_at == t0 + timedelta(minutes=1)
        assert m.last_error.startswith(f"SMTP {reply[:3]}") and reply[4:] in m.last_error
    for m in messages(wf, channel="inapp"):
        assert m.status == "sent"
    # not due yet
    assert deliver(wf, notifiers(port), now=t0 + timedelta(seconds=59)).claimed == 0
    t1 = t0 + timedelta(minutes=1)
    report = deliver(wf, notifiers(port), now=t1)
    assert len(report.failed) == EMAILS
    assert {(m.attempts, m.next_attempt_at) for m in messages(wf, channel="email")} == {
        (2, t1 + timedelta(minutes=5))}
    handler.reply = None  # the server recovers
    t2 = t1 + timedelta(minutes=5)
    report = deliver(wf, notifiers(port), now=t2)
    assert len(report.sent) == EMAILS and len(handler.messages) == EMAILS
    assert {(m.status, m.attempts, m.sent_at, m.last_error) for m in messages(wf, channel="email")} == {
        ("sent", 3, t2, None)}


def test_nothing_listening_until_dead(escalated):
    wf, _ = escalated
    port = free_port()  # nobody listens there
    now = ESCALATION_AT
    waits = []
    for attempt in range(1, 9):
        report = deliver(wf, notifiers(port), now=now)
        mails = messages(wf, channel="email")
        assert {m.attempts for m in mails} == {attempt}
        assert "ConnectionRefusedError" in mails[0].last_error and f"127.0.0.1:{port}" in mails[0].last_error
        if attempt < 8:
            assert len(report.failed) == EMAILS and report.dead == []
            assert {m.status for m in mails} == {"failed"}
            waits.append(mails[0].next_attempt_at - now)
            now = mails[0].next_attempt_at
        else:
            assert len(report.dead) == EMAILS and report.failed == []
            assert {m.status for m in mails} == {"dead"}
    assert waits == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
                     timedelta(hours=12), timedelta(hours=12), timedelta(hours=12)]
    assert deliver(wf, notifiers(port), now=now + timedelta(days=30)).claimed == 0


def test_smtp_not_configured_keeps_messages_for_later(escalated, smtp):
    wf, _ = escalated
    handler, port = smtp
    report = deliver(wf, notifiers_from_env({}), now=ESCALATION_AT)
    assert len(report.not_configured) == EMAILS
    for m in messages(wf, channel="email"):
        assert (m.status, m.attempts) == ("failed", 0)
        assert m.last_error.startswith("SMTP not configured")
        assert m.next_attempt_at == ESCALATION_AT + NOT_CONFIGURED_RETRY
    # many hours later, still not configured: never dead, attempts not counted
    for hours in range(1, 30):
        deliver(wf, notifiers_from_env({}), now=ESCALATION_AT + timedelta(hours=hours))
    assert {(m.status, m.attempts) for m in messages(wf, channel="email")} == {("failed", 0)}
    env = {"MNO_SMTP_HOST": "127.0.0.1", "MNO_SMTP_PORT": str(port), "MNO_SMTP_FROM": SENDER}
    report = deliver(wf, notifiers_from_env(env), now=ESCALATION_AT + timedelta(hours=31))
    assert len(report.sent) == EMAILS and len(handler.messages) == EMAILS


def test_notifiers_from_env():
    env = {"MNO_SMTP_HOST": "smtp.example.bf", "MNO_SMTP_PORT": "587", "MNO_SMTP_FROM": SENDER,
           "MNO_SMTP_USER": "mno", "MNO_SMTP_PASSWORD": "secret", "MNO_SMTP_STARTTLS": "true"}
    smtp = notifiers_from_env(env)["email"]
    assert (smtp.host, smtp.port, smtp.sender, smtp.username, smtp.password, smtp.starttls, smtp.timeout) == (
        "smtp.example.bf", 587, SENDER, "mno", "secret", True, 10)
    plain = notifiers_from_env({"MNO_SMTP_HOST": "localhost", "MNO_SMTP_FROM": "a@b.bf"})["email"]
    assert (plain.port, plain.starttls, plain.username) == (25, False, None)
    assert set(notifiers_from_env({})) == {"inapp", "log"}
    with pytest.raises(ValueError, match="MNO_SMTP_FROM"):
        notifiers_from_env({"MNO_SMTP_HOST": "localhost"})
    with pytest.raises(ValueError, match="MNO_SMTP_PORT"):
        notifiers_from_env({"MNO_SMTP_HOST": "localhost", "MNO_SMTP_FROM": "a@b.bf", "MNO_SMTP_PORT": "x"})


class Crash(BaseException):
    """Stands for the process dying (kill -9, power cut) in the middle of a delivery run."""


class CrashingNotifier:
    def send(self, message, rendered):
        raise Crash()


def test_crash_between_claim_and_record_is_retried_after_lease(escalated, smtp):
    wf, _ = escalated
    handler, port = smtp
    target = messages(wf, channel="email")[0]
    crashing = {**notifiers(port), "email": CrashingNotifier()}
    with pytest.raises(Crash):
        deliver(wf, crashing, now=ESCALATION_AT, limit=1000)
    # claimed (leased) but never recorded: still there, reserved until the lease expires
    m = one(wf, id=target.id)
    assert (m.status, m.attempts, m.next_attempt_at, m.sent_at) == ("sending", 1, ESCALATION_AT + LEASE, None)
    assert {x.status for x in messages(wf, channel="inapp")} == {"sent"}  # recorded in the claim
    # another run inside the lease does not touch them
    report = deliver(wf, notifiers(port), now=ESCALATION_AT + LEASE - timedelta(seconds=1))
    assert report.claimed == 0 and handler.messages == []
    # after the lease: sent, counted as a second attempt
    report = deliver(wf, notifiers(port), now=ESCALATION_AT + LEASE)
    assert len(report.sent) == EMAILS and len(handler.messages) == EMAILS
    m = one(wf, id=target.id)
    assert (m.status, m.attempts, m.sent_at) == ("sent", 2, ESCALATION_AT + LEASE)


def test_crash_every_time_ends_dead(escalated):
    wf, _ = escalated
    crashing = {"inapp": InAppNotifier(), "email": CrashingNotifier(), "log": LogNotifier()}
    now = ESCALATION_AT
    for _ in range(3):
        with pytest.raises(Crash):
            deliver(wf, crashing, now=now, max_attempts=3)
        now += LEASE
    report = deliver(wf, crashing, now=now, max_attempts=3)
    assert len(report.dead) == EMAILS
    assert {(m.status, m.attempts, m.last_error) for m in messages(wf, channel="email")} == {
        ("dead", 3, "lease expired after the last attempt")}


def test_slow_run_that_lost_its_lease_does_not_overwrite(escalated, smtp):
    """Run A leases, stalls past its lease; run B re-claims and sends; A's late result is dropped."""
    wf, _ = escalated
    handler, port = smtp
    later = ESCALATION_AT + LEASE + timedelta(minutes=1)
    inner = {}

    class Stalling:
        def send(self, message, rendered):
            if not inner:
                inner["report"] = deliver(wf, notifiers(port), now=later)
            raise DeliveryError("too slow")

    report = deliver(wf, {**notifiers(port), "email": Stalling()}, now=ESCALATION_AT)
    assert len(inner["report"].sent) == EMAILS and len(handler.messages) == EMAILS
    assert len(report.lost_lease) == EMAILS and report.failed == []
    assert {(m.status, m.attempts, m.sent_at, m.last_error) for m in messages(wf, channel="email")} == {
        ("sent", 2, later, None)}
