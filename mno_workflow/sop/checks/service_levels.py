"""Lint of provider service levels (issue 13): ``within: {from_directory: response_time, …}``
only on a state of a step that names both the provider (``recipient``) and the directory service
(``service``) of each instance, and ``service`` must name a text or choice field (E045)."""

from __future__ import annotations

from ..diagnostics import Diagnostic, said
from ..loader import LoadedSOP
from ..schema import FieldType


def check_service_levels(loaded: LoadedSOP) -> list[Diagnostic]:
    """E045 for every ``from_directory`` deadline of a step without ``recipient`` or ``service``,
    and for a ``service`` that names no text/choice field of a form."""
    sop, d, out = loaded.model, loaded.diag, []
    for sid, step in sop.steps.items():
        if step.service:
            form_id, _, field_id = step.service.partition(".")
            form = sop.forms.get(form_id)
            field = next((f for f in form.fields if f.id == field_id), None) if form else None
            if field is None or field.type not in (FieldType.text, FieldType.choice):
                out.append(d(("steps", sid, "service"), "E045",
                             said("service {service!r} is not a text or choice field of a form",
                                  service=step.service),
                             said("name the field holding the directory service id, "
                                  "e.g. referral.service_id")))
        for st, state in step.states.items():
            if state.deadline is None or state.deadline.from_directory is None:
                continue
            if not (step.recipient and step.service):
                missing = ", ".join(k for k in ("recipient", "service") if not getattr(step, k))
                out.append(d(("steps", sid, "states", st, "deadline", "within"), "E045",
                             said("deadline of {step}.{state} reads the directory's response time, but step "
                                  "{step!r} has no {missing}", step=sid, state=st, missing=missing),
                             said("add 'recipient:' (the provider) and 'service:' (the directory "
                                  "service) to the step")))
    return out
