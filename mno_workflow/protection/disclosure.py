"""The one answer to "may this be disclosed?": consent in force × recipient type × data category × purpose.

:func:`may_disclose` is pure (no database, no clock): callers pass the
:class:`~mno_workflow.protection.consent.ConsentInForce` they computed for the instant that
matters. Its :class:`Decision` carries a stable ``reason`` key, its parameters and the message in
French and English, so that every path refuses with the same words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..engine.errors import Message
from ..sop.schema import SOP
from .consent import ConsentInForce, settings

#: Organisation types in words (the directory's ``organization_type``).
TYPE_LABELS: dict[str, dict[str, str]] = {
    "government": {"fr": "service de l'État", "en": "government service"},
    "un_agency": {"fr": "agence des Nations Unies", "en": "UN agency"},
    "ngo": {"fr": "ONG ou association", "en": "NGO or association"},
    "health_facility": {"fr": "structure de santé", "en": "health facility"},
    "private": {"fr": "organisation privée", "en": "private organisation"},
    "community": {"fr": "organisation communautaire", "en": "community organisation"},
}

_STATUS = {
    "none": ("Aucun consentement n'est enregistré pour ce dossier.", "No consent is recorded for this case."),
    "refused": ("La personne a refusé le consentement.", "The person refused consent."),
    "withdrawn": ("La personne a retiré son consentement.", "The person withdrew consent."),
    "expired": ("Le consentement a expiré le {expires_on}.", "Consent expired on {expires_on}."),
}


@dataclass(frozen=True)
class Decision:
    """``allowed``; ``reason``: a stable key (``consent.given``, ``consent.overridden``,
    ``consent.withdrawn``, ``consent.expired``, ``consent.refused``, ``consent.none``,
    ``purpose.not_covered``, ``recipient.type_not_covered``, ``recipient.type_unknown``,
    ``category.not_covered``); ``params`` its values; ``message`` the sentence in fr/en."""

    allowed: bool
    reason: str
    params: dict[str, Any] = field(default_factory=dict)
    message: Message = field(default_factory=lambda: Message("", ""))

    def __bool__(self) -> bool:
        return self.allowed


def type_label(org_type: str | None, lang: str = "fr") -> str:
    """An organisation type in words (the code itself when unknown)."""
    return (TYPE_LABELS.get(org_type or "") or {}).get(lang) or (org_type or "?")


def _no(reason: str, fr: str, en: str, **params: Any) -> Decision:
    return Decision(False, reason, params, Message(fr=fr, en=en))


def may_disclose(consent: ConsentInForce, recipient_org_type: str | None, data_category: str | None,
                 purpose: str | None) -> Decision:
    """Whether data may be disclosed under ``consent``.

    ``recipient_org_type``: the recipient organisation's directory type; ``None`` means "not
    checked" (no directory to ask) and an empty string an organisation without type (refused
    when the SOP maps recipient kinds). ``data_category``: a data category code, or None for
    "the disclosure itself" (e.g. sending the referral). ``purpose``: a purpose code, or None
    when not checked. An override (legal basis recorded by a supervisor) allows every recipient,
    category and purpose: its reason is in the audit log.
    """
    if consent.status == "overridden":
        return Decision(True, "consent.overridden", {}, Message.t("Dérogation au consentement en vigueur."))
    if consent.status != "given":
        fr, en = _STATUS.get(consent.status, _STATUS["none"])
        day = consent.expires_on.isoformat() if consent.expires_on else ""
        return _no(f"consent.{consent.status}", fr.format(expires_on=day), en.format(expires_on=day),
                   expires_on=day or None)
    if purpose is not None and purpose not in consent.purposes:
        return _no("purpose.not_covered", f"Le consentement ne couvre pas la finalité « {purpose} ».",
                   f"Consent does not cover the purpose '{purpose}'.", purpose=purpose)
    if recipient_org_type is not None and consent.covered_types is not None:
        if not recipient_org_type:
            return _no("recipient.type_unknown",
                       "Le type de l'organisation destinataire n'est pas indiqué dans le répertoire.",
                       "The recipient organisation's type is not given in the directory.")
        if recipient_org_type not in consent.covered_types:
            return _no("recipient.type_not_covered",
                       f"Le consentement ne couvre pas le partage avec une organisation de type "
                       f"« {type_label(recipient_org_type)} ».",
                       f"Consent does not cover sharing with an organisation of type "
                       f"'{type_label(recipient_org_type, 'en')}'.", org_type=recipient_org_type)
    if data_category is not None and data_category not in consent.categories:
        return _no("category.not_covered", f"Le consentement ne couvre pas la catégorie « {data_category} ».",
                   f"Consent does not cover the category '{data_category}'.", category=data_category)
    return Decision(True, "consent.given", {}, Message.t("Consentement en vigueur."))


def recipient_kinds_for(sop: SOP, org_type: str) -> list[str]:
    """The ``share_with`` codes whose ``recipient_kinds`` entry covers ``org_type``."""
    return [k for k, types in settings(sop).recipient_kinds.items() if org_type in types]
