"""The API's case tools — extend a deadline, reassign cases, reopen a closed case, correct a step's
state, erase the person's data (``/api/v1/cases/...``) — with their request bodies; the rules are
:mod:`.casetools`', shared with the case page. A ``FormInvalid`` from them is the 422 of
:func:`.api.build_api`'s handler."""

from __future__ import annotations

from contextlib import contextmanager

from fastapi import Depends, FastAPI
from pydantic import BaseModel, ConfigDict, Field

from ..engine.errors import StaleVersion
from ..i18n import N_
from ..store import repository
from ..store.models import User
from . import api_models as M
from . import casetools
from .core import Web


class ExtendRequest(BaseModel):
    by: str = Field(max_length=40, description=N_("Durée, p. ex. « 3 jours ouvrés », « 48 heures », "
                                               "« 5 working days »"))
    reason: str = Field(max_length=1000, description=N_("Motif (obligatoire)"))
    expected_version: int | None = Field(default=None, ge=1, le=2_000_000_000)
    from_due: bool = Field(default=False, description=N_("Compter depuis l'échéance actuelle plutôt que "
                                                      "depuis maintenant (délai dépassé)"))


class ReopenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt key is named, not ignored (M1)

    reason: str = Field(max_length=1000, description=N_("Motif (obligatoire)"))
    expected_version: int | None = Field(default=None, ge=1, le=2_000_000_000)
    risk_level: str | None = Field(default=None, max_length=64, description=(
        N_("Niveau de risque du premier suivi (POS BF) : obligatoire quand le dossier n'en a pas "
        "(clos à l'identification), sinon le dernier connu s'applique")))


class CorrectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt key is named, not ignored (M1)

    instance: str = Field(max_length=130, description=N_("Instance d'étape, p. ex. referral:medical"))
    state: str = Field(max_length=64, description=N_("Nouvel état de l'étape (identifiant de la POS)"))
    reason: str = Field(max_length=1000, description=N_("Motif (obligatoire)"))
    expected_version: int | None = Field(default=None, ge=1, le=2_000_000_000)


class EraseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt key is named, not ignored (M1)

    reason: str = Field(max_length=1000, description=N_("Motif (obligatoire, audité), p. ex. demande écrite "
                                                     "de la personne du …"))
    expected_version: int | None = Field(default=None, ge=1, le=2_000_000_000)


class Erased(BaseModel):
    reference: str
    version: int
    erased: int = Field(description=N_("Nombre de valeurs remplacées par une marque d'effacement"))


class ReassignRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt key is named, not ignored (M1)

    references: list[str] = Field(max_length=200, description=N_("Références des dossiers"))
    assignee: str = Field(max_length=100, description=N_("Identifiant du gestionnaire de cas"))
    reason: str = Field(max_length=1000, description=N_("Motif (obligatoire)"))


@contextmanager
def _kept(body: BaseModel):
    """A 409 ``stale_version`` of a case tool echoes what was sent (without ``expected_version``),
    as ``fireTrigger`` does, so a client can show it and send it again (tryout 5, H25)."""
    try:
        yield
    except StaleVersion as e:
        e.details["payload"] = body.model_dump(exclude={"expected_version"})
        raise


