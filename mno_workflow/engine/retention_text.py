"""Free text purged with personal fields (retention and erasure): notes, comments, reasons.

Free text may name people whatever its field's classification, so a purge also tombstones:

- every **free-text form field**: a ``text`` field (or repeat sub-field) whose ``max_length`` is
  absent or at least :data:`FREE_TEXT_MIN` characters (notes, comments, reasons, summaries; not
  short identifiers such as ``referral.provider``) and whose ``classification`` the SOP author
  did not set explicitly to ``shareable`` (write ``classification: shareable`` on a long text
  that must outlive the purge);
- the typed **reason of case events**: top-level ``reason`` / ``note`` of extension, reassignment,
  reopening and pause events (never of ``purge`` events: an erasure's reason is its legal trace),
  and the reopening reasons kept in the case's closure history (``data._closures[].reason``);
- the **pause reason** kept in a deadline row's ``note`` (``paused: <reason>``).

Statistics read none of these, and the audit chain still verifies (values and their salts are
dropped, digests stay: :mod:`mno_workflow.store.audit`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..sop.schema import SOP, FieldType, FormField
from ..store.audit import is_tombstone
from ..store.models import Case, Deadline

Spec = dict[str, Any]
FREE_TEXT_MIN = 200
EVENT_TEXT_KEYS = ("reason", "note")
PAUSED = "paused: "


def is_free_text(f: FormField) -> bool:
    """A ``text`` field long enough to hold sentences, not declared ``shareable`` by its author."""
    if f.type != FieldType.text:
        return False
    if "classification" in f.model_fields_set and f.classification.value == "shareable":
        return False
    return f.max_length is None or f.max_length >= FREE_TEXT_MIN


def free_text_spec(sop: SOP) -> Spec:
    """``{form: {field: True, repeat_field: {sub: True}}}`` of the SOP's free-text fields."""
    spec: Spec = {}
    for form_id, form in sop.forms.items():
        for f in form.fields:
            if is_free_text(f):
                spec.setdefault(form_id, {})[f.id] = True
            elif f.fields:
                subs = {sf.id: True for sf in f.fields if is_free_text(sf)}
                if subs:
                    spec.setdefault(form_id, {})[f.id] = subs
    return spec


def merged(a: Spec, b: Spec) -> Spec:
    """The union of two purge specs (a field named by both: the whole field wins)."""
    out: Spec = {form: dict(fields) for form, fields in a.items()}
    for form, fields in b.items():
        target = out.setdefault(form, {})
        for fid, sub in fields.items():
            have = target.get(fid)
            if have is True or sub is True:
                target[fid] = True
            else:
                target[fid] = {**(have or {}), **sub}
    return out


def purge_event_text(action: str, data: Any, salts: Any, mark: dict) -> int:
    """Tombstone the top-level ``reason``/``note`` of an event's ``data`` in place (and drop
    their salts); nothing for ``purge`` events or form payloads. Returns the count."""
    if action == "purge" or not isinstance(data, dict):
        return 0
    n = 0
    for key in EVENT_TEXT_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            data[key] = dict(mark)
            if isinstance(salts, dict):
                salts.pop(key, None)
            n += 1
    return n


def purge_closure_reasons(data: dict, mark: dict) -> int:
    """Tombstone the reopening reasons of ``data["_closures"]`` in place; returns the count."""
    n = 0
    for closure in data.get("_closures") or []:
        if isinstance(closure, dict) and isinstance(closure.get("reason"), str) \
                and not is_tombstone(closure["reason"]):
            closure["reason"] = dict(mark)
            n += 1
    return n


def purge_deadline_notes(s: Any, case: Case) -> int:
    """Drop the typed reason of paused deadlines (``paused: <reason>`` → ``paused: [effacé]``)."""
    n = 0
    for row in s.scalars(select(Deadline).where(Deadline.case_id == case.id,
                                                Deadline.note.like(f"{PAUSED}%"))):
        if row.note != f"{PAUSED}[effacé]":
            row.note = f"{PAUSED}[effacé]"
            n += 1
    return n
