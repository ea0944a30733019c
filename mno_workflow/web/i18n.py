"""Interface texts in French (default) and English, and dates formatted by Babel.

SOP labels (steps, states, fields, options) come from the SOP itself; this module only holds the
words of the interface around them. Dates show as ``15/01/2025`` in French, instants in the SOP's
time zone as ``15/01/2025 14:30``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

LANGS = ("fr", "en")

TEXTS: dict[str, tuple[str, str]] = {
    "app": ("MNO Workflow", "MNO Workflow"),
    "login": ("Connexion", "Sign in"),
    "logout": ("Se déconnecter", "Sign out"),
    "username": ("Identifiant", "User name"),
    "password": ("Mot de passe", "Password"),
    "login_failed": ("Identifiant ou mot de passe incorrect.", "Wrong user name or password."),
    "login_locked": (
        "Trop de tentatives de connexion. Réessayez dans 15 minutes.",
        "Too many sign-in attempts. Try again in 15 minutes.",
    ),
    "work_first_shown": ("Les {n} plus urgents sont affichés.", "The {n} most urgent are shown."),
    "work_all_overdue": ("Tous les dossiers en retard", "All overdue cases"),
    "my_work": ("Mon travail", "My work"),
    "cases": ("Dossiers", "Cases"),
    "new_case": ("Nouveau dossier", "New case"),
    "inbox": ("Référencements reçus", "Referrals received"),
    "notifications": ("Notifications", "Notifications"),
    "directory": ("Répertoire des services", "Service directory"),
    "sop": ("Procédures (POS)", "Procedures (SOP)"),
    "dashboard": ("Tableau de bord", "Dashboard"),
    "language": ("Langue", "Language"),
    "due_today": ("À faire aujourd'hui", "Due today"),
    "overdue": ("En retard", "Overdue"),
    "upcoming": ("Prochains délais (7 jours)", "Coming up (7 days)"),
    "recent": ("Modifiés récemment", "Recently changed"),
    "nothing": ("Rien pour le moment.", "Nothing for now."),
    "reference": ("Référence", "Reference"),
    "name": ("Nom", "Name"),
    "region": ("Région", "Region"),
    "step": ("Étape", "Step"),
    "state": ("État", "State"),
    "status": ("Statut", "Status"),
    "assignee": ("Gestionnaire", "Case manager"),
    "due": ("Échéance", "Due"),
    "updated": ("Mis à jour", "Updated"),
    "search": ("Rechercher", "Search"),
    "search_hint": (
        "Nom ou référence (accents et majuscules ignorés)",
        "Name or reference (accents and case ignored)",
    ),
    "all": ("Tous", "All"),
    "only_overdue": ("En retard seulement", "Overdue only"),
    "filter": ("Filtrer", "Filter"),
    "open": ("ouvert", "open"),
    "closed": ("clos", "closed"),
    "version": ("Version", "Version"),
    "current_steps": ("Étapes en cours", "Current steps"),
    "closed_on": ("Clos le", "Closed on"),
    "digest": ("Récapitulatif du jour", "Daily digest"),
    "actions": ("Actions possibles", "Available actions"),
    "no_actions": ("Aucune action pour vous à cette étape.", "No action for you at this point."),
    "timeline": ("Historique", "Timeline"),
    "referrals": ("Référencements", "Referrals"),
    "provider": ("Prestataire", "Provider"),
    "diagram": ("Schéma de l'étape", "Step diagram"),
    "data": ("Données du dossier", "Case data"),
    "submit": ("Enregistrer", "Save"),
    "cancel": ("Annuler", "Cancel"),
    "yes": ("Oui", "Yes"),
    "no": ("Non", "No"),
    "choose": ("— choisir —", "— choose —"),
    "required": ("obligatoire", "required"),
    "if_applicable": ("si applicable", "if applicable"),
    "form_errors": (
        "Le formulaire contient des erreurs : corrigez les champs signalés.",
        "The form has errors: correct the fields marked.",
    ),
    "stale_title": (
        "Ce dossier a été modifié depuis que vous l'avez ouvert",
        "This case changed since you opened it",
    ),
    "stale_help": (
        "Vos saisies sont conservées ci-dessous. Vérifiez les changements puis enregistrez à nouveau.",
        "Your input is kept below. Check the changes, then save again.",
    ),
    "your_version": ("Version que vous aviez ouverte", "Version you opened"),
    "current_version": ("Version actuelle", "Current version"),
    "changes_since": ("Changements depuis votre version", "Changes since your version"),
    "saved": ("Enregistré.", "Saved."),
    "form_expired": (
        "Ce formulaire a expiré ou a déjà été envoyé : vérifiez la saisie puis enregistrez à nouveau.",
        "This form expired or was already sent: check the input, then save again.",
    ),
    "row": ("Ligne", "Row"),
    "matched_providers": ("Prestataires proposés pour ce besoin", "Suggested providers for this need"),
    "other_providers": ("Autres prestataires", "Other providers"),
    "why": ("Pourquoi", "Why"),
    "need": ("Besoin", "Need"),
    "mark_read": ("Marquer comme lu", "Mark as read"),
    "mark_all_read": ("Tout marquer comme lu", "Mark all as read"),
    "unread": ("Non lues", "Unread"),
    "read": ("Lues", "Read"),
    "export_csv": ("Exporter (CSV pseudonymisé)", "Export (pseudonymised CSV)"),
    "export_names": ("Exporter avec les noms", "Export with names"),
    "flow": ("Enchaînement des étapes", "Flow of steps"),
    "handbook": ("Manuel de la procédure", "Procedure handbook"),
    "presentation": ("Présentation plein écran", "Full-screen presentation"),
    "fullscreen": ("Plein écran", "Full screen"),
    "previous": ("Précédent", "Previous"),
    "next": ("Suivant", "Next"),
    "first_page": ("Plus récents", "Newest"),
    "cases_per_state": ("Dossiers par étape et état (en cours)", "Cases per step and state (open)"),
    "overdue_by_step": ("Retards par étape", "Overdue by step"),
    "median_by_step": ("Durée médiane par étape (jours)", "Median time per step (days)"),
    "outcomes_by_provider": ("Issue des référencements par prestataire", "Referral outcomes by provider"),
    "outcomes_by_region": ("Issue des référencements par région", "Referral outcomes by region"),
    "total": ("Total", "Total"),
    "not_found": ("Page introuvable", "Page not found"),
    "not_found_text": (
        "Cette page n'existe pas ou vous n'y avez pas accès.",
        "This page does not exist or you do not have access to it.",
    ),
    "forbidden": ("Accès refusé", "Access denied"),
    "forbidden_text": (
        "Votre rôle ne permet pas d'ouvrir cette page.",
        "Your role does not allow opening this page.",
    ),
    "server_error": ("Erreur du serveur", "Server error"),
    "server_error_text": (
        "Une erreur inattendue s'est produite. L'équipe technique peut la retrouver "
        "dans le journal du serveur. Vos données n'ont pas été modifiées.",
        "An unexpected error happened. The technical team can find it in the "
        "server log. Your data was not changed.",
    ),
    "csrf_failed": (
        "Le formulaire a expiré ou ne vient pas de cette application. Rechargez la page et recommencez.",
        "The form expired or does not come from this application. Reload the page and try again.",
    ),
    "back_home": ("Retour à l'accueil", "Back to home"),
    "back_to_case": ("Retour au dossier", "Back to the case"),
    "welcome": ("Bonjour", "Hello"),
    "sent_on": ("Envoyé le", "Sent on"),
    "consent_scope": ("Données visibles selon le consentement", "Data visible under the consent"),
    "hidden_by_consent": ("masqué (non couvert par le consentement)", "hidden (not covered by consent)"),
    "referral_for": ("Référencement", "Referral"),
    "open_referral": ("Ouvrir", "Open"),
    "service_search": ("Chercher un service", "Find a service"),
    "coverage": ("Couverture", "Coverage"),
    "service": ("Service", "Service"),
    "organisation": ("Organisation", "Organisation"),
    "pseudonym_note": (
        "Les références sont pseudonymisées (empreinte) et aucun nom n'est exporté.",
        "References are pseudonymised (hashed) and no name is exported.",
    ),
    "slide": ("Diapositive", "Slide"),
    "skip": ("Aller au contenu", "Skip to content"),
    "illustrative": (
        "Données du répertoire : illustratives (fictives).",
        "Directory data: illustrative (invented).",
    ),
    # case tools
    "extend_deadline": ("Prolonger le délai", "Extend the deadline"),
    "extend_by": ("Prolonger de", "Extend by"),
    "duration_other": ("Autre durée (préciser)", "Other duration (specify)"),
    "duration_other_hint": (
        "p. ex. « 3 jours ouvrés », « 72 heures », « 2 semaines »",
        "e.g. '3 working days', '72 hours', '2 weeks'",
    ),
    "extend_from_due": (
        "Compter depuis l'échéance actuelle (sinon, un délai dépassé est prolongé à partir de maintenant)",
        "Count from the current due date (otherwise an overdue deadline is extended from now)",
    ),
    "reason": ("Motif", "Reason"),
    "reopen_case": ("Rouvrir le dossier", "Reopen the case"),
    "reassign": ("Réattribuer", "Reassign"),
    "reassign_to": ("Nouveau gestionnaire de cas", "New case manager"),
    "reassign_selected": ("Réattribuer les dossiers cochés", "Reassign the ticked cases"),
    "select_case": ("Choisir", "Select"),
    "deadline_extended": ("Délai prolongé jusqu'au", "Deadline extended until"),
    "case_reopened": ("Dossier rouvert.", "Case reopened."),
    "cases_reassigned": ("Dossiers réattribués", "Cases reassigned"),
    "earlier_closures": ("Clôtures précédentes", "Earlier closures"),
    "reopened": ("rouvert", "reopened"),
    "case_tools": ("Gestion du dossier", "Case management"),
    # directory editing
    "to_verify": ("À vérifier", "To verify"),
    "to_verify_help": (
        "Services non vérifiés depuis 6 mois (ou jamais vérifiés).",
        "Services not verified for 6 months (or never verified).",
    ),
    "last_verified": ("Dernière vérification", "Last verified"),
    "never": ("jamais", "never"),
    "mark_verified": ("Marquer vérifié aujourd'hui", "Mark verified today"),
    "edit_service": ("Modifier le service", "Edit the service"),
    "fees": ("Frais", "Fees"),
    "eligibility": ("Conditions d'éligibilité", "Eligibility"),
    "min_age": ("Âge minimum", "Minimum age"),
    "max_age": ("Âge maximum", "Maximum age"),
    "interpretation": ("Interprétation / langues d'accueil", "Interpretation / languages of service"),
    "languages": ("Langues", "Languages"),
    "capacity": ("Capacité", "Capacity"),
    "available": ("Places disponibles", "Places available"),
    "maximum": ("Maximum", "Maximum"),
    "history": ("Historique des modifications", "Change history"),
    "read_only": (
        "Lecture seule : seule la coordination peut modifier le répertoire.",
        "Read only: only the coordination may edit the directory.",
    ),
    "save": ("Enregistrer", "Save"),
    "svc_active": ("actif", "active"),
    "svc_inactive": ("inactif", "inactive"),
    "svc_defunct": ("fermé définitivement", "defunct"),
    "svc_temporarily closed": ("fermé temporairement", "temporarily closed"),
    "changed_by": ("Par", "By"),
    "changes": ("Modifications", "Changes"),
    "integer_expected": ("Nombre entier attendu.", "A whole number is expected."),
    "all_services": ("Tous les services", "All services"),
    # first responders' alerts (routes/alerts.py)
    "alerts": ("Mes signalements", "My alerts"),
    "new_alert": ("Nouveau signalement", "New alert"),
    "alert_sent": ("Signalement transmis", "Alert filed"),
    "alert_sent_text": (
        "Un gestionnaire de cas de la région va contacter la personne. Gardez cette référence.",
        "A case manager of the region will contact the person. Keep this reference.",
    ),
    "alert_none": ("Aucun signalement pour l'instant.", "No alert yet."),
    "alert_filed_on": ("Transmis le", "Filed on"),
    "alert_status": ("Statut", "Status"),
    "alert_since": ("depuis le", "since"),
    "alert_privacy": (
        "Vous voyez le statut de vos signalements, pas le dossier : les informations de la personne "
        "restent avec le gestionnaire de cas.",
        "You see the status of your alerts, not the case: the person's information stays with the "
        "case manager.",
    ),
    "alert_submit": ("Transmettre le signalement", "File the alert"),
}

ROLE_LABELS = {
    "caseworker": ("Gestionnaire de cas", "Case manager"),
    "supervisor": ("Superviseur", "Supervisor"),
    "provider": ("Point focal du prestataire", "Provider focal point"),
    "coordinator": ("Coordination nationale", "National coordination"),
    "trainer": ("Formateur", "Trainer"),
    "me_officer": ("Chargé de suivi-évaluation", "M&E officer"),
    "sop_author": ("Rédacteur de POS", "SOP author"),
    "first_responder": ("Premier intervenant", "First responder"),
}


def norm_lang(lang: Any) -> str:
    return "en" if lang == "en" else "fr"


def t(key: str, lang: str = "fr") -> str:
    """The interface text ``key`` in ``lang`` (the key itself when unknown, never an error)."""
    pair = TEXTS.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]


def role_label(role: str, lang: str = "fr") -> str:
    pair = ROLE_LABELS.get(role)
    return (pair[1] if lang == "en" else pair[0]) if pair else role


def fmt_date(value: Any, lang: str = "fr") -> str:
    """``15/01/2025`` (both languages use day/month/year here); ISO strings are accepted."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, "dd/MM/yyyy", locale="en_GB" if lang == "en" else "fr_FR")


