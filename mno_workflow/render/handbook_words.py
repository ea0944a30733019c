"""Every word of the SOP handbook that is not from the SOP (titles, field types, data
classifications, the glossary), per language (split from :mod:`.handbook`, which re-exports it)."""

from __future__ import annotations

from mno_workflow.i18n import N_, P_, Words
from mno_workflow.sop.schema import SOP, FieldType

# Every word of the handbook that is not from the SOP, per language.
UI: Words = Words({  # key → French message id (English and others: the catalogues)
    "handbook": N_("Manuel des procédures"),
    "version": N_("Version"),
    "purpose": N_("Objet"),
    "contents": N_("Sommaire"),
    "skip": N_("Aller au contenu"),
    "roles": N_("Rôles"),
    "role": N_("Rôle"),
    "scope": N_("Portée"),
    "scope_all": N_("tous les dossiers"),
    "scope_region": N_("les dossiers de sa région (tous les dossiers s'il n'est rattaché à aucune région)"),
    "scope_assigned": N_("les dossiers qui lui sont attribués"),
    "scope_recipient": N_("les demandes adressées à son organisation"),
    "scope_reporter": N_("le statut des signalements qu'il a transmis (reçu, pris en charge, clos), rien "
                         "d'autre du dossier"),
    "raci": N_("Qui fait quoi"),
    "raci_intro": N_("Pour chaque étape : qui déclenche des transitions, qui est attendu dans un état "
                     "(responsable), qui reçoit les escalades."),
    "fires": N_("déclenche"),
    "owns": N_("responsable"),
    "escalation": N_("escalade"),
    "steps": N_("Étapes"),
    "step": N_("Étape"),
    "flow": N_("Enchaînement des étapes"),
    "start_step": N_("Le dossier commence par"),
    "entry_step": N_("ou, sur signalement"),
    "after": N_("Après"),
    "then_start": N_("démarrer"),
    "then_close": N_("clôturer le dossier"),
    "diagram": N_("Schéma"),
    "diagram_mermaid": N_("Schéma (Mermaid, à afficher avec un outil Mermaid)"),
    "states": N_("États"),
    "state": P_("handbook", "État"),
    "owner": N_("Responsable (attendu)"),
    "deadline": N_("Délai"),
    "kind": P_("handbook.kind", "Type"),
    "initial": N_("initial"),
    "final": N_("final"),
    "waiting": N_("en attente d'une action"),
    "normal": N_("intermédiaire"),
    "reminders": N_("Rappels"),
    "on_expiry": N_("À l'échéance"),
    "escalate_to": N_("escalade vers {x}"),
    "auto_fire": N_("déclenche automatiquement « {x} »"),
    "transitions": N_("Transitions"),
    "transition": N_("Transition"),
    "from": N_("De"),
    "to": N_("Vers"),
    "who": N_("Qui peut la déclencher"),
    "form": N_("Fiche"),
    "guard": N_("Condition"),
    "guard_cel": N_("condition telle qu'écrite dans la POS"),
    "none": N_("—"),
    "any_open": N_("tout état non final"),
    "same_state": N_("(même état)"),
    "moves_into": N_("Ce qui fait entrer un dossier dans chaque état"),
    "entry": N_("à l'ouverture de l'étape"),
    "forms_used": N_("Fiches demandées dans cette étape"),
    "forms": N_("Fiches"),
    "field": N_("Champ"),
    "type": P_("handbook.type", "Type"),
    "required": N_("Obligatoire"),
    "options": N_("Choix possibles"),
    "classification": N_("Classification"),
    "yes": N_("oui"),
    "no": N_("non"),
    "help": N_("Aide"),
    "limits": N_("Limites"),
    "subfields": N_("Champs du groupe"),
    "asked_if": N_("demandé seulement si"),
    "rules": N_("Contrôles"),
    "blank_sheets": N_("Fiches vierges à imprimer"),
    "case_code": N_("Code du dossier"),
    "date": N_("Date"),
    "filled_by": N_("Rempli par (nom, organisation)"),
    "signature": N_("Signature"),
    "one_answer": N_("une seule réponse"),
    "many_answers": N_("plusieurs réponses possibles"),
    "glossary": N_("Glossaire"),
    "term": N_("Terme"),
    "per_item": N_("Étape en parallèle : une fois pour chaque élément de « {x} »"),
    "per_item_where": N_("si {x}"),
    "per_item_key": N_("chacun désigné par « {x} »"),
    "reminder_pct": N_("à {x} du délai"),  # {x}: « 50 % » / "50%" (Babel format_percent)
    "reminder_before": N_("{x} avant l'échéance"),
    "reminder_after": N_("{x} après l'échéance"),
    "clock_from": N_("le délai court à partir de « {x} »"),
    "min": N_("minimum {x}"),
    "max": N_("maximum {x}"),
    "max_length": N_("{x} caractères au plus"),
    "not_future": N_("pas dans le futur"),
    "not_before": N_("pas avant « {x} »"),
    "min_items": N_("au moins {x}"),
    "max_items": N_("au plus {x}"),
    "calendar": N_("Calendrier"),
    "timezone": N_("fuseau horaire"),
    "workweek": N_("jours ouvrables"),
    "holidays": N_("jours fériés"),
    "generated": N_("Généré à partir de la POS"),
    "days": N_("lun mar mer jeu ven sam dim"),
    "colon": N_("\u00a0: "),
    "lq": N_("« "),
    "rq": N_(" »"),
})

FIELD_TYPES: Words = Words({  # key → French message id (English and others: the catalogues)
    FieldType.text: N_("texte"),
    FieldType.number: N_("nombre"),
    FieldType.integer: N_("nombre entier"),
    FieldType.date: N_("date"),
    FieldType.datetime: N_("date et heure"),
    FieldType.boolean: N_("oui / non"),
    FieldType.choice: N_("choix unique"),
    FieldType.multi: N_("choix multiples"),
    FieldType.phone: N_("téléphone"),
    FieldType.repeat: N_("groupe répété"),
})

CLASSIFICATIONS: Words = Words({  # key → French message id (English and others: the catalogues)
    "personal": N_("personnelle"),
    "sensitive": N_("sensible"),
    "shareable": N_("partageable"),
})


# The glossary of DESIGN.md: French message ids (each term shown in this language and the other).
GLOSSARY: list[str] = [
    N_("dossier / cas"),
    N_("gestionnaire de cas"),
    N_("référencement, orientation"),
    N_("fiche de référencement"),
    N_("prestataire de services"),
    N_("point focal"),
    N_("identification"),
    N_("consentement éclairé"),
    N_("évaluation des besoins"),
    N_("suivi"),
    N_("clôture du dossier"),
    N_("plan de réintégration"),
    N_("migrant de retour"),
    N_("procédures opérationnelles standard (POS)"),
    N_("comité de pilotage"),
    N_("répertoire des prestataires de services"),
    N_("prise en charge"),
]


def _ui(lang: str) -> dict[str, str]:
    return UI[lang]


def _check_lang(sop: SOP, lang: str) -> None:
    if lang not in UI:
        raise ValueError(f"no handbook words for language {lang!r}; available: {', '.join(UI)}")
    if lang not in sop.languages:
        raise ValueError(f"the SOP has no {lang!r} labels; its languages: {', '.join(sop.languages)}")
