"""Every notification kind × language × channel (issue 18): each renders in French and in English —
in-app on the notifications page in the reader's current language (whatever language the message
was stored in), by e-mail through a real SMTP server on loopback in the recipient's language
preference when it is sent (not when it was queued) —
and each carries a link to the place to act (absolute in e-mails with ``MNO_PUBLIC_URL``). A
template that keeps French text in English, or loses its link, fails here."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller

from mno_workflow.engine.conditions import problem_message
from mno_workflow.engine.errors import Message
from mno_workflow.reminders.notifiers import SmtpNotifier
from mno_workflow.reminders.outbox import deliver
from mno_workflow.reminders.stored_message import stored
from mno_workflow.store.models import Case, OutboxMessage, StepInstance, User

from ..reminders.conftest import Collect, free_port
from .helpers import case_with_referrals

KINDS = ("reminder", "escalation", "task", "notify", "note", "condition_error", "auto_failed",
         "alert_status", "digest", "migrated")
PUBLIC = "https://mno.example.org"
#: French words of the templates and of the page's notification lines: none may show in English
FRENCH = re.compile(r"Bonjour|Étape|État|[ÉéE]chéance|Ouvr|dossier|donnée|retard|aujourd|Raison|"
                    r"Motif|[Nn]ouvelle|migré|signalement|[Dd]élai|déclenchement|\bPOS\b|Pour information|"
                    r"prestataire|évaluée|Rappel|À faire|Escalade|aucun|traiter|lang=\"fr\"")
CONDITION = "identification.age > 17"
NOW = datetime(2025, 6, 9, 9, 0, tzinfo=UTC)


def _contexts(ref: str, key: str) -> dict[str, tuple[str, str, dict]]:
    """kind → (message kind, recipient role, context) as the producers write them."""
    base = {"reference": ref, "step": "referral", "instance": key, "state": "sent"}
    due = {"due_at": "2025-06-17T23:59:59+00:00"}
    refused = Message.t("Dossier introuvable : {reference}", reference=ref)
    item = {**base, **due}
    return {
        "reminder": ("reminder", "caseworker", {**base, **due, "offset": "-1d", "late": False}),
        "escalation": ("escalation", "caseworker", {**base, **due, "offset": None, "late": False,
                                                    "owner_role": "caseworker"}),
        "task": ("task", "caseworker", {**base, **due}),
        "notify": ("notify", "caseworker", {**base, "trigger": "send"}),
        "note": ("note", "caseworker", {"reference": ref, "step": "referral", "instance": key,
                                        "from_side": "provider", "from_org": "org-masn"}),
        "condition_error": ("escalation", "caseworker", {
            "reference": ref, "step": "referral", "instance": key, "condition": CONDITION,
            "where_msg": stored(Message.t("condition « when » d'une règle d'enchaînement")),
            "reason_msg": stored(problem_message("flow", CONDITION, RuntimeError("no such key: age")))}),
        "auto_failed": ("escalation", "caseworker", {**base, **due, "offset": None, "late": False,
                                                     "trigger": "close", "code": "case_not_found",
                                                     "reason_msg": stored(refused)}),
        "alert_status": ("alert_status", "first_responder", {**base, "trigger": "send",
                                                             "at": "2025-06-02T10:00:00+00:00",
                                                             "by_role": "caseworker"}),
        "digest": ("digest", "caseworker", {"day": "2025-06-09", "timezone": "Africa/Ouagadougou",
                                            "overdue": [item], "due_today": []}),
        "migrated": ("task", "caseworker", {**base, "from_state": {"fr": "Envoyé", "en": "Sent"},
                                            "version": "2099.9"}),
    }


READER = {"alert_status": "agent.fds"}  # everything else goes to the case manager
EMAIL_READER = {"fr": "mariam.kabore", "en": "reader.en"}  # e-mails: by the recipient's preference


@pytest.fixture(scope="module")
def matrix(live_module):
    """The case, its in-app messages (stored in French) and the e-mails received by a loopback
    SMTP server, one per kind and language."""
    live = live_module
    mp = pytest.MonkeyPatch()
    mp.setenv("MNO_PUBLIC_URL", PUBLIC + "/")
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        ref = case_with_referrals(live.wf)
        with live.wf.sessions.begin() as s:
            case = s.query(Case).filter(Case.reference == ref).one()
            inst = s.query(StepInstance).filter(StepInstance.case_id == case.id, StepInstance.key == "cash",
                                                StepInstance.step == "referral").one()
            inst_id = inst.id
            s.query(OutboxMessage).delete()  # the flow's own tasks: only this matrix on the page
            s.add(User(id="reader.en", display_name="Reader", role="coordinator", region=None,
                       language="fr", email="reader.en@example.org"))
            s.flush()
            s.get(User, "reader.en").language = "en"  # switched to English after the messages were queued
            inapp = {}
            for kind, (mkind, role, ctx) in _contexts(ref, "cash").items():
                common = dict(case_id=None if kind == "digest" else case.id, kind=mkind, template=kind,
                              recipient_role=role, recipient_user=READER.get(kind, "mariam.kabore"),
                              context=ctx, attempts=0, created_at=NOW)
                inapp[kind] = OutboxMessage(channel="inapp", lang="fr", status="sent", next_attempt_at=NOW,
                                            **common)
                s.add(inapp[kind])
                for lang in ("fr", "en"):  # queued in French; sent in the recipient's language then
                    s.add(OutboxMessage(channel="email", lang="fr", status="pending", next_attempt_at=NOW,
                                        recipient_address=f"{kind}.{lang}@example.org",
                                        **{**common, "recipient_user": EMAIL_READER[lang]}))
            s.flush()
            ids = {kind: m.id for kind, m in inapp.items()}
        report = deliver(live.wf, {"email": SmtpNotifier("127.0.0.1", controller.port, "mno@example.org",
                                                         timeout=5)}, now=NOW + timedelta(minutes=1))
        assert report.failed == [] and report.dead == [], report
        mails = {m["To"]: m for m in handler.messages}
        pages = {}
        for lang in ("fr", "en"):
            for user in ("mariam.kabore", "agent.fds"):
                c = live.client(user)
                c.get(f"/langue/{lang}")
                pages[user, lang] = c.get("/notifications").text
        yield {"ref": ref, "inst_id": inst_id, "mails": mails, "pages": pages, "ids": ids}
    finally:
        controller.stop()
        mp.undo()


def _item(page: str, message_id: int) -> str:
    """The page's entry of the in-app message ``message_id`` (unread: it has its « mark read » form)."""
    items = re.findall(r'<li class="unread group-\w+">(.*?)\n  </li>', page, re.S)
    found = [i for i in items if f'action="/notifications/{message_id}/lu"' in i]
    assert len(found) == 1, (message_id, page)
    return found[0]