def fmt_datetime(value: Any, lang: str = "fr", tz: str = "UTC") -> str:
    """``15/01/2025 14:30`` in the time zone ``tz``; ISO strings are accepted."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return format_datetime(
        value, "dd/MM/yyyy HH:mm", tzinfo=ZoneInfo(tz), locale="en_GB" if lang == "en" else "fr_FR"
    )


# -- issue 18: triage, notifications, step boxes, forms, duplicates, attachments ---------------------
TEXTS.update({
    "escalated": ("Escaladés", "Escalated"),
    "escalations": ("Escalades", "Escalations"),
    "badge_late": ("En retard", "Overdue"),
    "badge_escalated": ("Escaladé", "Escalated"),
    "late_tag": ("en retard", "late"),
    "priority": ("Priorité", "Priority"),
    "what_to_do": ("À faire", "To do"),
    "person": ("Personne", "Person"),
    "due_today_short": ("aujourd'hui", "today"),
    "waiting_for": ("En attente de", "Waiting for"),
    "since": ("depuis le", "since"),
    "standing_states": ("Situation du dossier", "Case standing"),
    "nobody_else": (
        "Personne d'autre ne peut reprendre ce dossier dans cette région : créez ou activez un compte de "
        "gestionnaire de cas, ou demandez à la coordination.",
        "Nobody else can take this case in this region: create or activate a case manager account, or ask "
        "the coordination.",
    ),
    "extend_5wd": ("Prolonger de 5 jours ouvrés", "Extend by 5 working days"),
    "extend_from_escalations": (
        "Prolongé depuis la liste des escalades", "Extended from the escalations list"
    ),
    "remind": ("Relancer", "Send a reminder"),
    "reminded": ("Relance envoyée à", "Reminder sent to"),
    "no_assignee": ("Aucun gestionnaire attribué : réattribuez d'abord le dossier.",
                    "No case manager assigned: reassign the case first."),
    "notif_todo": ("À faire", "To do"),
    "notif_late": ("En retard", "Overdue"),
    "notif_escalated": ("Escaladés", "Escalated"),
    "notif_info": ("Informations", "For information"),
    "all": ("Toutes", "All"),
    "unread_only": ("Non lues seulement", "Unread only"),
    "previous": ("Précédent", "Previous"),
    "next": ("Suivant", "Next"),
    "saving": ("Enregistrement…", "Saving…"),
    "open_form_kept": (
        "Une autre action est ouverte et remplie : elle n'a pas été perdue. Enregistrez-la ou fermez-la.",
        "Another action form is open and filled in: it was kept. Save it or close it.",
    ),
    "there_is_a_problem": ("Il y a un problème", "There is a problem"),
    "menu": ("Menu", "Menu"),
    "decline_reason": ("Motif du refus", "Reason for declining"),
    "provider_note": ("Note du prestataire", "Provider's note"),
    "referred_by": ("Référé par", "Referred by"),
    "to_process": ("À traiter", "To process"),
    "history_items": ("Historique", "History"),
})


def due_words(days: int, lang: str = "fr") -> str:
    """« 3 jours de retard », « aujourd'hui », « dans 2 jours » (``days`` negative when late)."""
    if days < 0:
        n = -days
        if lang == "en":
            return f"{n} day{'s' if n > 1 else ''} late"
        return f"{n} jour{'s' if n > 1 else ''} de retard"
    if days == 0:
        return t("due_today_short", lang)
    if lang == "en":
        return f"in {days} day{'s' if days > 1 else ''}"
    return f"dans {days} jour{'s' if days > 1 else ''}"


