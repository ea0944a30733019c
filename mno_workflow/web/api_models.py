"""The REST API's contract: one pydantic model per response (success and error) so that the
published OpenAPI document (``/api/v1/openapi.json``) says what is really answered, the one error
model, its messages in French and English (``Accept-Language``), and the operation tags.

``tests/web/test_web__api_contract.py`` validates real responses of every route against the
published document. Rules for changing the API: ``docs/api.md``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..i18n import N_

TAGS = [
    {"name": "auth", "description": N_("Jetons d'accès")},
    {"name": "cases", "description": N_("Dossiers et actions")},
    {"name": "referrals", "description": N_("Référencements reçus")},
    {"name": "directory", "description": N_("Répertoire des services")},
    {"name": "stats", "description": N_("Agrégats de suivi-évaluation")},
    {"name": "alerts", "description": N_("Signalements des premiers intervenants")},
]


class ErrorBody(BaseModel):
    """Every error of the API: a stable ``code``, a ``message`` in the language of the request's
    ``Accept-Language`` (French unless it starts with ``en``), per-field ``errors`` for 422, and
    for 409 ``stale_version`` the case's ``current_version`` and the ``payload`` sent (kept)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"description": N_(
        "Toute erreur de l'API : un ``code`` stable, un ``message`` dans la langue de l'en-tête "
        "``Accept-Language`` de la requête (français sauf s'il commence par ``en``), des ``errors`` par "
        "champ pour 422 et, pour 409 ``stale_version``, la ``current_version`` du dossier et le "
        "``payload`` envoyé (gardé)."), "examples": [
        {"code": "form_invalid", "message": "Formulaire invalide « referral »", "form": "referral",
         "errors": {"priority": "Champ obligatoire"}},
        {"code": "form_invalid", "message": "Formulaires invalides « appointment »", "form": "appointment",
         "errors": {"appointment.appointment_date": "Champ obligatoire"},
         "forms": {"appointment": {"appointment_date": "Champ obligatoire"}}},
        {"code": "stale_version", "message": "Ce dossier a été modifié depuis que vous l'avez ouvert",
         "current_version": 7, "payload": {"priority": "urgent"}}]})

    code: str = Field(description=N_("Code stable, p. ex. unauthenticated, not_found, form_invalid"))
    message: str = Field(description=N_("Message pour une personne, dans la langue de Accept-Language"))
    errors: dict[str, str] | None = Field(default=None, description=N_("Message par champ (422) ; "
                                          "« formulaire.champ » pour une action à plusieurs formulaires"))
    forms: dict[str, dict[str, str]] | None = Field(
        default=None, description=N_("422, action à plusieurs formulaires (form: [a, b]) : messages par "
                                  "formulaire puis par champ ; « » : clé qui n'est aucun des formulaires"))
    current_version: int | None = Field(default=None, description=N_("409 stale_version"))
    payload: dict[str, Any] | None = Field(default=None,
                                           description=N_("409 stale_version : données gardées"))


#: Legacy messages of the API's own error codes, (French, English), read before the catalogues
#: (msgid ``api.<code>``); ``python -m mno_workflow.i18n.migrate`` moves them there.
TEXTS: dict[str, tuple[str, str]] = {}

#: Wording of pydantic's error types as sentences, the same as a form's (« Ce champ est
#: obligatoire. »): French source text, message ids of the catalogues, in every language (tryout 5,
#: G22: English showed pydantic's « Field required »); see :func:`field_error`.
FIELD_MESSAGES = {
    "missing": N_("Ce champ est obligatoire."), "string_too_long": N_("Texte trop long."),
    "string_type": N_("Texte attendu."), "int_parsing": N_("Nombre entier attendu."),
    "int_type": N_("Nombre entier attendu."),
    "bool_parsing": N_("Réponse oui/non attendue (true/false)."),
    "greater_than_equal": N_("Valeur trop petite."), "less_than_equal": N_("Valeur trop grande."),
    "too_long": N_("Liste trop longue."), "list_type": N_("Une liste de valeurs est attendue."),
    "dict_type": N_("Un objet JSON est attendu."), "json_invalid": N_("JSON invalide."),
    "model_attributes_type": N_("Un objet JSON est attendu."), "int_from_float": N_("Nombre entier attendu."),
    "datetime_parsing": N_("Date et heure invalides (ex. 2025-02-28T14:30)."),
    "extra_forbidden": N_("Champ inconnu dans cette requête."),
}
FIELD_FR = FIELD_MESSAGES  # the former name


