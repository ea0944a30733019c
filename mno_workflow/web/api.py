"""REST API ``/api/v1`` (OpenAPI at ``/api/v1/openapi.json``), bearer tokens, same access rules as
the pages (:mod:`.access`).

Errors are JSON ``{"code", "message", ...}`` (:class:`.api_models.ErrorBody`, message in the
request's ``Accept-Language``) with the engine's codes: 401 no or bad token, 403 role or scope, 404
unknown or not visible, 409 ``stale_version`` (with ``current_version`` and the ``payload``
echoed) or ``trigger_not_allowed``, 422 ``form_invalid``/``request_invalid`` with ``errors`` per
field. Every response has its model in the OpenAPI document (:mod:`.api_models`); operation ids are
chosen by hand and are part of the contract (docs/api.md). Routes by area: here cases;
:mod:`.api_directory` (directory search, aggregates), :mod:`.api_auth`, :mod:`.api_alerts`,
:mod:`.api_files` (attachments, notes), :mod:`.api_casetools` (extend, reassign, reopen, correct),
:mod:`.api_referrals` (the inbox).
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import logs
from ..engine import erasure_words, sop_choice
from ..engine.errors import EngineError, FormInvalid
from ..engine.opening import IdempotencyKeyInvalid, open_case
from ..engine.prefill import complete as complete_payload
from ..engine.prefill import transition_of
from ..i18n import N_, norm_lang
from ..sop.diagnostics import text_in
from ..store import repository
from ..store.models import Case, User
from ..views import case_as_dict, dues_of
from . import access, case_files, queries, tokens, worklists
from . import api_models as M
from .api_alerts import add_alert_routes
from .api_auth import add_auth_routes
from .api_bodies import FireRequest, NewCase
from .api_casetools import add_casetool_routes
from .api_directory import add_directory_routes
from .api_files import add_file_routes
from .api_prefill import add_prefill_routes
from .api_referrals import _referral_dict, add_referral_routes  # noqa: F401  (re-exported)
from .core import Web
from .openapi_lang import Documents, add_document_route

bearer = HTTPBearer(auto_error=False, description=N_("Jeton obtenu par POST /api/v1/auth/token"))


class ApiError(Exception):
    """An API error: HTTP ``status``, stable ``code``; the message comes from
    :data:`.api_models.TEXTS` in the request's language (``message`` when the code has none)."""

    def __init__(self, status: int, code: str, message: str = "", *, text: str | None = None, **extra: Any):
        self.status, self.code, self.message, self.extra = status, code, message, extra
        self.text = text or code  # the key of the message in api_models.TEXTS


_error_responses = M.error_responses


