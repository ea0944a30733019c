"""The daily digest: due today vs overdue, role scopes, rendering, one per user per local day."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mno_workflow.engine.engine import Actor
from mno_workflow.reminders.digest import build_digests
from mno_workflow.reminders.notifiers import InAppNotifier, LogNotifier
from mno_workflow.reminders.outbox import deliver, inbox
from mno_workflow.reminders.sweeper import sweep
from tests.engine.helpers import CONSENT, CW, IDENT, NEEDS, first_visit, referral, to_referrals

from .conftest import USERS, add_users
from .helpers import MON, expiry_rows, messages

OUAGA = ZoneInfo("Africa/Ouagadougou")
THU = datetime(2025, 6, 5, 12, 0, tzinfo=UTC)
OTHER_CW = Actor("other.cw", "caseworker")


class Recording:
    def __init__(self):
        self.sent = []

    def send(self, message, rendered):
        self.sent.append((message, rendered))


@pytest.fixture
def week(wf, clock):
    """Monday: A with referral drafts, D with a plan awaiting the supervisor, C and X new cases of
    Mariam and of another caseworker. Wednesday: one draft of A sent to ANPE as an emergency.
    (Friday 6 June 2025 is Tabaski, a public holiday: working-day deadlines skip it.)"""
    add_users(wf, USERS + [("focal.other", "provider", "other_ngo", None, "focal@other.example.bf", "fr"),
                           ("other.cw", "caseworker", None, "kadiogo", None, "fr")])
    a = to_referrals(wf)
    first_visit(wf, a)  # issue 13: the follow-up runs alongside the referrals; visited on Monday
    d = wf.create_case("mnr_bf", CW)
    wf.fire(d, "register", CW, IDENT)
    wf.fire(d, "record_consent", CW, CONSENT)
    wf.fire(d, "submit_assessment", CW, NEEDS)
    c = wf.create_case("mnr_bf", CW)
    x = wf.create_case("mnr_bf", OTHER_CW)
    clock.set(datetime(2025, 6, 4, 14, 0, tzinfo=UTC))
    wf.fire(a, "send", CW, referral("anpe", "emergency"), instance="vocational_training")
    # preconditions: the due dates the digest is about (local = UTC in Ouagadougou)
    due = {(r.case_id, r.step, r.state): r.due_at.astimezone(OUAGA).strftime("%a %d %H:%M")
           for r in expiry_rows(wf) if r.status == "pending"}
    ids = {ref: i + 1 for i, ref in enumerate([a, d, c, x])}
    assert ref_ids_ok(wf, ids)
    assert due == {(1, "referral", "draft"): "Thu 05 23:59", (1, "referral", "sent"): "Thu 05 14:00",
                   (1, "follow_up", "monitoring"): "Wed 02 08:00",  # 2 July (issue 13: alongside)
                   (2, "needs_assessment", "pending_review"): "Thu 05 23:59",
                   (3, "identification", "screening"): "Wed 04 23:59",
                   (4, "identification", "screening"): "Wed 04 23:59"}
    # the sweeper escalates what expired: the digest must still list it as overdue
    assert len(sweep(wf, now=THU).escalations) == 2  # C and X
    return wf, {"A": a, "D": d, "C": c, "X": x}


def ref_ids_ok(wf, ids):
    from mno_workflow.store.models import Case
    with wf.sessions() as s:
        return {c.reference: c.id for c in s.query(Case)} == ids


def items(msg) -> dict[str, list[tuple[str, str, str]]]:
    return {k: [(i["reference"], i["step"], i["state"]) for i in msg.context[k]]
            for k in ("overdue", "due_today")}


def test_digest_content_and_scope(week):
    wf, ref = week
    report = build_digests(wf, THU)
    assert (report.day, report.timezone) == ("2025-06-05", "Africa/Ouagadougou")
    assert sorted(report.enqueued) == ["awa.traore", "focal.anpe", "idrissa.sanou", "mariam.kabore",
                                       "other.cw"]
    assert report.empty == ["ali.ouedraogo", "focal.other"] and report.already == []
    digests = {(m.recipient_user, m.channel): m for m in messages(wf, template="digest")}
    assert sorted(digests) == [
        ("awa.traore", "inapp"), ("focal.anpe", "email"), ("focal.anpe", "inapp"),
        ("idrissa.sanou", "email"), ("idrissa.sanou", "inapp"), ("mariam.kabore", "email"),
        ("mariam.kabore", "inapp"), ("other.cw", "inapp")]
    assert items(digests["mariam.kabore", "inapp"]) == {
        "overdue": [(ref["C"], "identification", "screening")],
        "due_today": [(ref["A"], "referral", "draft")]}
    assert items(digests["other.cw", "inapp"]) == {
        "overdue": [(ref["X"], "identification", "screening")], "due_today": []}
    for sup in ("idrissa.sanou", "awa.traore"):
        assert items(digests[sup, "inapp"]) == {
            "overdue": [], "due_today": [(ref["D"], "needs_assessment", "pending_review")]}
    assert items(digests["focal.anpe", "inapp"]) == {
        "overdue": [], "due_today": [(ref["A"], "referral", "sent")]}
    m = digests["mariam.kabore", "email"]
    assert (m.case_id, m.kind, m.recipient_address, m.lang, m.status, m.next_attempt_at) == (
        None, "digest", "mariam.kabore@mnr.example.bf", "fr", "pending", THU)
    assert m.context["due_today"][0]["due_at"] == "2025-06-05T23:59:59.999999+00:00"
    assert m.context["overdue"][0]["due_at"] == "2025-06-04T23:59:59.999999+00:00"


def test_digest_rendered_fr_and_en(week):
    wf, ref = week
    build_digests(wf, THU)
    email = Recording()
    deliver(wf, {"inapp": InAppNotifier(), "log": LogNotifier(), "email": email}, now=THU)
    got = {msg.recipient_user: r for msg, r in email.sent if msg.template == "digest"}
    r = got["mariam.kabore"]
    assert r.subject == "MNO : 1 échéance aujourd'hui, 1 en retard"
    assert "Vos dossiers au jeudi 5 juin 2025." in r.text
    # issue 18: each case is a link to its step's box (path only: MNO_PUBLIC_URL is not set here)
    assert re.search(f"En retard \\(1\\) :\n- {ref['C']} — Identification : Accueil et dépistage "
                     f"\\(échéance 04/06/2025 23:59\\) </dossiers/{ref['C']}#instance-\\d+>\n", r.text)
    assert re.search(f"À traiter aujourd'hui \\(1\\) :\n- {ref['A']} — Référencement : À envoyer "
                     f"\\(échéance 05/06/2025 23:59\\) </dossiers/{ref['A']}#instance-\\d+>\n", r.text)
    assert r.html is not None and "<title>jeudi 5 juin 2025</title>" in r.html
    a = ref["A"]
    assert re.search(f'<li><a href="/dossiers/{a}#instance-\\d+">{a} — Référencement : À envoyer</a>'
                     " \\(échéance 05/06/2025 23:59\\)</li>", r.html)
    assert "Aminata" not in r.text + r.html
    assert got["focal.anpe"].subject == "MNO : 1 échéance aujourd'hui, 0 en retard"
    assert "échéance 05/06/2025 14:00" in got["focal.anpe"].text
    with wf.sessions() as s:
        [en] = inbox(s, "awa.traore", unread_only=True)[:1]
    assert en.subject == "MNO: 1 due today, 0 overdue"
    assert "Your cases on Thursday, 5 June 2025." in en.text  # issue 18: en_GB
    assert (f"Due today (1):\n- {ref['D']} — Needs assessment: Awaiting approval "
            "(due 05/06/2025 23:59)") in en.text
    assert "Overdue (0):\n- none" in en.text


def test_digest_once_per_user_per_local_day(week):
    wf, _ = week
    first = build_digests(wf, THU)
    count = len(messages(wf, template="digest"))
    assert count == 8
    again = build_digests(wf, THU.replace(hour=23, minute=59))
    assert again.enqueued == {} and sorted(again.already) == sorted(first.enqueued)
    assert len(messages(wf, template="digest")) == count
    # a time zone where it is already Saturday: another day, another digest
    tomorrow = build_digests(wf, THU.replace(hour=23), timezone="Asia/Tokyo")
    assert tomorrow.day == "2025-06-06" and tomorrow.already == []
    # next local day in Ouagadougou: new digests
    sat = build_digests(wf, THU + timedelta(days=1))
    assert sat.day == date(2025, 6, 6).isoformat()
    assert sat.already == sorted(tomorrow.enqueued)


def test_digest_leaves_out_finished_work(week, clock):
    wf, ref = week
    clock.set(THU)
    wf.fire(ref["C"], "register", CW, IDENT)  # C's screening is done
    report = build_digests(wf, THU)
    [m] = [m for m in messages(wf, template="digest", channel="inapp") if m.recipient_user == "mariam.kabore"]
    assert items(m) == {"overdue": [], "due_today": [(ref["A"], "referral", "draft")]}
    assert "mariam.kabore" in report.enqueued


def test_nothing_due_no_digest(users):
    wf = users
    report = build_digests(wf, MON)
    assert report.enqueued == {} and sorted(report.empty) == sorted(u[0] for u in USERS)
    assert messages(wf) == []


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_mno_remind_once_builds_the_digests(week, wf, db_url, lang):
    """Tryout 9, L11: ``mno remind --once`` (from cron) swept and delivered but built no digest
    (only the continuous mode did); it builds them as ``mno serve`` does, and says how many."""
    from typer.testing import CliRunner

    from mno_workflow.cli import app
    r = CliRunner().invoke(app, ["--lang", lang, "--db", db_url, "remind", "--once",
                                 "--now", "2025-06-05T08:00:00+00:00"])
    assert r.exit_code == 0, r.output
    said = {"fr": "Résumé quotidien du 05/06/2025 : ", "en": "Daily digest of 05/06/2025: "}[lang]
    line = next(x for x in r.output.splitlines() if x.startswith(said))
    assert int(re.search(r"(\d+) ", line[len(said):])[1]) >= 2, line
    got = {m.recipient_user for m in messages(wf) if m.kind == "digest"}
    assert {"mariam.kabore", "idrissa.sanou"} <= got, got
