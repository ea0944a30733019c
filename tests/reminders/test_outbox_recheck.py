"""Issue 11: the outbox re-checks at send time that the cause of a message still holds, and drops
stale messages — through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mno_workflow.reminders.notifiers import InAppNotifier, LogNotifier, SmtpNotifier
from mno_workflow.reminders.outbox import deliver
from mno_workflow.reminders.recheck import reason_text
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
    print(reason_text(reminders[0], "fr"), "|", reason_text(reminders[0], "en"))
    assert "screening" not in reason_text(reminders[0], "fr")
    assert handler.messages == []


def test_messages_older_than_the_cut_off_are_dropped_as_stale(users, smtp):
    wf = users
    handler, port = smtp
    queued_reminder(wf)
    # 7 days (the SOP's outbox_stale_after) after queuing: still open, same state, but stale.
    report = deliver(wf, notifiers(port), now=TUESDAY + timedelta(days=7))
    assert handler.messages == []
    reminder = messages(wf, channel="email", kind="reminder")[0]
    assert reminder.status == "stale" and "7 jours" in reminder.reason
    assert "7 days" in reason_text(reminder, "en") and "7 jours" in reason_text(reminder, "fr")
    assert report.sent == [] and len(report.cancelled) == len(messages(wf))


def test_fresh_messages_are_delivered(users, smtp):
    wf = users
    handler, port = smtp
    queued_reminder(wf)
    report = deliver(wf, notifiers(port), now=TUESDAY + timedelta(days=6, hours=23))
    assert report.cancelled == []
    assert any("rappel" in mail["Subject"].lower() for mail in handler.messages)


# -- consent withdrawn or expired after a referral's message was queued (issue 11) ---------------

def _queued_referral(wf, consent=None, at=datetime(2025, 6, 2, 10, 0, tzinfo=UTC)) -> str:
    from tests.engine.helpers import referral, to_referrals
    ref = to_referrals(wf, consent)
    wf.clock.set(at)
    wf.fire(ref, "send", CW, referral("anpe", "normal"), instance="vocational_training")
    to_provider = messages(wf, recipient_user="focal.anpe")
    assert {m.channel for m in to_provider} == {"inapp", "email"}
    assert {m.status for m in to_provider} == {"pending"}  # SMTP down: nothing delivered yet
    return ref


def test_consent_withdrawn_cancels_the_queued_referral_messages_to_the_provider(users, smtp):
    wf = users
    handler, port = smtp
    ref = _queued_referral(wf)
    wf.fire(ref, "withdraw_consent", CW, {"withdrawn_on": "2025-06-02", "expressed_by": "self"})
    report = deliver(wf, notifiers(port), now=datetime(2025, 6, 2, 11, 0, tzinfo=UTC))
    to_provider = messages(wf, recipient_user="focal.anpe")
    assert {m.status for m in to_provider} == {"cancelled"}
    assert all("retiré son consentement" in reason_text(m, "fr")
               and "withdrew consent" in reason_text(m, "en")
               and "withdrew" not in reason_text(m, "fr") and "retiré" not in reason_text(m, "en")
               and "consent.withdrawn" not in reason_text(m, "fr") for m in to_provider)
    assert {m.id for m in to_provider} <= {i for i, _ in report.cancelled}
    assert all(env[1] != ["focal@anpe.example.bf"] for env in handler.envelopes)
    # the case workers' own messages are not about disclosure: they are still delivered
    staff = [m for m in messages(wf, channel="email") if m.recipient_user != "focal.anpe"]
    assert staff and all(m.status != "cancelled" or "consent" not in (m.reason or "") for m in staff)


def test_consent_on_its_last_day_of_validity_still_delivers(users, smtp):
    from tests.engine.helpers import CONSENT
    wf = users
    handler, port = smtp
    _queued_referral(wf, {**CONSENT, "expires_on": "2025-06-03"})
    # still valid on 3 June (last day of validity): delivered
    deliver(wf, notifiers(port), now=datetime(2025, 6, 3, 20, 0, tzinfo=UTC))
    sent = messages(wf, recipient_user="focal.anpe")
    assert {m.status for m in sent} == {"sent"}


def test_consent_expired_before_delivery_cancels(users, smtp):
    from tests.engine.helpers import CONSENT
    wf = users
    handler, port = smtp
    _queued_referral(wf, {**CONSENT, "expires_on": "2025-06-03"})
    deliver(wf, notifiers(port), now=datetime(2025, 6, 4, 9, 0, tzinfo=UTC))
    to_provider = messages(wf, recipient_user="focal.anpe")
    assert {m.status for m in to_provider} == {"cancelled"}
    assert all("expiré le 03/06/2025" in m.reason for m in to_provider)  # issue 18: not ISO
    assert handler.envelopes == [] or all(env[1] != ["focal@anpe.example.bf"] for env in handler.envelopes)


def test_cancelled_reasons_are_shown_in_the_readers_language(users, smtp, db_url):
    """Issue 18: a cancelled message's reason is kept as a message id and its values, so the log
    (``mno outbox list``, the page ``/messages-annules``) shows it in the reader's language, never
    half in French and half in English; a row written before keeps its stored text."""
    from sqlalchemy import update
    from typer.testing import CliRunner

    from mno_workflow.cli import app
    from mno_workflow.store.models import OutboxMessage
    wf = users
    handler, port = smtp
    ref = queued_reminder(wf)
    wf.clock.set(TUESDAY + timedelta(minutes=5))
    wf.fire(ref, "screen_out", CW, {"reason": "duplicate"})  # closes the case
    deliver(wf, notifiers(port), now=TUESDAY + timedelta(days=1))
    rows = messages(wf)
    assert rows and all(reason_text(m, "fr") == f"dossier {ref} clos" for m in rows)
    assert all(reason_text(m, "en") == f"case {ref} closed" for m in rows)
    assert all("(case closed)" not in m.reason for m in rows)  # no second language in the stored text
    old = rows[0].id  # a row written before reasons were stored: its text, as it was
    with wf.sessions.begin() as s:
        s.execute(update(OutboxMessage).where(OutboxMessage.id == old).values(
            context={}, reason="dossier X clos (case closed)"))
    runner = CliRunner()
    en = runner.invoke(app, ["--db", db_url, "--lang", "en", "outbox", "list", "--status", "cancelled"])
    fr = runner.invoke(app, ["--db", db_url, "outbox", "list", "--status", "cancelled"])
    assert en.exit_code == 0 and fr.exit_code == 0, en.output + fr.output
    assert f"case {ref} closed" in en.output and f"dossier {ref}" not in en.output
    assert f"dossier {ref} clos" in fr.output and f"case {ref}" not in fr.output
    assert "dossier X clos (case closed)" in en.output and "dossier X clos (case closed)" in fr.output
    # codes in words, a header, a person by name (tryout 2, finding 27: « alert_statusMNR-BF-… »)
    assert "cancelled" in en.output and "annulé" in fr.output and "cancelled" not in fr.output
    assert en.output.splitlines()[0].split()[:3] == ["no.", "status", "channel"]
    assert fr.output.splitlines()[0].split()[:3] == ["n°", "état", "canal"]
    assert " email " not in fr.output and " inapp " not in fr.output


def test_a_message_to_a_user_who_may_no_longer_open_the_case_is_cancelled(users, smtp):
    """Reassigned, or moved to another region, after the message was written: its link would give
    404 to that reader, so it is not sent (the region rule of web.access, issue 18)."""
    from sqlalchemy import update

    from mno_workflow.engine.actors import Actor
    from mno_workflow.store.models import Case, User

    wf = users
    handler, port = smtp
    with wf.sessions.begin() as s:
        s.add(User(id="salif.zongo", display_name="Salif Zongo", role="caseworker", region="kadiogo",
                   email="salif@mnr.example.bf", language="en"))
    ref = queued_reminder(wf)  # to mariam.kabore, the assignee
    (mine,) = [m for m in messages(wf, channel="email", kind="reminder")]
    assert mine.recipient_user == "mariam.kabore"
    wf.clock.set(TUESDAY + timedelta(minutes=5))
    wf.reassign([ref], "salif.zongo", Actor("idrissa.sanou", "supervisor"), "congé")
    deliver(wf, notifiers(port), now=TUESDAY + timedelta(minutes=10))
    row = next(m for m in messages(wf, channel="email", kind="reminder") if m.id == mine.id)
    assert row.status == "cancelled", row.status
    assert f"ne peut plus ouvrir le dossier {ref}" in reason_text(row, "fr")
    assert f"may no longer open case {ref}" in reason_text(row, "en")
    # no reminder to mariam.kabore, only the notice that the case was handed over (it needs no
    # access to the case); the new case manager hears of the reassignment (tryout 2 #11)
    assert sorted((m["To"], m["Subject"]) for m in handler.messages) == [
        ("mariam.kabore@mnr.example.bf", f"Le dossier {ref} a été confié à Salif Zongo"),
        ("salif@mnr.example.bf", f"{ref} was reassigned to you by Idrissa Sanou")]

    # a supervisor's message of a case that moved to another region
    from mno_workflow.reminders.recheck import why_not_send
    from mno_workflow.store.models import OutboxMessage
    with wf.sessions.begin() as s:
        case = s.query(Case).filter_by(reference=ref).one()
        s.execute(update(Case).where(Case.id == case.id).values(region="kadiogo"))
        s.expire_all()
        msg = OutboxMessage(case_id=case.id, kind="task", channel="email", recipient_user="idrissa.sanou",
                            recipient_role="supervisor", context={}, created_at=TUESDAY, status="pending")
        assert why_not_send(s, msg, None, TUESDAY) is None  # same region: sent
        s.execute(update(Case).where(Case.id == case.id).values(region="guiriko"))
        s.expire_all()
        status, reason = why_not_send(s, msg, None, TUESDAY)
        assert status == "cancelled", status
        assert reason.text("fr") == (f"Idrissa Sanou ne peut plus ouvrir le dossier {ref} "
                                     "(réattribué ou changé de région)")


def test_a_referral_re_referred_elsewhere_cancels_the_queued_messages_to_the_first_provider(users, smtp):
    """Tryout 4, G10: the first provider declined, the case manager re-referred the same need to
    another organisation before the outbox ran: the first provider's queued messages are about a
    referral no longer its own (the new recipient's are delivered)."""
    from tests.engine.helpers import provider, referral
    wf = users
    handler, port = smtp
    ref = _queued_referral(wf)
    wf.fire(ref, "decline", provider("anpe"), {"reason": "no_capacity"}, instance="vocational_training")
    wf.fire(ref, "re_refer", CW, referral("other-org"), instance="vocational_training")
    report = deliver(wf, notifiers(port), now=datetime(2025, 6, 2, 11, 0, tzinfo=UTC))
    to_first = messages(wf, recipient_user="focal.anpe")
    assert to_first and {m.status for m in to_first} == {"cancelled"}
    for m in to_first:
        assert "adressé à une autre organisation" in reason_text(m, "fr"), reason_text(m, "fr")
        assert "addressed to another organisation" in reason_text(m, "en"), reason_text(m, "en")
        assert "Formation professionnelle" in reason_text(m, "fr")  # the referral named in words
    assert {m.id for m in to_first} <= {i for i, _ in report.cancelled}
    assert all(env[1] != ["focal@anpe.example.bf"] for env in handler.envelopes)
