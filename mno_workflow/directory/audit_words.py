"""The directory's change history (``dir_audit``) in words of the reader's language: the objects
(``service`` → « Service »), the actions (``update`` → « mise à jour ») and the fields
(``org_id``, ``phone``… → « Organisation », « Téléphone »), for the service page and ``mno
directory history``. Every word is a catalogue message (French source text); a field no table
names is shown with its underscores as spaces, never dropped. Values read as words too: an HSDS
status (« actif », "temporarily closed"), a date as dd/mm/yyyy, an organisation or service by its
name; the author as a person's name, or what a system author did (« Import de l'annuaire
d'exemple »), never ``sample``."""

from __future__ import annotations

import re
from typing import Any

from ..i18n import N_, colon, gettext
from ..i18n.dates import day_text, instant_text

#: The authors the system writes (``load_sample``, ``mno directory import``, the CLI's default).
ACTORS: dict[str, str] = {
    "sample": N_("Import de l'annuaire d'exemple"),
    "import": N_("Import de l'annuaire"),
    "cli": N_("Ligne de commande (mno directory)"),
}

#: HSDS status values (service, location), read through the pages' keys ``svc_<status>``.
STATUSES = ("active", "inactive", "defunct", "temporarily closed")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")

OBJECTS: dict[str, str] = {
    "accessibility": N_("Accessibilité"),
    "address": N_("Adresse"),
    "attribute": N_("Attribut"),
    "contact": N_("Contact"),
    "cost_option": N_("Coût"),
    "extension_file": N_("Fichier d'extension"),
    "funding": N_("Financement"),
    "language": N_("Langue"),
    "location": N_("Lieu"),
    "meta_table_description": N_("Description de table"),
    "metadata": N_("Métadonnée"),
    "organization": N_("Organisation"),
    "organization_identifier": N_("Identifiant d'organisation"),
    "phone": N_("Téléphone"),
    "program": N_("Programme"),
    "required_document": N_("Document requis"),
    "schedule": N_("Horaire"),
    "service": N_("Service"),
    "service_area": N_("Zone desservie"),
    "service_at_location": N_("Service par lieu"),
    "service_capacity": N_("Capacité"),
    "service_referral": N_("Orientation"),
    "sharing_agreement": N_("Accord de partage de données"),
    "taxonomy": N_("Taxonomie"),
    "taxonomy_term": N_("Terme de taxonomie"),
    "unit": N_("Unité"),
    "url": N_("Lien"),
}

ACTIONS: dict[str, str] = {"create": N_("création"), "update": N_("mise à jour")}

