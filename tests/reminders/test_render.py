"""Rendering: SOP labels in the recipient's language, local due dates, strict variables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from jinja2 import UndefinedError

from mno_workflow.reminders.notifiers import InAppNotifier, LogNotifier, SmtpNotifier
from mno_workflow.reminders.outbox import _env, _snapshot, deliver, format_due, render
from mno_workflow.reminders.sweeper import sweep
from mno_workflow.store.models import OutboxMessage
from tests.engine.helpers import first_visit, to_referrals

from .helpers import ESCALATION_AT, messages, one


@pytest.mark.parametrize(("tz", "lang", "expected"), [
    ("Africa/Ouagadougou", "fr", "15/01/2025 14:30"),
    ("Africa/Ouagadougou", "en", "15/01/2025 14:30"),  # issue 18: en_GB, not ISO
    ("Europe/Paris", "fr", "15/01/2025 15:30"),  # UTC+1 in winter
    ("America/New_York", "en", "15/01/2025 09:30"),
])
def test_format_due(tz, lang, expected):
    assert format_due(datetime(2025, 1, 15, 14, 30, tzinfo=UTC), lang, tz) == expected


def test_format_due_refuses_naive():
    with pytest.raises(ValueError, match="naive"):
        format_due(datetime(2025, 1, 15, 14, 30), "fr", "UTC")


def test_autoescape_only_for_html():
    assert _env.autoescape("fr/digest.html.j2") is True
    assert _env.autoescape("fr/digest.txt.j2") is False
    assert _env.from_string("{{ x }}").render(x="<b>") == "<b>"
    item = {"reference": "R<1>", "step_label": "S&", "state_label": "<script>", "due": "d'",
            "link": "/dossiers/R<1>#step-s-\"x"}
    ctx = {"day_label": "jeudi", "overdue": [item], "due_today": []}
    html = _env.get_template("fr/digest.html.j2").render(ctx)
    # issue 18: each case is a link to the place to act (attribute escaped too)
    assert ('<li><a href="/dossiers/R&lt;1&gt;#step-s-&#34;x">R&lt;1&gt; — S&amp; : &lt;script&gt;</a>'
            " (échéance d&#39;)</li>") in html
    assert "<script>" not in html
    text = _env.get_template("fr/digest.txt.j2").render(ctx)
    assert "- R<1> — S& : <script> (échéance d') </dossiers/R<1>#step-s-\"x>" in text


def test_english_supervisor_gets_english_labels(users):
    wf = users
    ref = to_referrals(wf)
    first_visit(wf, ref)  # issue 13: the follow-up runs alongside; visited at once
    sweep(wf, now=ESCALATION_AT)
    esc = messages(wf, recipient_user="awa.traore", template="escalation")
    assert [m.channel for m in esc] == ["inapp", "inapp"]  # no e-mail address
    with wf.sessions() as s:
        r = render(s, s.get(OutboxMessage, esc[0].id))
    assert r.subject == f"Referral {ref}: deadline missed"
    assert "State: To be sent\n" in r.text
    assert "Due: 05/06/2025 23:59\n" in r.text
    assert "Responsible role: Case manager\n" in r.text
    assert "You receive this message as Supervisor." in r.text
    assert r.html is None


def test_every_template_and_language_renders_without_personal_data(users):
    wf = users
    ref = to_referrals(wf)
    first_visit(wf, ref)  # issue 13: the follow-up runs alongside; visited at once
    sweep(wf, now=ESCALATION_AT)
    with wf.sessions() as s:
        rows = list(s.query(OutboxMessage))
        assert {m.template for m in rows} == {"task", "escalation"}
        for m in rows:
            for lang in ("fr", "en"):
                m.lang = lang
                r = render(s, m)
                assert ref in r.subject and ref in r.text
                for secret in ("Aminata", "Sawadogo", "2001-03-14", "vocational", "psychosocial", "kadiogo"):
                    assert secret not in r.subject + r.text
        s.rollback()


def _bad_message(wf, context, template="reminder"):
    case_id = messages(wf)[0].case_id
    now = ESCALATION_AT
    with wf.sessions.begin() as s:
        m = OutboxMessage(case_id=case_id, kind="reminder", channel="email", recipient_user="idrissa.sanou",
                          recipient_role="supervisor", recipient_address="idrissa.sanou@mnr.example.bf",
                          lang="fr", template=template, context=context, status="pending", attempts=0,
                          next_attempt_at=now, created_at=now)
        s.add(m)
        s.flush()
        return m.id


class Recording:
    def __init__(self):
        self.sent = []

    def send(self, message, rendered):
        self.sent.append((message.id, rendered))


@pytest.mark.parametrize(("drop", "missing"), [("due_at", "'due' is undefined"),
                                               ("reference", "'reference' is undefined"),
                                               ("state", "'state_label' is undefined")])
def test_missing_variable_fails_and_sends_nothing(users, drop, missing):
    wf = users
    ref = to_referrals(wf)
    first_visit(wf, ref)  # issue 13: the follow-up runs alongside; visited at once
    context = {"reference": ref, "step": "referral", "instance": "psychosocial", "state": "draft",
               "due_at": "2025-06-05T23:59:59+00:00", "offset": "50%", "late": False}
    del context[drop]
    bad = _bad_message(wf, context)
    with wf.sessions() as s:
        with pytest.raises(UndefinedError, match=missing):
            render(s, s.get(OutboxMessage, bad))
    email = Recording()
    report = deliver(wf, {"inapp": InAppNotifier(), "log": LogNotifier(), "email": email}, now=ESCALATION_AT)
    assert [i for i, _ in email.sent if i == bad] == []
    assert [i for i, _ in report.failed] == [bad]
    m = one(wf, id=bad)
    assert (m.status, m.attempts, m.next_attempt_at) == ("failed", 1, ESCALATION_AT + timedelta(minutes=1))
    assert m.last_error == f"rendering fr/reminder: UndefinedError: {missing}"
    # the well-formed messages of the same run went out
    # issue 13: + the follow-up's task, started with the approved plan
    assert len(email.sent) == 4 and all(r.subject and r.text.strip() for _, r in email.sent)


def test_unknown_template_fails(users):
    wf = users
    ref = to_referrals(wf)
    first_visit(wf, ref)  # issue 13: the follow-up runs alongside; visited at once
    bad = _bad_message(wf, {"reference": ref}, template="nonexistent")
    deliver(wf, {"inapp": InAppNotifier(), "email": Recording()}, now=ESCALATION_AT)
    m = one(wf, id=bad)
    assert m.status == "failed"
    assert m.last_error.startswith("rendering fr/nonexistent: TemplateNotFound: 'fr/nonexistent.subject.j2'")


def test_reminder_fr_and_late_flag(users):
    wf = users
    ref = to_referrals(wf)
    first_visit(wf, ref)  # issue 13: the follow-up runs alongside; visited at once
    context = {"reference": ref, "step": "referral", "instance": "psychosocial", "state": "draft",
               "due_at": "2025-06-05T23:59:59.999999+00:00", "offset": "50%", "late": True}
    mid = _bad_message(wf, context)
    with wf.sessions() as s:
        r = render(s, s.get(OutboxMessage, mid))
    assert r.subject == f"Référencement {ref} : rappel, échéance le 05/06/2025 23:59"
    assert "Ce rappel part en retard" in r.text


def test_email_body_is_utf8(users):
    wf = users
    to_referrals(wf)
    m = one(wf, template="task", recipient_user="idrissa.sanou", channel="email")
    with wf.sessions() as s:
        r = render(s, s.get(OutboxMessage, m.id))
    with wf.sessions() as s:
        out = _snapshot(s, s.get(OutboxMessage, m.id))
    mail = SmtpNotifier("127.0.0.1", 25, "mno@mnr.example.bf").build(out, r)
    assert mail.get_body(("plain",)).get_content_charset() == "utf-8"
    assert mail["Subject"] == r.subject and "Évaluation des besoins" in r.subject
