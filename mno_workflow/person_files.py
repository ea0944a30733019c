"""The referral notes and the attachments of a case in the access-request answer
(:mod:`mno_workflow.person_export`; tryout 9, L2): every note, both ways (case side ↔ provider),
with its text, and the list of the files held (name, step, date, who added it, size and type — the
bytes themselves are read on the case page or with the API's ``getAttachment``). Erasure deletes
both (:func:`mno_workflow.attachments.purge`); the ``purge`` event keeps how many, so the answer
says « 2 notes de référencement effacées le … » instead of an empty list.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .i18n import N_, gettext, ngettext
from .store.models import Attachment, AuditEvent, Case, ReferralNote

#: the section titles and the word on where the bytes are (French message ids)
WORDS = {
    "notes": N_("Notes de référencement"), "attachments": N_("Pièces jointes"),
    "file": N_("Fichier"), "step": N_("Étape"), "size": N_("Taille"), "type": N_("Type"), "text": N_("Texte"),
    "files_how": N_("Le contenu des fichiers n'est pas reproduit ici : chaque fichier s'ouvre depuis la "
                    "page du dossier (lien de la pièce jointe) ou par l'API (getAttachment)."),
}
_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


def held(session: Session, case: Case) -> tuple[list[ReferralNote], list[Attachment]]:
    """The notes and the attachment rows of ``case``, oldest first."""
    notes = list(session.scalars(select(ReferralNote).where(ReferralNote.case_id == case.id)
                                 .order_by(ReferralNote.at, ReferralNote.id)))
    files = list(session.scalars(select(Attachment).where(Attachment.case_id == case.id)
                                 .order_by(Attachment.uploaded_at, Attachment.id)))
    return notes, files


def size_text(size: int, lang: str) -> str:
    """« 47 Ko » / "47 KB", as the case page says it (at least 1)."""
    return gettext("%(n)s Ko", lang) % {"n": max(1, round(size / 1024))}


def sections(r: Any, case: Case, notes: list[ReferralNote], files: list[Attachment],
             erased: Any, events: list[AuditEvent]) -> dict[str, Any]:
    """``notes``, ``attachments`` and, once the case was erased (``erased``: its
    :class:`~.engine.erasure_words.Erasure`), ``notes_erased`` and ``attachments_erased`` (a
    sentence; "" otherwise) for :func:`.person_export.person_record` (``r``: its renderer, for
    names, labels and instants; ``events``: the case's trail)."""
    from .protection.view_words import instance_words, role_name

    by_id = {i.id: i for i in case.instances}

    def where(instance_id: int) -> str:
        inst = by_id.get(instance_id)
        return instance_words(r.sop, inst.step, inst.key, r.lang) if inst is not None else ""

    def role(code: str) -> str:
        return r.label(r.sop.roles[code].label) if code in r.sop.roles else role_name(code, r.lang)

    out: dict[str, Any] = {
        "notes": [{"instance": where(n.instance_id), "at": r.when(n.at), "who": n.author,
                   "who_name": r.names.user(n.author), "role": role(n.role),
                   "organisation_name": r.names.org(n.organisation) if n.organisation else "",
                   "text": n.text} for n in notes],
        "attachments": [{"filename": a.filename, "instance": where(a.instance_id),
                         "at": r.when(a.uploaded_at), "who": a.uploaded_by,
                         "who_name": r.names.user(a.uploaded_by),
                         "size": size_text(a.size, r.lang), "size_bytes": a.size,
                         "type": _TYPES.get(a.content_type, a.content_type), "content_type": a.content_type,
                         "sha256": a.sha256} for a in files],
        "notes_erased": "", "attachments_erased": "",
    }
    if erased is not None:
        purge = next((ev for ev in reversed(events) if ev.action == "purge"), None)
        out.update(erased_words(r, erased, (purge.data or {}) if purge is not None else {}))
    return out


def erased_words(r: Any, erased: Any, data: dict[str, Any]) -> dict[str, str]:
    """What the erasure took: « 2 notes de référencement effacées le 02/06/2025, à la demande de la
    personne. » from the counts of the newest ``purge`` event (``data``); a purge written before the
    counts were kept says that the notes and files, if any, were erased."""
    from .engine.erasure_words import rule_words
    from .i18n.dates import day_text

    day = day_text(erased.at, r.lang, r.sop.calendar.timezone)
    why = rule_words(erased.rule, r.lang)
    tail = f", {why}." if why else "."
    if "notes" not in data and "attachments" not in data:
        text = gettext("Notes de référencement et pièces jointes éventuelles effacées le {day}", r.lang,
                       day=day) + tail
        return {"notes_erased": text, "attachments_erased": text}
    notes, files = int(data.get("notes") or 0), int(data.get("attachments") or 0)
    return {
        "notes_erased": ngettext("{n} note de référencement effacée le {day}",
                                 "{n} notes de référencement effacées le {day}", notes, r.lang,
                                 day=day) + tail if notes else "",
        "attachments_erased": ngettext("{n} pièce jointe effacée le {day}",
                                       "{n} pièces jointes effacées le {day}", files, r.lang,
                                       day=day) + tail if files else "",
    }
