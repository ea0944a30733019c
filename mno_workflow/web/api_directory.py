"""REST API of the service directory and the aggregates: ``GET /api/v1/directory`` (services
matching a need and a region, the focal points' accounts only for the roles that may read them,
each such read in the access log) and ``GET /api/v1/stats`` (counts without names, small cells
suppressed; a supervisor's are their region's). Same rules as the pages (:mod:`.access`); split
from :mod:`.api`.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI, Query, Request

from .. import directory
from ..i18n import N_
from ..store.models import User
from . import access
from . import api_models as M
from .core import Web


def add_directory_routes(api: FastAPI, web: Web, current_user, ApiError, _error_responses,  # noqa: N803
                         lang_of) -> None:
    """Add ``/directory`` (``searchDirectory``) and ``/stats`` (``getStats``) to ``api``."""
    wf = web.wf

    # -- directory --------------------------------------------------------------------------------------
    @api.get(
        "/directory",
        response_model=M.ServiceList,
        operation_id="searchDirectory",
        tags=["directory"],
        responses=_error_responses(401, 403, 422),
        summary=N_("Services correspondant à un besoin et une région"),
    )
    def directory_search(
        request: Request,
        need: str = Query(max_length=64),
        region: str = Query(max_length=64),
        limit: int = Query(10, ge=1, le=50),
        sop: str | None = Query(None, max_length=64, description=N_(
            "Identifiant de la POS du dossier à orienter : ses régions et ses besoins sont ceux de la "
            "recherche, son pays marque les organisations à l'étranger (abroad) ; par défaut celle du "
            "compte, sinon la seule POS chargée. Une POS inconnue : 422 sop_unknown ; plusieurs POS "
            "chargées et un compte de toutes les POS : 422 sop_ambiguous.")),
        user: User = Depends(current_user),
    ):
        access.require(user, "directory")
        from ..directory.need_check import abroad, abroad_help, abroad_mark
        from ..engine import sop_choice
        from ..engine.errors import Message
        from . import sop_pick
        lang = lang_of(request, user)
        with wf.sessions() as s:  # the regions and needs of the SOP searched for (tryout 8, K6)
            chosen = sop_choice.for_directory(s, wf.registry, sop, getattr(user, "sop_id", None) or None,
                                              hint=Message.t("précisez ?sop=ID."))
            model = chosen.sop if chosen is not None else sop_pick.own(web, s, user).sop
            try:
                found = directory.match(s, need, region, limit=limit,
                                        sop=chosen.sop if chosen is not None else None)
            except directory.MatchError as e:
                raise ApiError(422, "match_invalid", e.args[0] if e.args else "") from None
            away = abroad(s, model, {c.organization_id for c in found})  # a transfer abroad (I4)
            items = [{**c.as_dict(), "abroad": {
                "countries": away[c.organization_id], "label": abroad_mark(away[c.organization_id], lang),
                "help": abroad_help(lang)} if c.organization_id in away else None} for c in found]
        if not access.can(user, "directory_contacts"):  # focal point: a staff account (public.py)
            for item in items:
                item["focal_point_user_id"] = None
        else:  # the focal points' accounts were disclosed: one access-log row (contacts_log.py)
            from .contacts_log import log_contacts_read

            with wf.sessions.begin() as s:
                log_contacts_read(s, user.id, user.role, "api.directory", "/api/v1/directory",
                                  [i["focal_point_user_id"] for i in items], len(items), web.now(),
                                  {"need": need, "region": region, "limit": limit})
        return {"items": items}

    # -- aggregates -------------------------------------------------------------------------------------
    @api.get("/stats", response_model=M.Stats, operation_id="getStats", tags=["stats"],
             responses=_error_responses(401, 403, 422), summary=N_("Agrégats sans noms (suivi-évaluation)"))
    def stats(user: User = Depends(current_user),
              sop: str | None = Query(None, max_length=64, description=N_(
                  "Identifiant de la POS, quand le serveur en a plusieurs ; par défaut celle du tableau "
                  "de bord (la seule avec indicators:, sinon la première chargée). Une POS inconnue : "
                  "422 sop_unknown."))):
        access.require(user, "dashboard")
        from ..engine import sop_choice
        from . import ops_stats

        mine = getattr(user, "sop_id", None) or None
        if mine is not None and sop not in (None, mine):  # an account of one SOP: its own only (K4)
            raise access.NotVisible()
        with wf.sessions() as s:  # chosen as the dashboard chooses (engine/sop_choice.py)
            sop = sop_choice.for_pages(s, wf.registry, mine or sop, web.sop_id(s)).sop
            d = ops_stats.dashboard_counts(s, web.now(), user.region if user.role == "supervisor" else None,
                                           sop_id=sop.sop)  # this SOP's cases only (tryout 4, G12)
            k = ops_stats.threshold_of(sop)
        return ops_stats.api_body(ops_stats.protect(d, k))
