"""REST API of the pre-fill of a case opened by an alert: ``GET
/api/v1/cases/{reference}/prefill/{trigger}`` (``getPrefill``) — the values the form of an action
opens with, the same as the page's (:mod:`mno_workflow.engine.prefill`; ``fireTrigger`` completes
a payload's absent fields with them). Same access rules as ``getCase``.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI

from ..engine.prefill import prefill as prefill_values
from ..engine.prefill import transition_of
from ..i18n import N_
from ..store import repository
from ..store.models import User
from . import access
from . import api_models as M
from .core import Web


def add_prefill_routes(api: FastAPI, web: Web, current_user, error_responses) -> None:
    """Add ``GET /cases/{reference}/prefill/{trigger}`` to ``api``."""
    wf = web.wf
    _error_responses = error_responses

    @api.get(
        "/cases/{reference}/prefill/{trigger}",
        response_model=M.Prefill,
        operation_id="getPrefill",
        tags=["cases"],
        responses=_error_responses(401, 403, 404),
        summary=N_("Valeurs pré-remplies d'une action (dossier ouvert par un signalement)"),
        description=N_(
            "Les valeurs avec lesquelles le formulaire de ``trigger`` s'ouvre sur le dossier (le "
            "pré-remplissage de la page) : les données du signalement pour un dossier ouvert par un "
            "premier intervenant, ``{}`` sinon."),
    )
    def get_prefill(reference: str, trigger: str, instance: str | None = None,
                    user: User = Depends(current_user)):
        """The values the form of ``trigger`` opens with on the case (the page's pre-fill): the
        alert's data for a case opened by a first responder, ``{}`` otherwise."""
        access.require(user, "cases")
        with wf.sessions() as s:
            case = access.require_case(user, repository.get_case(s, reference[:40].upper()))
            sop = web.compiled_for(case).sop
            tr = transition_of(sop, case, trigger[:64], user.role, instance)
            forms = tr.forms if tr is not None else []
            return {"reference": case.reference, "trigger": trigger[:64],
                    "forms": {f: prefill_values(sop, case, f) for f in forms}}