def build_api(web: Web) -> FastAPI:
    wf = web.wf
    api = FastAPI(
        title="MNO Workflow API",
        version="1",
        openapi_url=None,  # served below, in the reader's language (web/openapi_lang.py)
        docs_url=None,
        redoc_url=None,
        description=N_("Dossiers, actions, référencements et répertoire. "
        "Authentification : `Authorization: Bearer <jeton>`. Erreurs : toujours `ErrorBody` "
        "(`code`, `message` dans la langue de `Accept-Language`, `errors` par champ). "
        "Règles de version : docs/api.md."),
        openapi_tags=M.TAGS,
    )

    add_document_route(api, Documents(api.openapi))

    @api.exception_handler(ApiError)
    async def _api_error(request: Request, e: ApiError):
        lang = _lang(request)  # a catalogue message (said_fr) in the request's language
        message = M.text(e.text, lang, text_in(e.message, lang))
        return JSONResponse({"code": e.code, "message": message, **e.extra}, status_code=e.status)

    @api.exception_handler(EngineError)
    async def _engine_error(request: Request, e: EngineError):
        lang = _lang(request)
        body = e.as_dict(lang)
        return JSONResponse(body, status_code=e.http_status)

    @api.exception_handler(FormInvalid)
    async def _form_invalid(request: Request, e: FormInvalid):
        """422 ``form_invalid`` with one message per field, in the request's Accept-Language or else
        the signed-in user's language (set by ``current_user``)."""
        lang = _lang(request) if request.headers.get("accept-language") else \
            getattr(request.state, "user_lang", _lang(request))
        return JSONResponse(e.as_dict(lang), status_code=422)

    @api.exception_handler(access.Forbidden)
    async def _forbidden(r: Request, _e: Exception):
        return JSONResponse({"code": "forbidden", "message": M.text("forbidden", _lang(r))}, status_code=403)

    @api.exception_handler(access.NotVisible)
    async def _not_visible(r: Request, _e: Exception):
        return JSONResponse({"code": "not_found", "message": M.text("not_found", _lang(r))}, status_code=404)

    @api.exception_handler(StarletteHTTPException)
    async def _http(r: Request, e: StarletteHTTPException):
        code = f"http_{e.status_code}"
        return JSONResponse(
            {"code": code, "message": M.text(code, _lang(r), str(e.detail))},
            status_code=e.status_code,
            headers=getattr(e, "headers", None),
        )

    @api.exception_handler(RequestValidationError)
    async def _invalid(r: Request, e: RequestValidationError):
        lang = _lang(r)
        errors = {}
        for err in e.errors():
            msg = err.get("msg", "")
            loc = [str(p) for p in err.get("loc", ())]
            if err.get("type") == "json_invalid":  # the body, not « body.11 » (a character offset)
                from ..i18n import gettext
                where = loc[1] if len(loc) > 1 else "?"
                errors["body"] = gettext("JSON invalide (caractère {position})", lang, position=where)
                continue
            errors[".".join(loc)] = M.field_error(err.get("type", ""), msg, lang)
        return JSONResponse(
            {"code": "request_invalid", "message": request_invalid_text(errors, lang), "errors": errors},
            status_code=422,
        )

    @api.exception_handler(Exception)
    async def _crash(r: Request, _e: Exception):
        body = {"code": "server_error", "message": M.text("server_error", _lang(r))}
        return JSONResponse(body, status_code=500)

    def current_user(request: Request, creds: HTTPAuthorizationCredentials | None = Depends(bearer)) -> User:
        if creds is None or creds.scheme.lower() != "bearer" or not creds.credentials:
            raise ApiError(401, "unauthenticated", "Jeton d'accès requis (Authorization: Bearer).")
        found = tokens.check(wf.sessions, creds.credentials[:200])
        if found is None:
            raise ApiError(401, "unauthenticated", "Jeton invalide, expiré ou révoqué.", text="token_invalid")
        user, row = found
        if (row.scope == "read" and request.method not in ("GET", "HEAD")
                and "/auth/" not in request.url.path):
            raise ApiError(403, "token_scope", "Jeton en lecture seule : cette requête modifie des données.")
        request.state.token_id = row.id
        request.state.user_lang = _lang_user(user)  # a 422 form_invalid speaks it (_form_invalid)
        logs.user_id.set(user.id)
        return user

    # -- auth (token issue, list, revoke) ------------------------------------------------------------
    add_auth_routes(api, web, current_user, ApiError, _error_responses)
    add_alert_routes(api, web, current_user, ApiError, _error_responses, _lang_req)  # first responders
    add_prefill_routes(api, web, current_user, _error_responses)  # an alert's values in later forms
    add_file_routes(api, web, current_user, ApiError, _error_responses)  # attachments, notes (issue 18)

    @api.get("/me", response_model=M.Me, operation_id="getMe", tags=["auth"],
             responses=_error_responses(401), summary=N_("L'utilisateur du jeton"))
    def me(user: User = Depends(current_user)):
        return {
            "id": user.id,
            "name": user.display_name,
            "role": user.role,
            "organisation": user.organisation,
            "region": user.region,
            "language": user.language,
            "sop": user.sop_id or None,
        }

    # -- cases ----------------------------------------------------------------------------------------
    @api.get("/cases", response_model=M.CaseList, operation_id="listCases", tags=["cases"],
             responses=_error_responses(401, 403), summary=N_("Dossiers visibles (recherche, filtres)"))
    def list_cases(
        request: Request,
        user: User = Depends(current_user),
        search: str | None = Query(None, max_length=100),
        region: str | None = Query(None, max_length=64),
        step: str | None = Query(None, max_length=64),
        state: str | None = Query(None, max_length=64),
        overdue: bool = False,
        limit: int = Query(50, ge=1, le=200),
        offset: int = Query(0, ge=0, le=1_000_000),
        before: str | None = Query(None, max_length=40, description=N_("Plus anciens que cette référence")),
        after: str | None = Query(None, max_length=40, description=N_("Plus récents que cette référence")),
    ):
        access.require(user, "cases")
        with wf.sessions() as s:
            from ..user_checks import known_regions, region_problem
            if region and (problem := region_problem(region, known_regions(s, wf.registry))) is not None:
                lang = _lang_req(request, user)  # named with the known codes, not « no case » (G18)
                errors = {"query.region": problem.text(lang)}
                return JSONResponse({"code": "request_invalid", "message": request_invalid_text(errors, lang),
                                     "errors": errors}, status_code=422)
            listed = worklists.case_page(
                s,
                access.case_clause(user),
                search=search,
                region=region,
                step=step,
                state=state,
                overdue_before=web.now() if overdue else None,
                before=before,
                after=after,
                limit=limit,
                offset=0 if before or after else offset,
            )
            rows = listed.cases
            out = {"total": listed.total, "items": [_case_summary(c) for c in rows],
                   "total_capped": listed.capped, "next_before": listed.older, "prev_after": listed.newer}
            queries.log_views(s, user, [c.reference for c in rows], "api", web.now())
            s.commit()
            return out

    @api.post(
        "/cases",
        status_code=201,
        response_model=M.CreatedCase,
        operation_id="createCase",
        tags=["cases"],
        responses=_error_responses(401, 403, 404, 409, 422),
        summary=N_("Ouvrir un dossier avec sa fiche d'identification"),
        description=N_(
            "Ouvre et enregistre en une transaction. Avec un en-tête ``Idempotency-Key`` (1 à 100 "
            "caractères), une reprise avec la même clé rend le même dossier (``replayed`` : true)."),
    )
    def create_case(body: NewCase, request: Request, user: User = Depends(current_user)):
        """Create and register in one transaction. With an ``Idempotency-Key`` header (1–100
        characters), a retry with the same key returns the same case (``replayed``: true)."""
        access.require(user, "create_case")
        with wf.sessions() as s:
            # another registered SOP by its id; unknown: 422 sop_unknown naming the registered ones;
            # without it, the SOP the account works in (users.sop_id), else the server's first
            sop_id = sop_choice.find(sop_choice.registered(s, wf.registry), body.sop).sop_id \
                if body.sop else (user.sop_id or web.sop_id(s))
        key = request.headers.get("idempotency-key")
        try:
            opened = open_case(wf, sop_id, access.actor_for(user), body.identification,
                               idempotency_key=key)
        except IdempotencyKeyInvalid:
            raise ApiError(422, "idempotency_key_invalid",
                           "En-tête Idempotency-Key : 1 à 100 caractères.") from None
        return {"reference": opened.reference, "version": opened.version, "replayed": opened.replayed}

    @api.get("/cases/{reference}", response_model=M.CaseDetail, operation_id="getCase", tags=["cases"],
             responses=_error_responses(401, 403, 404), summary=N_("Un dossier"))
    def get_case(reference: str, request: Request, user: User = Depends(current_user)):
        access.require(user, "cases")
        with wf.sessions.begin() as s:
            case = access.require_case(user, repository.get_case(s, reference[:40].upper()))
            queries.log_view(s, user, case, "api", web.now())
            sop = web.compiled_for(case).sop
            from ..directory import organisations_off_platform
            off = organisations_off_platform(s, [i.recipient for i in case.instances], sop_id=sop.sop)
            out = case_as_dict(case, sop, repository.trail(s, case), off, dues_of(s, case))
            erased = erasure_words.erasure_of(s, case)  # when and why the data were erased (F31)
            out["erasure"] = erasure_words.as_dict(erased, _lang_req(request, user), sop.calendar.timezone)
            return out

    @api.post(
        "/cases/{reference}/fire",
        response_model=M.FireResult,
        operation_id="fireTrigger",
        tags=["cases"],
        responses=_error_responses(401, 403, 404, 409, 422),
        summary=N_("Déclencher une action (avec formulaire et version attendue)"),
    )
    def fire(reference: str, body: FireRequest, request: Request, user: User = Depends(current_user)):
        with wf.sessions() as s:
            case = case_files.case_of(s, reference)
            sop = web.compiled_for(case).sop
            if user.role == "provider":
                if not access.referrals_in_reach(user, sop, case, body.instance):
                    raise access.NotVisible()
            else:
                access.require(user, "cases")
                access.require_case(user, case)
            payload, prefilled = body.payload, {}
            tr = transition_of(sop, case, body.trigger, user.role, body.instance) if body.prefill else None
            if tr is not None:  # a case opened by an alert: the same pre-fill as the page (engine/prefill.py)
                payload, prefilled = complete_payload(sop, case, tr, body.payload)
        r = wf.fire(
            reference[:40].upper(),
            body.trigger,
            access.actor_for(user),
            payload,
            instance=body.instance,
            expected_version=body.expected_version,
        )
        return {
            "reference": r.reference,
            "step": r.step,
            "instance": f"{r.step}:{r.instance}",
            "trigger": r.trigger,
            "from": r.from_state,
            "to": r.to_state,
            "version": r.version,
            "started": r.started,
            "case_closed": r.case_closed,
            "prefilled": prefilled,
            "warnings": _fire_warnings(wf, sop, r, user, _lang_req(request, user)),
        }

    # -- case tools (api_casetools.py) and referrals (api_referrals.py) ---------------------------------
    add_casetool_routes(api, web, current_user, _error_responses)
    add_referral_routes(api, web, current_user, _error_responses)

    # -- directory and aggregates (api_directory.py) ----------------------------------------------------
    add_directory_routes(api, web, current_user, ApiError, _error_responses, _lang_req)

    return api


