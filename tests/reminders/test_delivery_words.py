"""Why an e-mail or SMS was not sent is said in the reader's language, naming the server (host:port):
a real SMTP server that refuses a recipient or is not running, a real HTTP SMS gateway that refuses
the authentication or is not running — on ``mno outbox list`` and the reason the page
/messages-annules shows (``reason_text``), never the server's English, which stays in
``last_error`` and the log."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.reminders.notifiers import InAppNotifier, LogNotifier, SmtpNotifier
from mno_workflow.reminders.outbox import deliver
from mno_workflow.reminders.recheck import reason_text
from mno_workflow.reminders.sms import SmsNotifier, e164
from mno_workflow.reminders.sweeper import sweep
from mno_workflow.store.models import User
from tests.engine.helpers import first_visit, to_referrals

from .conftest import free_port
from .helpers import ESCALATION_AT, messages

ENGLISH = ("ConnectionRefusedError", "SMTP 550", "recipient refused", "unreachable", "HTTP Error",
           "Unauthorized", "No such user", "Errno")


def listed(db_url: str, lang: str) -> str:
    r = CliRunner().invoke(app, ["--lang", lang, "--db", db_url, "outbox", "list", "--status", "failed"])
    assert r.exit_code == 0, r.output
    for words in ENGLISH:
        assert words not in r.output, r.output
    return r.output


@pytest.fixture
def escalated(users):
    wf = users
    ref = to_referrals(wf)
    first_visit(wf, ref)
    sweep(wf, now=ESCALATION_AT)
    return wf


def test_smtp_server_not_running(escalated, db_url):
    port = free_port()  # nobody listens there
    deliver(escalated, {"inapp": InAppNotifier(), "log": LogNotifier(),
                        "email": SmtpNotifier("127.0.0.1", port, "mno@mnr.example.bf", timeout=5)},
            now=ESCALATION_AT)
    mail = messages(escalated, channel="email")[0]
    assert "ConnectionRefusedError" in mail.last_error  # the raw text kept for administrators
    assert reason_text(mail, "fr") == (f"le serveur de courriel 127.0.0.1:{port} refuse la connexion "
                                       "(arrêté, ou autre port ?)")
    assert reason_text(mail, "en") == (f"the mail server 127.0.0.1:{port} refuses the connection "
                                       "(stopped, or another port?)")
    assert f"le serveur de courriel 127.0.0.1:{port} refuse la connexion" in listed(db_url, "fr")
    assert f"the mail server 127.0.0.1:{port} refuses the connection" in listed(db_url, "en")


class Refusing:
    """An aiosmtpd handler refusing every recipient (550)."""

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        return "550 5.1.1 No such user here"


def test_smtp_recipient_refused(escalated, db_url):
    from aiosmtpd.controller import Controller
    controller = Controller(Refusing(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        deliver(escalated, {"inapp": InAppNotifier(), "email": SmtpNotifier(
            "127.0.0.1", controller.port, "mno@mnr.example.bf", timeout=5)}, now=ESCALATION_AT)
    finally:
        controller.stop()
    mail = [m for m in messages(escalated, channel="email")
            if m.recipient_address == "mariam.kabore@mnr.example.bf"][0]
    where = f"127.0.0.1:{controller.port}"
    assert reason_text(mail, "fr") == (f"le serveur de courriel {where} refuse l'adresse du destinataire "
                                       "mariam.kabore@mnr.example.bf (code 550)")
    assert reason_text(mail, "en") == (f"the mail server {where} refuses the recipient's address "
                                       "mariam.kabore@mnr.example.bf (code 550)")
    assert "refuse l'adresse du destinataire" in listed(db_url, "fr")
    assert "refuses the recipient's address" in listed(db_url, "en")


class Gateway:
    """An SMS gateway on 127.0.0.1 answering 401 to every POST."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                self.rfile.read(int(self.headers["Content-Length"]))
                self.send_response(401)
                self.end_headers()

            def log_message(self, *_args):
                return

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def sms_queued(users):
    wf = users
    with wf.sessions.begin() as s:
        s.execute(update(User).where(User.id == "idrissa.sanou").values(phone=e164("70 12 34 56"),
                                                                        notify_sms=True))
    to_referrals(wf)
    sweep(wf, now=ESCALATION_AT)
    return wf


