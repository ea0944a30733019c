"""The « Enregistrer un accord » form of ``/repertoire/accords``: reads and checks what the
coordinator typed before the directory's own validation (tryout 4): an organisation of the
directory, dates typed day/month/year (the app's date field, not the browser's date picker) that
make sense — signed no later than a year from today, valid until after the signature and at most
ten years after it —, data categories and purposes ticked from the SOP's option lists (labels in
the reader's language), a plain short version (letters, digits, space, dot, dash), an e-mail
address said in words, and the agreement id built from allowed characters only
(``agr-<organisation>-<version>``). Every message is a catalogue message in the reader's language.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from ..engine.errors import Message
from ..i18n import N_, dates
from ..sop.schema import SOP
from .forms import WEB_DATE_ERROR

TEXT_FIELDS = ("organization_id", "signed_on", "agreement_version", "expires_on", "focal_point_name",
               "focal_point_email")
LISTS = ("data_categories", "purposes")
VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z ._-]{0,31}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_AHEAD = timedelta(days=366)  # signed at most a year from today
MAX_YEARS = 10  # valid at most ten years after the signature

REQUIRED = N_("Champ obligatoire.")


def option_lists(sop: SOP) -> dict[str, str]:
    """``{"data_categories": list name, "purposes": list name}``: the option lists of the consent
    form's fields of the same ids (the codes an agreement covers are the consent's codes)."""
    form_id = sop.data_protection.consent_form if sop.data_protection else "consent"
    fields = {f.id: f for f in sop.forms[form_id].fields} if form_id in sop.forms else {}
    out = {"data_categories": "data_category", "purposes": "purpose"}
    for name in LISTS:
        if name in fields and fields[name].options:
            out[name] = fields[name].options
    return out


def choices(sop: SOP, lang: str) -> dict[str, list[tuple[str, str]]]:
    """The check boxes of each list: ``(code, label in lang)``."""
    return {name: [(code, sop.label(label, lang) or code)
                   for code, label in sop.options.get(opts, {}).items()]
            for name, opts in option_lists(sop).items()}


def read_day(text: str) -> date | None:
    """``15/01/2025`` (day/month/year) or ISO ``2025-01-15`` → date (the one parser of typed days,
    :func:`mno_workflow.i18n.dates.read_day`); None when not a real date."""
    try:
        return dates.read_day(text.strip())
    except ValueError:
        return None


def slug(text: str) -> str:
    """``text`` in lower case, each run of other characters than a-z and 0-9 made one dash."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def check(sop: SOP, form: Any, organisations: set[str], today: date
          ) -> tuple[dict[str, Any], dict[str, str], dict[str, Message]]:
    """``(values as typed, row for the directory, errors by field)`` of a posted agreement form.
    The row is only meaningful when there are no errors."""
    values: dict[str, Any] = {k: str(form.get(k, "")).strip()[:500] for k in TEXT_FIELDS}
    lists = option_lists(sop)
    for name in LISTS:
        values[name] = [str(x)[:60] for x in form.getlist(name) if str(x).strip()][:20]
    errors: dict[str, Message] = {}
    if values["organization_id"] not in organisations:
        errors["organization_id"] = Message.t("Choisissez l'organisation.")
    days: dict[str, date | None] = {}
    for name in ("signed_on", "expires_on"):
        days[name] = read_day(values[name]) if values[name] else None
        if values[name] and days[name] is None:
            errors[name] = Message.t(WEB_DATE_ERROR)
    signed, until = days["signed_on"], days["expires_on"]
    if not values["signed_on"]:
        errors["signed_on"] = Message.t(REQUIRED)
    elif signed is not None and signed > today + MAX_AHEAD:
        errors["signed_on"] = Message.t("La date de signature est trop loin dans l'avenir (un an au plus).")
    elif signed is not None and signed.year < 1990:
        errors["signed_on"] = Message.t("La date de signature est trop ancienne (1990 au plus tôt).")
    if signed is not None and until is not None and "expires_on" not in errors:
        if until <= signed:
            errors["expires_on"] = Message.t("La fin de validité doit être après la date de signature.")
        elif until.year > signed.year + MAX_YEARS:
            errors["expires_on"] = Message.t("Un accord vaut dix ans au plus après sa signature.")
    if not values["agreement_version"]:
        errors["agreement_version"] = Message.t(REQUIRED)
    elif not VERSION.match(values["agreement_version"]):
        errors["agreement_version"] = Message.t(
            "Version : 32 caractères au plus, lettres, chiffres, espaces, points et tirets (ex. 2025-1).")
    for name, empty in (("data_categories", Message.t("Cochez au moins une catégorie de données.")),
                        ("purposes", Message.t("Cochez au moins une finalité."))):
        known = sop.options.get(lists[name], {})
        if not values[name]:
            errors[name] = empty
        elif any(code not in known for code in values[name]):
            errors[name] = Message.t("Choisissez parmi les cases proposées.")
    if len(values["focal_point_name"]) > 200:
        errors["focal_point_name"] = Message.t("200 caractères au plus.")
    if values["focal_point_email"] and not EMAIL.match(values["focal_point_email"]):
        errors["focal_point_email"] = Message.t(
            "Adresse e-mail invalide : écrivez-la comme nom@exemple.org.")
    org = values["organization_id"].removeprefix("org-")
    row = {
        "id": f"agr-{slug(org)}-{slug(values['agreement_version'])}"[:100],
        "organization_id": values["organization_id"],
        "signed_on": signed.isoformat() if signed else None,
        "agreement_version": values["agreement_version"],
        "data_categories": " ".join(dict.fromkeys(values["data_categories"])) or None,
        "purposes": " ".join(dict.fromkeys(values["purposes"])) or None,
        "expires_on": until.isoformat() if until else None,
        "focal_point_name": values["focal_point_name"] or None,
        "focal_point_email": values["focal_point_email"] or None,
    }
    return values, row, errors
