"""References of ``notify:`` lists (transitions): roles exist, ``role_from`` fields exist and can only
hold role ids.

E021: an entry that is neither a role id nor ``assignee`` / ``recipient`` (with "did you mean"),
``recipient`` in a step without ``recipient:``, or a ``role_from`` choice field with an option code
that is not a role id. E028: a ``role_from`` field no form defines, or that is not a choice field.
"""

from __future__ import annotations

import difflib

from ..diagnostics import Diagnostic, said
from ..loader import LoadedSOP
from ..schema import FieldType, RoleFrom

SPECIAL = ("assignee", "recipient")


def check_notify(loaded: LoadedSOP, sid: str, targets: list, path: tuple) -> list[Diagnostic]:
    """Diagnostics of the ``notify`` list ``targets`` of step ``sid`` written at ``path``."""
    sop, d, out = loaded.model, loaded.diag, []
    for j, target in enumerate(targets):
        p = path + (j,)
        if isinstance(target, RoleFrom):
            form_id, _, field_id = target.role_from.partition(".")
            form = sop.forms.get(form_id)
            field = next((f for f in form.fields if f.id == field_id), None) if form else None
            if field is None:
                out.append(d(p + ("role_from",), "E028",
                             said("unknown field {name!r}", name=target.role_from),
                             said("name a choice field form.field whose options are role ids")))
            elif field.type != FieldType.choice:
                out.append(d(p + ("role_from",), "E028", said("{field!r} is a {type} field",
                                                              field=target.role_from, type=str(field.type)),
                             said("role_from reads a choice field whose option codes are role ids")))
            else:
                bad = sorted(set(sop.options.get(field.options or "", {})) - set(sop.roles))
                if bad:
                    out.append(d(p + ("role_from",), "E021",
                                 said("options {codes} of {field!r} are not roles", codes=", ".join(bad),
                                      field=target.role_from),
                                 said("each option code must be a role id: {roles}",
                                      roles=", ".join(sop.roles))))
        elif target == "recipient" and not sop.steps[sid].recipient:
            out.append(d(p, "E021", said("step {step!r} has no recipient to notify", step=sid),
                         said("add 'recipient: form.field' to the step, or notify a role")))
        elif target not in SPECIAL and target not in sop.roles:
            near = difflib.get_close_matches(target, list(sop.roles) + list(SPECIAL), n=1)
            use = said("use a role ({roles}), assignee, recipient or {shape}", roles=", ".join(sop.roles),
                       shape="{role_from: form.field}")
            out.append(d(p, "E021", said("unknown role {name!r} in notify", name=target),
                         said("did you mean {name!r}? {use}", name=near[0], use=use) if near else use))
    return out
