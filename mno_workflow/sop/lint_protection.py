"""Checks of the SOP's ``data_protection:`` section and of field data categories (codes E041, E042).

| code | severity | rule |
|---|---|---|
| E041 | error | ``personal``/``sensitive`` field without ``category`` (SOP with ``data_protection``) |
| E042 | error | ``data_protection``/``category`` names an unknown step, form, state, code or type; the
  override form's ``share_with`` has codes the consent form's ``share_with`` lacks |
"""

from __future__ import annotations

from collections.abc import Iterator

from .diagnostics import Diagnostic, said
from .loader import LoadedSOP
from .schema import Classification, FormField
from .schema_protection import ORGANIZATION_TYPES


def _fields(fields: list[FormField], path: tuple) -> Iterator[tuple[tuple, FormField]]:
    for i, f in enumerate(fields):
        yield path + (i,), f
        if f.fields:
            yield from _fields(f.fields, path + (i, "fields"))


def _codes(loaded: LoadedSOP, form_id: str, field_id: str) -> set[str] | None:
    form = loaded.model.forms.get(form_id)
    f = next((x for x in form.fields if x.id == field_id), None) if form else None
    if f is None or not f.options:
        return None
    return set(loaded.model.options.get(f.options, {}))


def check_protection(loaded: LoadedSOP) -> list[Diagnostic]:
    """E041 and E042 (see the module doc); nothing when the SOP has no ``data_protection``
    section, except unknown ``category`` codes."""
    sop, d = loaded.model, loaded.diag
    dp = sop.data_protection
    out: list[Diagnostic] = []
    form_id = dp.consent_form if dp else "consent"
    categories = _codes(loaded, form_id, "data_categories")
    for fid, form in sop.forms.items():
        for path, f in _fields(form.fields, ("forms", fid, "fields")):
            if f.category is not None and categories is not None and f.category not in categories:
                out.append(d(path + ("category",), "E042",
                             said("unknown data category {category!r}; known: {known}", category=f.category,
                                  known=", ".join(sorted(categories))),
                             said("use a code of the consent's data_categories option list")))
            elif (dp is not None and f.category is None and f.type != "repeat"
                  and f.classification in (Classification.personal, Classification.sensitive)):
                out.append(d(path, "E041",
                             said("{classification} field {field!r} has no data category: providers would "
                                  "never see it, and consent cannot cover it",
                                  classification=f"{f.classification}", field=f.id),
                             said("add 'category:' (e.g. identity, contact)"), key=True))
    if dp is None:
        return out
    base = ("data_protection",)
    if dp.consent_step not in sop.steps:
        out.append(d(base + ("consent_step",), "E042", said("unknown step {name!r}", name=dp.consent_step),
                     said("known steps: {names}", names=", ".join(sop.steps))))
    if dp.consent_form not in sop.forms:
        out.append(d(base + ("consent_form",), "E042", said("unknown form {name!r}", name=dp.consent_form),
                     said("known forms: {names}", names=", ".join(sop.forms))))
        return out
    kinds = _codes(loaded, dp.consent_form, "share_with")
    for kind, types in dp.recipient_kinds.items():
        if kinds is not None and kind not in kinds:
            out.append(d(base + ("recipient_kinds", kind), "E042",
                         said("{kind!r} is not a code of the share_with option list; known: {known}",
                              kind=kind, known=", ".join(sorted(kinds))),
                         said("use the codes of share_with"), key=True))
        for j, t in enumerate(types):
            if t not in ORGANIZATION_TYPES:
                out.append(d(base + ("recipient_kinds", kind, j), "E042",
                             said("unknown organisation type {type!r}; known: {known}", type=t,
                                  known=", ".join(ORGANIZATION_TYPES)),
                             said("directory organisation types")))
    override = _codes(loaded, dp.override_form, "share_with")  # the override's recipients (J4)
    if kinds is not None and override is not None and not override <= kinds:
        path = ("forms", dp.override_form, "fields",
                next(i for i, f in enumerate(sop.forms[dp.override_form].fields) if f.id == "share_with"))
        out.append(d(path + ("options",), "E042",
                     said("the override's share_with codes {codes} are not codes of the consent's "
                          "share_with; known: {known}", codes=", ".join(sorted(override - kinds)),
                          known=", ".join(sorted(kinds))),
                     said("give the override's share_with the consent's option list")))
    purposes = _codes(loaded, dp.consent_form, "purposes")
    for key in ("referral_purpose", "statistics_purpose"):
        value = getattr(dp, key)
        if value is not None and purposes is not None and value not in purposes:
            out.append(d(base + (key,), "E042",
                         said("{value!r} is not a code of the purposes option list", value=value),
                         said("known: {names}", names=", ".join(sorted(purposes)))))
    states = {st for step in sop.steps.values() if step.recipient for st in step.states}
    for j, st in enumerate(dp.withhold_in_states):
        if st not in states:
            out.append(d(base + ("withhold_in_states", j), "E042",
                         said("{state!r} is not a state of a step with a recipient", state=st),
                         said("known: {names}", names=", ".join(sorted(states)))))
    return out
