"""The API's authentication routes: ``POST /auth/token`` (throttled login → a named, scoped token
with an expiry), ``GET /auth/tokens`` (my tokens), ``DELETE /auth/tokens/{id}`` and
``DELETE /auth/token`` (revoke one of mine / the one in use)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from ..i18n import N_
from ..store.models import User
from . import throttle, tokens
from .core import Web
from .security import wall_now


class TokenRequest(BaseModel):
    username: str = Field(max_length=100)
    password: str = Field(max_length=1000)
    label: str = Field(default="api", max_length=100, description=N_("Nom du jeton (p. ex. le script)"))
    scope: Literal["read", "write"] = Field(
        default="write", description=N_("read : lecture seule (GET) ; write : lecture et écriture"))
    expires_in_days: int = Field(default=30, ge=1, le=365, description=N_("Durée de validité (jours)"))


class TokenResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"token": "mno_3q2…", "id": 1, "label": "api", "scope": "write",
         "expires_at": "2025-07-02T10:00:00Z", "user": "mariam.kabore", "role": "caseworker"}]})

    token: str
    id: int
    label: str
    scope: str
    expires_at: datetime | None
    user: str
    role: str


class TokenInfo(BaseModel):
    """A token without its value (``state``: active, expired or revoked; times ISO 8601 UTC)."""

    model_config = ConfigDict(json_schema_extra={"description": N_(
        "Un jeton sans sa valeur (``state`` : active, expired ou revoked ; heures ISO 8601 UTC).")})

    id: int
    user: str
    label: str
    scope: str
    state: Literal["active", "expired", "revoked"]
    created_at: str | None
    expires_at: str | None
    last_used_at: str | None
    revoked_at: str | None


class TokenList(BaseModel):
    items: list[TokenInfo]


class TokenRevoked(BaseModel):
    id: int
    state: Literal["revoked"]


def client_ip(request: Request) -> str:
    """The client's address (the real one behind a proxy started with ``--proxy-headers``)."""
    return request.client.host if request.client else "-"


def add_auth_routes(api: FastAPI, web: Web, current_user, ApiError, error_responses) -> None:  # noqa: N803
    wf = web.wf

    @api.post(
        "/auth/token",
        response_model=TokenResponse,
        operation_id="createToken",
        tags=["auth"],
        responses=error_responses(401, 429),
        summary=N_("Obtenir un jeton (identifiant et mot de passe ; nom, portée, durée)"),
    )
    async def token(body: TokenRequest, request: Request):
        ip = client_ip(request)
        # Throttled per (user name, client IP); a failure is committed although we answer 401.
        result = await throttle.attempt_async(wf.sessions, body.username, body.password, ip)
        if result.status == "locked":
            raise ApiError(429, "too_many_attempts", "Trop de tentatives. Réessayez dans 15 minutes.")
        if result.user is None:
            raise ApiError(401, "login_failed", "Identifiant ou mot de passe incorrect.")
        user = result.user

        def issue():
            with wf.sessions.begin() as s:
                tok, row = tokens.issue(s, user.id, wall_now(), label=body.label, scope=body.scope,
                                        lifetime=timedelta(days=body.expires_in_days))
                return TokenResponse(token=tok, id=row.id, label=row.label, scope=row.scope,
                                     expires_at=row.expires_at, user=user.id, role=user.role)

        return await run_in_threadpool(issue)

    @api.get("/auth/tokens", operation_id="listMyTokens", response_model=TokenList, tags=["auth"],
             responses=error_responses(401),
             summary=N_("Mes jetons (sans leur valeur)"))
    def my_tokens(user: User = Depends(current_user)):
        with wf.sessions() as s:
            return {"items": [tokens.as_dict(r) for r in tokens.listing(s, user.id)]}

    @api.delete("/auth/tokens/{token_id}", operation_id="revokeToken", response_model=TokenRevoked,
                tags=["auth"],
                responses=error_responses(401, 404),
                summary=N_("Révoquer un de mes jetons"))
    def revoke_token(token_id: int, user: User = Depends(current_user)):
        with wf.sessions.begin() as s:
            if not tokens.revoke(s, token_id, wall_now(), user_id=user.id):
                raise ApiError(404, "not_found", "Jeton introuvable.")
        return {"id": token_id, "state": "revoked"}

    @api.delete("/auth/token", operation_id="revokeCurrentToken", response_model=TokenRevoked, tags=["auth"],
                responses=error_responses(401), summary=N_("Révoquer le jeton utilisé"))
    def revoke_current(request: Request, user: User = Depends(current_user)):
        with wf.sessions.begin() as s:
            tokens.revoke(s, request.state.token_id, wall_now(), user_id=user.id)
        return {"id": request.state.token_id, "state": "revoked"}
