"""References of a transition's ``form:`` (one form id, or a list filled in one submission).

E022: an unknown form id (the hint lists the SOP's forms). E012: a form listed twice.
E031: a field id found in two forms of the same list — the forms are filled in one submission
(web page, ``mno case fire --data field=value``), so their field ids must differ.
"""

from __future__ import annotations

from ..diagnostics import Diagnostic, said
from ..lint_names import use_one_of
from ..loader import LoadedSOP
from ..schema import Transition


def check_forms(loaded: LoadedSOP, t: Transition, path: tuple) -> list[Diagnostic]:
    """Diagnostics of ``t.form`` written at ``path`` (the ``form`` key of the transition): each
    located at the list item (``form: [a, b]``) or at the value (``form: a``)."""
    sop, d, out = loaded.model, loaded.diag, []
    listed = not isinstance(t.form, str)
    owner: dict[str, str] = {}  # field id -> first form of the list holding it
    seen: set[str] = set()
    for j, fid in enumerate(t.forms):
        p = path + (j,) if listed else path
        if fid in seen:
            out.append(d(p, "E012", said("form {form!r} is listed twice", form=fid),
                         said("list each form once")))
            continue
        seen.add(fid)
        form = sop.forms.get(fid)
        if form is None:
            out.append(d(p, "E022", said("unknown form {name!r}", name=fid), use_one_of(sop.forms)))
            continue
        for f in form.fields:
            if f.id in owner:
                out.append(d(p, "E031", said("field id {field!r} is in both forms {first!r} and {second!r} "
                                             "of this transition", field=f.id, first=owner[f.id], second=fid),
                             said("forms filled in one submission need different field ids: rename one")))
            else:
                owner[f.id] = fid
    return out
