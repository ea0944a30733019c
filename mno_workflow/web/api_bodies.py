"""The request bodies of the case API (:mod:`.api`): a new case and a fired action. A key the API
does not know is refused by name, never ignored."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..i18n import N_


class NewCase(BaseModel):
    # a key the API does not know is refused by name (« body.payload : Champ inconnu »), not
    # ignored: a client sending the fire shape here got every identification field « obligatoire »
    # (tryout 4, G13)
    model_config = ConfigDict(extra="forbid")

    identification: dict[str, Any] = Field(
        default_factory=dict, description=N_("Champs du formulaire d'identification de la POS")
    )
    sop: str | None = Field(
        default=None, max_length=64, examples=["mnr_bf"],
        description=N_("Identifiant de la POS du dossier, quand le serveur en a plusieurs ; par défaut "
                       "la première POS chargée. Une POS inconnue : 422 sop_unknown, dont le message "
                       "nomme les POS enregistrées (titre et identifiant)."),
    )


class FireRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")  # as NewCase: an unknown key is named, not ignored

    trigger: str = Field(max_length=64)
    instance: str | None = Field(
        default=None, max_length=130, description=N_("Instance d'étape, p. ex. referral:medical")
    )
    payload: dict[str, Any] = Field(
        default_factory=dict,
        description=N_("Données du formulaire de l'action : un objet champ → valeur pour une action à "
                       "un formulaire (form: a) ; un objet par formulaire (formulaire → champ → valeur) "
                       "pour une action à plusieurs formulaires (form: [a, b]) — en cas d'erreur (422 "
                       "form_invalid), « forms » donne les erreurs par formulaire."),
        examples=[{"provider": "org-masn", "priority": "normal"},
                  {"referral": {"provider": "org-masn"}, "appointment": {"appointment_date": "2025-06-10"}}],
    )
    expected_version: int | None = Field(default=None, ge=1, le=2_000_000_000)
    prefill: bool = Field(default=True, description=N_("Compléter les champs absents du formulaire avec "
                                                    "les données du signalement (dossier ouvert par un "
                                                    "premier intervenant) ; un champ envoyé, même vide, "
                                                    "est gardé."))
