"""References of a state's ``owner``: a role id, or ``{by: form.field, cases: {code: role}}``.

E021: an owner role that the SOP does not define. E028: an ``owner.by`` field no form defines.
E033: ``owner.by`` is not a choice field, misses one of its option codes, or names a code that is
not one (as for a field-dependent deadline).
"""

from __future__ import annotations

from ..diagnostics import Diagnostic, said
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
            out.append(d(path, "E021", said("unknown role {name!r}", name=state.owner),
                         _use_one_of(sop.roles)))
        return out
    for code, role in state.owner.cases.items():
        if role not in sop.roles:
            out.append(d(path + ("cases", code), "E021", said("unknown role {name!r}", name=role),
                         _use_one_of(sop.roles)))
    f = fields.get(state.owner.by)
    if f is None:
        out.append(d(path + ("by",), "E028", said("unknown field {name!r}", name=state.owner.by),
                     said("name a choice field form.field")))
    elif f.type != FieldType.choice:
        out.append(d(path + ("by",), "E033", said(
            "{field!r} is a {type} field: an owner is chosen by the code of a choice field",
            field=state.owner.by, type=str(f.type)), said("point 'by' at a choice field")))
    elif f.options in sop.options:
        codes = set(sop.options[f.options])
        missing = codes - set(state.owner.cases)
        if missing:
            out.append(d(path + ("cases",), "E033", said("owner has no role for {codes}",
                                                          codes=", ".join(sorted(missing))),
                         said("add a role for every option of {options!r}", options=f.options)))
        for code in sorted(set(state.owner.cases) - codes):
            out.append(d(path + ("cases", code), "E033", said("{code!r} is not an option of {options!r}",
                                                              code=code, options=f.options),
                         said("remove it"), key=True))
    return out


def _use_one_of(roles: dict) -> str:
    return said("use one of: {names}", names=", ".join(sorted(roles))) if roles else \
        said("use one of: none defined")
