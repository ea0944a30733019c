"""Files attached to a step of a case: adding one (case roles, open case) and reading one (under
the rules of the step's data, :func:`..access.can_see_attachments`; each read is logged like a
case view); and referral notes between the case side and the provider
(:func:`..access.can_use_notes`)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ... import attachments
from ...engine.errors import CaseErased, FormInvalid
from ...i18n import colon
from .. import access, case_files
from ..case_files import notes_of
from ..core import Web
from ..i18n import t
from ..notes import EMPTY_AT_FIELD, NOTE_MAX, post_note
from ..security import upload_csrf_ok


def add_routes(r: APIRouter, web: Web) -> None:
    """Add ``POST /dossiers/{reference}/pieces/{instance}`` (multipart field ``file``) and
    ``GET /dossiers/{reference}/pieces/{id}``."""
    wf = web.wf

    def sop_of(case):
        return web.compiled_for(case).sop

    @r.post("/dossiers/{reference}/pieces/{instance}")
    async def upload(request: Request, reference: str, instance: str):
        form = await request.form(max_files=1, max_fields=10)
        token = str(form.get("csrftoken") or "")
        if not upload_csrf_ok(web.secret_key, request.cookies.get("csrftoken"), token):
            raise access.Forbidden("csrf")
        instance = str(form.get("instance") or instance)  # the step chosen in the form
        upload = form.get("file")
        data = await upload.read(attachments.MAX_BYTES + 1) if hasattr(upload, "read") else b""
        name = getattr(upload, "filename", "") or ""

        def work():
            with wf.sessions.begin() as s:
                user = web.user(request, s)
                lang = web.lang(request, user)
                try:
                    case, inst = case_files.upload_place(s, user, reference, instance)
                except CaseErased as e:  # said, on the case page (tryout 9, L12)
                    why = e.text(lang)
                    request.session["flash_error"] = f"{t('attachment_refused', lang)}{colon(lang)}{why}"
                    return RedirectResponse(f"/dossiers/{reference[:40].upper()}", status_code=303)
                try:
                    row = attachments.add(s, case, inst, name, data, user.id, web.now())
                    request.session["flash"] = f"{t('attachment_added', lang)}{colon(lang)}{row.filename}"
                except attachments.AttachmentRefused as e:
                    why = e.message.text(lang)
                    request.session["flash_error"] = f"{t('attachment_refused', lang)}{colon(lang)}{why}"
            anchor = f"#step-{inst.step}-{inst.key}"
            return RedirectResponse(f"/dossiers/{case.reference}{anchor}", status_code=303)

        return await run_in_threadpool(work)

    @r.get("/dossiers/{reference}/pieces/{attachment_id}")
    def download(request: Request, reference: str, attachment_id: int):
        with wf.sessions.begin() as s:
            user = web.user(request, s)
            _case, _inst, row, data = case_files.read_attachment(s, sop_of, user, reference, attachment_id,
                                                                 web.now())
            return Response(data, media_type=row.content_type, headers={
                "content-disposition": f"attachment; filename*=UTF-8''{quote(row.filename)}",
                "x-content-type-options": "nosniff",
            })

    @r.post("/dossiers/{reference}/notes/{instance}")
    async def add_note(request: Request, reference: str, instance: str):
        form = await request.form()
        text = str(form.get("text") or "").strip()

        def work():
            with wf.sessions.begin() as s:
                user = web.user(request, s)
                lang = web.lang(request, user)
                case, inst, sop = case_files.notes_place(s, sop_of, user, reference, instance, web.now())
                try:  # the other side is told (web/notes.py), or the flash says why not
                    posted = post_note(s, sop, user, case, inst, text, web.now())
                    request.session["flash"] = t("note_added", lang) + (
                        f" — {posted.warning.text(lang)}" if posted.warning else "")
                except CaseErased as e:  # said, on the page the note came from (tryout 10, M3)
                    request.session["flash_error"] = e.text(lang)
                except FormInvalid as e:  # nothing saved: said as an error, not as a done thing
                    # tryout 2 #19: at the field, the box kept open (the case page or the provider's
                    # referral page)
                    return _note_refused(request, s, user, case, inst, text, e)
                back = (f"/prestataire/{case.reference}/{inst.label_key}" if user.role == "provider"
                        else f"/dossiers/{case.reference}#step-{inst.step}-{inst.key}")
            return RedirectResponse(back, status_code=303)

        return await run_in_threadpool(work)

    def _note_refused(request: Request, s, user, case, inst, text: str, e: FormInvalid):
        """The case page (the provider's referral page for a provider) again (422) with the
        referral's notes box open, the error at its field (« Écrivez une note avant d'envoyer. »,
        or too long) and the text kept."""
        from . import common
        said = (EMPTY_AT_FIELD if not text else e.errors["text"]).text(web.lang(request, user))
        if user.role == "provider":
            from .provider import referral_ctx
            ctx = {**referral_ctx(web, s, request, user, case, inst),
                   "note_form": {"box": "notes-referral", "error": said, "value": text}}
            return web.render(request, "referral.html", ctx, status=422)
        from .cases import case_page_ctx
        note_form = {"box": f"notes-{inst.step}-{inst.key}", "error": said, "value": text}
        ctx = {**common.base_ctx(web, request, s, user), **case_page_ctx(web, s, request, user, case),
               "note_form": note_form}
        return web.render(request, "case.html", ctx, status=422)


__all__ = ["NOTE_MAX", "add_routes", "notes_of"]
