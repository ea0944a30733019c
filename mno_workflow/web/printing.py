"""What a printed referral slip or consent sheet of a case shows, under the consent rules of :mod:`.access`.

The referral slip travels with the person to the recipient organisation, so it shows what that
recipient may see, whoever prints it: :func:`.access.provider_view` for the referral decides
(consent in force × organisation type × purpose × referral state), :func:`.access.filter_form_data`
drops the fields whose data category the consent does not cover, and the name shows only when
identity is covered (:func:`.access.name_visible`). A field present in the case but not shared
prints « non partagé (consentement) » (never a silent gap). The consent sheet is the person's own
record: only the case roles (:func:`.access.can_view_case`) may print it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from ..directory.names_lang import in_lang
from ..directory.tables import TABLES
from ..i18n.dates import day_text
from ..i18n.phones import phone_text
from ..render.paper_forms import FORM_WORDS, FilledReferral, _value_text
from ..sop.schema import SOP
from ..store.audit import is_tombstone
from ..store.models import Case, StepInstance, User
from . import access
from .presenters import item_label

__all__ = ["filled_referral", "BENEFICIARY_FIELDS"]

#: Block key → candidate field ids of the identification form, first found wins.
BENEFICIARY_FIELDS: dict[str, tuple[str, ...]] = {
    "sex": ("sex", "gender"),
    "age": ("estimated_age", "age"),
    "birth_date": ("birth_date",),
    "language": ("preferred_language", "language"),
    "phone": ("phone", "phone_number"),
    "region": ("region",),
    "province": ("province",),
    "commune": ("commune", "village"),
    "caregiver": ("caregiver_name", "caregiver"),
}


def _focal_point(session, organisation_id: str | None, contacts: bool = True) -> tuple[str, str, str]:
    """(contact person "name, title", first phone, the contact's id) of an organisation in the
    directory, or ''. ``contacts`` False (a printer without the ``directory_contacts``
    permission): no contact person and only the organisation's own numbers (not a person's)."""
    if not organisation_id:
        return "", "", ""
    c, p = TABLES["contact"], TABLES["phone"]
    contact = session.execute(
        select(c.c.name, c.c.title, c.c.id).where(c.c.organization_id == organisation_id).order_by(c.c.id)
    ).first() if contacts else None
    q = select(p.c.number).where(p.c.organization_id == organisation_id)
    if not contacts:
        q = q.where(p.c.contact_id.is_(None))
    phone = session.execute(q.order_by(p.c.id)).first()
    who = ", ".join(x for x in (contact[0], contact[1]) if x) if contact else ""
    return who, (phone[0] if phone else ""), (contact[2] if contact and contact[0] else "")


def _service_name(session, service_id: str) -> str:
    """A directory service's name (the id itself when the directory no longer has it)."""
    svc = TABLES["service"]
    return session.execute(select(svc.c.name).where(svc.c.id == service_id)).scalar() or service_id


def fields_by_key(fields: dict[str, Any], key: str) -> str:
    """The field id of the identification form used for block ``key`` ('' if none)."""
    return next((c for c in BENEFICIARY_FIELDS[key] if c in fields), "")


def _age(birth: Any, today: date) -> str:
    try:
        born = date.fromisoformat(str(birth)[:10])
    except ValueError:
        return ""
    return str(today.year - born.year - ((today.month, today.day) < (born.month, born.day)))


