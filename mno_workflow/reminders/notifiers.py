"""Notifiers: how a rendered outbox message leaves the system (in-app, log, e-mail over SMTP).

A notifier has one method, ``send(message, rendered)``, which returns on success and raises
:class:`DeliveryError` on failure; :func:`mno_workflow.reminders.outbox.deliver` records the result
and retries on a backoff schedule. Notifiers receive an :class:`OutgoingMessage` (a plain snapshot
of the outbox row, never an ORM object) so that they run outside any database transaction.

E-mail uses the standard library only (``smtplib`` + ``email.message.EmailMessage``): the subject
is RFC 2047-encoded and the bodies are UTF-8, so accented French text survives any relay. It is
configured from the environment by :func:`notifiers_from_env`.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol, runtime_checkable

log = logging.getLogger("mno_workflow.notify")

__all__ = ["DeliveryError", "InAppNotifier", "LogNotifier", "Notifier", "OutgoingMessage", "Rendered",
           "SmtpNotifier", "notifiers_from_env"]


class DeliveryError(Exception):
    """A message could not be delivered; the text (the server's own, for administrators) is stored
    in ``outbox.last_error`` and logged, ``said`` (an engine ``Message``, see
    :mod:`mno_workflow.reminders.delivery_words`) in the row's context: the reason people read."""

    def __init__(self, text: str, said: Any = None):
        super().__init__(text)
        self.said = said


@dataclass(frozen=True)
class Rendered:
    """The text of a message in its recipient's language; ``html`` only when a template has one."""

    subject: str
    text: str
    html: str | None = None


@dataclass(frozen=True)
class OutgoingMessage:
    """What a notifier needs to know about an outbox row (a detached snapshot)."""

    id: int
    channel: str
    kind: str
    template: str
    lang: str
    recipient_user: str | None
    recipient_role: str | None
    recipient_address: str | None
    case_id: int | None
    reference: str | None
    attempts: int
    late: bool = False


@runtime_checkable
class Notifier(Protocol):
    def send(self, message: OutgoingMessage, rendered: Rendered) -> None:
        """Deliver ``rendered`` to the recipient of ``message``; raise DeliveryError on failure."""
        ...


class InAppNotifier:
    """In-app messages are delivered by being stored: the inbox reads them from the outbox."""

    def send(self, message: OutgoingMessage, rendered: Rendered) -> None:
        if not message.recipient_user:
            raise DeliveryError("in-app message without recipient_user")


class LogNotifier:
    """Writes one structured line per message to Python logging (logger ``mno_workflow.notify``).

    Used for ``log`` messages, i.e. when nobody holds the role a notification is for: the line names
    the role so that an administrator sees who is missing. Logged at WARNING for that reason.
    """

    def __init__(self, logger: logging.Logger | None = None, level: int = logging.WARNING):
        self.logger = logger or log
        self.level = level

    def send(self, message: OutgoingMessage, rendered: Rendered) -> None:
        self.logger.log(
            self.level,
            "outbox id=%s kind=%s template=%s role=%s user=%s reference=%s late=%s subject=%r",
            message.id, message.kind, message.template, message.recipient_role or "-",
            message.recipient_user or "-", message.reference or "-", str(message.late).lower(),
            rendered.subject,
            extra={"outbox_id": message.id, "recipient_role": message.recipient_role,
                   "reference": message.reference, "template": message.template},
        )


class SmtpNotifier:
    """E-mail over SMTP, one connection per message (a reminder job sends few messages).

    ``starttls`` upgrades the connection with the system's default TLS context before logging in.
    Any SMTP error (4xx or 5xx reply, refused connection, timeout) raises :class:`DeliveryError`
    with the server's code and text; the outbox retries it on its backoff schedule.
    """

    def __init__(self, host: str, port: int, sender: str, username: str | None = None,
                 password: str | None = None, starttls: bool = False, timeout: float = 10):
        self.host, self.port, self.sender = host, int(port), sender
        self.username, self.password = username, password
        self.starttls, self.timeout = starttls, timeout

    def build(self, message: OutgoingMessage, rendered: Rendered) -> EmailMessage:
        if not message.recipient_address:
            from .delivery_words import no_address
            raise DeliveryError("e-mail message without recipient_address", no_address("email"))
        mail = EmailMessage()
        mail["Subject"] = rendered.subject
        mail["From"] = self.sender
        mail["To"] = message.recipient_address
        mail["Date"] = formatdate(localtime=False)
        domain = self.sender.rpartition("@")[2] or None
        mail["Message-ID"] = make_msgid(idstring=f"mno-outbox-{message.id}", domain=domain)
        mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies
        mail["Content-Language"] = message.lang
        mail.set_content(rendered.text, charset="utf-8")
        if rendered.html is not None:
            mail.add_alternative(rendered.html, subtype="html", charset="utf-8")
        return mail

    def send(self, message: OutgoingMessage, rendered: Rendered) -> None:
        mail = self.build(message, rendered)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                refused = smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as e:
            codes = "; ".join(f"{code} {_text(text)}" for code, text in e.recipients.values())
            raise DeliveryError(f"SMTP recipient refused: {codes}", self._said(e)) from e
        except smtplib.SMTPResponseException as e:
            raise DeliveryError(f"SMTP {e.smtp_code} {_text(e.smtp_error)}", self._said(e)) from e
        except (smtplib.SMTPException, OSError) as e:
            raise DeliveryError(f"SMTP {type(e).__name__}: {e} ({self.host}:{self.port})",
                                self._said(e)) from e
        if refused:  # only possible with several recipients; we send to one
            raise DeliveryError(f"SMTP recipient refused: {refused}",
                                self._said(smtplib.SMTPRecipientsRefused(refused)))

    def _said(self, e: BaseException) -> Any:
        from .delivery_words import smtp_error
        return smtp_error(e, self.host, self.port, self.sender)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


TRUE = {"1", "true", "yes", "on", "oui"}


def notifiers_from_env(env: Mapping[str, str] | None = None) -> dict[str, Notifier]:
    """The notifiers by channel: ``inapp`` and ``log`` always, ``email`` when ``MNO_SMTP_HOST`` is set,
    ``sms`` when ``MNO_SMS_URL`` is set (see :mod:`mno_workflow.reminders.sms`).

    Variables: ``MNO_SMTP_HOST``, ``MNO_SMTP_PORT`` (default 25), ``MNO_SMTP_FROM`` (required with
    a host), ``MNO_SMTP_USER``, ``MNO_SMTP_PASSWORD``, ``MNO_SMTP_STARTTLS`` (1/true/yes/on).
    Without a host there is no ``email`` notifier: :func:`~mno_workflow.reminders.outbox.deliver`
    then marks e-mail messages failed with "SMTP not configured" and keeps them for later.
    Raises ValueError for a host without sender or a non-numeric port.
    """
    env = os.environ if env is None else env
    out: dict[str, Notifier] = {"inapp": InAppNotifier(), "log": LogNotifier()}
    host = (env.get("MNO_SMTP_HOST") or "").strip()
    if host:
        sender = (env.get("MNO_SMTP_FROM") or "").strip()
        if not sender:
            from ..sop.diagnostics import said_fr  # a catalogue message (CLI: error_text)
            raise ValueError(said_fr("MNO_SMTP_HOST est défini mais pas MNO_SMTP_FROM : donnez l'adresse "
                                     "d'expéditeur"))
        port_text = (env.get("MNO_SMTP_PORT") or "25").strip()
        try:
            port = int(port_text)
        except ValueError:
            from ..sop.diagnostics import said_fr
            raise ValueError(said_fr("MNO_SMTP_PORT doit être un nombre, pas « {value} »",
                                     value=port_text)) from None
        out["email"] = SmtpNotifier(
            host, port, sender, username=env.get("MNO_SMTP_USER") or None,
            password=env.get("MNO_SMTP_PASSWORD") or None,
            starttls=(env.get("MNO_SMTP_STARTTLS") or "").strip().lower() in TRUE)
    from mno_workflow.reminders.sms import sms_from_env  # imports this module

    sms = sms_from_env(env)
    if sms is not None:
        out["sms"] = sms
    return out