FIELDS: dict[str, str] = {
    "acceptance_criteria": N_("Critères d'acceptation"),
    "accreditations": N_("Accréditations"),
    "address_1": N_("Adresse"),
    "address_2": N_("Complément d'adresse"),
    "address_type": N_("Type d'adresse"),
    "agreement_version": N_("Version de l'accord"),
    "alert": N_("Alerte"),
    "alternate_name": N_("Autre nom"),
    "amount": N_("Montant"),
    "amount_description": N_("Description du montant"),
    "application_process": N_("Démarche d'accès"),
    "assured_date": N_("Dernière vérification"),
    "assurer_email": N_("Courriel du vérificateur"),
    "attending_type": N_("Type d'accueil"),
    "attention": N_("À l'attention de"),
    "available": N_("Places disponibles"),
    "byday": N_("Jours"),
    "bymonthday": N_("Jours du mois"),
    "byweekno": N_("Semaines"),
    "byyearday": N_("Jours de l'année"),
    "character_set": N_("Jeu de caractères"),
    "city": N_("Ville"),
    "closes_at": N_("Fermeture"),
    "code": N_("Code"),
    "contact_id": N_("Contact"),
    "count": N_("Nombre"),
    "country": N_("Pays"),
    "currency": N_("Devise"),
    "data_categories": N_("Catégories de données"),
    "department": N_("Service interne"),
    "description": N_("Description"),
    "details": N_("Détails"),
    "document": N_("Document"),
    "dtstart": N_("Début"),
    "eligibility_description": N_("Conditions d'éligibilité"),
    "eligible_sex": N_("Sexe"),
    "email": N_("Courriel"),
    "expires_on": N_("Fin de validité"),
    "extension": N_("Poste"),
    "extensions": N_("Extensions"),
    "extent": N_("Étendue"),
    "extent_type": N_("Type d'étendue"),
    "external_identifier": N_("Identifiant externe"),
    "external_identifier_type": N_("Type d'identifiant externe"),
    "fees": N_("Frais"),
    "fees_description": N_("Frais (description)"),
    "field_name": N_("Champ"),
    "focal_point_email": N_("Courriel du point focal"),
    "focal_point_name": N_("Nom du point focal"),
    "focal_point_user_id": N_("Point focal"),
    "freq": N_("Fréquence"),
    "id": N_("Identifiant"),
    "identifier": N_("Identifiant"),
    "identifier_scheme": N_("Schéma d'identifiant"),
    "identifier_type": N_("Type d'identifiant"),
    "interpretation_services": N_("Interprétariat"),
    "interval": N_("Intervalle"),
    "label": N_("Libellé"),
    "language": N_("Langue"),
    "last_action_date": N_("Date de la dernière action"),
    "last_action_type": N_("Type de la dernière action"),
    "last_modified": N_("Dernière modification"),
    "latitude": N_("Latitude"),
    "legal_status": N_("Statut juridique"),
    "licenses": N_("Licences"),
    "link_entity": N_("Objet lié"),
    "link_id": N_("Lien vers"),
    "link_type": N_("Type de lien"),
    "location_id": N_("Lieu"),
    "location_type": N_("Type de lieu"),
    "logo": N_("Logo"),
    "longitude": N_("Longitude"),
    "maximum": N_("Maximum"),
    "maximum_age": N_("Âge maximum"),
    "minimum_age": N_("Âge minimum"),
    "name": N_("Nom"),
    "note": N_("Note"),
    "notes": N_("Notes"),
    "number": N_("Numéro"),
    "opens_at": N_("Ouverture"),
    "option": N_("Option"),
    "organization_id": N_("Organisation"),
    "organization_type": N_("Type d'organisation"),
    "parent_id": N_("Parent"),
    "parent_organization_id": N_("Organisation mère"),
    "phone_id": N_("Téléphone"),
    "postal_code": N_("Code postal"),
    "previous_value": N_("Valeur précédente"),
    "program_id": N_("Programme"),
    "purposes": N_("Finalités"),
    "referral_channel": N_("Canal d'orientation"),
    "region": N_("Région"),
    "replacement_value": N_("Nouvelle valeur"),
    "resource_id": N_("Ressource"),
    "resource_type": N_("Type de ressource"),
    "response_time_emergency": N_("Délai de réponse (urgence vitale)"),
    "response_time_normal": N_("Délai de réponse (normal)"),
    "response_time_urgent": N_("Délai de réponse (urgent)"),
    "schedule_link": N_("Horaire lié"),
    "scheme": N_("Schéma"),
    "service_at_location_id": N_("Service par lieu"),
    "service_id": N_("Service"),
    "signed_on": N_("Date de signature"),
    "source": N_("Source"),
    "state_province": N_("Province"),
    "status": N_("Statut"),
    "tax_id": N_("Numéro fiscal"),
    "tax_status": N_("Statut fiscal"),
    "taxonomy": N_("Taxonomie"),
    "taxonomy_id": N_("Taxonomie"),
    "taxonomy_term_id": N_("Terme"),
    "term_uri": N_("URI du terme"),
    "timezone": N_("Fuseau horaire"),
    "title": N_("Titre"),
    "transportation": N_("Transport"),
    "type": N_("Type"),
    "unit_id": N_("Unité"),
    "until": N_("Jusqu'au"),
    "updated": N_("Mise à jour"),
    "updated_by": N_("Mis à jour par"),
    "uri": N_("URI"),
    "url": N_("Site web"),
    "uses_platform": N_("Utilise la plateforme"),
    "valid_from": N_("Valide du"),
    "valid_to": N_("Valide au"),
    "value": N_("Valeur"),
    "version": N_("Version"),
    "wait_time": N_("Délai d'attente"),
    "website": N_("Site web"),
    "wkst": N_("Début de semaine"),
    "year_incorporated": N_("Année de création"),
}


