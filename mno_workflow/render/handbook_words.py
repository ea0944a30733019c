"""Every word of the SOP handbook that is not from the SOP (titles, field types, data
classifications, the glossary), per language (split from :mod:`.handbook`, which re-exports it)."""

from __future__ import annotations

from mno_workflow.i18n import N_, Words
from mno_workflow.sop.schema import SOP, FieldType

# Every word of the handbook that is not from the SOP, per language.
UI: dict[str, dict[str, str]] = {
    "fr": {
        "handbook": "Manuel des procédures", "version": "Version", "purpose": "Objet",
        "contents": "Sommaire", "roles": "Rôles", "role": "Rôle", "scope": "Portée",
        "scope_all": "tous les dossiers",
        "scope_region": "les dossiers de sa région (tous les dossiers s'il n'est rattaché à aucune région)",
        "scope_assigned": "les dossiers qui lui sont attribués",
        "scope_recipient": "les demandes adressées à son organisation",
        "scope_reporter": ("le statut des signalements qu'il a transmis (reçu, pris en charge, clos), "
                           "rien d'autre du dossier"),
        "raci": "Qui fait quoi", "raci_intro": "Pour chaque étape : qui déclenche des transitions, qui "
        "est attendu dans un état (responsable), qui reçoit les escalades.",
        "fires": "déclenche", "owns": "responsable", "escalation": "escalade",
        "steps": "Étapes", "step": "Étape", "flow": "Enchaînement des étapes",
        "start_step": "Le dossier commence par",
        "entry_step": "ou, sur signalement",
        "after": "Après", "then_start": "démarrer", "then_close": "clôturer le dossier",
        "diagram": "Schéma", "diagram_mermaid": "Schéma (Mermaid, à afficher avec un outil Mermaid)",
        "states": "États", "state": "État", "owner": "Responsable (attendu)", "deadline": "Délai",
        "kind": "Type", "initial": "initial", "final": "final", "waiting": "en attente d'une action",
        "normal": "intermédiaire", "reminders": "Rappels", "on_expiry": "À l'échéance",
        "escalate_to": "escalade vers {x}", "auto_fire": "déclenche automatiquement « {x} »",
        "transitions": "Transitions", "transition": "Transition", "from": "De", "to": "Vers",
        "who": "Qui peut la déclencher", "form": "Fiche", "guard": "Condition",
        "guard_cel": "expression", "none": "—", "any_open": "tout état non final",
        "same_state": "(même état)",
        "moves_into": "Ce qui fait entrer un dossier dans chaque état",
        "entry": "à l'ouverture de l'étape", "forms_used": "Fiches demandées dans cette étape",
        "forms": "Fiches", "field": "Champ", "type": "Type", "required": "Obligatoire",
        "options": "Choix possibles", "classification": "Classification",
        "yes": "oui", "no": "non", "help": "Aide", "limits": "Limites", "subfields": "Champs du groupe",
        "asked_if": "demandé seulement si", "rules": "Contrôles",
        "blank_sheets": "Fiches vierges à imprimer", "case_code": "Code du dossier", "date": "Date",
        "filled_by": "Rempli par (nom, organisation)", "signature": "Signature",
        "one_answer": "une seule réponse", "many_answers": "plusieurs réponses possibles",
        "glossary": "Glossaire", "term": "Terme", "other_lang": "English",
        "per_item": "Étape en parallèle : une fois pour chaque élément de « {x} »",
        "per_item_where": "si {x}", "per_item_key": "chacun désigné par « {x} »",
        "reminder_pct": "à {x} % du délai", "reminder_before": "{x} avant l'échéance",
        "reminder_after": "{x} après l'échéance", "clock_from": "le délai court à partir de « {x} »",
        "min": "minimum {x}", "max": "maximum {x}", "max_length": "{x} caractères au plus",
        "not_future": "pas dans le futur", "not_before": "pas avant « {x} »",
        "min_items": "au moins {x}", "max_items": "au plus {x}",
        "calendar": "Calendrier", "timezone": "fuseau horaire", "workweek": "jours ouvrables",
        "holidays": "jours fériés", "generated": "Généré à partir de la POS",
        "days": "lun mar mer jeu ven sam dim", "colon": "\u00a0: ", "lq": "« ", "rq": " »",
    },
    "en": {
        "handbook": "Procedures handbook", "version": "Version", "purpose": "Purpose",
        "contents": "Contents", "roles": "Roles", "role": "Role", "scope": "Scope",
        "scope_all": "all cases",
        "scope_region": "the cases of their region (all cases when they have no region)",
        "scope_assigned": "cases assigned to them",
        "scope_recipient": "requests addressed to their organisation",
        "scope_reporter": ("the status of the alerts they filed (received, taken up, closed), nothing "
                           "else of the case"),
        "raci": "Who does what", "raci_intro": "For each step: who fires transitions, who is waited "
        "for in a state (owner), who receives escalations.",
        "fires": "fires", "owns": "owner", "escalation": "escalation",
        "steps": "Steps", "step": "Step", "flow": "How steps follow each other",
        "start_step": "A case starts with",
        "entry_step": "or, on an alert",
        "after": "After", "then_start": "start", "then_close": "close the case",
        "diagram": "Diagram", "diagram_mermaid": "Diagram (Mermaid, view it with a Mermaid tool)",
        "states": "States", "state": "State", "owner": "Owner (waited for)", "deadline": "Deadline",
        "kind": "Kind", "initial": "initial", "final": "final", "waiting": "waiting for an action",
        "normal": "intermediate", "reminders": "Reminders", "on_expiry": "On expiry",
        "escalate_to": "escalate to {x}", "auto_fire": "automatically fires “{x}”",
        "transitions": "Transitions", "transition": "Transition", "from": "From", "to": "To",
        "who": "Who may fire it", "form": "Form", "guard": "Condition",
        "guard_cel": "expression", "none": "—", "any_open": "any open state", "same_state": "(same state)",
        "moves_into": "What moves a case into each state",
        "entry": "when the step starts", "forms_used": "Forms required in this step",
        "forms": "Forms", "field": "Field", "type": "Type", "required": "Required",
        "options": "Options", "classification": "Classification",
        "yes": "yes", "no": "no", "help": "Help", "limits": "Limits", "subfields": "Group fields",
        "asked_if": "asked only if", "rules": "Checks",
        "blank_sheets": "Blank forms to print", "case_code": "Case code", "date": "Date",
        "filled_by": "Filled in by (name, organisation)", "signature": "Signature",
        "one_answer": "one answer", "many_answers": "several answers possible",
        "glossary": "Glossary", "term": "Term", "other_lang": "Français",
        "per_item": "Parallel step: once for each item of “{x}”",
        "per_item_where": "if {x}", "per_item_key": "each named by its “{x}”",
        "reminder_pct": "at {x}% of the period", "reminder_before": "{x} before the due time",
        "reminder_after": "{x} after the due time", "clock_from": "the clock starts at “{x}”",
        "min": "minimum {x}", "max": "maximum {x}", "max_length": "at most {x} characters",
        "not_future": "not in the future", "not_before": "not before “{x}”",
        "min_items": "at least {x}", "max_items": "at most {x}",
        "calendar": "Calendar", "timezone": "time zone", "workweek": "working days",
        "holidays": "public holidays", "generated": "Generated from the SOP",
        "days": "Mon Tue Wed Thu Fri Sat Sun", "colon": ": ", "lq": "“", "rq": "”",
    },
}

