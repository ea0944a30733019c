"""The values the directory's history (``dir_audit``) stored, in words of the reader's language:
yes/no and True/False as « Oui »/« Non », coded values (a referral channel, an organisation type,
a location type, the eligible sex, a schedule's frequency and week days, a response time) by
their catalogue words, ids (an organisation, a service, a location, a unit, a taxonomy term, a
person) by their names, lists and extension objects joined. Used by
:func:`mno_workflow.directory.audit_words.value_text` (the service page and ``mno directory
history``)."""

from __future__ import annotations

import re
from typing import Any

from ..i18n import N_, gettext

#: Fields that hold a person's account id (shown by the person's name).
USER_FIELDS = frozenset({"focal_point_user_id", "updated_by", "assurer_id"})

YES = frozenset({True, "yes", "true", "oui"})
NO = frozenset({False, "no", "false", "non"})

CODES: dict[str, dict[str, str]] = {
    "location_type": {"physical": N_("physique"), "postal": N_("postale"), "virtual": N_("virtuelle")},
    "address_type": {"physical": N_("physique"), "postal": N_("postale"), "virtual": N_("virtuelle")},
    "eligible_sex": {"f": N_("femmes"), "m": N_("hommes")},
    "freq": {"WEEKLY": N_("chaque semaine"), "MONTHLY": N_("chaque mois")},
    "option": {"free": N_("gratuit"), "shared_cost": N_("participation aux frais"), "paid": N_("payant")},
    "type": {"voice": N_("téléphone fixe"), "cell": N_("téléphone mobile"), "fax": N_("fax"),
             "text": N_("SMS"), "video": N_("appel vidéo"), "pager": N_("bipeur"),
             "textphone": N_("téléphone pour sourds et malentendants")},
    "link_type": {"service_type": N_("type de service")},
    "extent_type": {"administrative": N_("zone administrative")},
}

_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_BYDAY = re.compile(r"^(-?\d)?(MO|TU|WE|TH|FR|SA|SU)$")
_DURATION = re.compile(r"^(\d+) (hours|days|working days)$")
_UNITS = {"hours": "hours", "days": "days", "working days": "working_days"}


def _day_name(code: str, lang: str | None) -> str:
    from babel import Locale

    from ..i18n import babel_locale
    return Locale.parse(babel_locale(lang)).days["format"]["wide"][_DAYS.index(code)]


def _days(value: str, lang: str | None) -> str | None:
    """``MO,WE`` → « lundi, mercredi »; ``2MO`` → « 2 lundi » (None when not week days)."""
    parts = [p.strip() for p in value.split(",") if p.strip()]
    found = [_BYDAY.match(p) for p in parts]
    if not parts or not all(found):
        return None
    return ", ".join(f"{m.group(1)} {_day_name(m.group(2), lang)}" if m.group(1)
                     else _day_name(m.group(2), lang) for m in found if m)


def coded(field: str, value: Any, lang: str | None) -> str | None:
    """``value`` of ``field`` in words when it is a code the directory knows, else None."""
    if isinstance(value, bool) or (isinstance(value, str) and field in ("uses_platform",)):
        if value in YES:
            return gettext("Oui", lang)
        if value in NO:
            return gettext("Non", lang)
    if not isinstance(value, str):
        return None
    if field in CODES and value in CODES[field]:
        return gettext(CODES[field][value], lang)
    if field == "link_entity":
        from .audit_words import object_label
        return object_label(value, lang)
    if field == "referral_channel":
        from .row_types import CHANNEL_WORDS
        return gettext(CHANNEL_WORDS[value], lang) if value in CHANNEL_WORDS else None
    if field == "organization_type":
        from ..indicators.present import ORG_TYPES
        return gettext(ORG_TYPES[value], lang) if value in ORG_TYPES else None
    if field in ("byday", "wkst"):
        return _days(value, lang)
    found = _DURATION.match(value) if field.startswith("response_time") else None
    if found:
        from ..i18n.durations import duration_text
        return duration_text(int(found.group(1)), _UNITS[found.group(2)], lang)
    return None


def agreement_codes(session: Any, lang: str | None = None) -> dict[str, dict[str, str]]:
    """The labels in ``lang`` of the codes a sharing agreement covers (``data_categories``,
    ``purposes``: the option lists of the newest stored SOP's consent form), ``{}`` without SOP."""
    from sqlalchemy import select

    from ..sop.diagnostics import SOPError
    from ..sop.loader import load_stored
    from ..store.models import SopVersion
    from ..web.agreement_form import option_lists
    row = session.scalar(select(SopVersion).order_by(SopVersion.id.desc()).limit(1))
    if row is None:
        return {}
    try:
        sop = load_stored(row).model
    except SOPError:
        return {}
    return {name: {code: sop.label(label, lang) or code for code, label in sop.options.get(opts, {}).items()}
            for name, opts in option_lists(sop).items()}


def object_names(session: Any, lang: str | None = None) -> dict[str, str]:
    """The directory's named objects, id → name in ``lang`` (the directory's translations):
    organisations, services, locations, units, taxonomies, taxonomy terms and programs (their ids
    are distinct), a service at a location by both names, a data-sharing agreement by its
    organisation and its version, a capacity by its service and unit, to show a stored id by its name."""
    from sqlalchemy import select

    from .names_lang import names_in
    from .tables import TABLES
    names: dict[str, str] = {}
    for kind in ("taxonomy", "taxonomy_term", "unit", "location", "program", "service", "organization"):
        table = TABLES.get(kind)
        if table is None or "name" not in table.c:
            continue
        names.update({r.id: r.name for r in session.execute(select(table.c.id, table.c.name))
                      if r.name})
    names = names_in(names, lang) if lang else names
    sal = TABLES.get("service_at_location")  # « Service — Lieu »: its service at its location
    if sal is not None:
        for r in session.execute(select(sal.c.id, sal.c.service_id, sal.c.location_id)):
            parts = [names.get(r.service_id or ""), names.get(r.location_id or "")]
            if any(parts):
                names[r.id] = " — ".join(p for p in parts if p)
    cap = TABLES.get("service_capacity")  # places of a service: its service and its unit
    if cap is not None:
        for r in session.execute(select(cap.c.id, cap.c.service_id, cap.c.unit_id)):
            if r.service_id in names:
                names[r.id] = " — ".join(p for p in (names[r.service_id], names.get(r.unit_id or "")) if p)
    agr = TABLES.get("sharing_agreement")  # an agreement by its organisation and its version
    if agr is not None:
        for r in session.execute(select(agr.c.id, agr.c.organization_id, agr.c.agreement_version)):
            if r.organization_id in names:
                names[r.id] = " — ".join(p for p in (names[r.organization_id], r.agreement_version) if p)
    return names
