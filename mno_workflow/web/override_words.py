"""The send form's notice when a referral goes out only under a supervisor's consent override.

Tryout 7, J4: after the person withdrew (or refused) consent, a caseworker's send form said
nothing, and a later referral went to an NGO under an override made for a health centre. The
notice says who overrode, when, on which legal basis, which categories go to which recipients
(the override form's ``data_categories`` and ``share_with``, or the SOP's defaults for an override
recorded without them), in the reader's language.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..i18n import N_, gettext
from ..i18n.dates import day_text
from ..sop.schema import SOP
from ..store.models import AuditEvent, Case
from .forms import display_value

#: the consent's state before the override, in words (catalogue message ids)
_BEFORE = {
    "withdrawn": N_("La personne a retiré son consentement"),
    "refused": N_("La personne a refusé son consentement"),
    "": N_("Aucun consentement n'est en vigueur"),  # overridden before consent was asked
}


def override_notice(s, sop: SOP, case: Case, lang: str, now: datetime) -> str:
    """« La personne a retiré son consentement : ce référencement part seulement sous la dérogation
    de Idrissa Sanou du 02/06/2025 (Intérêts vitaux de la personne), qui couvre Identité, Santé
    vers Structures de santé. » when the consent in force is a supervisor's override; ``""``
    otherwise (no SOP ``data_protection``, consent given, or nothing in force)."""
    from ..protection.consent import consent_in_force, settings
    from .user_words import name_of

    if sop.data_protection is None or consent_in_force(sop, case, now).status != "overridden":
        return ""
    dp = settings(sop)
    ev = s.scalar(select(AuditEvent).where(
        AuditEvent.case_id == case.id, AuditEvent.step == dp.consent_step,
        AuditEvent.to_state == "overridden").order_by(AuditEvent.seq.desc()).limit(1))
    record = (case.data or {}).get(dp.override_form) or {}
    before = gettext(_BEFORE.get((ev.from_state if ev else None) or "", _BEFORE[""]), lang)
    return gettext(
        "{before} : ce référencement part seulement sous la dérogation de {name} du {day} ({basis}), "
        "qui couvre {categories} vers {recipients}.", lang, before=before,
        name=name_of(s, ev.actor, lang) if ev else "?",
        day=day_text(ev.at, lang, sop.calendar.timezone) if ev else "?",
        basis=_value(sop, dp.override_form, "legal_basis", record.get("legal_basis"), lang) or "?",
        categories=_value(sop, dp.override_form, "data_categories",
                          record.get("data_categories") or dp.override_categories, lang)
        or gettext("toutes les catégories de données", lang),
        recipients=_value(sop, dp.override_form, "share_with", record.get("share_with"), lang)
        or gettext("tous les destinataires", lang))


def override_scope(sop: SOP, case: Case, lang: str, now: datetime) -> str:
    """« Dérogation en vigueur : elle couvre Identité, Santé vers Structures de santé. » for the
    consent step's box of a case under a supervisor's override; an override recorded before its
    SOP asked for recipients (no ``share_with``) says « tous les destinataires », what it covers
    (tryout 7, J4). ``""`` when no override is in force."""
    from ..protection.consent import consent_in_force, settings

    if sop.data_protection is None or consent_in_force(sop, case, now).status != "overridden":
        return ""
    dp = settings(sop)
    record = (case.data or {}).get(dp.override_form) or {}
    return gettext(
        "Dérogation en vigueur : elle couvre {categories} vers {recipients}.", lang,
        categories=_value(sop, dp.override_form, "data_categories",
                          record.get("data_categories") or dp.override_categories, lang)
        or gettext("toutes les catégories de données", lang),
        recipients=_value(sop, dp.override_form, "share_with", record.get("share_with"), lang)
        or gettext("tous les destinataires", lang))


def _value(sop: SOP, form_id: str, field_id: str, value: Any, lang: str) -> str:
    """The stored ``value`` of a field of ``form_id`` in words (option labels); ``""`` when empty.
    A field the form no longer has (an SOP changed since) reads the consent form's options."""
    if not value:
        return ""
    form = sop.forms.get(form_id)
    f = next((f for f in (form.fields if form else []) if f.id == field_id), None)
    if f is None:
        consent = sop.forms.get((sop.data_protection.consent_form if sop.data_protection else None) or "")
        f = next((f for f in (consent.fields if consent else []) if f.id == field_id), None)
    if f is not None:
        return display_value(sop, f, value, lang)
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
