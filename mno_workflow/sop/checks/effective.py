"""The reference of a transition's ``effective_at`` (when the event really happened): a date or
datetime field of one of the transition's own forms.

E028: a field none of the transition's forms defines, or a field that is not a date or datetime.
"""

from __future__ import annotations

from ..diagnostics import Diagnostic, said
from ..loader import LoadedSOP
from ..schema import FieldType


def check_effective_at(loaded: LoadedSOP, t, path: tuple) -> list[Diagnostic]:
    """Diagnostics of ``t.effective_at`` (transition ``t`` written at ``path``)."""
    if not t.effective_at:
        return []
    sop, d = loaded.model, loaded.diag
    form_id, _, field_id = t.effective_at.partition(".")
    form = sop.forms.get(form_id) if form_id in t.forms else None
    field = next((f for f in form.fields if f.id == field_id), None) if form else None
    if field is None:
        return [d(path, "E028",
                  said("{name!r} is not a field of this transition's form", name=t.effective_at),
                  said("name a date or datetime field of {forms}", forms=", ".join(t.forms) or "—"))]
    if field.type not in (FieldType.date, FieldType.datetime):
        return [d(path, "E028",
                  said("{field!r} is a {type} field", field=t.effective_at, type=str(field.type)),
                  said("effective_at reads a date or datetime field"))]
    return []
