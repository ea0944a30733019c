"""Web side of a transition's forms (``form: a`` or ``form: [a, b]``): read every form of one
submission into the engine's payload, and build one section of field views per form, with one
error summary over all of them (the engine's payload shapes: :mod:`mno_workflow.engine.multiform`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..engine.errors import EngineError, FormInvalid, FormsInvalid, Message
from ..sop.schema import SOP, Transition
from .forms import FieldView, form_views, parse_form


@dataclass
class FormSection:
    """One form of the action page: its id, title, field views and its errors on no field."""

    form_id: str
    title: str
    views: list[FieldView]
    loose: list[str] = field(default_factory=list)


def parse_forms(sop: SOP, t: Transition, form: Any) -> dict[str, Any]:
    """The engine payload of ``t`` from a submitted page (``FormData``): ``{}`` without form, the
    form's fields for one form, ``{form_id: {field: value}}`` for several (field ids differ across
    them, E031, so each form reads its own inputs)."""
    forms = t.forms
    if not forms:
        return {}
    if len(forms) == 1:
        return parse_form(sop, forms[0], form)
    return {fid: parse_form(sop, fid, form) for fid in forms}


def errors_by_form(t: Transition, exc: EngineError | None) -> dict[str, dict[str, Message]]:
    """``{form_id: {field_path: Message}}`` of a refusal (``{}`` for any other error); errors of no
    form (a stray payload key) are kept under ``""``."""
    if isinstance(exc, FormsInvalid):
        return exc.by_form
    if isinstance(exc, FormInvalid) and t.forms:
        return {t.forms[0]: exc.errors}
    return {}


def sections(sop: SOP, t: Transition, lang: str, payload: dict[str, Any] | None,
             errors: dict[str, dict[str, Message]] | None = None, now: datetime | None = None
             ) -> tuple[list[FormSection], list[str]]:
    """One :class:`FormSection` per form of ``t`` with the values of ``payload`` (the engine's
    shape) and ``errors`` (by form), plus the messages that belong to no form."""
    forms, errors = t.forms, errors or {}
    out = []
    for fid in forms:
        values = (payload or {}) if len(forms) == 1 else ((payload or {}).get(fid) or {})
        views, loose = form_views(sop, fid, lang, values or None, errors.get(fid), now=now)
        out.append(FormSection(fid, sop.label(sop.forms[fid].title, lang), views, loose))
    stray = [m.text(lang) for m in errors.get("", {}).values()]
    return out, stray


def flat_views(sop: SOP, t: Transition | None, lang: str, payload: dict[str, Any] | None,
               exc: EngineError | None = None) -> tuple[list[FieldView], list[str]]:
    """Every field view of ``t``'s forms in order and the messages of no field, for pages that
    show one list of fields (the new-case page); ``([], [])`` without a transition."""
    if t is None:
        return [], []
    forms, stray = sections(sop, t, lang, payload, errors_by_form(t, exc))
    return [v for f in forms for v in f.views], stray + [m for f in forms for m in f.loose]
