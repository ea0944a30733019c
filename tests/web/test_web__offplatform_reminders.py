"""Tryout 5, H12: reminders, escalations and the supervisor's « Relancer » for a referral to a
provider that does not use the platform (directory ``uses_platform: no``, « suivi par le
gestionnaire ») go to the case's case manager, worded « appeler / relancer <organisation> » with
the directory's phone; the « Relancer » confirmation names who was told. A provider on the
platform keeps its own reminders. Real server, SQLite file, sample directory: ``org-masn`` uses
the platform, ``org-csps`` (CSPS de Tanghin, +226 25 35 05 05) does not."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.directory.tables import TABLES
from mno_workflow.reminders.digest import build_digests
from mno_workflow.reminders.outbox import render
from mno_workflow.reminders.sweeper import SweepReport, _process, sweep
from mno_workflow.store.models import Case, Deadline, OutboxMessage, StepInstance, User
from mno_workflow.store.outbox import enqueue

from .helpers import case_with_referrals
from .test_web__case_tools import post

CSPS_FR = "appeler / relancer CSPS de Tanghin (centre de santé, illustratif) (tél. +226 25 35 05 05) " \
          "et enregistrer sa réponse pour lui"
CSPS_EN = "call / chase CSPS of Tanghin (health centre, illustrative) (tel. +226 25 35 05 05) " \
          "and record its answer on its behalf"


def _with_emails(live) -> None:
    """E-mail addresses for the case manager and the providers' focal points (the demo has none)."""
    with live.wf.sessions.begin() as s:
        for uid in ("mariam.kabore", "focal.masn", "focal.csps"):
            s.execute(update(User).where(User.id == uid).values(email=f"{uid}@mnr.example.bf"))


def _flash(page: str) -> str:
    return html.unescape(page.split("data-flash>", 1)[1].split("</p>", 1)[0])


def _messages(live, instance: str, kind: str = "reminder", channel: str = "inapp") -> list[OutboxMessage]:
    with live.wf.sessions() as s:
        return [m for m in s.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == kind, OutboxMessage.channel == channel).order_by(OutboxMessage.id))
            if (m.context or {}).get("instance") == instance]


def test_sweeper_reminders__off_platform_to_the_case_manager_on_platform_to_the_provider(live):
    _with_emails(live)
    ref = case_with_referrals(live.wf)  # Mon 2 June: cash → org-masn (yes), medical → org-csps (no)
    live.clock.set(datetime(2025, 6, 10, 9, 0, tzinfo=UTC))  # the 50 % reminders are due
    done = sweep(live.wf).reminders
    assert (ref, "referral:medical", "sent", "50%") in done and (ref, "referral:cash", "sent", "50%") in done
    (medical,) = _messages(live, "medical")
    assert (medical.recipient_user, medical.recipient_role) == ("mariam.kabore", "caseworker")
    assert medical.context["chase"] == "org-csps" and medical.context["chase_role"] == "provider"
    cash = _messages(live, "cash")
    assert {(m.recipient_user, m.recipient_role) for m in cash} == {("focal.masn", "provider")}
    assert "chase" not in cash[0].context
    # nothing to the CSPS account nobody reads
    assert not [m for m in _messages(live, "medical") if m.recipient_user == "focal.csps"]

    c = live.client("mariam.kabore")
    for lang, words in (("fr", CSPS_FR), ("en", CSPS_EN)):
        c.get(f"/langue/{lang}")
        page = c.get("/notifications").text
        assert words in page, lang
        assert f'href="/dossiers/{ref}#step-referral-medical"' in page  # the case page, not /prestataire
    c.get("/langue/fr")
    # the provider on the platform reads its reminder with no such words
    masn = live.client("focal.masn").get("/notifications").text
    assert "Rappel" in masn and "relancer" not in masn

    # the e-mail, in French and in English
    with live.wf.sessions() as s:
        (mail,) = [m for m in _messages(live, "medical", channel="email")]
        fr = render(s, mail)
        assert "relancer CSPS de Tanghin" in fr.subject and "MNR" in fr.subject
        assert "n'utilise pas la plateforme : c'est à vous, gestionnaire du dossier" in fr.text
        assert "(tél. +226 25 35 05 05)" in fr.text and f"/dossiers/{ref}#instance-" in fr.text
        mail.lang = "en"
        en = render(s, mail)
        assert "chase CSPS of Tanghin (health centre, illustrative)" in en.subject
        assert "does not use the platform: as the case manager, it is up to you" in en.text
        assert "(tel. +226 25 35 05 05)" in en.text and "relancer" not in en.text
        (cash_mail,) = _messages(live, "cash", channel="email")
        plain = render(s, cash_mail)
        assert "relancer" not in plain.subject and "plateforme" not in plain.text


