"""Fixtures of the reminder tests: users of the Burkina Faso SOP and a real SMTP server on loopback."""

from __future__ import annotations

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from mno_workflow.store.models import User

USERS = [
    # id, role, organisation, region, email, language
    ("mariam.kabore", "caseworker", None, "kadiogo", "mariam.kabore@mnr.example.bf", "fr"),
    ("idrissa.sanou", "supervisor", None, "kadiogo", "idrissa.sanou@mnr.example.bf", "fr"),
    ("awa.traore", "supervisor", None, "kadiogo", None, "en"),
    ("ali.ouedraogo", "supervisor", None, "guiriko", "ali.ouedraogo@mnr.example.bf", "fr"),
    ("focal.anpe", "provider", "anpe", None, "focal@anpe.example.bf", "fr"),
]


def add_users(wf, users=USERS) -> None:
    with wf.sessions.begin() as s:
        for uid, role, org, region, email, lang in users:
            s.add(User(id=uid, display_name=uid.replace(".", " ").title(), role=role, organisation=org,
                       region=region, email=email, language=lang))


@pytest.fixture
def users(wf):
    add_users(wf)
    return wf


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collect:
    """An aiosmtpd handler that keeps every message, or answers ``reply`` to DATA when set."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.reply: str | None = None

    async def handle_DATA(self, server, session, envelope):
        if self.reply:
            return self.reply
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp():
    """A real SMTP server on 127.0.0.1 (aiosmtpd); yields ``(handler, port)``."""
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()
