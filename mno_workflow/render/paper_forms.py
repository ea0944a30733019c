"""Paper forms a provider accepts: the referral slip with its return slip, the consent sheet, any SOP form.

Blank (for the handbook, the training pack and ``mno publish``) or filled from a case (the
« Imprimer » buttons of a case). A filled sheet shows only what it is given: the caller filters the
case data with the consent rules (:mod:`.case_print` uses :mod:`mno_workflow.web.access`), and a
field the consent does not cover prints « non partagé (consentement) ». A field asked only in
some cases prints its condition in words (« si … : »), never as mandatory for everyone. The
referral slip has the blocks of the inter-agency referral form: referrer, recipient, beneficiary,
the referral itself, consent confirmation with signature or thumbprint, and a detachable return
slip (*contre-référence*). The consent sheet opens with the information the person must hear
(purpose, recipients, data, retention, right to withdraw) generated from the SOP.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from mno_workflow.i18n import N_, Words, ngettext
from mno_workflow.i18n.dates import day_text, instant_text
from mno_workflow.sop.option_rules import offered_codes
from mno_workflow.sop.schema import SOP, FieldType, FormField
from mno_workflow.store.audit import is_tombstone

from .diagrams import duration_words
from .plain import field_condition

__all__ = [
    "FORM_WORDS",
    "FilledReferral",
    "blank_form_html",
    "consent_sheet_html",
    "field_rows",
    "referral_slip_html",
    "env",
]

TEMPLATES = Path(__file__).parent / "templates"

FORM_WORDS: Words = Words({  # key → French message id (English and others: the catalogues)
    "slip": N_("Fiche de référencement"),
    "return_slip": N_("Contre-référence (à retourner au référent)"),
    "cut": N_("✂ — détacher ici et retourner au référent —"),
    "referrer": N_("Référent (qui oriente)"),
    "recipient": N_("Destinataire (qui reçoit)"),
    "beneficiary": N_("Bénéficiaire"),
    "referral": N_("Référencement"),
    "consent_block": N_("Confirmation du consentement"),
    "organisation": N_("Organisation"),
    "name_person": N_("Nom et prénom"),
    "function": N_("Fonction"),
    "phone": N_("Téléphone"),
    "email": N_("Courriel"),
    "service": N_("Service"),
    "focal_point": N_("Point focal"),
    "case_code": N_("Code du dossier"),
    "name_or_code": N_("Nom et prénom (ou code du dossier seulement)"),
    "sex": N_("Sexe"),
    "age": N_("Âge"),
    "language": N_("Langue parlée"),
    "location": N_("Lieu (région, province, commune)"),
    "caregiver": N_("Donneur de soins"),
    "if_child": N_("si la personne est un enfant"),
    "need": N_("Besoin"),
    "date": N_("Date"),
    "withheld": N_("non partagé (consentement)"),
    "consent_text": N_(
        "La personne (ou son donneur de soins pour un enfant) a été informée et accepte que ces "
        "informations soient transmises à ce destinataire pour ce référencement."),
    "consent_yes": N_("Consentement donné"),
    "consent_date": N_("Date du consentement"),
    "sign_person": N_("Signature ou empreinte de la personne"),
    "sign_guardian": N_("Signature du parent ou tuteur"),
    "sign_witness": N_("Signature du témoin"),
    "sign_interpreter": N_("Signature de l'interprète"),
    "sign_referrer": N_("Signature du référent"),
    "sign_provider": N_("Signature et cachet du prestataire"),
    "thumb": N_("Empreinte"),
    "received_on": N_("Reçu le"),
    "accepted": N_("Accepté"),
    "declined": N_("Refusé, motif"),
    "first_appointment": N_("Premier rendez-vous le"),
    "service_given": N_("Service fourni"),
    "follow_up_needed": N_("Suivi nécessaire"),
    "yes": N_("oui"),
    "no": N_("non"),
    "required": N_("obligatoire"),
    "one": N_("une seule réponse"),
    "many": N_("plusieurs réponses possibles"),
    "consent_sheet": N_("Fiche de consentement éclairé"),
    "info": N_("Ce que la personne doit savoir avant de décider"),
    "info_purpose": N_("Pourquoi : {x}."),
    "info_recipients": N_("Avec qui, si vous l'acceptez : {x}."),
    "info_data": N_("Quelles informations : {x}."),
    "info_retention": N_(
        "Combien de temps : vos données personnelles sont effacées {x} après la clôture de votre "
        "dossier."),
    "info_withdraw": N_(
        "Vous pouvez refuser, ou retirer votre consentement à tout moment, sans perdre l'aide à "
        "laquelle vous avez droit : dites-le à votre gestionnaire de cas."),
    "info_free": N_("Vous pouvez poser des questions. Refuser ne vous empêche pas d'être aidé·e."),
    "answers": N_("Réponses de la personne"),
    "identification": N_("Fiche d'identification"),
    "filled_by": N_("Rempli par (nom, organisation)"),
    "blank": N_("Fiche vierge"),
    "filled": N_("Fiche remplie le {x}"),
    "colon": N_(" : "),
    "interpreter_lang": N_("Langue de l'entretien"),
})


def env() -> jinja2.Environment:
    """The Jinja2 environment of the documents (autoescaped, strict; French output gets French
    spacing, :mod:`.typography`)."""
    from .typography import DocumentTemplate

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.template_class = DocumentTemplate
    from .pictograms import pictogram

    environment.globals["pict"] = pictogram  # bundled open icons (leaflets, pocket guide)
    return environment


def _value_text(sop: SOP, f: FormField, value: Any, lang: str) -> str:
    w = FORM_WORDS[lang]
    opts = sop.options.get(f.options or "", {})
    if value is None or value == "" or value == []:
        return ""
    if is_tombstone(value):  # erased: « [effacé le 05/12/2026] », never its structure (tryout 9, L13)
        from ..engine.erasure_words import tombstone_text
        return tombstone_text(value, lang)
    if f.type == FieldType.boolean:
        return w["yes"] if value else w["no"]
    if f.type == FieldType.multi and isinstance(value, list):
        return ", ".join(sop.label(opts.get(v), lang) or str(v) for v in value)
    if f.type == FieldType.choice:
        return sop.label(opts.get(value), lang) or str(value)
    if f.type == FieldType.date:  # 08/01/2026, never the stored 2026-01-08
        return day_text(value, lang)
    if f.type == FieldType.datetime:  # in the SOP's time zone
        return instant_text(value, lang, sop.calendar.timezone)
    return str(value)


def field_rows(
    sop: SOP,
    form_id: str,
    lang: str,
    data: dict[str, Any] | None = None,
    withheld: set[str] | None = None,
    skip: set[str] | None = None,
) -> list[dict[str, Any]]:
    """The fields of ``form_id`` ready to print: label, condition in words, options, value.

    ``data`` None prints a blank sheet; else each value is shown in words, and a field id in
    ``withheld`` prints the "not shared (consent)" line instead of a value. ``skip``: field ids left out.
    """
    rows = []
    limits = offered_codes(sop, form_id)  # only the options the form's own rules accept (J6)
    for f in sop.forms[form_id].fields:
        if skip and f.id in skip:
            continue
        value = None if data is None else data.get(f.id)
        opts = sop.options.get(f.options or "", {})
        erased = is_tombstone(value)
        chosen = set(value if isinstance(value, list) else [value]) if value is not None and not erased \
            else set()
        if f.id in limits:
            opts = {code: lab for code, lab in opts.items() if code in limits[f.id] or code in chosen}
        rows.append(
            {
                "id": f.id,
                "label": sop.label(f.label, lang),
                "type": f.type.value,
                "required": f.required and not f.relevant,
                "condition": field_condition(sop, f, lang),
                "help": sop.label(f.help, lang) if f.help else "",
                "options": [
                    {"label": sop.label(lab, lang), "on": code in chosen} for code, lab in opts.items()
                ],
                "filled": data is not None,
                "withheld": bool(withheld and f.id in withheld),
                "value": ""
                if data is None
                else _value_text(sop, f, value, lang)
                if f.type != FieldType.repeat or erased
                else "",
                "sub": [{"label": sop.label(s.label, lang)} for s in f.fields or []],
                "rows": [
                    [_value_text(sop, s, r.get(s.id), lang) for s in f.fields or []]
                    for r in (value if isinstance(value, list) else [])
                    if isinstance(r, dict)
                ]
                if f.type == FieldType.repeat
                else [],
            }
        )
    return rows


def _head(sop: SOP, lang: str, title: str) -> dict[str, Any]:
    return {
        "lang": lang,
        "w": FORM_WORDS[lang],
        "title": title,
        "sop_title": sop.label(sop.title, lang),
        "version": sop.version,
    }


def blank_form_html(
    sop: SOP,
    form_id: str,
    lang: str = "fr",
    data: dict[str, Any] | None = None,
    withheld: set[str] | None = None,
    case_code: str = "",
) -> str:
    """One SOP form as a printable sheet (blank, or filled with ``data``). ``KeyError``: unknown form."""
    form = sop.forms[form_id]
    ctx = _head(sop, lang, sop.label(form.title, lang))
    ctx.update(fields=field_rows(sop, form_id, lang, data, withheld), case_code=case_code)
    return env().get_template("documents/form.html.j2").render(**ctx)


@dataclass
class FilledReferral:
    """What a filled referral slip shows, already filtered by the consent for its recipient.

    Every string may be ''. ``beneficiary`` maps the block's keys (name, sex, age, language, phone,
    location, caregiver) to text; keys in ``withheld`` print « non partagé (consentement) »
    (``need`` and ``referral`` too: the need and every field of the referral form, when the consent
    in force no longer covers the recipient). ``referral``: the SOP referral form's data (raw
    values, shown in words).
    """

    case_code: str
    need: str = ""
    referrer: dict[str, str] = field(default_factory=dict)
    recipient: dict[str, str] = field(default_factory=dict)
    beneficiary: dict[str, str] = field(default_factory=dict)
    withheld: set[str] = field(default_factory=set)
    referral: dict[str, Any] = field(default_factory=dict)
    consent_given: bool = False
    consent_date: str = ""
    printed_on: str = ""


def _referral_form_id(sop: SOP) -> str | None:
    for step in sop.steps.values():
        if step.recipient:
            form_id = step.recipient.split(".")[0]
            if form_id in sop.forms:
                return form_id
    return "referral" if "referral" in sop.forms else None


def referral_slip_html(sop: SOP, lang: str = "fr", filled: FilledReferral | None = None) -> str:
    """The referral slip with the return slip, blank or ``filled`` (already consent-filtered)."""
    w = FORM_WORDS[lang]
    form_id = _referral_form_id(sop)
    recipient_field = ""
    for step in sop.steps.values():
        if step.recipient:
            recipient_field = step.recipient.split(".")[1]
    hidden = "referral" in filled.withheld if filled else False  # nothing of it may be shared
    rows = (
        field_rows(sop, form_id, lang, filled.referral if filled else None,
                   {f.id for f in sop.forms[form_id].fields} if hidden else None, skip={recipient_field})
        if form_id
        else []
    )
    ctx = _head(sop, lang, w["slip"])
    ctx.update(rows=rows, f=filled, decline=_decline_options(sop, lang))
    return env().get_template("documents/referral_slip.html.j2").render(**ctx)


def _decline_options(sop: SOP, lang: str) -> list[str]:
    return [sop.label(lab, lang) for lab in sop.options.get("decline_reason", {}).values()]


def period_words(text: str, lang: str = "fr") -> str:
    """A period such as ``"5 years"`` or ``"30 days"`` in words of ``lang`` (years included)."""
    from mno_workflow.sop.schema import Duration

    m = re.match(r"^\s*(\d+)\s*years?\s*$", text)
    if m:
        n = int(m.group(1))
        return ngettext("{n} an", "{n} ans", n, lang)
    try:
        return duration_words(Duration.model_validate(text), lang)
    except ValueError:
        return text


def consent_information(sop: SOP, lang: str = "fr") -> list[str]:
    """The information text of the consent sheet, from the SOP: purpose, recipients, data,
    retention, right to withdraw (each one sentence; parts the SOP does not declare are left out)."""
    w = FORM_WORDS[lang]
    out = []

    def labels(name: str) -> str:
        return ", ".join(sop.label(x, lang) for x in sop.options.get(name, {}).values())

    if sop.options.get("purpose"):
        out.append(w["info_purpose"].format(x=labels("purpose")))
    if sop.options.get("recipient_kind"):
        out.append(w["info_recipients"].format(x=labels("recipient_kind")))
    if sop.options.get("data_category"):
        out.append(w["info_data"].format(x=labels("data_category")))
    if sop.retention:
        out.append(w["info_retention"].format(x=period_words(sop.retention.purge_after_closure, lang)))
    out += [w["info_withdraw"], w["info_free"]]
    return out


def consent_sheet_html(
    sop: SOP,
    lang: str = "fr",
    data: dict[str, Any] | None = None,
    case_code: str = "",
    information: list[str] | None = None,
) -> str:
    """The consent sheet: information text, the SOP's consent form (blank or ``data``), and signature
    or thumbprint lines for the person, the parent or guardian, a witness and an interpreter.

    ``information`` replaces the generated text (e.g. the SOP narrative's ``consent_information``).
    """
    w = FORM_WORDS[lang]
    consent_form = sop.data_protection.consent_form if sop.data_protection else "consent"
    rows = field_rows(sop, consent_form, lang, data) if consent_form in sop.forms else []
    ctx = _head(sop, lang, w["consent_sheet"])
    ctx.update(rows=rows, info=information or consent_information(sop, lang), case_code=case_code)
    return env().get_template("documents/consent_sheet.html.j2").render(**ctx)