def test_relancer__off_platform_tells_the_case_manager_and_says_so_fr_en(live):
    ref = case_with_referrals(live.wf)
    live.clock.set(datetime(2025, 6, 18, 9, 0, tzinfo=UTC))  # both referrals overdue (due 17 June)
    assert (ref, "referral:medical", "sent", "expiry") in sweep(live.wf).escalations
    # the escalation itself goes to the supervisor as before (not provider-facing)
    assert {m.recipient_role for m in _messages(live, "medical", kind="escalation")} == {"supervisor"}
    sup = live.client("idrissa.sanou")
    for lang, told, todo in (
        ("fr", "Mariam Kaboré", "CSPS de Tanghin (centre de santé, illustratif) n'utilise pas la "
                                "plateforme : " + CSPS_FR),
        ("en", "Mariam Kaboré", "CSPS of Tanghin (health centre, illustrative) does not use the "
                                "platform: " + CSPS_EN),
    ):
        sup.get(f"/langue/{lang}")
        r = post(sup, f"/travail/relancer/{ref}/referral:medical")
        assert r.status_code == 303
        flash = _flash(sup.get("/travail").text)
        assert f"{told} ({ref}) — {todo}" in flash, (lang, flash)
        assert "Point focal CSPS" not in flash
    manual = [m for m in _messages(live, "medical") if m.context.get("offset") == "manual"]
    assert {(m.recipient_user, m.recipient_role) for m in manual} == {("mariam.kabore", "caseworker")}

    # on the platform: the provider's focal point, as before, and no such words
    sup.get("/langue/fr")
    post(sup, f"/travail/relancer/{ref}/referral:cash")
    flash = _flash(sup.get("/travail").text)
    assert f"Point focal DRSAH ({ref})" in flash and "n'utilise pas la plateforme" not in flash
    manual = [m for m in _messages(live, "cash") if m.context.get("offset") == "manual"]
    assert {(m.recipient_user, m.recipient_role) for m in manual} == {("focal.masn", "provider")}


def test_escalation_and_per_row_reminder_paths__redirected_and_unassigned_case_to_coordinators(live):
    _with_emails(live)
    ref = case_with_referrals(live.wf)
    live.clock.set(datetime(2025, 6, 10, 9, 0, tzinfo=UTC))
    now = live.clock.now()
    with live.wf.sessions.begin() as s:
        case = s.scalar(select(Case).where(Case.reference == ref))
        medical = next(i for i in case.instances if i.key == "medical")
        cash = next(i for i in case.instances if i.key == "cash")
        ctx = {"reference": ref, "step": "referral", "state": "sent", "due_at": now.isoformat(),
               "offset": None, "late": False}
        # an escalation addressed to the provider role (an SOP may escalate to it)
        off = enqueue(s, case=case, inst=medical, role="provider", scope="recipient", kind="escalation",
                      template="escalation", context={**ctx, "instance": "medical", "owner_role": "provider"},
                      now=now)
        on = enqueue(s, case=case, inst=cash, role="provider", scope="recipient", kind="escalation",
                     template="escalation", context={**ctx, "instance": "cash", "owner_role": "provider"},
                     now=now)
        assert {(m.recipient_user, m.recipient_role) for m in off} == {("mariam.kabore", "caseworker")}
        assert {(m.recipient_user, m.recipient_role) for m in on} == {("focal.masn", "provider")}
        # a task (state entered) is not a chase: unchanged
        task = enqueue(s, case=case, inst=medical, role="provider", scope="recipient", kind="task",
                       template="task", context={**ctx, "instance": "medical"}, now=now)
        assert {m.recipient_user for m in task} == {"focal.csps"}
        # the sweeper's per-row path (an automatic trigger's case): the 50 % reminder row
        row = s.scalar(select(Deadline).where(Deadline.instance_id == medical.id, Deadline.kind == "reminder",
                                              Deadline.offset == "50%"))
        report = SweepReport()
        _process(live.wf, s, row, now, timedelta(minutes=10), report, {})
        assert report.reminders
        escalation_mail = next(m for m in off if m.channel == "email")
        s.flush()
        assert "délai dépassé, relancer CSPS de Tanghin" in render(s, escalation_mail).subject
    per_row = _messages(live, "medical")
    assert {(m.recipient_user, m.recipient_role) for m in per_row} == {("mariam.kabore", "caseworker")}

    # a case nobody is assigned to: the coordinators are told, naming the case manager's role
    with live.wf.sessions.begin() as s:
        case = s.scalar(select(Case).where(Case.reference == ref))
        case.assignee = None
        medical = s.scalar(select(StepInstance).where(StepInstance.case_id == case.id,
                                                      StepInstance.key == "medical"))
        msgs = enqueue(s, case=case, inst=medical, role="provider", scope="recipient", kind="reminder",
                       template="reminder", context={"reference": ref, "step": "referral",
                                                    "instance": "medical", "state": "sent"}, now=now)
        assert msgs and {m.recipient_role for m in msgs} == {"coordinator"}
        assert {m.context["instead_of"] for m in msgs} == {"caseworker"}
        assert {m.context["chase"] for m in msgs} == {"org-csps"}