FIELD_TYPES: dict[str, dict[FieldType, str]] = {
    "fr": {FieldType.text: "texte", FieldType.number: "nombre", FieldType.integer: "nombre entier",
           FieldType.date: "date", FieldType.datetime: "date et heure", FieldType.boolean: "oui / non",
           FieldType.choice: "choix unique", FieldType.multi: "choix multiples",
           FieldType.phone: "téléphone", FieldType.repeat: "groupe répété"},
    "en": {FieldType.text: "text", FieldType.number: "number", FieldType.integer: "whole number",
           FieldType.date: "date", FieldType.datetime: "date and time", FieldType.boolean: "yes / no",
           FieldType.choice: "single choice", FieldType.multi: "multiple choice",
           FieldType.phone: "phone", FieldType.repeat: "repeated group"},
}

CLASSIFICATIONS: Words = Words({  # key → French message id (English and others: the catalogues)
    "personal": N_("personnelle"),
    "sensitive": N_("sensible"),
    "shareable": N_("partageable"),
})


# (English, French) from the glossary of DESIGN.md.
GLOSSARY: list[tuple[str, str]] = [
    ("case", "dossier / cas"),
    ("case manager, caseworker", "gestionnaire de cas"),
    ("referral", "référencement, orientation"),
    ("referral form", "fiche de référencement"),
    ("service provider", "prestataire de services"),
    ("focal point", "point focal"),
    ("identification", "identification"),
    ("informed consent", "consentement éclairé"),
    ("needs assessment", "évaluation des besoins"),
    ("follow-up", "suivi"),
    ("case closure", "clôture du dossier"),
    ("reintegration plan", "plan de réintégration"),
    ("returning migrant", "migrant de retour"),
    ("standard operating procedures (SOP)", "procédures opérationnelles standard (POS)"),
    ("steering committee", "comité de pilotage"),
    ("service directory", "répertoire des prestataires de services"),
    ("care", "prise en charge"),
]


def _ui(lang: str) -> dict[str, str]:
    return UI.get(lang, UI["fr"])


def _check_lang(sop: SOP, lang: str) -> None:
    if lang not in UI:
        raise ValueError(f"no handbook words for language {lang!r}; available: {', '.join(UI)}")
    if lang not in sop.languages:
        raise ValueError(f"the SOP has no {lang!r} labels; its languages: {', '.join(sop.languages)}")
