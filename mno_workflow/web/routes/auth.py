"""Sign-in, sign-out and the language switch (French or English, kept in the session)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from ...i18n import N_, gettext
from .. import access, throttle, websessions
from ..core import Web, safe_next
from ..i18n import norm_lang, t
from .common import client_ip


def add_routes(r: APIRouter, web: Web) -> None:
    """Add to ``r`` the routes ``/login`` (GET, POST), ``/logout`` (POST) and ``/langue/{lang}``."""
    wf = web.wf

    def sop_title(lang: str) -> str:
        """The titles in ``lang`` of every SOP this server runs (login subtitle, « · » between
        them: a Togo case manager does not sign in under the Burkina Faso mechanism's name alone,
        tryout 8, K10); ``""`` before any SOP."""
        from ...engine import sop_choice
        try:
            with wf.sessions() as s:
                regs = sop_choice.registered(s, wf.registry)
            return " · ".join(r.label(lang) for r in regs)
        except Exception:  # noqa: BLE001 - no SOP published yet: the page shows no subtitle
            return ""

    # -- login / logout / language ---------------------------------------------------------------------
    @r.get("/login")
    def login_form(request: Request, next: str = ""):
        lang = web.lang(request)
        return web.render(request, "login.html", {"lang": lang, "next": safe_next(next, ""),
                                                  "subtitle": sop_title(lang)})

    @r.post("/login")
    async def login(request: Request):
        form = await request.form()
        username = str(form.get("username", ""))[:100]
        password = str(form.get("password", ""))[:1000]
        target = safe_next(str(form.get("next", "")), "")
        ip = client_ip(request)
        lang = web.lang(request)

        missing = {k: m for k, m in (("username", N_("Saisissez votre identifiant")),
                                        ("password", N_("Saisissez votre mot de passe")))
                   if not (username.strip() if k == "username" else password)}
        if missing:  # said per field, before any attempt (not « identifiant ou mot de passe incorrect »)
            return web.render(request, "login.html", {
                "lang": lang, "next": target, "username": username, "subtitle": sop_title(lang),
                "errors": {k: gettext(m, lang) for k, m in missing.items()}}, status=422)

        old_sid = request.session.get("sid")
        # Throttled like the API (own committed transactions; argon2 outside any lock, in the
        # login thread pool).
        result = await throttle.attempt_async(wf.sessions, username, password, ip)

        def work():
            if result.status == "locked":
                return None, "login_locked", 429
            if result.user is None:
                return None, "login_failed", 401
            user = result.user
            with wf.sessions.begin() as s:
                if old_sid:
                    websessions.end(s, str(old_sid), "relogin")
                sid = websessions.start(s, user.id, ip)
            return (user.id, user.role, user.language, sid), None, 200

        who, err, status = await run_in_threadpool(work)
        if err:
            return web.render(
                request,
                "login.html",
                {"lang": lang, "error": t(err, lang), "next": target, "username": username,
                 "subtitle": sop_title(lang)},
                status=status,
            )
        # the language picked on the login page is kept; else the one the user last chose while
        # signed in (users.language, saved by /langue); else, for an account that never chose
        # (still the default French), the language the login page was shown in — the browser's
        # (tryout 5, H2)
        chosen = request.session.get("lang")
        saved = who[2]
        if not chosen and (not saved or saved == "fr"):
            chosen = lang
        request.session.clear()
        request.session["uid"], request.session["lang"] = who[0], chosen or saved or "fr"
        request.session["sid"] = who[3]
        return RedirectResponse(target or access.HOME.get(who[1], "/pos"), status_code=303)

    @r.post("/logout")
    def logout(request: Request):
        lang = request.session.get("lang")
        sid = request.session.get("sid")
        if sid:  # ends the server-side session: a copy of the cookie no longer signs in
            with wf.sessions.begin() as s:
                websessions.end(s, str(sid), "logout")
        request.session.clear()
        if lang:
            request.session["lang"] = lang
        return RedirectResponse("/login", status_code=303)

    @r.get("/langue/{lang}")
    def set_language(request: Request, lang: str, next: str = "/"):
        request.session["lang"] = norm_lang(lang)  # a language with a catalogue, else French
        uid = request.session.get("uid")
        if uid:  # signed in: the choice is the user's, kept for the next sign-in and their messages
            from ...store.models import User
            with wf.sessions.begin() as s:
                user = s.get(User, uid)
                if user is not None and user.language != request.session["lang"]:
                    user.language = request.session["lang"]
        return RedirectResponse(safe_next(next), status_code=303)