def test_organisation_said_to_use_the_platform_keeps_its_reminders(live):
    """The same CSPS, once the directory says it uses the platform: its focal point is reminded."""
    ref = case_with_referrals(live.wf)
    with live.wf.sessions.begin() as s:
        s.execute(update(TABLES["organization"]).where(TABLES["organization"].c.id == "org-csps")
                  .values(uses_platform="yes"))
    live.clock.set(datetime(2025, 6, 10, 9, 0, tzinfo=UTC))
    assert (ref, "referral:medical", "sent", "50%") in sweep(live.wf).reminders
    assert {(m.recipient_user, m.recipient_role) for m in _messages(live, "medical")} == {
        ("focal.csps", "provider")}


def test_daily_digest__off_platform_work_listed_for_the_case_manager_fr_en(live):
    _with_emails(live)
    ref = case_with_referrals(live.wf)  # both referrals due end of Tue 17 June
    now = datetime(2025, 6, 18, 9, 0, tzinfo=UTC)
    report = build_digests(live.wf, now)
    assert "focal.csps" not in report.enqueued  # nothing for the account nobody reads
    assert "focal.masn" in report.enqueued and "mariam.kabore" in report.enqueued
    with live.wf.sessions() as s:
        mine = s.scalars(select(OutboxMessage).where(OutboxMessage.template == "digest",
                                                     OutboxMessage.recipient_user == "mariam.kabore")).all()
        (inapp,) = [m for m in mine if m.channel == "inapp"]
        items = {(i["reference"], i["instance"]): i for i in inapp.context["overdue"]}
        assert items[(ref, "medical")]["chase"] == "org-csps" and (ref, "cash") not in items
        (mail,) = [m for m in mine if m.channel == "email"]
        assert CSPS_FR in render(s, mail).text
        mail.lang = "en"
        assert CSPS_EN in render(s, mail).text
        masn = s.scalars(select(OutboxMessage).where(OutboxMessage.template == "digest",
                                                     OutboxMessage.recipient_user == "focal.masn")).first()
        assert [(i["reference"], i["instance"]) for i in masn.context["overdue"]] == [(ref, "cash")]
    c = live.client("mariam.kabore")
    for lang, words in (("fr", CSPS_FR), ("en", CSPS_EN)):
        c.get(f"/langue/{lang}")
        assert words in html.unescape(c.get("/notifications").text), lang


def test_mno_remind_once__same_rule_from_the_command_line(live, monkeypatch):
    for name in ("MNO_SMTP_HOST", "MNO_SMS_URL"):
        monkeypatch.delenv(name, raising=False)
    ref = case_with_referrals(live.wf)
    r = CliRunner().invoke(app, ["--db", str(live.wf.db.url), "remind", "--once",
                                 "--now", "2025-06-10T09:00:00Z"])
    assert r.exit_code == 0, r.output
    assert f"{ref}\treferral:medical\tsent\t50%" in r.output
    assert {(m.recipient_user, m.recipient_role) for m in _messages(live, "medical")} == {
        ("mariam.kabore", "caseworker")}
    assert {(m.recipient_user, m.recipient_role) for m in _messages(live, "cash")} == {
        ("focal.masn", "provider")}