def test_sms_gateway_refuses_the_authentication_then_is_gone(sms_queued, db_url):
    gateway = Gateway()
    port = gateway.server.server_port
    try:
        deliver(sms_queued, {"inapp": InAppNotifier(), "sms": SmsNotifier(gateway.url, "Authorization: x",
                                                                          timeout=5)}, now=ESCALATION_AT)
    finally:
        gateway.server.shutdown()
        gateway.server.server_close()
    sms = messages(sms_queued, channel="sms")[0]
    assert "401" in sms.last_error
    assert reason_text(sms, "fr") == (f"la passerelle SMS 127.0.0.1:{port} refuse l'authentification "
                                      "(MNO_SMS_AUTH)")
    assert reason_text(sms, "en") == (f"the SMS gateway 127.0.0.1:{port} refuses the authentication "
                                      "(MNO_SMS_AUTH)")
    assert "refuse l'authentification (MNO_SMS_AUTH)" in listed(db_url, "fr")
    later = max(m.next_attempt_at for m in messages(sms_queued, channel="sms"))
    deliver(sms_queued, {"sms": SmsNotifier(gateway.url, timeout=5)}, now=later)  # nobody listens now
    sms = messages(sms_queued, channel="sms")[0]
    assert reason_text(sms, "en") == (f"the SMS gateway 127.0.0.1:{port} refuses the connection "
                                      "(stopped, or another port?)")
    assert "la passerelle SMS 127.0.0.1" in listed(db_url, "fr")


def test_an_old_row_without_words_says_the_failure_in_general():
    from mno_workflow.store.models import OutboxMessage
    row = OutboxMessage(status="failed", last_error="SMTP OSError: [Errno 113] No route to host", context={})
    assert reason_text(row, "fr") == "échec de l'envoi (détail dans le journal du serveur)"
    assert reason_text(row, "en") == "sending failed (detail in the server log)"


@pytest.mark.parametrize(("env", "fr", "en"), [
    ({"MNO_SMTP_HOST": "mail.example.org"},
     "MNO_SMTP_HOST est défini mais pas MNO_SMTP_FROM : donnez l'adresse d'expéditeur",
     "MNO_SMTP_HOST is set but MNO_SMTP_FROM is not: give the sender address"),
    ({"MNO_SMS_URL": "http://127.0.0.1:9/send", "MNO_SMS_TIMEOUT": "dix"},
     "MNO_SMS_TIMEOUT doit être un nombre, pas « dix »", "MNO_SMS_TIMEOUT must be a number, not « dix »"),
    ({"MNO_SMS_URL": "http://127.0.0.1:9/send", "MNO_SMS_TEMPLATE": '{"to": "{to}", "text": {text}}'},
     "MNO_SMS_TEMPLATE n'est pas du JSON une fois rempli : JSON illisible ligne 1, colonne 32",
     "MNO_SMS_TEMPLATE is not JSON once filled: unreadable JSON at line 1, column 32")])
def test_mno_remind_says_an_unusable_setting_in_words(tmp_path, monkeypatch, env, fr, en):
    for name in ("MNO_SMTP_HOST", "MNO_SMTP_FROM", "MNO_SMS_URL", "MNO_SMS_TIMEOUT", "MNO_SMS_TEMPLATE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    db = f"sqlite:///{tmp_path}/r.db"
    for lang, said in (("fr", fr), ("en", en)):
        r = CliRunner().invoke(app, ["--lang", lang, "--db", db, "remind", "--once"])
        assert r.exit_code == 1 and said in r.output, r.output
        assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
