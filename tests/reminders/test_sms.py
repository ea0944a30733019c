"""SMS through a fake HTTP gateway on loopback: E.164 numbers, GSM-7 text split at 160, the JSON
body and auth header, a failing gateway (stays queued, retried, then sent), a case closed before
sending (nothing sent), the dry-run log mode and the configuration from the environment."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import update

from mno_workflow.reminders.notifiers import InAppNotifier, LogNotifier, notifiers_from_env
from mno_workflow.reminders.outbox import deliver
from mno_workflow.reminders.sms import SmsNotifier, e164, gsm7, parts
from mno_workflow.reminders.sweeper import sweep
from mno_workflow.store.models import Case, User
from tests.engine.helpers import to_referrals

from .helpers import ESCALATION_AT, messages


class Gateway:
    """A fake SMS gateway on 127.0.0.1: records each POST; ``fail`` makes it answer 503."""

    def __init__(self) -> None:
        self.posts: list[tuple[dict, dict]] = []
        self.fail = False
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if gateway.fail:
                    self.send_response(503)
                    self.end_headers()
                    return
                gateway.posts.append((dict(self.headers), body))
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"status": "queued"}')

            def log_message(self, *_args):
                return

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    g = Gateway()
    yield g
    g.close()


def notifiers(gateway: Gateway) -> dict:
    return {"inapp": InAppNotifier(), "log": LogNotifier(),
            "sms": SmsNotifier(gateway.url, "Authorization: Token s3cret",
                               '{"urns": ["tel:{to}"], "text": "{text}"}', timeout=5)}


@pytest.fixture
def escalated_sms(users):
    """The Kadiogo supervisor chose SMS; two referral drafts expired → escalations to supervisors."""
    wf = users
    with wf.sessions.begin() as s:
        s.execute(update(User).where(User.id == "idrissa.sanou")
                  .values(phone=e164("70 12 34 56"), notify_sms=True))
    ref = to_referrals(wf)
    sweep(wf, now=ESCALATION_AT)
    return wf, ref


def test_e164_and_text() -> None:
    assert e164("70 12 34 56") == "+22670123456" == e164("+226 70-12-34-56")
    with pytest.raises(ValueError, match="numéro de téléphone invalide"):
        e164("12")
    assert gsm7("Référencement « MNR » : échéance ê ç") == 'Référencement " MNR " : échéance e c'
    long = "é" * 200
    split = parts(long)
    assert len(split) == 2 and all(len(p) <= 153 for p in split) and split[0].startswith("(1/2) ")
    assert parts("court") == ["court"]


def test_sms_sent_through_the_gateway(escalated_sms, gateway) -> None:
    wf, ref = escalated_sms
    sms = messages(wf, channel="sms")
    assert sms and {m.recipient_address for m in sms} == {"+22670123456"}
    report = deliver(wf, notifiers(gateway), now=ESCALATION_AT)
    assert report.failed == [] and all(m.status == "sent" for m in messages(wf, channel="sms"))
    assert len(gateway.posts) == len(sms)
    headers, body = gateway.posts[0]
    assert headers["Authorization"] == "Token s3cret" and body["urns"] == ["tel:+22670123456"]
    texts = [b["text"] for _h, b in gateway.posts]
    assert f"Référencement {ref} : délai dépassé" in texts, texts
    assert all(len(t) <= 160 and "Kaboré" not in t for t in texts)


def test_failing_gateway_keeps_messages_queued_and_retries(escalated_sms, gateway) -> None:
    wf, _ref = escalated_sms
    gateway.fail = True
    report = deliver(wf, notifiers(gateway), now=ESCALATION_AT)
    sms = messages(wf, channel="sms")
    assert {m.status for m in sms} == {"failed"} and all("HTTP 503" in m.last_error for m in sms)
    assert {i for i, _e in report.failed} == {m.id for m in sms}
    gateway.fail = False
    later = max(m.next_attempt_at for m in sms)
    deliver(wf, notifiers(gateway), now=later)
    assert {m.status for m in messages(wf, channel="sms")} == {"sent"}
    assert len(gateway.posts) == len(sms)


def test_case_closed_before_sending_sends_nothing(escalated_sms, gateway) -> None:
    wf, ref = escalated_sms
    with wf.sessions.begin() as s:
        s.execute(update(Case).where(Case.reference == ref).values(status="closed"))
    report = deliver(wf, notifiers(gateway), now=ESCALATION_AT)
    sms = messages(wf, channel="sms")
    assert gateway.posts == []
    # every channel is re-checked at send time (reminders/recheck.py): the SMS are among the cancelled
    assert {m.status for m in sms} == {"cancelled"}
    assert {m.id for m in sms} <= {mid for mid, _reason in report.cancelled}


def test_unreachable_gateway_is_a_delivery_error(escalated_sms) -> None:
    wf, _ref = escalated_sms
    dead = {"sms": SmsNotifier("http://127.0.0.1:9/none", timeout=2)}
    deliver(wf, dead, now=ESCALATION_AT)
    assert all(m.status == "failed" and "unreachable" in m.last_error for m in messages(wf, channel="sms"))


def test_dry_run_log_mode_and_env(escalated_sms, caplog) -> None:
    wf, ref = escalated_sms
    found = notifiers_from_env({"MNO_SMS_URL": "log"})
    assert isinstance(found["sms"], SmsNotifier)
    with caplog.at_level(logging.INFO, logger="mno_workflow.notify.sms"):
        deliver(wf, found, now=ESCALATION_AT)
    assert ref in caplog.text and "+22670123456" in caplog.text
    assert "sms" not in notifiers_from_env({})
    with pytest.raises(ValueError, match="MNO_SMS_TEMPLATE"):
        notifiers_from_env({"MNO_SMS_URL": "http://127.0.0.1:1/", "MNO_SMS_TEMPLATE": "{to"})
    with pytest.raises(ValueError, match="MNO_SMS_AUTH"):
        notifiers_from_env({"MNO_SMS_URL": "http://127.0.0.1:1/", "MNO_SMS_AUTH": "no-colon"})


def test_user_add_phone_e164_and_sms_preference(db_url) -> None:
    from sqlalchemy import create_engine, text
    from typer.testing import CliRunner

    from mno_workflow.cli import app
    from tests.conftest import BF_SOP

    runner = CliRunner()
    assert runner.invoke(app, ["--db", db_url, "sop", "load", str(BF_SOP)]).exit_code == 0
    base = ["--db", db_url, "user", "add", "idrissa", "--role", "supervisor", "--name", "I",
            "--password-stdin"]
    bad = runner.invoke(app, [*base, "--phone", "12", "--sms"], input="un-mot-de-passe-long\n")
    assert bad.exit_code == 2 and "numéro de téléphone invalide" in bad.output
    no_phone = runner.invoke(app, [*base, "--sms"], input="un-mot-de-passe-long\n")
    assert no_phone.exit_code == 2 and "--sms demande --phone" in no_phone.output
    ok = runner.invoke(app, [*base, "--phone", "70 12 34 56", "--sms"], input="un-mot-de-passe-long\n")
    assert ok.exit_code == 0, ok.output
    engine = create_engine(db_url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT phone, notify_sms FROM users WHERE id = 'idrissa'")).one()
    engine.dispose()
    assert row[0] == "+22670123456" and bool(row[1]) is True