def _fire_warnings(wf, sop, r, user: User, lang: str) -> list[str]:
    """What the case page says after the same action (directory/need_check.py), for a sender
    (never a provider's answer)."""
    if user.role == "provider":
        return []
    from ..directory.need_check import warnings_after_fire
    return warnings_after_fire(wf.sessions, sop, r.reference, r.step, r.instance, r.trigger,
                               r.from_state, lang, r.region_from)


def request_invalid_text(errors: dict[str, str], lang: str) -> str:
    """« Requête invalide — Motif : ce champ est obligatoire » : the request's field errors in one
    sentence, as a form's 422 says them (:class:`~mno_workflow.engine.errors.FormInvalid`), each
    field by its name when the application names it (``body.reason`` → « Motif »), else its key."""
    from ..engine.errors import ACTION_FIELDS, FieldErrors, Message
    from ..i18n import gettext
    if not errors:
        return M.text("request_invalid", lang)
    last = {k: k.rpartition(".")[2] for k in errors}  # a parameter's name, not its place (query.limit)
    labels = {k: Message.t(ACTION_FIELDS[n]) if n in ACTION_FIELDS else Message(fr=n, en=n)
              for k, n in last.items() if n}
    said = FieldErrors(tuple((k, Message(fr=v, en=v)) for k, v in errors.items()), tuple(labels.items()))
    return gettext("Requête invalide — {errors}", lang, errors=said.text(lang))


def _lang(request: Request) -> str:
    return M.lang_of(request.headers.get("accept-language"))


def _lang_req(request: Request, user: User) -> str:
    """The request's Accept-Language when it names one, else the user's language."""
    return _lang(request) if request.headers.get("accept-language") else _lang_user(user)


def _lang_user(user: User) -> str:
    return norm_lang(user.language)  # a language with a catalogue, else French


def _case_summary(c: Case) -> dict[str, Any]:
    return {
        "reference": c.reference,
        "status": c.status,
        "version": c.version,
        "name": c.display_name,
        "region": c.region,
        "assignee": c.assignee,
        "updated_at": c.updated_at.isoformat(),
        "open_steps": [{"instance": i.label_key, "state": i.state} for i in c.instances if not i.final],
    }