def field_error(kind: str, message: str, lang: str) -> str:
    """A request field's error in ``lang``, a sentence of the catalogues (:data:`FIELD_MESSAGES`) in
    every language; for an error type not listed, pydantic's own ``message`` in English, « Valeur
    invalide. » in another language (never English there)."""
    from ..i18n import gettext
    if kind in FIELD_MESSAGES:
        return gettext(FIELD_MESSAGES[kind], lang)
    return message if lang == "en" else gettext("Valeur invalide.", lang)


def lang_of(accept_language: str | None) -> str:
    """The preferred language of the ``Accept-Language`` header that has a catalogue (``en-GB`` →
    ``en``; ``q`` weights read), else ``fr``."""
    from ..i18n import best_lang
    return best_lang(accept_language)


def text(code: str, lang: str, default: str = "") -> str:
    """The message of an API error code in ``lang`` (msgid ``api.<code>``; ``default`` if none)."""
    pair = TEXTS.get(code)
    if pair is not None:
        return pair[1] if lang == "en" else pair[0]
    from ..i18n import gettext
    found = gettext(f"api.{code}", lang)
    return default if found == f"api.{code}" else found


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these status codes (422 and 500 always), all with :class:`ErrorBody`."""
    words = {401: N_("Jeton absent ou invalide"), 403: N_("Rôle ou périmètre insuffisant"),
             404: N_("Introuvable (ou non visible)"),
             409: N_("Conflit : version dépassée ou action impossible"),
             422: N_("Requête ou formulaire invalide (erreurs par champ)"), 429: N_("Trop de tentatives"),
             500: N_("Erreur inattendue")}
    return {c: {"model": ErrorBody, "description": words.get(c, N_("Erreur"))}
            for c in sorted({*codes, 422, 500})}


# -- success responses -----------------------------------------------------------------------------
class Token(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"token": "mno_3q2…", "expires_at": "2025-07-02T10:00:00Z", "user": "mariam.kabore",
         "role": "caseworker"}]})

    token: str
    expires_at: datetime | None
    user: str
    role: str


class Me(BaseModel):
    id: str
    name: str | None
    role: str
    organisation: str | None
    region: str | None
    language: str | None
    sop: str | None = Field(
        None, description=N_("La POS dans laquelle le compte travaille (aucune : toutes)"))


class OpenStep(BaseModel):
    instance: str = Field(description=N_("Étape:clé, p. ex. referral:medical"))
    state: str


class CaseSummary(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"reference": "MNR-BF-000001", "status": "open", "version": 4, "name": "Aminata Sawadogo",
         "region": "kadiogo", "assignee": "mariam.kabore", "updated_at": "2025-06-02T10:00:00+00:00",
         "open_steps": [{"instance": "referral:medical", "state": "sent"}]}]})

    reference: str
    status: str
    version: int
    name: str | None
    region: str | None
    assignee: str | None
    updated_at: str
    open_steps: list[OpenStep]


class CaseList(BaseModel):
    total: int = Field(description=N_("Nombre de dossiers correspondant aux filtres, compté jusqu'à 1 000 "
                                   "(au-delà : 1001 et total_capped vrai)"))
    items: list[CaseSummary]
    total_capped: bool = Field(default=False,
                               description=N_("Vrai quand plus de 1 000 dossiers correspondent"))
    next_before: str | None = Field(default=None, description=N_("Page suivante (plus anciens) : "
                                    "passer cette référence en paramètre before"))
    prev_after: str | None = Field(default=None, description=N_("Page précédente (plus récents) : "
                                   "passer cette référence en paramètre after"))


class CreatedCase(BaseModel):
    reference: str
    version: int
    replayed: bool = Field(default=False, description=N_("Vrai quand une reprise (même Idempotency-Key) "
                                                       "rend le dossier déjà ouvert"))


class SopRef(BaseModel):
    id: str
    version: str


class StepView(BaseModel):
    step: str
    key: str
    state: str
    final: bool
    recipient: str | None
    # the recipient is not known to use the platform (directory uses_platform other than yes): the
    # caseworker records its answers; None for a step without a recipient
    off_platform: bool | None = None
    # off the platform and waiting where the SOP lets only its focal point answer: the triggers of
    # those answers, which nobody can record (lint W119, tryout 8, K12); [] otherwise
    unrecordable_answers: list[str] = []
    item: dict[str, Any] | None
    data: dict[str, Any] | None
    entered_at: str
    due_at: str | None = Field(default=None, description=N_("Échéance en cours (UTC), sinon null"))


class AuditView(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    seq: int
    at: str
    actor: str
    role: str
    organisation: str | None
    action: str
    trigger: str | None
    step: str | None
    instance: str | None
    from_: str | None = Field(alias="from")
    to: str | None
    data: dict[str, Any] | None
    effects: list[dict[str, Any]] | None
    hash: str
    sop_version: str | None = None  # the SOP version (sop@version) the event was written under


class CaseDetail(BaseModel):
    reference: str
    status: str
    version: int
    sop: SopRef
    assignee: str | None
    name: str | None
    region: str | None
    data: dict[str, Any] | None
    created_at: str
    updated_at: str
    closed_at: str | None
    steps: list[StepView]
    audit: list[AuditView]
    #: when and why the person's personal data were erased: ``{"at", "rule", "text"}``; null if never
    erasure: dict[str, Any] | None = None


class FireResult(BaseModel):
    model_config = ConfigDict(populate_by_name=True, json_schema_extra={"examples": [
        {"reference": "MNR-BF-000001", "step": "referral", "instance": "referral:medical",
         "trigger": "send", "from": "draft", "to": "sent", "version": 5, "started": [],
         "case_closed": False}]})

    reference: str
    step: str
    instance: str
    trigger: str
    from_: str = Field(alias="from")
    to: str
    version: int
    started: list[str]
    case_closed: bool
    prefilled: dict[str, list[str]] = Field(
        default_factory=dict, description=N_("Champs pris des données du signalement, par formulaire"))
    warnings: list[str] = Field(
        default_factory=list,
        description=N_("Avertissements sur l'action faite (dans la langue de Accept-Language), par exemple "
                       "un service de l'annuaire qui ne propose pas le besoin du référencement"))


class Prefill(BaseModel):
    reference: str
    trigger: str
    forms: dict[str, dict[str, Any]] = Field(
        description=N_("Valeurs d'ouverture par formulaire de l'action (vide : rien à pré-remplir)"))


class Extended(BaseModel):
    reference: str
    instance: str
    due_at: str
    version: int


class Reassigned(BaseModel):
    changed: list[str]
    assignee: str


class Reopened(BaseModel):
    reference: str
    version: int
    started: list[str]


class StateAndDue(BaseModel):
    state: str
    due_at: str | None = Field(default=None, description=N_("Échéance en cours (UTC), sinon null"))


class Corrected(BaseModel):
    """A step's state corrected by the coordination: before and after (state, due instant)."""

    model_config = ConfigDict(json_schema_extra={"description": N_(
        "L'état d'une étape corrigé par la coordination : avant et après (état, échéance).")})

    reference: str
    instance: str
    before: StateAndDue
    after: StateAndDue
    version: int


