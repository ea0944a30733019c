"""Why a message could not be sent, in words of the catalogues: the SMTP server's and the SMS
gateway's answers (connection refused, authentication failed, recipient refused, HTTP 503…) and
the outbox's own cases (not configured, no address, unreadable SOP) as an engine
:class:`~mno_workflow.engine.errors.Message` naming the server (host:port), kept in the outbox
row's context (``error_msg``) and shown in the reader's language by ``mno outbox list`` and the
page /messages-annules. The raw text stays in ``outbox.last_error`` and the log, for
administrators' searches; it is never shown as the reason.
"""

from __future__ import annotations

import errno
import smtplib
import socket
import ssl
import urllib.error
from typing import Any
from urllib.parse import urlsplit

from ..engine.errors import Message


def _network(e: BaseException, where: str, *, gateway: bool) -> Message | None:
    """Words for a network failure reaching ``where`` (an SMTP server or the SMS gateway)."""
    if isinstance(e, urllib.error.URLError) and isinstance(e.reason, BaseException):
        e = e.reason
    if isinstance(e, ConnectionRefusedError):
        return (Message.t("la passerelle SMS {host} refuse la connexion (arrêtée, ou autre port ?)",
                          host=where) if gateway else
                Message.t("le serveur de courriel {host} refuse la connexion (arrêté, ou autre port ?)",
                          host=where))
    if isinstance(e, socket.gaierror):
        return (Message.t("passerelle SMS introuvable : {host}", host=where) if gateway
                else Message.t("serveur de courriel introuvable : {host}", host=where))
    if isinstance(e, TimeoutError):
        return (Message.t("la passerelle SMS {host} ne répond pas (délai dépassé)", host=where) if gateway
                else Message.t("le serveur de courriel {host} ne répond pas (délai dépassé)", host=where))
    if isinstance(e, ssl.SSLError):
        return (Message.t("échec du chiffrement TLS avec la passerelle SMS {host}", host=where) if gateway
                else Message.t("échec du chiffrement TLS avec le serveur de courriel {host}", host=where))
    if isinstance(e, OSError):
        kind = errno.errorcode.get(e.errno or 0) or type(e).__name__
        return (Message.t("la passerelle SMS {host} est injoignable ({kind})", host=where, kind=kind)
                if gateway else
                Message.t("le serveur de courriel {host} est injoignable ({kind})", host=where, kind=kind))
    return None


def smtp_error(e: BaseException, host: str, port: int, sender: str) -> Message:
    """What the SMTP server at ``host:port`` refused or why it could not be reached."""
    where = f"{host}:{port}"
    if isinstance(e, smtplib.SMTPRecipientsRefused):
        codes = ", ".join(str(code) for code, _text in e.recipients.values())
        return Message.t("le serveur de courriel {host} refuse l'adresse du destinataire {address} "
                         "(code {code})", host=where, address=", ".join(e.recipients), code=codes)
    if isinstance(e, smtplib.SMTPAuthenticationError):
        return Message.t("le serveur de courriel {host} refuse l'identifiant ou le mot de passe "
                         "(MNO_SMTP_USER, MNO_SMTP_PASSWORD)", host=where)
    if isinstance(e, smtplib.SMTPSenderRefused):
        return Message.t("le serveur de courriel {host} refuse l'expéditeur {sender} (MNO_SMTP_FROM)",
                         host=where, sender=sender)
    if isinstance(e, smtplib.SMTPNotSupportedError):
        return Message.t("le serveur de courriel {host} ne propose pas STARTTLS (MNO_SMTP_STARTTLS)",
                         host=where)
    if isinstance(e, smtplib.SMTPServerDisconnected):
        return Message.t("le serveur de courriel {host} a coupé la connexion", host=where)
    if isinstance(e, smtplib.SMTPResponseException):
        if 400 <= e.smtp_code < 500:
            return Message.t("le serveur de courriel {host} refuse le message pour l'instant (code {code}) ; "
                             "nouvel essai plus tard", host=where, code=e.smtp_code)
        return Message.t("le serveur de courriel {host} refuse le message (code {code})", host=where,
                         code=e.smtp_code)
    return _network(e, where, gateway=False) or Message.t(
        "envoi impossible au serveur de courriel {host} ({kind})", host=where, kind=type(e).__name__)


def gateway_place(url: str) -> str:
    """``host:port`` of the SMS gateway's URL (never its path, query or credentials)."""
    parts = urlsplit(url)
    if not parts.hostname:
        return "?"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.hostname}:{port}"


def sms_error(e: BaseException | None, url: str, status: int | None = None) -> Message:
    """What the SMS gateway at ``url`` answered (``status``: an HTTP status outside 2xx) or why it
    could not be reached (``e``)."""
    where = gateway_place(url)
    if isinstance(e, urllib.error.HTTPError):
        status = e.code
    if status is not None:
        if status in (401, 403):
            return Message.t("la passerelle SMS {host} refuse l'authentification (MNO_SMS_AUTH)", host=where)
        if status in (400, 404, 422):
            return Message.t("la passerelle SMS {host} refuse le message (HTTP {code}) : numéro ou texte "
                             "non accepté", host=where, code=status)
        return Message.t("la passerelle SMS {host} a répondu HTTP {code} ; nouvel essai plus tard",
                         host=where, code=status)
    return (_network(e, where, gateway=True) if e is not None else None) or Message.t(
        "envoi impossible à la passerelle SMS {host}", host=where)


def no_address(channel: str) -> Message:
    """The recipient has no e-mail address or phone number for ``channel``."""
    if channel == "sms":
        return Message.t("aucun numéro de téléphone pour ce destinataire")
    return Message.t("aucune adresse de courriel pour ce destinataire")


def not_configured(channel: str) -> Message:
    """No notifier for ``channel``: the message waits."""
    if channel == "email":
        return Message.t("courriel non configuré (MNO_SMTP_HOST et MNO_SMTP_FROM) ; nouvel essai plus tard")
    if channel == "sms":
        return Message.t("SMS non configurés (MNO_SMS_URL) ; nouvel essai plus tard")
    return Message.t("aucun moyen d'envoi pour ce canal ; nouvel essai plus tard")


def failed(kind: str | None = None) -> Message:
    """A failure with no words of its own (a template that cannot be rendered, a notifier's bug,
    the lease of the last attempt expired): said generally, the detail in the log."""
    if kind == "render":
        return Message.t("le modèle du message n'a pas pu être rempli (détail dans le journal du serveur)")
    if kind == "sop":
        return Message.t("la POS du dossier est illisible (détail dans le journal du serveur)")
    if kind == "lease":
        return Message.t("dernier essai interrompu (processus arrêté pendant l'envoi)")
    return Message.t("échec de l'envoi (détail dans le journal du serveur)")


def said_of(e: BaseException) -> Any:
    """The words a :class:`~mno_workflow.reminders.notifiers.DeliveryError` carries, else None."""
    return getattr(e, "said", None)