def filled_referral(
    session,
    sop: SOP,
    case: Case,
    inst: StepInstance,
    printer: User,
    now: datetime,
    lang: str,
    organisations: dict[str, str],
) -> FilledReferral:
    """The :class:`FilledReferral` of referral ``inst``, filtered for its recipient at ``now``."""
    view = access.provider_view(session, sop, case, inst, now)
    cats = access.consent_categories(view)
    personal = view.personal
    ident_id = next(iter(access.person_forms(sop)), None)  # the start form, whatever its name (M6)
    raw = (case.data or {}).get(ident_id or "", {}) or {}
    shown = access.filter_form_data(sop, ident_id, raw, cats) if personal and ident_id else {}
    fields = {f.id: f for f in sop.forms[ident_id].fields} if ident_id in sop.forms else {}
    withheld: set[str] = set()
    values: dict[str, str] = {}
    for key, candidates in BENEFICIARY_FIELDS.items():
        fid = next((c for c in candidates if c in fields), None)
        if fid is None:
            continue
        if fid in shown:
            values[key] = _value_text(sop, fields[fid], shown[fid], lang)
        elif fid in raw:
            withheld.add(key)
    beneficiary = {k: values.get(k, "") for k in ("sex", "language", "phone", "caregiver")}
    beneficiary["phone"] = phone_text(beneficiary["phone"])
    if values.get("age"):
        beneficiary["age"] = values["age"]
    elif values.get("birth_date"):
        beneficiary["age"] = _age(shown.get(fields_by_key(fields, "birth_date")), now.date())
    elif {"age", "birth_date"} & withheld:
        withheld.add("age")
    places = [values.get(k, "") for k in ("region", "province", "commune")]
    beneficiary["location"] = ", ".join(p for p in places if p)
    if not beneficiary["location"] and {"region", "province", "commune"} & withheld:
        withheld.add("location")
    if personal and access.name_visible(cats):
        beneficiary["name"] = case.display_name or ""
    elif case.display_name:
        withheld.add("name")
    consent = (case.data or {}).get(
        sop.data_protection.consent_form if sop.data_protection else "consent"
    ) or {}
    if not beneficiary["caregiver"]:  # a child's representative, as the consent recorded them (F16)
        beneficiary["caregiver"] = _representative(sop, consent, cats if personal else set(), withheld,
                                                   lang)
    if not personal:
        withheld |= {"name", "sex", "age", "language", "phone", "location", "caregiver"}
    step = sop.steps[inst.step]
    ref_form = step.recipient.split(".")[0] if step.recipient else None
    referral = (
        access.filter_form_data(sop, ref_form, (inst.data or {}).get(ref_form), cats if personal else set())
        if ref_form
        else {}
    )
    service_field = step.service.split(".")[1] if step.service else ""
    service_name = ""
    if referral.get(service_field):  # the directory service by its name, never its id (svc-…)
        service_name = in_lang(_service_name(session, str(referral[service_field])), lang)
        referral = {**referral, service_field: service_name}
    focal, phone, focal_id = _focal_point(session, inst.recipient, access.can(printer, "directory_contacts"))
    if not personal:  # consent withdrawn, expired, refused or not covering the recipient (F33,
        # tryout 4 G4): the reference only, as on the provider's pages — no need, priority, date
        withheld |= {"need", "referral"}
        referral = {}
    return FilledReferral(
        case_code=case.reference or "",
        need=item_label(sop, inst, lang) if personal else "",
        referrer=_referrer(session, sop, case, inst, printer, view, lang, organisations),
        recipient={
            "organisation": organisations.get(inst.recipient or "", inst.recipient or ""),
            "service": str(referral.get("service") or service_name),
            "focal_point": focal,
            "phone": phone_text(phone),
            "focal_point_id": focal_id,  # for the access log (routes/print_forms.py), not printed
        },
        beneficiary=beneficiary,
        withheld=withheld,
        referral=referral,
        consent_given=personal and view.consent.status in ("given", "overridden"),
        consent_date=(_plain(consent.get("consent_date"), lang) if is_tombstone(consent.get("consent_date"))
                      else day_text(consent.get("consent_date"), lang)) if personal else "",
        printed_on=day_text(now, lang, sop.calendar.timezone),
    )


#: fields of the consent form naming who consented for a child, in the order printed
REPRESENTATIVE = ("representative_name", "representative_relationship", "representative_contact")


def _plain(value: Any, lang: str) -> str:
    """A stored value as printed: an erased one « [effacé le 05/12/2026] » (tryout 9, L13)."""
    if is_tombstone(value):
        from ..engine.erasure_words import tombstone_text
        return tombstone_text(value, lang)
    return str(value)


def _representative(sop: SOP, consent: dict, cats: set, withheld: set[str], lang: str = "fr") -> str:
    """« Nom, lien, téléphone » of the parent or representative the consent form recorded, with
    what the consent in force lets the reader see (``cats``); ``caregiver`` added to
    ``withheld`` when one was recorded but is not shared."""
    form = sop.data_protection.consent_form if sop.data_protection else "consent"
    if form not in sop.forms or not any(consent.get(f) for f in REPRESENTATIVE):
        return ""
    shown = access.filter_form_data(sop, form, consent, cats)
    parts = [_plain(shown[f], lang) for f in REPRESENTATIVE[:2] if shown.get(f)]
    if shown.get(REPRESENTATIVE[2]):
        value = shown[REPRESENTATIVE[2]]
        parts.append(_plain(value, lang) if is_tombstone(value) else phone_text(value))
    if not parts:
        withheld.add("caregiver")
    return ", ".join(parts)


def _referrer(session, sop: SOP, case: Case, inst: StepInstance, printer: User, view, lang: str,
              organisations: dict[str, str]) -> dict[str, str]:
    """The slip's « Référent (qui oriente) » block: who sent the referral (the last case-side user
    who fired a transition of it), whoever prints the slip (tryout 3, F15: a provider printing it
    saw itself as the referrer); the printer when the referral has not been sent yet (a case
    manager printing the slip to send it on paper). A provider reads it under the rule of
    :func:`.access.referrer` (the consent in force covering the referral): blank otherwise."""
    sender = access.referral_sender(session, case, inst)
    if printer.role not in access.CASE_ROLES and not (view.personal and sender):
        return {"organisation": "", "name": "", "function": "", "phone": ""}
    if sender is None:
        sender = {"name": printer.display_name, "organisation": printer.organisation or "",
                  "phone": printer.phone or "", "role": printer.role}
    role = sender["role"]
    return {
        "organisation": organisations.get(sender["organisation"], sender["organisation"]),
        "name": sender["name"],
        "function": sop.label(sop.roles[role].label, lang) if role in sop.roles else role,
        "phone": phone_text(sender["phone"]),  # one format everywhere (tryout 2, finding 22)
    }


def withheld_words(lang: str) -> str:
    """The words printed for a field not shared under the consent."""
    return FORM_WORDS[lang]["withheld"]
