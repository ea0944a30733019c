"""Issue 18 leftover of tryout 5, H12: the escalation of a referral to a provider off the platform
(``org-csps``, CSPS de Tanghin, +226 25 35 05 05 in the sample directory; « suivi par le
gestionnaire ») tells the supervisor that the case manager must call the organisation, with its
phone — not that the provider should answer on the platform — on every path: the sweeper's
e-mail and in-app message, the « Escalades » list of « Mon travail » (and its own page), the
supervisor's daily digest and ``mno remind --once``; French and English. A provider on the
platform (``org-masn``) is escalated as before. Real server, SQLite file."""

from __future__ import annotations

import html
from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.directory.tables import TABLES
from mno_workflow.reminders.digest import build_digests
from mno_workflow.reminders.outbox import render
from mno_workflow.reminders.sweeper import sweep
from mno_workflow.store.models import OutboxMessage, User

from .helpers import case_with_referrals
from .test_web__offplatform_reminders import _messages, _with_emails

ORG_FR = "CSPS de Tanghin (centre de santé, illustratif)"
ORG_EN = "CSPS of Tanghin (health centre, illustrative)"
CALL_FR = (f"{ORG_FR} n'utilise pas la plateforme : le gestionnaire du dossier doit l'appeler "
           "(tél. +226 25 35 05 05) et enregistrer sa réponse pour lui")
CALL_EN = (f"{ORG_EN} does not use the platform: the case manager must call it "
           "(tel. +226 25 35 05 05) and record its answer on its behalf")
OVERDUE = datetime(2025, 6, 18, 9, 0, tzinfo=UTC)  # both referrals (sent Mon 2 June) past due


def _escalations(live, instance: str, channel: str = "inapp") -> list[OutboxMessage]:
    return [m for m in _messages(live, instance, kind="escalation", channel=channel)
            if m.template == "escalation"]


def test_the_supervisors_escalation_says_the_case_manager_must_call_fr_en(live):
    _with_emails(live)
    with live.wf.sessions.begin() as s:
        s.execute(update(User).where(User.id == "idrissa.sanou").values(email="idrissa.sanou@mnr.example.bf"))
    ref = case_with_referrals(live.wf)
    live.clock.set(OVERDUE)
    done = sweep(live.wf).escalations
    assert {(ref, f"referral:{k}", "sent", "expiry") for k in ("medical", "cash")} <= set(done)
    (medical,) = _escalations(live, "medical")
    assert (medical.recipient_user, medical.recipient_role) == ("idrissa.sanou", "supervisor")
    assert medical.context["off_platform"] == "org-csps" and "chase" not in medical.context
    (cash,) = _escalations(live, "cash")
    assert "off_platform" not in cash.context

    with live.wf.sessions() as s:
        (mail,) = _escalations(live, "medical", channel="email") or [None]
        assert mail is not None and mail.recipient_user == "idrissa.sanou"
        fr = render(s, mail)
        assert f"délai dépassé, le gestionnaire doit appeler {ORG_FR}" in fr.subject
        text = " ".join(fr.text.split())
        assert (f"{ORG_FR} n'utilise pas la plateforme et n'y répondra pas : le gestionnaire du dossier "
                "doit l'appeler (tél. +226 25 35 05 05) puis enregistrer sa réponse pour lui.") in text
        assert f"Rôle responsable : Gestionnaire de cas, qui doit appeler {ORG_FR}" in text
        assert "Point focal" not in text
        mail.lang = "en"
        en = render(s, mail)
        assert f"overdue, the case manager must call {ORG_EN}" in en.subject
        text = " ".join(en.text.split())
        assert (f"{ORG_EN} does not use the platform and will not answer there: the case manager must "
                "call it (tel. +226 25 35 05 05) then record its answer on its behalf.") in text
        assert f"Responsible role: Case manager, who must call {ORG_EN}" in text
        assert "n'utilise" not in text

    sup = live.client("idrissa.sanou")
    for lang, words in (("fr", CALL_FR), ("en", CALL_EN)):
        sup.get(f"/langue/{lang}")
        page = html.unescape(sup.get("/notifications").text)
        assert words in page, lang
        assert page.count("plateforme" if lang == "fr" else "the platform") == 1  # not on the cash line
    sup.get("/langue/fr")


