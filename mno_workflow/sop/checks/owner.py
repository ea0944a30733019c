"""References of a state's ``owner``: a role id, or ``{by: form.field, cases: {code: role}}``.

E021: an owner role that the SOP does not define. E028: an ``owner.by`` field no form defines.
E033: ``owner.by`` is not a choice field, misses one of its option codes, or names a code that is
not one (as for a field-dependent deadline).
"""

from __future__ import annotations

from ..diagnostics import Diagnostic
from ..loader import LoadedSOP
from ..schema import FieldType, FormField


def check_owner(loaded: LoadedSOP, sid: str, st: str, fields: dict[str, FormField]) -> list[Diagnostic]:
    """Diagnostics of the owner of state ``st`` of step ``sid``."""
    sop, d, out = loaded.model, loaded.diag, []
    state = sop.steps[sid].states[st]
    path = ("steps", sid, "states", st, "owner")
    if state.owner is None:
        return []
    if isinstance(state.owner, str):
        if state.owner not in sop.roles:
            out.append(d(path, "E021", f"unknown role {state.owner!r}",
                         f"use one of: {', '.join(sorted(sop.roles)) or 'none defined'}"))
        return out
    for code, role in state.owner.cases.items():
        if role not in sop.roles:
            out.append(d(path + ("cases", code), "E021", f"unknown role {role!r}",
                         f"use one of: {', '.join(sorted(sop.roles)) or 'none defined'}"))
    f = fields.get(state.owner.by)
    if f is None:
        out.append(d(path + ("by",), "E028", f"unknown field {state.owner.by!r}",
                     "name a choice field form.field"))
    elif f.type != FieldType.choice:
        out.append(d(path + ("by",), "E033", f"{state.owner.by!r} is a {f.type} field: an owner is chosen "
                     "by the code of a choice field", "point 'by' at a choice field"))
    elif f.options in sop.options:
        codes = set(sop.options[f.options])
        missing = codes - set(state.owner.cases)
        if missing:
            out.append(d(path + ("cases",), "E033", f"owner has no role for {', '.join(sorted(missing))}",
                         f"add a role for every option of {f.options!r}"))
        for code in sorted(set(state.owner.cases) - codes):
            out.append(d(path + ("cases", code), "E033", f"{code!r} is not an option of {f.options!r}",
                         "remove it", key=True))
    return out
