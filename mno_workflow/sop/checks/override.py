"""W118: a consent override that records no reason nor legal basis.

An override (the consent step's ``overridden`` state, read by protection/consent.py) shares the
person's data without their consent: the law (001-2021/AN in Burkina Faso) and IOM's data
protection principles want a reason and a legal basis, and what it covers (its form's
``data_categories`` and ``share_with``; without them it covers every category for every
recipient, docs/sop-language.md § 12). The warning stands on each transition into
``overridden`` that does not fill ``data_protection.override_form`` (default ``consent_override``),
and on the SOP when that form does not exist (tryout 8, K8: an SOP written from the docs had an
``override`` transition with no form, recorded in one click). A form that exists but lacks one of
``legal_basis``, ``reason``, ``share_with`` or ``data_categories`` (the last one unless
``data_protection.override_categories`` says the default) is warned at its ``fields`` key, naming
what is missing: without ``share_with`` the override covers every recipient (tryout 7, J4).
"""

from __future__ import annotations

from ..diagnostics import Diagnostic, said
from ..loader import LoadedSOP

OVERRIDDEN = "overridden"  # the state protection/consent.py reads as an override


def check_override(loaded: LoadedSOP) -> list[Diagnostic]:
    """W118 (module doc): nothing when the consent step has no ``overridden`` state."""
    sop, d, out = loaded.model, loaded.diag, []
    dp = sop.data_protection
    step_id = dp.consent_step if dp is not None else "consent"
    form = dp.override_form if dp is not None else "consent_override"
    step = sop.steps.get(step_id)
    if step is None or OVERRIDDEN not in step.states:
        return []
    for j, t in enumerate(step.transitions):
        if t.dest != OVERRIDDEN or form in t.forms:
            continue
        missing = form not in sop.forms
        out.append(d(("steps", step_id, "transitions", j), "W118",
                     said("transition {trigger!r} records a consent override without the override "
                          "form {form!r}{absent}: no reason, no legal basis, and it covers every "
                          "category for every recipient", trigger=t.trigger, form=form,
                          absent=said(" (the SOP has no such form)") if missing else ""),
                     said("add 'form: {form}' (fields legal_basis, reason, data_categories, "
                          "share_with: docs/sop-language.md § 12)", form=form),
                     severity="warning", key=True))
    used = any(t.dest == OVERRIDDEN and form in t.forms for t in step.transitions)
    if used and form in sop.forms:
        have = {f.id for f in sop.forms[form].fields}
        wanted = ["legal_basis", "reason", "data_categories", "share_with"]
        if dp is not None and dp.override_categories:
            wanted.remove("data_categories")  # the SOP's default categories
        missing = [f for f in wanted if f not in have]
        if missing:
            out.append(d(("forms", form, "fields"), "W118",
                         said("the consent override form {form!r} has no field {fields}: an override "
                              "then records no reason or legal basis, or covers every category or "
                              "every recipient", form=form, fields=", ".join(missing)),
                         said("add the fields {fields} (docs/sop-language.md § 12, 'consent_override')",
                              fields=", ".join(missing)),
                         severity="warning", key=True))
    return out