def test_escalades_list_and_its_page_say_who_calls_whom_fr_en(live):
    ref = case_with_referrals(live.wf)
    live.clock.set(OVERDUE)
    sweep(live.wf)
    sup = live.client("idrissa.sanou")
    for lang, words in (("fr", CALL_FR), ("en", CALL_EN)):
        sup.get(f"/langue/{lang}")
        for url in ("/travail", "/travail/escalades"):
            page = html.unescape(sup.get(url).text)
            part = page[page.index('id="work-escalations"'):] if url == "/travail" else page
            rows = part.split("<tr")
            medical = next(r for r in rows if f"/dossiers/{ref}#step-referral-medical" in r)
            cash = next(r for r in rows if f"/dossiers/{ref}#step-referral-cash" in r)
            assert words in medical, (lang, url)
            assert "data-called" not in cash, (lang, url)
    sup.get("/langue/fr")
    # no phone in the directory: said so
    with live.wf.sessions.begin() as s:
        phone = TABLES["phone"]
        s.execute(delete(phone).where(phone.c.organization_id == "org-csps", phone.c.contact_id.is_(None)))
    page = html.unescape(sup.get("/travail").text)
    assert (f"{ORG_FR} n'utilise pas la plateforme : le gestionnaire du dossier doit l'appeler (pas de "
            "téléphone dans le répertoire)") in page


def test_the_supervisors_digest_lists_the_escalations_and_who_calls_fr_en(live):
    with live.wf.sessions.begin() as s:
        s.execute(update(User).where(User.id == "idrissa.sanou").values(email="idrissa.sanou@mnr.example.bf"))
    ref = case_with_referrals(live.wf)
    live.clock.set(OVERDUE)
    sweep(live.wf)
    report = build_digests(live.wf, OVERDUE)
    assert "idrissa.sanou" in report.enqueued  # nothing of his own due: his escalations
    with live.wf.sessions() as s:
        mine = s.scalars(select(OutboxMessage).where(OutboxMessage.template == "digest",
                                                     OutboxMessage.recipient_user == "idrissa.sanou")).all()
        (inapp,) = [m for m in mine if m.channel == "inapp"]
        items = {i["instance"]: i for i in inapp.context["escalations"]}  # the follow-up's too
        assert set(items) == {"medical", "cash", "1"}
        assert items["medical"]["off_platform"] == "org-csps" and "off_platform" not in items["cash"]
        (mail,) = [m for m in mine if m.channel == "email"]
        fr = render(s, mail)
        assert "3 escalades" in fr.subject and "Escalades (3) :" in fr.text and CALL_FR in fr.text
        assert fr.text.count("plateforme") == 1 and CALL_FR in html.unescape(fr.html)
        mail.lang = "en"
        en = render(s, mail)
        assert "3 escalations" in en.subject and "Escalations (3):" in en.text and CALL_EN in en.text
        # the case manager's own digest is as before: « appeler / relancer » (H12)
        cw = s.scalars(select(OutboxMessage).where(OutboxMessage.template == "digest",
                                                   OutboxMessage.recipient_user == "mariam.kabore")).first()
        assert "escalations" not in cw.context
    sup = live.client("idrissa.sanou")
    for lang, heading, words in (("fr", "Escalades (3)", CALL_FR), ("en", "Escalations (3)", CALL_EN)):
        sup.get(f"/langue/{lang}")
        page = html.unescape(sup.get("/notifications").text)
        assert heading in page and words in page, lang
        assert f"/dossiers/{ref}#step-referral-medical" in page
    sup.get("/langue/fr")


def test_mno_remind_once_escalation_says_the_case_manager_must_call(live, monkeypatch):
    for name in ("MNO_SMTP_HOST", "MNO_SMS_URL"):
        monkeypatch.delenv(name, raising=False)
    ref = case_with_referrals(live.wf)
    r = CliRunner().invoke(app, ["--db", str(live.wf.db.url), "remind", "--once",
                                 "--now", "2025-06-18T09:00:00Z"])
    assert r.exit_code == 0, r.output
    assert f"{ref}\treferral:medical\tsent\texpiry" in r.output
    (medical,) = _escalations(live, "medical")
    assert medical.context["off_platform"] == "org-csps"
    with live.wf.sessions() as s:
        m = s.get(OutboxMessage, medical.id)
        assert f"le gestionnaire doit appeler {ORG_FR}" in render(s, m).subject
        m.lang = "en"
        assert f"the case manager must call {ORG_EN}" in render(s, m).subject
    (cash,) = _escalations(live, "cash")
    assert "off_platform" not in cash.context
