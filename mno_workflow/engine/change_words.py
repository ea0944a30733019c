"""The values an *edit* replaced, kept in its audit event and said « avant → après » (tryout 9, L5:
right to rectification, law 001-2021/AN; IOM principle "data quality").

An ``internal`` transition that re-fills a form which brought its step into the current state
(BF SOP « Rectifier l'identification », « Modifier la portée du consentement ») overwrites it;
:func:`previous` gives the values it replaces — only the fields that change, ``None`` for a
field that was empty — which the engine writes in the event's data under :data:`KEY`
(``{form_id: {field: old value}}``), beside the new values. The event is keyed and salted value
by value like any form data, and an erasure replaces those old values by tombstones as it does
the new ones (engine/retention.py).

:func:`changes` says them for a reader, one :class:`Change` per field, in the reader's language —
the case page's timeline, ``mno case show`` and the person-data document use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..i18n import gettext

#: the event data key holding the replaced values
KEY = "_before"


def previous(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """``{field: old value}`` of the fields whose value ``new`` changes (None: it was empty); ``{}``
    when the form held nothing yet or nothing changes."""
    if not isinstance(old, dict) or not old:
        return {}
    keys = [k for k in old if not str(k).startswith("$")] + [k for k in new if k not in old]
    return {k: old.get(k) for k in keys if old.get(k) != new.get(k)}


def edited_forms(sop: Any, inst: Any) -> set[str]:
    """The forms an edit of ``inst`` re-fills: those of the transitions that brought its step into
    its current state (« Enregistrer le dossier » → identification). A form an internal transition
    fills afresh each time (a new immediate need) is not among them: that is a new record, not a
    change."""
    step = sop.steps[inst.step]
    return {f for t in step.transitions if t.dest == inst.state for f in t.forms}


def replaced(sop: Any, case: Any, inst: Any, data: dict[str, Any]) -> dict[str, Any]:
    """``{form_id: previous(...)}`` for each form of ``data`` (``{form_id: new values}``) that an
    edit re-fills (:func:`edited_forms`), that ``case`` (or its instance ``inst``) already holds and
    that changes; ``{}`` otherwise."""
    out = {}
    edited = edited_forms(sop, inst)
    for form_id, new in data.items():
        if form_id not in edited:
            continue
        held = inst.data or {}
        old = held.get(form_id) if form_id in held else (case.data or {}).get(form_id)
        changed = previous(old, new) if isinstance(new, dict) else {}
        if changed:
            out[form_id] = changed
    return out


@dataclass(frozen=True)
class Change:
    """One field an edit changed: its ``label`` and its value ``before`` and ``after``, in words."""

    label: str
    before: str
    after: str

    def line(self, lang: str) -> str:
        """« Date de naissance : 14/03/2001 → 14/03/2010 »."""
        from ..i18n import colon
        return f"{self.label}{colon(lang)}{self.before} → {self.after}"


def value_text(sop: Any, f: Any, value: Any, lang: str) -> str:
    """A stored value in words (option labels, Oui/Non, dates as typed, an erased value « [effacé
    le …] », « — » for none)."""
    from ..sop.schema import FieldType
    from ..store.audit import is_tombstone

    if is_tombstone(value):
        from .erasure_words import tombstone_text
        return tombstone_text(value, lang)
    if value is None or value == "" or value == []:
        return "—"
    kind = getattr(f, "type", None)
    if kind == FieldType.boolean and isinstance(value, bool):
        return gettext("Oui", lang) if value else gettext("Non", lang)
    if kind in (FieldType.choice, FieldType.multi) and f.options:
        opts = sop.options.get(f.options, {})
        items = value if isinstance(value, list) else [value]
        return ", ".join(sop.label(opts.get(str(x)), lang) or str(x) for x in items)
    if kind == FieldType.date and isinstance(value, str):
        from ..i18n.dates import day_text
        return day_text(value, lang)
    if kind == FieldType.phone:
        from ..i18n.phones import phone_text
        return phone_text(value)
    if isinstance(value, list):
        return ", ".join(str(x) for x in value)
    return str(value)


def changes(sop: Any, data: Any, lang: str) -> list[Change]:
    """The changes an event's ``data`` records (:data:`KEY` beside the new values), field by field
    in the form's order; ``[]`` for an event without them."""
    before = data.get(KEY) if isinstance(data, dict) else None
    if not isinstance(before, dict):
        return []
    out = []
    for form_id, old in before.items():
        form, new = sop.forms.get(form_id), data.get(form_id)
        if form is None or not isinstance(old, dict):
            continue
        new = new if isinstance(new, dict) else {}
        for f in form.fields:
            if f.id in old:
                out.append(Change(sop.label(f.label, lang), value_text(sop, f, old[f.id], lang),
                                  value_text(sop, f, new.get(f.id), lang)))
    return out


def edit_lines(sop: Any, data: Any, lang: str) -> list[str]:
    """An edit's event as lines: each change « Date de naissance : 14/03/2001 → 14/03/2010 », then
    the values of its other forms (« Motif de la rectification : acte de naissance présenté »);
    ``[]`` for an event that replaced nothing."""
    from ..i18n import colon

    found = changes(sop, data, lang)
    if not found:
        return []
    lines = [c.line(lang) for c in found]
    for form_id, values in data.items():
        form = sop.forms.get(form_id)
        if form is None or form_id in data[KEY] or not isinstance(values, dict):
            continue
        lines += [f"{sop.label(f.label, lang)}{colon(lang)}{value_text(sop, f, values[f.id], lang)}"
                  for f in form.fields if f.id in values]
    return lines
