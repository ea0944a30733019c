"""SMS: E.164 phone numbers (``phonenumbers``), the short GSM-7 text of a notification, and the
notifier that posts it to a configurable HTTP SMS gateway (generic JSON POST, the shape common to
RapidPro, Africa's Talking and Twilio-like gateways) or only logs it (dry-run).

Configuration (environment): ``MNO_SMS_URL`` (the gateway endpoint, or ``log`` for the dry-run
mode), ``MNO_SMS_AUTH`` (one header, ``Name: value``, e.g. ``Authorization: Token abc``),
``MNO_SMS_TEMPLATE`` (the JSON body with ``{to}`` and ``{text}`` placeholders; default
``{"to": "{to}", "text": "{text}"}``), ``MNO_SMS_TIMEOUT`` (seconds, default 10). A non-2xx answer,
a refused connection or a timeout raises :class:`DeliveryError`: the outbox retries as for e-mail.

The text is the notification's subject (a reference, a step and a date — no personal data),
reduced to the GSM-7 alphabet (``ê`` → ``e``, ``«`` → ``"``) and split in parts of at most 153
characters (``(1/2) …``) when longer than 160, each part one POST.
"""

from __future__ import annotations

import json
import logging
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Mapping

import phonenumbers

from mno_workflow.i18n import gettext
from mno_workflow.reminders.notifiers import DeliveryError, OutgoingMessage, Rendered

log = logging.getLogger("mno_workflow.notify.sms")

GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
REPLACE = {"«": '"', "»": '"', "’": "'", "‘": "'", "“": '"', "”": '"', "—": "-", "–": "-", "…": "...",
           "\u00a0": " ", "\u202f": " ", "→": "->"}
DEFAULT_TEMPLATE = '{"to": "{to}", "text": "{text}"}'


def e164(text: str, region: str = "BF", lang: str | None = None) -> str:
    """``text`` as an E.164 number (``+22670123456``); national numbers are read in ``region``.

    Raises ValueError (in ``lang``, default: the current language) when it is not a valid number."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValueError(gettext("numéro de téléphone invalide « {number} » (ex. +226 70 12 34 56)", lang,
                                 number=text))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def gsm7(text: str) -> str:
    """``text`` in the GSM-7 basic alphabet: known signs replaced, other accents removed."""
    out = []
    for ch in " ".join(text.split()):
        ch = REPLACE.get(ch, ch)
        if all(c in GSM7 for c in ch):
            out.append(ch)
            continue
        base = unicodedata.normalize("NFD", ch)[0]
        out.append(base if base in GSM7 else "?")
    return "".join(out)


def parts(text: str) -> list[str]:
    """One SMS (≤ 160 characters) or parts of ≤ 153 characters numbered ``(i/n) ``."""
    text = gsm7(text)
    if len(text) <= 160:
        return [text]
    size = 153 - len("(9/9) ")
    chunks = [text[i : i + size] for i in range(0, len(text), size)]
    return [f"({i}/{len(chunks)}) {c}" for i, c in enumerate(chunks, start=1)]


class SmsNotifier:
    """Posts each part of an SMS to the gateway (``url``), or logs it when ``url == "log"``."""

    def __init__(self, url: str, auth: str | None = None, template: str = DEFAULT_TEMPLATE,
                 timeout: float = 10):
        self.url, self.template, self.timeout = url, template, timeout
        self.headers = {"Content-Type": "application/json"}
        if auth:
            name, sep, value = auth.partition(":")
            if not sep or not name.strip():
                from ..sop.diagnostics import said_fr
                raise ValueError(said_fr("MNO_SMS_AUTH doit avoir la forme « Nom-d-en-tête: valeur »"))
            self.headers[name.strip()] = value.strip()
        self.body(to="+10000000000", text="x")  # a bad template fails at start, not at 3 a.m.

    def body(self, *, to: str, text: str) -> bytes:
        """The JSON body for one part (placeholders filled JSON-escaped)."""
        esc = {k: json.dumps(v, ensure_ascii=False)[1:-1] for k, v in (("to", to), ("text", text))}
        filled = self.template.replace("{to}", esc["to"]).replace("{text}", esc["text"])
        try:
            json.loads(filled)
        except ValueError as exc:
            from ..directory.read_words import json_error
            from ..sop.diagnostics import said_fr
            raise ValueError(said_fr("MNO_SMS_TEMPLATE n'est pas du JSON une fois rempli : {error}",
                                     error=json_error(exc))) from None
        return filled.encode("utf-8")

    def send(self, message: OutgoingMessage, rendered: Rendered) -> None:
        from .delivery_words import no_address, sms_error
        if not message.recipient_address:
            raise DeliveryError("SMS message without recipient_address", no_address("sms"))
        for part in parts(rendered.subject):
            if self.url == "log":
                log.info("sms outbox id=%s to=%s text=%r", message.id, message.recipient_address, part)
                continue
            request = urllib.request.Request(
                self.url, data=self.body(to=message.recipient_address, text=part),
                headers=self.headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                    status = answer.status
            except urllib.error.HTTPError as e:
                raise DeliveryError(f"SMS gateway HTTP {e.code} {e.reason}", sms_error(e, self.url)) from e
            except (urllib.error.URLError, OSError) as e:
                raise DeliveryError(f"SMS gateway unreachable: {e}", sms_error(e, self.url)) from e
            if not 200 <= status < 300:
                raise DeliveryError(f"SMS gateway HTTP {status}", sms_error(None, self.url, status))


def sms_from_env(env: Mapping[str, str]) -> SmsNotifier | None:
    """The SMS notifier configured by ``MNO_SMS_*`` (see module doc), or None without a URL."""
    url = (env.get("MNO_SMS_URL") or "").strip()
    if not url:
        return None
    timeout_text = (env.get("MNO_SMS_TIMEOUT") or "10").strip()
    try:
        timeout = float(timeout_text)
    except ValueError:
        from ..sop.diagnostics import said_fr
        raise ValueError(said_fr("MNO_SMS_TIMEOUT doit être un nombre, pas « {value} »",
                                 value=timeout_text)) from None
    return SmsNotifier(url, env.get("MNO_SMS_AUTH") or None,
                       env.get("MNO_SMS_TEMPLATE") or DEFAULT_TEMPLATE, timeout)