def add_casetool_routes(api: FastAPI, web: Web, current_user, error_responses) -> None:
    """Add the five case-tool routes to ``api`` (``current_user``: the bearer dependency)."""
    wf = web.wf
    _error_responses = error_responses

    @api.post(
        "/cases/{reference}/deadlines/{instance}/extend",
        response_model=M.Extended,
        operation_id="extendDeadline",
        tags=["cases"],
        responses=_error_responses(401, 403, 404, 409, 422),
        summary=N_("Prolonger le délai en cours d'une étape (durée et motif ; audité)"),
    )
    def extend_deadline(
        reference: str, instance: str, body: ExtendRequest,
        user: User = Depends(current_user),
    ):
        with _kept(body):
            due = casetools.extend(
                web, user, reference, instance, body.by, body.reason, body.expected_version,
                from_due=body.from_due,
            )
        with wf.sessions() as s:
            case = repository.get_case(s, reference[:40].upper())
            return {
                "reference": case.reference,
                "instance": instance,
                "due_at": due.isoformat(),
                "version": case.version,
            }

    @api.post(
        "/cases/reassign",
        response_model=M.Reassigned,
        operation_id="reassignCases",
        tags=["cases"],
        responses=_error_responses(401, 403, 404, 409, 422),
        summary=N_("Réattribuer des dossiers à un gestionnaire de cas (motif ; tout ou rien ; audité)"),
    )
    def reassign(body: ReassignRequest, user: User = Depends(current_user)):
        changed = casetools.reassign(web, user, body.references, body.assignee, body.reason)
        return {"changed": changed, "assignee": body.assignee}

    @api.post(
        "/cases/{reference}/reopen",
        response_model=M.Reopened,
        operation_id="reopenCase",
        tags=["cases"],
        responses=_error_responses(401, 403, 404, 409, 422),
        summary=N_("Rouvrir un dossier clos (motif ; rôles de la POS ; audité)"),
    )
    def reopen(reference: str, body: ReopenRequest, user: User = Depends(current_user)):
        with _kept(body):
            r = casetools.reopen(web, user, reference, body.reason, body.expected_version,
                                 {"risk_level": body.risk_level} if body.risk_level else None)
        return {"reference": r.reference, "version": r.version, "started": r.started}

    @api.post(
        "/cases/{reference}/correct",
        response_model=M.Corrected,
        operation_id="correctCase",
        tags=["cases"],
        responses=_error_responses(401, 403, 404, 409, 422),
        summary=N_("Corriger l'état d'une étape (coordination ; motif ; audité avant/après)"),
        description=N_(
            "La coordination met une instance d'étape dans un autre état de son étape (un mauvais clic,"
            " une erreur de saisie) : l'ancien délai est annulé, celui du nouvel état armé, son "
            "responsable prévenu, les règles du flux s'appliquent ; un événement d'audit garde le "
            "motif, l'état et l'échéance avant et après. 422 sans motif ou pour un état que l'étape n'a"
            " pas (le nom le plus proche est donné) ; 422 ``state_needs_data`` pour un état dont le "
            "dossier n'a pas les données (un consentement « donné » sans son formulaire) : ``missing`` "
            "nomme les actions qui les enregistrent."),
    )
    def correct(reference: str, body: CorrectRequest, user: User = Depends(current_user)):
        """The coordination puts a step instance in another state of its step (a wrong click, a
        data-entry mistake): the old deadline is cancelled, the new state's armed, its owner told,
        the flow rules run; one audit event keeps the reason and the state and due instant before
        and after. 422 without a reason or for a state the step lacks (closest name given); 422
        ``state_needs_data`` for a state whose data the case lacks (``missing``: the actions)."""
        with _kept(body):
            r = casetools.correct(web, user, reference, body.instance, body.state, body.reason,
                                  body.expected_version)
        return {"reference": r["reference"], "instance": r["instance"], "before": r["before"],
                "after": r["after"], "version": r["version"]}

    @api.post(
        "/cases/{reference}/erase",
        response_model=Erased,
        operation_id="eraseCase",
        tags=["cases"],
        responses=_error_responses(401, 403, 404, 409, 422),
        summary=N_("Effacer les données de la personne à sa demande (dossier clos ; motif ; rôles de "
                   "retention.erase_by ; audité)"),
        description=N_(
            "Comme « mno case erase » : les champs personnels, sensibles et de texte libre du dossier, "
            "de ses étapes et de son journal d'audit sont remplacés par une marque d'effacement ; "
            "``erased`` compte les valeurs remplacées (0 : rien de plus à effacer). 403 pour un rôle "
            "hors de ``retention.erase_by`` (les rôles autorisés sont nommés) ; 409 ``case_open`` "
            "pour un dossier encore ouvert (le message dit comment le clôturer) ; 422 sans motif."),
    )
    def erase(reference: str, body: EraseRequest, user: User = Depends(current_user)):
        """The person's data erased at their request, by the rule of ``mno case erase`` (tryout 9, L6)."""
        with _kept(body):
            n = casetools.erase(web, user, reference, body.reason, body.expected_version)
        with wf.sessions() as s:
            case = repository.get_case(s, reference[:40].upper())
            return {"reference": case.reference, "version": case.version, "erased": n}
