"""The access log's export rows in words (``/journal-acces``): what was exported or read
(« Tableau de bord (CSV) », « Fiche de référencement imprimée ») and the request's details as
« Libellé : valeur » pairs — SOP option labels for a region or a need, the step's label for an
instance, people by their names, dates as dd/mm/yyyy — never the stored JSON record."""

from __future__ import annotations

from typing import Any

from ..i18n import N_, colon, gettext
from ..i18n.dates import day_text
from ..protection.view_words import what_label
from ..sop.schema import SOP

#: the keys of a logged export's details (``web_export_log.filters``)
KEYS: dict[str, str] = {
    "path": N_("Page"),
    "object": N_("Objet lu"),
    "periode": N_("Période"),
    "period": N_("Période"),
    "region": N_("Région"),
    "province": N_("Province"),
    "sex": N_("Sexe"),
    "age_group": N_("Tranche d'âge"),
    "need": N_("Besoin"),
    "limit": N_("Au plus"),
    "reference": N_("Dossier"),
    "instance": N_("Étape"),
    "format": N_("Format"),
    "contacts": N_("Contacts lus"),
    "disclosed": N_("Personnes dont les coordonnées ont été lues"),
    "disclosed_more": N_("Autres personnes"),
    # the agreements page discloses agreements' data focal points: the agreements are named
    "disclosed_agreements": N_("Accords dont le point focal données a été lu"),
    "os_user": N_("Compte du système"),
    "q": N_("Recherche"),
    "names": N_("Avec les noms"),
    "audience": N_("Public"),
}

#: what was exported or read (``web_export_log.what``), by its exact value or its prefix
WHATS: dict[str, str] = {
    "dashboard.csv": N_("Tableau de bord (CSV)"),
    "print.referral_slip": N_("Fiche de référencement imprimée"),
    "web.directory": N_("Répertoire : contacts des services"),
    "web.agreements": N_("Accords de partage de données"),
    "api.directory": N_("API du répertoire"),
    "cli.directory.search": N_("Recherche dans le répertoire (ligne de commande)"),
    "chart:": N_("Graphique du tableau de bord"),
    "hsds.": N_("Répertoire au format HSDS"),
    "document.": N_("Document de la POS"),
    "report": N_("Rapport de suivi-évaluation"),
}


def export_label(what: str | None, lang: str | None = None) -> str:
    """What a logged export was, in words (the stored value itself when no entry names it)."""
    if not what:
        return ""
    if what in WHATS:
        return gettext(WHATS[what], lang)
    for prefix, message in WHATS.items():
        if prefix.endswith((".", ":")) and what.startswith(prefix):
            return f"{gettext(message, lang)} ({what[len(prefix):]})"
    if what.startswith("report"):
        return gettext(WHATS["report"], lang)
    return what


def _value(key: str, value: Any, sop: SOP | None, lang: str | None, users: dict[str, str]) -> str:
    if isinstance(value, bool):
        return gettext("oui", lang) if value else gettext("non", lang)
    if isinstance(value, list | tuple):
        return ", ".join(_value(key, v, sop, lang, users) for v in value)
    text = str(value)
    if key == "instance":
        return what_label(text, sop, lang)
    if key in ("disclosed", "disclosed_agreements") or text in users:
        return users.get(text, text)
    if sop is not None and key in sop.options and text in sop.options[key]:
        return sop.label(sop.options[key][text], lang or "fr")
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return day_text(text, lang)
    return text


def detail_pairs(filters: dict[str, Any] | None, sop: SOP | None, lang: str | None = None,
                 users: dict[str, str] | None = None, names: dict[str, str] | None = None,
                 agreements: dict[str, str] | None = None) -> list[str]:
    """The details of a logged export as « Libellé : valeur » texts in ``lang`` (``users``: user
    id → name, for the people read; ``names``: directory id → name, a page of one organisation or
    service read as « Objet lu : <its name> » rather than its address; ``agreements``: agreement id
    → name, the agreements whose focal points a page disclosed, named as agreements, not people)."""
    out = []
    filters = dict(filters or {})
    read = filters.get("disclosed")
    if agreements and isinstance(read, list) and read and all(str(i) in agreements for i in read):
        filters = {("disclosed_agreements" if k == "disclosed" else k): v for k, v in filters.items()}
        users = {**(users or {}), **agreements}
    last = str(filters.get("path") or "").rstrip("/").rsplit("/", 1)[-1]
    if names and last in names:
        filters["path"] = None
        filters = {"object": names[last], **filters}
    for key, value in filters.items():
        if value in (None, "", [], {}):
            continue
        label = gettext(KEYS[key], lang) if key in KEYS else key.replace("_", " ")
        out.append(f"{label}{colon(lang)}{_value(key, value, sop, lang, users or {})}")
    return out
