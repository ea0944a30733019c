"""The one answer to "may this be disclosed?": consent in force × recipient type × data category × purpose.

:func:`may_disclose` is pure (no database, no clock): callers pass the
:class:`~mno_workflow.protection.consent.ConsentInForce` they computed for the instant that
matters. Its :class:`Decision` carries a stable ``reason`` key, its parameters and the message (a
catalogue message, shown in the reader's language), so that every path refuses with the same words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..engine.errors import Message
from ..i18n import N_, gettext
from ..i18n.dates import DayText
from ..sop.schema import SOP
from .consent import ConsentInForce, settings

#: Organisation types in words (the directory's ``organization_type``): catalogue message ids.
TYPE_LABELS: dict[str, str] = {
    "government": N_("service de l'État"),
    "un_agency": N_("agence des Nations Unies"),
    "ngo": N_("ONG ou association"),
    "health_facility": N_("structure de santé"),
    "private": N_("organisation privée"),
    "community": N_("organisation communautaire"),
}

_STATUS = {  # catalogue message ids, ``{expires_on}`` the day in the reader's language
    "none": N_("Aucun consentement n'est enregistré pour ce dossier."),
    "refused": N_("La personne a refusé le consentement."),
    "withdrawn": N_("La personne a retiré son consentement."),
    "expired": N_("Le consentement a expiré le {expires_on}."),
}


@dataclass(frozen=True)
class Decision:
    """``allowed``; ``reason``: a stable key (``consent.given``, ``consent.overridden``,
    ``consent.withdrawn``, ``consent.expired``, ``consent.refused``, ``consent.none``,
    ``purpose.not_covered``, ``recipient.type_not_covered``, ``recipient.type_unknown``,
    ``category.not_covered``); ``params`` its values; ``message`` the sentence (catalogue message)."""

    allowed: bool
    reason: str
    params: dict[str, Any] = field(default_factory=dict)
    message: Message = field(default_factory=lambda: Message("", ""))

    def __bool__(self) -> bool:
        return self.allowed


def type_label(org_type: str | None, lang: str = "fr") -> str:
    """An organisation type in words in ``lang`` (the code itself when unknown)."""
    known = TYPE_LABELS.get(org_type or "")
    return gettext(known, lang) if known else (org_type or "?")


def type_value(org_type: str | None) -> Message | str:
    """An organisation type as a value of a message: shown in the reader's language when known,
    else its code (``"?"`` when missing)."""
    known = TYPE_LABELS.get(org_type or "")
    return Message.t(known) if known else (org_type or "?")


def _no(reason: str, message: Message, **params: Any) -> Decision:
    return Decision(False, reason, params, message)


def may_disclose(consent: ConsentInForce, recipient_org_type: str | None, data_category: str | None,
                 purpose: str | None) -> Decision:
    """Whether data may be disclosed under ``consent``.

    ``recipient_org_type``: the recipient organisation's directory type; ``None`` means "not
    checked" (no directory to ask) and an empty string an organisation without type (refused
    when the SOP maps recipient kinds). ``data_category``: a data category code, or None for
    "the disclosure itself" (e.g. sending the referral). ``purpose``: a purpose code, or None
    when not checked. An override (legal basis recorded by a supervisor) allows every purpose,
    the categories it lists (every one when it lists none) and the recipient organisation types
    its ``share_with`` covers (``covered_types``; every recipient when its record has no
    ``share_with``, as overrides recorded before the BF SOP 2026.8: tryout 7, J4): its reason is
    in the audit log.
    """
    if consent.status == "overridden":
        refused = _recipient_refused(consent, recipient_org_type, N_(
            "La dérogation ne couvre pas le partage avec une organisation de type « {org_type} »."))
        if refused is not None:
            return refused
        if data_category is not None and consent.categories and data_category not in consent.categories:
            return _no("category.not_covered", Message.t(
                "La dérogation ne couvre pas la catégorie « {category} ».", category=data_category),
                category=data_category)
        return Decision(True, "consent.overridden", {}, Message.t("Dérogation au consentement en vigueur."))
    if consent.status != "given":
        day = consent.expires_on.isoformat() if consent.expires_on else ""
        msgid = _STATUS.get(consent.status, _STATUS["none"])
        shown = DayText(consent.expires_on) if consent.expires_on else ""  # 03/06/2025 (issue 18)
        said = Message.t(msgid, expires_on=shown) if "{expires_on}" in msgid else Message.t(msgid)
        return _no(f"consent.{consent.status}", said, expires_on=day or None)
    if purpose is not None and purpose not in consent.purposes:
        return _no("purpose.not_covered", Message.t(
            "Le consentement ne couvre pas la finalité « {purpose} ».", purpose=purpose), purpose=purpose)
    refused = _recipient_refused(consent, recipient_org_type, N_(
        "Le consentement ne couvre pas le partage avec une organisation de type « {org_type} »."))
    if refused is not None:
        return refused
    if data_category is not None and data_category not in consent.categories:
        return _no("category.not_covered", Message.t(
            "Le consentement ne couvre pas la catégorie « {category} ».", category=data_category),
            category=data_category)
    return Decision(True, "consent.given", {}, Message.t("Consentement en vigueur."))


def _recipient_refused(consent: ConsentInForce, recipient_org_type: str | None,
                       msgid: str) -> Decision | None:
    """The refusal when ``consent.covered_types`` (of a consent or an override) does not cover the
    recipient's type, said by ``msgid`` (a catalogue message with ``{org_type}``); None otherwise."""
    if recipient_org_type is None or consent.covered_types is None:
        return None
    if not recipient_org_type:
        return _no("recipient.type_unknown", Message.t(
            "Le type de l'organisation destinataire n'est pas indiqué dans le répertoire."))
    if recipient_org_type not in consent.covered_types:
        return _no("recipient.type_not_covered", Message.t(msgid, org_type=type_value(recipient_org_type)),
                   org_type=recipient_org_type)
    return None


def recipient_kinds_for(sop: SOP, org_type: str) -> list[str]:
    """The ``share_with`` codes whose ``recipient_kinds`` entry covers ``org_type``."""
    return [k for k, types in settings(sop).recipient_kinds.items() if org_type in types]