def field_label(name: str, lang: str | None = None) -> str:
    """A directory field (``organization_id``) in words (« Organisation », "Organisation")."""
    return gettext(FIELDS[name], lang) if name in FIELDS else name.replace("_", " ")


def object_label(kind: str, lang: str | None = None) -> str:
    """A directory object type (``service_capacity``) in words (« Capacité »)."""
    return gettext(OBJECTS[kind], lang) if kind in OBJECTS else kind.replace("_", " ")


def action_label(action: str, lang: str | None = None) -> str:
    """A change (``create``, ``update``) in words (« création », « mise à jour »)."""
    return gettext(ACTIONS[action], lang) if action in ACTIONS else action


def status_label(status: str, lang: str | None = None) -> str:
    """An HSDS status (``active``) in words (« actif », "active"); another value as written."""
    return gettext(f"svc_{status}", lang) if status in STATUSES else status


def actor_label(actor: str | None, lang: str | None = None, users: dict[str, str] | None = None) -> str:
    """Who made a change: a user's name (``users``: id → name), a system author in words."""
    if not actor:
        return ""
    if users and actor in users:
        return users[actor]
    return gettext(ACTORS[actor], lang) if actor in ACTORS else actor


def value_text(field: str, value: Any, lang: str | None = None, names: dict[str, str] | None = None,
               timezone: str = "UTC", users: dict[str, str] | None = None,
               codes: dict[str, dict[str, str]] | None = None) -> Any:
    """A changed value for the reader: a status, yes/no or another code in words
    (:mod:`.audit_values`), an ISO date as dd/mm/yyyy (an instant in ``timezone``), a directory id
    (``names``) or a person's account (``users``) by its name, a list or an extension object
    joined; a number or a text unchanged."""
    from .audit_values import USER_FIELDS, coded
    if isinstance(value, list):
        return ", ".join(str(value_text(field, v, lang, names, timezone, users)) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{field_label(k, lang)}{colon(lang)}"
                         f"{value_text(k, v, lang, names, timezone, users)}" for k, v in value.items())
    said = coded(field, value, lang)
    if said is not None:
        return said
    if codes and field in codes and isinstance(value, str):  # « identity needs » → their labels
        return ", ".join(codes[field].get(c, c) for c in value.split())
    if not isinstance(value, str):
        return value
    if field == "status":
        return status_label(value, lang)
    if field in USER_FIELDS and users and value in users:
        return users[value]
    if names and value in names:
        return names[value]
    if _ISO_DAY.match(value):
        return day_text(value, lang)
    if _ISO_INSTANT.match(value):
        return instant_text(value, lang, timezone)
    return value


def history_rows(audits: list[Any], lang: str | None = None,
                 names: dict[str, str] | None = None, *, users: dict[str, str] | None = None,
                 timezone: str = "UTC", codes: dict[str, dict[str, str]] | None = None
                 ) -> list[dict[str, Any]]:
    """``dir_audit`` rows in words: ``{"at", "actor", "action", "object", "diff": [(label, old, new)]}``
    (the object by its name when ``names`` has it — directory ids → names —, else « Service
    svc-… »: its id is what a coordinator searches). Values through :func:`value_text` (dates in
    ``timezone``), the author through :func:`actor_label` (``users``: user id → name)."""
    def shown(k: str, v: Any) -> Any:
        return value_text(k, v, lang, names, timezone, users, codes)

    return [
        {
            "at": a.at,
            "actor": actor_label(a.actor, lang, users),
            "action": action_label(a.action, lang),
            "object": f"{object_label(a.object_type, lang)} "
                      f"{(names or {}).get(a.object_id, a.object_id)}",
            "diff": [
                (field_label(k, lang), shown(k, v[0]) if len(v) > 0 else None,
                 shown(k, v[1]) if len(v) > 1 else None)
                for k, v in (a.diff or {}).items()
            ],
        }
        for a in audits
    ]
