"""The SOP version an audit event was written under, so that history keeps its own words.

After a migration, a case runs on a new SOP version but its earlier events name states, steps
and triggers of the old one ("sent" before it became "transmitted"). Timelines, ``mno case
show``, the case page and the case diagram resolve each event's version here and use its
labels. Compiled versions are cached by the SHA-256 of their source text (the same text compiles
to the same model whatever the database).
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import object_session

from ..i18n import colon, gettext
from ..sop.loader import load_stored
from ..sop.schema import SOP
from ..store.models import AuditEvent, SopVersion

_by_sha: dict[str, SOP] = {}
_lock = threading.Lock()


def _label(sop: SOP) -> str:
    return f"{sop.sop}@{sop.version}"


def sop_of_row(row: SopVersion) -> SOP:
    """The SOP model of a stored version (cached by its text's SHA-256)."""
    hit = _by_sha.get(row.sha256)
    if hit is None:
        hit = load_stored(row).model
        with _lock:
            _by_sha[row.sha256] = hit
    return hit


def sop_for_event(ev: AuditEvent, current: SOP) -> SOP:
    """The SOP ``ev`` was written under: ``current`` when the labels match (no query), else the
    stored version (by ``sop_version_id``, or by its ``sop@version`` label for rows written
    before revision 0012); ``current`` when that version is not in the database."""
    if ev.sop_version == _label(current):
        return current
    session = object_session(ev)
    if session is None:
        return current
    row = None
    if ev.sop_version_id is not None:
        row = session.get(SopVersion, ev.sop_version_id)
    if row is None:
        sop_id, _, version = (ev.sop_version or "").partition("@")
        row = session.scalar(select(SopVersion).where(SopVersion.sop_id == sop_id,
                                                      SopVersion.version == version))
    return sop_of_row(row) if row is not None else current


def state_label(sop: SOP, step_id: str | None, state: str | None, lang: str) -> str:
    """A state's label in ``sop`` (its name when the SOP does not have it)."""
    step = sop.steps.get(step_id or "")
    if step is None or state not in step.states:
        return state or "—"
    return sop.label(step.states[state].label, lang) or state


def old_sop(ev: AuditEvent, current: SOP) -> SOP | None:
    """For a ``migrate`` event, the version the case came from (None when not stored)."""
    session = object_session(ev)
    sop_id, _, version = str((ev.data or {}).get("from", "")).partition("@")
    if session is None or not version:
        return None
    row = session.scalar(select(SopVersion).where(SopVersion.sop_id == sop_id,
                                                  SopVersion.version == version))
    return sop_of_row(row) if row is not None else None


def migrate_words(ev: AuditEvent, current: SOP, lang: str) -> str:
    """``Migré de mnr_bf@2025.1 vers mnr_bf@2025.2 — Référencement [medical] : Envoyé → Transmis``:
    each state change with the old version's label on the left, the new one's on the right."""
    d: dict[str, Any] = ev.data or {}
    new = sop_for_event(ev, current)
    old = old_sop(ev, current) or new
    head = gettext("Migré de {old} vers {new}", lang, old=d.get("from"), new=d.get("to"))
    parts = []
    for ch in d.get("states") or []:
        step_id, _, key = str(ch.get("instance", "")).partition(":")
        step = new.steps.get(step_id) or old.steps.get(step_id)
        name = new.label(step.label, lang) if step else step_id
        parts.append(f"{name} [{key}]{colon(lang)}{state_label(old, step_id, ch.get('from'), lang)} → "
                     f"{state_label(new, step_id, ch.get('to'), lang)}")
    if not parts:
        parts.append(gettext("états inchangés", lang))
    return head + " — " + " ; ".join(parts)