TEXTS.update({
    "required_if_applicable": ("obligatoire dans ce cas", "required in this case"),
    "add_row": ("Ajouter", "Add"),
    "date_placeholder": ("jj/mm/aaaa", "dd/mm/yyyy"),
    "date_hint": ("Jour/mois/année, par exemple 15/01/2025.", "Day/month/year, for example 15/01/2025."),
})


TEXTS.update({
    "possible_duplicates": (
        "Cette personne est peut-être déjà enregistrée", "This person may already be registered"
    ),
    "possible_duplicates_help": (
        "Des dossiers semblables existent (même nom et date de naissance ou âge proche dans la même région, "
        "ou même téléphone). Ouvrez-les pour vérifier ; si ce n'est pas la même personne, cochez la case "
        "et enregistrez à nouveau.",
        "Similar cases exist (same name and birth date or close age in the same region, or same phone). Open "
        "them to check; if this is not the same person, tick the box and save again.",
    ),
    "duplicates_hidden": (
        "Dossiers semblables suivis par d'autres (demandez à votre superviseur)",
        "Similar cases handled by others (ask your supervisor)",
    ),
    "not_same_person": ("Ce n'est pas la même personne : enregistrer quand même",
                        "This is not the same person: save anyway"),
})


TEXTS.update({
    "attachments": ("Pièces jointes", "Attachments"),
    "attach_file": (
        "Joindre un fichier (PDF, JPEG, PNG ; 5 Mo au plus)", "Attach a file (PDF, JPEG, PNG; 5 MB at most)"
    ),
    "attach": ("Joindre", "Attach"),
    "attachment_added": ("Pièce jointe ajoutée", "Attachment added"),
    "attachment_refused": ("Pièce jointe refusée", "Attachment refused"),
})


TEXTS.update({
    "referral_notes": ("Notes du référencement", "Referral notes"),
    "add_note": ("Écrire une note (visible par l'autre partie)", "Write a note (seen by the other side)"),
    "send_note": ("Envoyer la note", "Send the note"),
    "note_added": ("Note envoyée", "Note sent"),
    "note_invalid": ("Note vide ou trop longue (1000 caractères au plus).",
                     "Empty or too long note (1000 characters at most)."),
})


TEXTS.update({  # issue 18: plan approval (web/planview.py)
    "plan_in_view": ("Plan proposé", "Proposed plan"),
    "proposed_providers": ("Prestataires proposés (répertoire)", "Proposed providers (directory)"),
    "no_provider_found": ("aucun prestataire dans le répertoire", "no provider in the directory"),
})


TEXTS.update({  # issue 18: referral notes tell the other side (web/notes.py)
    "note_from_case": ("de l'équipe qui suit le dossier", "from the case team"),
    "note_from_provider": ("du prestataire", "from the provider"),
})
