"""The API's attachments and referral notes, beside the pages that do the same
(:mod:`.routes.attachments`) and under the same rules (:mod:`.access`):

- ``GET /cases/{reference}/attachments`` (listAttachments): the files of the steps the caller may
  see — a case role who may open the case: all; a provider: those of its own referral while the
  consent in force covers it. 404 when none of the case is visible.
- ``POST /cases/{reference}/attachments/{instance}`` (uploadAttachment, multipart field ``file``):
  a case role who may open the case, case open (403 otherwise); 5 MB, PDF/JPEG/PNG recognised by
  their first bytes (422 ``attachment_refused`` with ``errors.file``). 201.
- ``GET /cases/{reference}/attachments/{attachment_id}`` (getAttachment): metadata and the bytes
  as base64 (``content_base64``); each read is logged like a page view.
- ``GET``/``POST /cases/{reference}/referrals/{instance}/notes`` (listReferralNotes,
  addReferralNote ``{"text"}``): the case side who may open the case; the provider the referral
  is addressed to while the consent covers it (404 otherwise). Posting tells the other side
  (:mod:`.notes`); ``warning`` says why nobody was told, when so. 201.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from fastapi import Depends, FastAPI, File, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from .. import attachments as files
from ..i18n import N_, norm_lang
from ..store.models import Attachment, Case, ReferralNote, User
from . import access, case_files, queries
from .core import Web
from .notes import NOTE_MAX, post_note


class AttachmentView(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": 1, "instance": "consent:1", "filename": "consentement.pdf", "content_type": "application/pdf",
         "size": 48211, "sha256": "9f2c…", "uploaded_by": "mariam.kabore",
         "uploaded_at": "2025-06-02T10:00:00+00:00"}]})

    id: int
    instance: str
    filename: str
    content_type: str
    size: int = Field(description=N_("octets"))
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


class AttachmentList(BaseModel):
    items: list[AttachmentView]


class AttachmentContent(AttachmentView):
    content_base64: str = Field(description=N_("Le fichier, encodé en base64"))


class NoteView(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": 3, "instance": "referral:cash", "author": "focal.masn", "role": "provider",
         "organisation": "org-masn", "text": "Rendez-vous fixé lundi.", "at": "2025-06-03T09:00:00+00:00"}]})

    id: int
    instance: str
    author: str
    role: str
    organisation: str | None
    text: str
    at: datetime


class NoteList(BaseModel):
    items: list[NoteView]


class Words(BaseModel):
    fr: str
    en: str


class NotePosted(BaseModel):
    note: NoteView
    told: int = Field(description=N_("Personnes prévenues (dans l'application)"))
    warning: Words | None = Field(default=None, description=N_("Pourquoi personne n'est prévenu"))


class NoteRequest(BaseModel):
    text: str = Field(max_length=NOTE_MAX, description=N_("La note (1000 caractères au plus)"))


def _attachment(a: Attachment, labels: dict[int, str]) -> dict[str, Any]:
    return {"id": a.id, "instance": labels.get(a.instance_id, ""), "filename": a.filename,
            "content_type": a.content_type, "size": a.size, "sha256": a.sha256,
            "uploaded_by": a.uploaded_by, "uploaded_at": a.uploaded_at}


def _note(n: ReferralNote, label: str) -> dict[str, Any]:
    return {"id": n.id, "instance": label, "author": n.author, "role": n.role,
            "organisation": n.organisation, "text": n.text, "at": n.at}


def add_file_routes(api: FastAPI, web: Web, current_user, api_error, error_responses) -> None:
    """Add the routes of the module doc to ``api`` (``current_user``: the bearer dependency)."""
    wf = web.wf

    def sop_of(case: Case):
        return web.compiled_for(case).sop

    @api.get("/cases/{reference}/attachments", response_model=AttachmentList, operation_id="listAttachments",
             tags=["cases"], responses=error_responses(401, 404),
             summary=N_("Pièces jointes visibles d'un dossier (règles des données de l'étape)"))
    def list_attachments(reference: str, user: User = Depends(current_user)):
        with wf.sessions.begin() as s:
            case = case_files.case_of(s, reference)
            sop = sop_of(case)
            now = web.now()
            seen = [i for i in case.instances if access.can_see_attachments(s, user, sop, case, i, now)]
            if not seen:
                raise access.NotVisible()
            labels = {i.id: i.label_key for i in seen}
            items = [_attachment(a, labels) for a in files.of_case(s, case) if a.instance_id in labels]
            queries.log_view(s, user, case, "api", now)
            return {"items": items}

    @api.post("/cases/{reference}/attachments/{instance}", response_model=AttachmentView, status_code=201,
              operation_id="uploadAttachment", tags=["cases"], responses=error_responses(401, 403, 404, 409),
              summary=N_("Joindre un fichier à une étape (PDF, JPEG, PNG ; 5 Mo au plus)"))
    async def upload(reference: str, instance: str, request: Request, file: UploadFile = File(...),
                     user: User = Depends(current_user)):
        data = await file.read(files.MAX_BYTES + 1)
        name = file.filename or ""

        def work():
            with wf.sessions.begin() as s:
                case, inst = case_files.upload_place(s, user, reference, instance)
                try:
                    row = files.add(s, case, inst, name, data, user.id, web.now())
                except files.AttachmentRefused as e:
                    lang = _lang(request, user)
                    return JSONResponse({"code": "attachment_refused", "message": e.message.text(lang),
                                         "errors": {"file": e.message.text(lang)}}, status_code=422)
                s.flush()
                return JSONResponse(AttachmentView(**_attachment(row, {inst.id: inst.label_key}))
                                    .model_dump(mode="json"), status_code=201)

        return await run_in_threadpool(work)

    @api.get("/cases/{reference}/attachments/{attachment_id}", response_model=AttachmentContent,
             operation_id="getAttachment", tags=["cases"], responses=error_responses(401, 404),
             summary=N_("Une pièce jointe (contenu en base64 ; chaque lecture est journalisée)"))
    def get_attachment(reference: str, attachment_id: int, user: User = Depends(current_user)):
        with wf.sessions.begin() as s:
            _case, inst, row, data = case_files.read_attachment(s, sop_of, user, reference, attachment_id,
                                                                web.now())
            return {**_attachment(row, {inst.id: inst.label_key}),
                    "content_base64": base64.b64encode(data).decode("ascii")}

    def notes_place(s, user: User, reference: str, instance: str):
        return case_files.notes_place(s, sop_of, user, reference, instance, web.now())

    @api.get("/cases/{reference}/referrals/{instance}/notes", response_model=NoteList,
             operation_id="listReferralNotes", tags=["referrals"], responses=error_responses(401, 404),
             summary=N_("Notes d'un référencement (partie dossier ↔ prestataire ; règles du consentement)"))
    def list_notes(reference: str, instance: str, user: User = Depends(current_user)):
        with wf.sessions.begin() as s:
            case, inst, sop = notes_place(s, user, reference, instance)
            notes = access.readable_notes(s, user, sop, case, inst, case_files.notes_of(s, inst))
            items = [_note(n, inst.label_key) for n in notes]
            queries.log_view(s, user, case, "api", web.now(), inst.label_key)
            return {"items": items}

    @api.post("/cases/{reference}/referrals/{instance}/notes", response_model=NotePosted, status_code=201,
              operation_id="addReferralNote", tags=["referrals"],
              responses=error_responses(401, 403, 404, 409),
              summary=N_("Écrire une note sur un référencement (l'autre partie est prévenue, sans le texte)"))
    def add_note(reference: str, instance: str, body: NoteRequest, request: Request,
                 user: User = Depends(current_user)):
        with wf.sessions.begin() as s:
            case, inst, sop = notes_place(s, user, reference, instance)
            posted = post_note(s, sop, user, case, inst, body.text, web.now())
            s.flush()
            w = posted.warning
            return JSONResponse(NotePosted(note=NoteView(**_note(posted.note, inst.label_key)),
                                           told=posted.told,
                                           warning=Words(fr=w.fr, en=w.en) if w else None)
                                .model_dump(mode="json"), status_code=201)


def _lang(request: Request, user: User) -> str:
    from .api_models import lang_of

    if request.headers.get("accept-language"):
        return lang_of(request.headers.get("accept-language"))
    return norm_lang(user.language)  # a language with a catalogue, else French
