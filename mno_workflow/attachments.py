"""Files attached to a step of a case (a scanned signed consent, a photo of a document): checked,
stored outside the database rows, found again, and erased with the case's personal data.

Storage: ``<data dir>/attachments/<random name>`` (``$MNO_DATA_DIR``, default ``./data``; folder
mode 700, files 600), one :class:`~mno_workflow.store.models.Attachment` row per file. Limits:
:data:`MAX_BYTES` (5 MB) and the types of :data:`TYPES` (PDF, JPEG, PNG), recognised by their
first bytes, not by the name or the browser's claim. Who may read or add one is decided by the
web layer (:mod:`mno_workflow.web.access`), under the rules of the step's data.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .engine.errors import Message
from .store.models import Attachment, Case, StepInstance

MAX_BYTES = 5 * 1024 * 1024
TYPES = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


class AttachmentRefused(ValueError):
    """The file is empty, too big or of a type not accepted; ``message`` says so in fr and en."""

    def __init__(self, message: Message):
        super().__init__(message.en)
        self.message = message


def folder() -> Path:
    """``<data dir>/attachments``, created with mode 700."""
    from .config import data_dir

    p = data_dir() / "attachments"
    p.mkdir(mode=0o700, parents=True, exist_ok=True)
    return p


def sniff(data: bytes) -> str:
    """The content type of ``data`` from its first bytes. Raises AttachmentRefused."""
    if not data:
        raise AttachmentRefused(Message.t("Le fichier est vide."))
    if len(data) > MAX_BYTES:
        raise AttachmentRefused(Message.t("Fichier trop volumineux (5 Mo au plus)."))
    for magic, ctype in TYPES.items():
        if data.startswith(magic):
            return ctype
    raise AttachmentRefused(Message.t("Type de fichier refusé : PDF, JPEG ou PNG seulement."))


def clean_name(name: str) -> str:
    base = Path(name or "").name
    base = re.sub(r"[^\w.\- ]+", "_", base, flags=re.UNICODE).strip() or "piece"
    return base[:200]


def add(s: Session, case: Case, inst: StepInstance, filename: str, data: bytes, user_id: str,
        now: datetime) -> Attachment:
    """Check and store ``data`` for ``inst`` of ``case``; the row is added to ``s`` (the caller
    commits). Raises AttachmentRefused (« Choisissez un fichier » when no file was chosen: no
    name and no bytes, as a browser sends an empty file field)."""
    if not data and not (filename or "").strip():
        raise AttachmentRefused(Message.t("Choisissez un fichier."))
    ctype = sniff(data)
    stored = secrets.token_hex(16)
    path = folder() / stored
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    row = Attachment(case_id=case.id, instance_id=inst.id, filename=clean_name(filename), stored_name=stored,
                     content_type=ctype, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                     uploaded_by=user_id, uploaded_at=now)
    s.add(row)
    return row


def of_case(s: Session, case: Case) -> list[Attachment]:
    return list(s.scalars(select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id)))


def read(row: Attachment) -> bytes:
    """The bytes of ``row``. Raises FileNotFoundError when the file is gone."""
    return (folder() / row.stored_name).read_bytes()


def erase_files(stored_names: list[str]) -> int:
    """Delete ``<data dir>/attachments/<name>`` for each name (after their rows are gone, e.g. a
    sandbox reset); returns how many files existed and were deleted."""
    erased = 0
    for name in stored_names:
        path = folder() / name
        if path.exists():
            path.unlink()
            erased += 1
    return erased


def purge(s: Session, case: Case) -> tuple[int, int]:
    """Remove every file of ``case`` and its rows, and its referral notes (free text), at the
    retention purge or the person's request; returns how many (files, notes). Files already gone
    count."""
    from .store.models import ReferralNote

    rows = of_case(s, case)
    for row in rows:
        (folder() / row.stored_name).unlink(missing_ok=True)
        s.delete(row)
    notes = list(s.scalars(select(ReferralNote).where(ReferralNote.case_id == case.id)))
    for note in notes:
        s.delete(note)
    return len(rows), len(notes)
