"""REST API of first responders' alerts: ``POST /api/v1/alerts`` (file an alert: the SOP entry's
form, e.g. ``{"alert": {...}}``; ``Idempotency-Key`` honoured) and ``GET /api/v1/alerts`` (the
caller's alerts: reference, dates, region, status, and for a closed alert its ``closure``: reason,
date, role of who closed it — nothing else of the case). Same rules as
the pages (:mod:`.access` permission ``alerts``) and the engine (:mod:`..engine.alerts`);
errors are the API's ``ErrorBody`` (422 ``form_invalid`` with ``errors`` per field).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel, Field

from ..engine import sop_choice
from ..engine.alert_outcome import sentence as closure_sentence
from ..engine.alerts import alerts_of, file_alert, status_label
from ..engine.opening import IdempotencyKeyInvalid
from ..i18n import N_
from ..store.models import User
from . import access, sop_pick
from .core import Web


class NewAlert(BaseModel):
    alert: dict[str, Any] = Field(default_factory=dict,
                                  description=N_("Champs du formulaire de signalement de la POS "
                                              "(nom ou description, sexe, âge, région, lieu, moyens "
                                              "de contact, accord de la personne…)"))
    sop: str | None = Field(default=None, max_length=64, examples=["mnr_bf"],
                            description=N_("Identifiant de la POS du signalement, quand le serveur en a "
                                           "plusieurs ; par défaut la première POS chargée. Une POS "
                                           "inconnue : 422 sop_unknown, dont le message nomme les POS "
                                           "enregistrées (titre et identifiant)."))


class FiledAlert(BaseModel):
    reference: str
    version: int
    status: Literal["received"] = "received"
    replayed: bool = Field(default=False, description=N_("Vrai quand une reprise (même Idempotency-Key) "
                                                       "rend le signalement déjà transmis"))


class AlertClosure(BaseModel):
    kind: Literal["closed", "screened_out"] = Field(
        description=N_("closed : signalement clos ; screened_out : déclaré non éligible à l'identification"))
    reason: str | None = Field(default=None, description=N_("Code du motif (liste d'options de la POS)"))
    reason_label: str = ""
    at: datetime
    by_role: str = Field(description=N_("Rôle de la personne qui l'a clos (jamais son nom)"))
    by_role_label: str = ""
    text: str = Field(default="", description=N_("La clôture en une phrase, dans la langue demandée"))


class AlertItem(BaseModel):
    reference: str
    filed_at: datetime
    region: str | None = None
    region_label: str = ""
    status: str = Field(description=N_("État de l'étape d'entrée : received, taken_up, closed"))
    status_label: str = ""
    status_at: datetime = Field(description=N_("Depuis quand (entrée dans cet état)"))
    organisation: str | None = None
    closure: AlertClosure | None = Field(default=None, description=N_("Pourquoi, quand et par quel rôle "
                                                                  "le signalement a été clos (sinon null)"))


class AlertList(BaseModel):
    items: list[AlertItem]


def add_alert_routes(api: FastAPI, web: Web, current_user, ApiError, error_responses, lang_of) -> None:  # noqa: N803
    """Add ``/alerts`` (POST ``fileAlert``, GET ``listAlerts``) to ``api``."""
    wf = web.wf

    @api.post("/alerts", status_code=201, response_model=FiledAlert, operation_id="fileAlert",
              tags=["alerts"], responses=error_responses(401, 403, 404, 409, 422),
              summary=N_("Transmettre un signalement (premier intervenant)"),
              description=N_("Ouvre un dossier par l'entrée de la POS du rôle de l'appelant et le confie à "
                             "un gestionnaire de cas de la région. Avec un en-tête ``Idempotency-Key`` (1 à "
                             "100 caractères), une reprise avec la même clé rend le même signalement "
                             "(``replayed`` : true)."))
    def file(body: NewAlert, request: Request, user: User = Depends(current_user)):
        """Open a case through the SOP entry of the caller's role and give it to a case manager
        of the region. With an ``Idempotency-Key`` header (1–100 characters), a retry with the
        same key returns the same alert (``replayed``: true)."""
        access.require(user, "alerts")
        with wf.sessions() as s:  # another registered SOP by its id; unknown: 422 sop_unknown
            sop_id = sop_choice.find(sop_choice.registered(s, wf.registry), body.sop).sop_id \
                if body.sop else web.sop_id(s)
        try:
            filed = file_alert(wf, sop_id, access.actor_for(user), body.alert,
                               idempotency_key=request.headers.get("idempotency-key"))
        except IdempotencyKeyInvalid:
            raise ApiError(422, "idempotency_key_invalid",
                           "En-tête Idempotency-Key : 1 à 100 caractères.") from None
        return {"reference": filed.reference, "version": filed.version, "replayed": filed.replayed}

    @api.get("/alerts", response_model=AlertList, operation_id="listAlerts", tags=["alerts"],
             responses=error_responses(401, 403), summary=N_("Mes signalements et leur statut"))
    def listing(request: Request, user: User = Depends(current_user)):
        access.require(user, "alerts")
        lang = lang_of(request, user)
        with wf.sessions() as s:
            sops = sop_pick.RowSops(web, s, sop_pick.own(web, s, user))

            def item(a, sop):  # in the words of the alert's own case's SOP (a server may run several)
                regions = sop.options.get("region", {})
                entry = a.entry or next(iter(sop.entries), "")
                return {**a.as_dict(), "filed_at": a.filed_at, "status_at": a.status_at,
                        "status_label": status_label(sop, entry, a.status, lang),
                        "region_label": sop.label(regions.get(a.region or ""), lang),
                        "closure": None if a.closure is None else {
                            **a.closure.as_dict(sop, lang), "at": a.closure.at,
                            "text": closure_sentence(sop, a.closure, lang)}}
            items = [item(a, sops.sop(a.sop_version)) for a in alerts_of(wf, s, user.id)]
        return {"items": items}
