"""The trainer's « Réinitialiser le bac à sable » (``/pos/bac-a-sable``): one click, after a
confirmation, replaces the invented cases of the practice sandbox with a fresh set
(:mod:`..sandbox_reset`). Trainer role only; refused (409, nothing touched) on a database that
holds real data; every reset is logged (who, when, how many cases and attachment files) in the
sandbox's own log, listed on the page (not in the export log: a reset exports nothing).
"""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from ...i18n import N_, gettext, ngettext
from .. import access
from ..core import Web
from . import common

#: one line of the resets' history (values filled after translation)
ROW = N_("{at} — {user} : {counts}")


def reset_counts(lang: str, removed: int, created: int, files_removed: int) -> str:
    """What a reset did, each count with its plural: « 2 dossiers supprimés, 2 créés, 0 pièce
    jointe effacée »."""
    return ", ".join((ngettext("{n} dossier supprimé", "{n} dossiers supprimés", removed, lang),
                      ngettext("{n} créé", "{n} créés", created, lang),
                      ngettext("{n} pièce jointe effacée", "{n} pièces jointes effacées", files_removed,
                               lang)))


def add_routes(r: APIRouter, web: Web) -> None:
    """Add ``GET /pos/bac-a-sable`` and ``POST /pos/bac-a-sable/reinitialiser``."""
    wf = web.wf
    base_ctx = partial(common.base_ctx, web)

    def _page(request: Request, s, user, message: str = "", status: int = 200, cases: int | None = None):
        from ..demo_safety import DemoRefused, check_demo_only

        try:
            check_demo_only(s)
            refused = ""
        except DemoRefused as e:  # said for a trainer: no command-line option (tryout 5, H13)
            from ...sop.diagnostics import text_in
            lang = web.lang(request, user)
            refused = gettext("Cette base contient des données réelles ({problems}) : elle ne peut pas "
                              "servir de bac à sable ni être réinitialisée. Un bac à sable est une base "
                              "d'entraînement à part, que l'administrateur prépare.", lang,
                              problems=text_in(e.problems, lang) if e.problems is not None else "")
        from sqlalchemy import select

        from ...i18n.dates import instant_text
        from ..models import SandboxReset
        from ..sandbox_reset import FIELD_CASES, MAX_CASES, sandbox_size

        ctx = base_ctx(request, s, user)
        resets = s.scalars(select(SandboxReset).order_by(SandboxReset.id.desc()).limit(10))
        history = [gettext(ROW, ctx["lang"], at=instant_text(x.at, ctx["lang"]) + " UTC", user=x.user_id,
                           counts=reset_counts(ctx["lang"], x.removed, x.created, x.files_removed))
                   for x in resets]
        # the size it was made with, the trainer may choose another (tryout 5, H15)
        size = {"cases": cases or sandbox_size(s), "low": FIELD_CASES, "high": MAX_CASES}
        return web.render(request, "sandbox.html",
                          {**ctx, "refused": refused, "message": message, "history": history, **size},
                          status=status)

    @r.get("/pos/bac-a-sable")
    def sandbox_page(request: Request):
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "sandbox_reset")
            return _page(request, s, user)

    @r.post("/pos/bac-a-sable/reinitialiser")
    async def sandbox_reset(request: Request):
        from ..sandbox_reset import FIELD_CASES, MAX_CASES, DemoRefused, reset_sandbox, sandbox_size

        form = await request.form()
        with wf.sessions() as s:
            user = web.user(request, s)
            access.require(user, "sandbox_reset")
            lang = web.lang(request, user)
            user_id, role = user.id, user.role
            asked = str(form.get("dossiers") or "").strip()
            n_cases = int(asked) if asked.isdigit() else (None if not asked else -1)
            if n_cases is not None and not FIELD_CASES <= n_cases <= MAX_CASES:
                message = gettext("Nombre de dossiers : entre {low} et {high} (les {low} dossiers des "
                                  "parcours de terrain et des signalements en font toujours partie) ; rien "
                                  "n'a été modifié.", lang, low=FIELD_CASES, high=MAX_CASES)
                return _page(request, s, user, message, status=400)
            n_cases = sandbox_size(s) if n_cases is None else n_cases
            if form.get("confirmer") != "oui":
                message = gettext("Cochez la case de confirmation : rien n'a été modifié.", lang)
                return _page(request, s, user, message, status=400, cases=n_cases)
        try:
            done = reset_sandbox(wf, user_id, role, wf.clock.now(), n_cases)
        except DemoRefused:  # the page says why, for a trainer (its « refused » box)
            with wf.sessions() as s:
                return _page(request, s, web.user(request, s), "", status=409)
        request.session["flash"] = gettext("Bac à sable réinitialisé : {counts}.", lang,
                                           counts=reset_counts(lang, **done))
        return RedirectResponse("/pos/bac-a-sable", status_code=303)