class Referral(BaseModel):
    """A referral; when consent was withdrawn or expired only ``reference``, ``instance``, ``state``
    and ``withheld`` (reason and message in French and English) are given."""

    model_config = ConfigDict(json_schema_extra={"description": N_(
        "Un référencement ; quand le consentement a été retiré ou a expiré, seuls ``reference``, "
        "``instance``, ``state`` et ``withheld`` (motif et message en français et en anglais) sont "
        "donnés.")})

    reference: str
    version: int | None = None
    instance: str
    state: str
    need: str | None = None
    item: dict[str, Any] | None = Field(
        default=None, description=N_(
            "Le besoin référé (ligne de l'évaluation ou besoin immédiat), filtré selon le consentement "
            "et l'accord de partage"))
    name: str | None = Field(default=None,
                             description=N_("Absent si le consentement ne couvre pas l'identité"))
    identification: dict[str, Any] | None = None
    data: dict[str, Any] | None = None
    consent_categories: list[str] | None = None
    masked: list[dict[str, Any]] | None = Field(default=None, description=N_(
        "Champs renseignés non montrés au prestataire : ``field`` (``item.incident_at``), ``category``, "
        "``reason`` (``consent``, ``override``, ``agreement``, ``uncategorised``), ``fr``, ``en``"))
    service_level: dict[str, Any] | None = Field(
        default=None, description=N_(
            "Délai de réponse appliqué : annuaire (service, priorité) ou défaut de la "
            "POS avec la raison (source, within, service, priority, reason, msgid, params, fr, en)"))
    withheld: dict[str, str] | None = Field(
        default=None, description=N_("Données retenues : motif (consent.withdrawn, consent.expired), fr, en"))


