"""Each user's notification channels on the web (``/mon-compte/notifications``): in-app always;
e-mail (on by default, when an address is known) and SMS (needs a phone number, E.164, checked
with ``phonenumbers``) chosen by the user — what ``mno user add --phone … --sms`` sets on the
command line. Per-field errors in French and English, the input kept; applies to the next message
queued (:func:`mno_workflow.store.outbox.enqueue`)."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from ...i18n import gettext
from .. import access
from ..core import Web
from . import common


def add_routes(r: APIRouter, web: Web) -> None:
    """Add to ``r`` the routes ``/mon-compte/notifications`` (GET, POST)."""
    wf = web.wf
    base_ctx = partial(common.base_ctx, web)

    def page(request: Request, s, user, values: dict, errors: dict, saved: bool = False, status: int = 200):
        return web.render(request, "channels.html", {**base_ctx(request, s, user), "values": values,
                                                     "errors": errors, "saved": saved}, status=status)

    @r.get("/mon-compte/notifications")
    def channels(request: Request, enregistre: str = ""):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "own_access")
            values = {"phone": user.phone or "", "sms": user.notify_sms,
                      "email": user.notify_email is not False, "address": user.email or ""}
            return page(request, s, user, values, {}, saved=enregistre == "1")

    @r.post("/mon-compte/notifications")
    async def save_channels(request: Request):
        form = await request.form()
        phone_text = str(form.get("phone", "")).strip()[:40]
        sms, email = form.get("sms") == "on", form.get("email") == "on"

        def work():
            from ...reminders.sms import e164
            errors, phone, lang = {}, None, web.lang(request)
            if phone_text:
                try:
                    phone = e164(phone_text, lang=lang)
                except ValueError as e:
                    errors["phone"] = str(e)
            if sms and not phone_text:
                errors["sms"] = gettext("Indiquez un numéro de téléphone pour recevoir des SMS.", lang)
            with wf.sessions.begin() as s:
                user = web.user(request, s)
                access.require(user, "own_access")
                if errors:
                    values = {"phone": phone_text, "sms": sms, "email": email, "address": user.email or ""}
                    return page(request, s, user, values, errors, status=422)
                user.phone, user.notify_sms, user.notify_email = phone, sms and bool(phone), email
            return RedirectResponse("/mon-compte/notifications?enregistre=1", status_code=303)

        return await run_in_threadpool(work)
