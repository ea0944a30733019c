"""References of a transition's ``spawn:`` (instances added to a ``for_each`` step).

E024: ``step`` is not a step. E034: the step is not a ``for_each`` step, or ``from`` names a field
that is not a repeat group. E022: ``from`` names an unknown form. E028: ``from`` names an unknown
field of that form. E043: a repeat group whose rows lack the sub-field the target step keys its
instances by (each spawned instance needs its key, e.g. the need code).
"""

from __future__ import annotations

from ..diagnostics import Diagnostic, said
from ..loader import LoadedSOP
from ..schema import FieldType, ForEach, Transition


def check_spawn(loaded: LoadedSOP, t: Transition, path: tuple) -> list[Diagnostic]:
    """Diagnostics of ``t.spawn`` written at ``path`` (the ``spawn`` key of the transition)."""
    if t.spawn is None:
        return []
    sop, d, out = loaded.model, loaded.diag, []
    sp = t.spawn
    step = sop.steps.get(sp.step)
    if step is None:
        return [d(path + ("step",), "E024", said("unknown step {name!r}", name=sp.step),
                  said("use one of: {names}", names=", ".join(sorted(sop.steps))))]
    if not isinstance(step.instances, ForEach):
        out.append(d(path + ("step",), "E034", said("step {step!r} has a single instance", step=sp.step),
                     said("spawn adds instances to a step with {shape}",
                          shape="'instances: {for_each: ...}'")))
        return out
    form_id, _, field_id = sp.source.partition(".")
    form = sop.forms.get(form_id)
    if form is None:
        return out + [d(path + ("from",), "E022", said("unknown form {name!r}", name=form_id),
                        said("use one of: {names}", names=", ".join(sorted(sop.forms))))]
    rows = form.fields
    if field_id:
        field = next((f for f in form.fields if f.id == field_id), None)
        if field is None:
            return out + [d(path + ("from",), "E028", said("unknown field {name!r}", name=sp.source),
                            said("use one of: {names}",
                                 names=", ".join(f"{form_id}.{f.id}" for f in form.fields)))]
        if field.type != FieldType.repeat:
            return out + [d(path + ("from",), "E034",
                            said("{field!r} is a {type} field, not a repeat group", field=sp.source,
                                 type=str(field.type)),
                            said("name a form (one item) or a repeat field form.field (one item per row)"))]
        rows = field.fields or []
    key = step.instances.key
    if key and key not in {f.id for f in rows}:
        out.append(d(path + ("from",), "E043",
                     said("{source!r} has no field {key!r}, the key of {step!r}'s instances",
                          source=sp.source, key=key, step=sp.step),
                     said("add a field {key!r} (the same code list as {codes})", key=key,
                          codes=step.instances.for_each)))
    return out