class ReferralList(BaseModel):
    items: list[Referral]


class Abroad(BaseModel):
    """An organisation established outside the SOP's country only."""

    model_config = ConfigDict(json_schema_extra={"description": N_(
        "Une organisation établie uniquement hors du pays de la POS.")})

    countries: list[str] = Field(description=N_("Codes des pays de ses adresses (ISO 3166)"))
    label: str = Field(description=N_("« à l'étranger : Mali », dans la langue de la requête"))
    help: str = Field(description=N_("Pourquoi : l'autorisation de l'autorité de protection des données"))


class Service(BaseModel):
    service_id: str
    service_name: str
    organization_id: str
    organization_name: str
    score: int
    coverage: str
    reasons: list[str]
    status: str
    focal_point_user_id: str | None = Field(
        description=N_("Compte du point focal ; null sans la permission directory_contacts"))
    referral_channel: str | None
    response_times: dict[str, str | None]
    abroad: Abroad | None = Field(default=None, description=N_(
        "L'organisation n'a d'adresses qu'hors du pays de la POS : y orienter transmet des données "
        "personnelles à l'étranger, ce que l'autorité de protection des données doit avoir autorisé ; "
        "null sinon"))


class ServiceList(BaseModel):
    items: list[Service]


class StateCount(BaseModel):
    step: str
    state: str
    count: int | None = Field(description=N_("null : masqué (petit effectif)"))


class SuppressedCell(BaseModel):
    """One number of the answer hidden by small-cell suppression."""

    model_config = ConfigDict(json_schema_extra={"description": N_(
        "Un nombre de la réponse masqué (petit effectif).")})

    path: list[str] = Field(
        description=N_("Chemin de la valeur dans la réponse, p. ex. "
        "[\"referrals_by_provider\", \"org-csps\", \"declined\"] ou [\"open_by_step_state\", step, state]")
    )
    reason: Literal["primary", "complementary", "few_values"] = Field(
        description=N_("primary : 1 à k-1 ; complementary : masqué pour qu'un total ne révèle pas "
        "une autre cellule ; few_values : médiane sur moins de k valeurs")
    )


class Stats(BaseModel):
    """Aggregates without names. Small-cell suppression (threshold ``suppression_threshold`` from
    the SOP, default 5): a hidden number is ``null`` and listed in ``suppressed``; 0 is shown."""

    model_config = ConfigDict(json_schema_extra={"description": N_(
        "Agrégats sans noms. Masquage des petits effectifs (seuil ``suppression_threshold`` de la POS, 5 "
        "par défaut) : un nombre masqué vaut ``null`` et figure dans ``suppressed`` ; 0 est affiché.")})

    totals: dict[str, int | None]
    open_by_step_state: list[StateCount]
    overdue_by_step: dict[str, int | None]
    median_days_by_step: dict[str, float | None]
    referrals_by_provider: dict[str, dict[str, int | None]]
    referrals_by_region: dict[str, dict[str, int | None]]
    suppression_threshold: int = Field(description=N_("Seuil k"))
    suppressed: list[SuppressedCell]