def _words(shown: str) -> str:
    """What a reader reads: without links, form actions and tags' attributes."""
    return re.sub(r'(https?://\S+|/\S*dossiers/\S+|<[^>]*>)', " ", shown)


@pytest.mark.parametrize("channel", ["email", "inapp"])
@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_in_both_languages_on_both_channels_with_its_link(matrix, kind, lang, channel):
    ref, inst_id = matrix["ref"], matrix["inst_id"]
    if channel == "email":
        mail = matrix["mails"][f"{kind}.{lang}@example.org"]
        text = mail.get_body(("plain",)).get_content()
        html_part = mail.get_body(("html",))
        is_html = html_part is not None and html_part.get_content_type() == "text/html"
        html = html_part.get_content() if is_html else ""
        shown = mail["Subject"] + "\n" + text + html
        link = f"{PUBLIC}/signalements" if kind == "alert_status" \
            else f"{PUBLIC}/dossiers/{ref}#instance-{inst_id}"
        assert link in text, text  # the URL on the line (text), absolute
        if kind == "digest":
            assert f'<a href="{link}">' in html, html
        assert "cash" not in shown  # the need is never named in a message (personal data)
    else:
        if kind == "alert_status":
            page = matrix["pages"]["agent.fds", lang]
        else:
            page = matrix["pages"]["mariam.kabore", lang]
        shown = _item(page, matrix["ids"][kind])
        link = "/signalements" if kind == "alert_status" else f"/dossiers/{ref}#step-referral-cash"
        assert f'href="{link}"' in shown, shown
        if kind in ("condition_error", "auto_failed"):  # the stored reason, in the reader's language
            expected = {("condition_error", "en"): "could not be evaluated",
                        ("auto_failed", "en"): "Case not found",
                        ("condition_error", "fr"): "pas pu être évaluée",
                        ("auto_failed", "fr"): "Dossier introuvable"}
            assert expected[kind, lang] in shown, shown
    assert ref in shown
    if lang == "en":
        french = FRENCH.search(_words(shown))
        assert french is None, f"{french.group(0)!r} in: {shown}"
    elif channel == "email":
        assert "Bonjour" in text and "Hello" not in text
