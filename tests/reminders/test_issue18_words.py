"""Issue 18, what a message says: the provider's answer only as it stood when the message was
written; dates day/month/year in the reader's language (en_GB for English, never ISO) in
digests, e-mails, notifications and the reporter's alert status."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from mno_workflow.engine.alert_outcome import Closure, sentence
from mno_workflow.engine.engine import Actor
from mno_workflow.i18n.dates import day_text, day_words, instant_text
from mno_workflow.reminders.outbox import render
from mno_workflow.reminders.sweeper import sweep
from mno_workflow.store.models import OutboxMessage
from mno_workflow.web.presenters import notification
from tests.engine.helpers import to_referrals
from tests.web.helpers import case_with_referrals

from .conftest import USERS, add_users
from .helpers import ESCALATION_AT

FOCAL = Actor("focal.masn", "provider", "org-masn")


def about_cash(wf) -> list[OutboxMessage]:
    with wf.sessions() as s:
        rows = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [m for m in rows if (m.context or {}).get("instance") == "cash"
                and (m.context or {}).get("step") == "referral" and m.channel in ("inapp", "log")]


def test_an_older_notification_never_shows_a_later_answer(wf, clock, bf_loaded):
    ref = case_with_referrals(wf)
    before = about_cash(wf)
    assert before, "no message about the cash referral once sent"
    clock.advance(timedelta(hours=2))
    wf.fire(ref, "decline", FOCAL, {"reason": "no_capacity"}, instance="referral:cash")
    after = [m for m in about_cash(wf) if m.id > before[-1].id]
    assert after, "no message about the decline"
    sop = bf_loaded.model
    with wf.sessions() as s:
        for lang, label in (("fr", "Motif du refus"), ("en", "Reason for declining")):
            old = [notification(s, sop, m, lang)["text"] for m in before]
            new = [notification(s, sop, m, lang)["text"] for m in after]
            assert not any(label in text for text in old), old  # sent before the answer: no reason
            assert any(label in text for text in new), new


def test_dates_follow_the_readers_language():
    instant = datetime(2025, 9, 23, 14, 30, tzinfo=UTC)
    assert day_text(date(2025, 9, 23), "en") == day_text(date(2025, 9, 23), "fr") == "23/09/2025"
    assert instant_text(instant, "en", "Africa/Ouagadougou") == "23/09/2025 14:30"
    assert instant_text(instant, "fr", "Europe/Paris") == "23/09/2025 16:30"
    assert day_words(date(2025, 9, 23), "en") == "Tuesday, 23 September 2025"
    assert day_words(date(2025, 9, 23), "fr") == "mardi 23 septembre 2025"


def test_alert_status_sentence_in_english_is_day_month_year(bf_loaded):
    c = Closure("closed", "identification", "close", None, None,
                datetime(2025, 6, 3, 10, 0, tzinfo=UTC), "supervisor")
    en, fr = sentence(bf_loaded.model, c, "en"), sentence(bf_loaded.model, c, "fr")
    assert "03/06/2025" in en and "2025-06-03" not in en
    assert "03/06/2025" in fr


def test_english_escalation_email_and_alert_status_carry_no_iso_date(wf, clock):
    """Every template with a date, rendered in English from real messages."""
    add_users(wf, [(u[0], u[1], u[2], u[3], u[4], "en") for u in USERS])
    to_referrals(wf)
    sweep(wf, now=ESCALATION_AT)
    with wf.sessions() as s:
        rows = list(s.scalars(select(OutboxMessage).where(OutboxMessage.context["due_at"].as_string() != "")))
        assert rows
        for m in rows:
            m.lang = "en"
            r = render(s, m)
            assert "/2025 " in r.text and "2025-0" not in r.text + r.subject, (m.template, r.text)
