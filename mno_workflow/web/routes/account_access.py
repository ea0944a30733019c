"""API tokens and sessions on the web: each user lists, names, creates and revokes their own API
tokens and ends their sessions (``/mon-compte/acces``); the coordinator (administrator) sees every
user's open sessions and tokens (a coordinator tied to one SOP: its SOP's accounts only, J3) and
ends them, revokes them or deactivates the account (``/admin/acces``; a case manager who holds
open cases after a confirmation naming how many, with the link to their bulk reassignment) — the
pages of ``mno user tokens / revoke-token / end-sessions / deactivate``. Every change takes
effect at once (server-side sessions, token table)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from ...i18n import N_, gettext, ngettext
from ...store import repository
from ...store.models import User
from .. import access, tokens, websessions
from ..core import Web
from ..models import ApiToken, WebSession
from . import common

MAX_DAYS = tokens.MAX_LIFETIME.days
# a token's scope and state in the reader's words (the stored codes read / write, active… are the
# API's and the command line's)
TOKEN_WORDS = {"read": N_("lecture"), "write": N_("lecture et écriture"), "active": N_("actif"),
               "revoked": N_("révoqué"), "expired": N_("expiré")}


def token_word(code: str, lang: str) -> str:
    """A token's scope or state code in words in ``lang`` (the code itself when unknown)."""
    return gettext(TOKEN_WORDS[code], lang) if code in TOKEN_WORDS else code


def _wall() -> datetime:
    """Sessions and tokens count with the wall clock, never the workflow's (simulated) clock."""
    return datetime.now(UTC)


def _open_sessions(s, user_id: str | None, now) -> list[WebSession]:
    q = (select(WebSession).where(WebSession.ended_at.is_(None), WebSession.expires_at > now)
         .order_by(WebSession.created_at.desc()))
    if user_id is not None:
        q = q.where(WebSession.user_id == user_id)
    return [w for w in s.scalars(q) if now < w.last_seen_at + websessions.IDLE_TIMEOUT]


def _may_reassign_held(s, registry, user: User, uid: str) -> bool:
    """Whether ``user``'s role may reassign (engine/reassign_rules.py) under the SOP of one of the
    open cases ``uid`` holds — else the deactivation page links to the cases for their supervisor,
    not to a form the engine refuses (tryout 8, K3)."""
    from ...engine.reassign_rules import may_reassign
    from ...store.models import Case
    versions = s.scalars(select(Case.sop_version_id).where(Case.assignee == uid, Case.status == "open")
                         .distinct())
    return any(may_reassign(registry.compiled_id(s, v).sop, user.role) for v in versions)


def add_routes(r: APIRouter, web: Web) -> None:
    """Add to ``r`` the routes ``/mon-compte/acces`` (and its POSTs) and ``/admin/acces``."""
    wf = web.wf
    base_ctx = partial(common.base_ctx, web)

    def zone(s) -> str:
        """The SOP's time zone (dates shown as on the other pages); UTC before any SOP."""
        try:
            return web.latest(s).sop.calendar.timezone
        except Exception:  # noqa: BLE001 - no SOP published yet
            return "UTC"

    def own_page(request: Request, s, user: User, created: str | None = None,
                 errors: dict | None = None, values: dict | None = None, status: int = 200):
        now = _wall()
        current = websessions._digest(str(request.session.get("sid") or ""))
        return web.render(request, "account_access.html", {
            **base_ctx(request, s, user),
            "tokens": [tokens.as_dict(t, now) for t in tokens.listing(s, user.id)],
            "sessions": [{"created_at": w.created_at, "last_seen_at": w.last_seen_at, "ip": w.ip,
                          "expires_at": w.expires_at, "current": w.digest == current}
                         for w in _open_sessions(s, user.id, now)],
            "created": created, "errors": errors or {}, "values": values or {}, "scopes": tokens.SCOPES,
            "token_word": token_word,
            "max_days": MAX_DAYS, "tz": zone(s)}, status=status)

    @r.get("/mon-compte/acces")
    def own_access(request: Request):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "own_access")
            return own_page(request, s, user)

    @r.post("/mon-compte/jetons")
    async def create_token(request: Request):
        form = await request.form()
        label = str(form.get("label", "")).strip()[:100]
        scope = str(form.get("scope", "read"))
        days_text = str(form.get("days", "30")).strip()

        def work():
            errors = {}
            with wf.sessions() as s:
                lang = web.lang(request, web.user(request, s))
            if not label:
                errors["label"] = gettext("Donnez un nom au jeton (p. ex. « tableur M&E »).", lang)
            if scope not in tokens.SCOPES:
                errors["scope"] = gettext("Portée : {scopes}.", lang,
                                          scopes=", ".join(token_word(x, lang) for x in tokens.SCOPES))
            days = int(days_text) if days_text.isdigit() else 0
            if not 1 <= days <= MAX_DAYS:
                errors["days"] = ngettext("Durée : 1 à {n} jour.", "Durée : 1 à {n} jours.", MAX_DAYS, lang)
            if errors:
                with wf.sessions() as s:
                    user = web.user(request, s)
                    return own_page(request, s, user, errors=errors,
                                    values={"label": label, "scope": scope, "days": days_text}, status=422)
            with wf.sessions.begin() as s:
                user = web.user(request, s)
                access.require(user, "own_access")
                clear, _ = tokens.issue(s, user.id, _wall(), label=label, scope=scope,
                                        lifetime=timedelta(days=days))
            with wf.sessions() as s:
                return own_page(request, s, web.user(request, s), created=clear)

        return await run_in_threadpool(work)

    @r.post("/mon-compte/jetons/{token_id}/revoquer")
    def revoke_own(request: Request, token_id: int):
        with wf.sessions.begin() as s:
            user = web.user(request, s)
            access.require(user, "own_access")
            if not tokens.revoke(s, token_id, _wall(), user_id=user.id):
                raise access.NotVisible(str(token_id))
        return RedirectResponse("/mon-compte/acces", status_code=303)

    @r.post("/mon-compte/sessions/fin")
    async def end_own_sessions(request: Request):
        form = await request.form()
        everything = str(form.get("tout", "")) == "1"

        def work():
            current = websessions._digest(str(request.session.get("sid") or ""))
            with wf.sessions.begin() as s:
                user = web.user(request, s)
                access.require(user, "own_access")
                for w in _open_sessions(s, user.id, _wall()):
                    if everything or w.digest != current:
                        w.ended_at, w.end_reason = _wall(), "user"
            return everything

        if await run_in_threadpool(work):
            request.session.clear()
            return RedirectResponse("/login", status_code=303)
        return RedirectResponse("/mon-compte/acces", status_code=303)

    # -- administrator ---------------------------------------------------------------------------
    @r.get("/admin/acces")
    def admin_access(request: Request):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "user_admin")
            now = _wall()
            open_by: dict[str, int] = {}
            for w in _open_sessions(s, None, now):
                open_by[w.user_id] = open_by.get(w.user_id, 0) + 1
            active_tokens = dict(s.execute(
                select(ApiToken.user_id, func.count()).where(
                    ApiToken.revoked_at.is_(None),
                    (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now))
                .group_by(ApiToken.user_id)).all())
            from ...user_sops import known_sops, sop_label
            sops, lang = known_sops(s, wf.registry), web.lang(request, user)
            managed = {u.id: u for u in s.scalars(select(User).order_by(User.id))
                       if access.account_admits(user.sop_id, u.sop_id)}  # its SOP's accounts (J3)
            users = [{"id": u.id, "name": u.display_name, "role": u.role, "active": u.active,
                      "sessions": open_by.get(u.id, 0), "tokens": active_tokens.get(u.id, 0),
                      "sop": sop_label(u.sop_id, sops, lang)}  # the SOP it works in (H24)
                     for u in managed.values()]
            by_sop = len(sops) > 1 or any(u["sop"] != sop_label(None, sops, lang) for u in users)
            all_tokens = [tokens.as_dict(t, now) for t in tokens.listing(s)
                          if t.revoked_at is None and t.user_id in managed]
            return web.render(request, "admin_access.html", {
                **base_ctx(request, s, user), "users": users, "tokens": all_tokens, "tz": zone(s),
                "by_sop": by_sop,
                "token_word": token_word})

    def managed_account(s, user: User, uid: str) -> User:
        """The account ``uid`` if ``user`` manages it (:func:`access.account_admits`), else 404
        (an account of another SOP is not shown, so not named either)."""
        target = s.get(User, uid)
        if target is None or not access.account_admits(user.sop_id, target.sop_id):
            raise access.NotVisible(uid)
        return target

    def _admin_change(request: Request, uid: str, what: str):
        with wf.sessions.begin() as s:
            user = web.user(request, s)
            access.require(user, "user_admin")
            target = managed_account(s, user, uid)
            now = _wall()
            if what in ("sessions", "deactivate"):
                websessions.end_all(s, uid, "admin" if what == "sessions" else "deactivated", now)
            if what in ("tokens", "deactivate"):
                tokens.revoke_all(s, uid, now)
            if what == "deactivate":
                target.active = False
        return RedirectResponse("/admin/acces", status_code=303)

    @r.post("/admin/acces/{uid}/sessions")
    def admin_end_sessions(request: Request, uid: str):
        return _admin_change(request, uid, "sessions")

    @r.post("/admin/acces/{uid}/jetons")
    def admin_revoke_tokens(request: Request, uid: str):
        return _admin_change(request, uid, "tokens")

    @r.post("/admin/acces/{uid}/desactiver")
    async def admin_deactivate(request: Request, uid: str):
        """Deactivate ``uid``; a case manager who holds open cases only once confirmed, after a
        page naming how many and linking to their bulk reassignment (tryout 5, H26)."""
        confirmed = str((await request.form()).get("confirme", "")) == "1"

        def work():
            if not confirmed:
                with wf.sessions() as s:
                    user = web.user(request, s)
                    access.require(user, "user_admin")
                    target = managed_account(s, user, uid)
                    held = repository.open_cases_of(s, uid)
                    if held:
                        return web.render(request, "admin_deactivate.html", {
                            **base_ctx(request, s, user), "target": target, "held": held,
                            "can_reassign": _may_reassign_held(s, wf.registry, user, uid),
                            "reassign_url": "/dossiers?" + urlencode({"assigned_to": uid})})
            return _admin_change(request, uid, "deactivate")

        return await run_in_threadpool(work)

    @r.post("/admin/acces/jetons/{token_id}/revoquer")
    def admin_revoke_token(request: Request, token_id: int):
        with wf.sessions.begin() as s:
            user = web.user(request, s)
            access.require(user, "user_admin")
            token = s.get(ApiToken, token_id)
            if token is None:
                raise access.NotVisible(str(token_id))
            managed_account(s, user, token.user_id)  # a token of another SOP's account: 404 (J3)
            tokens.revoke(s, token_id, _wall())
        return RedirectResponse("/admin/acces", status_code=303)
