"""The form data of a transition: none, one form (``form: a``) or several filled in one submission
(``form: [a, b]``), validated together before anything is written.

Payload shapes (API ``payload``, CLI ``--json``, web form):

- no form: ``{}`` (any key is refused);
- ``form: a``: the form's fields, ``{"field": value, ...}`` (unchanged);
- ``form: [a, b]``: one object per form, ``{"a": {"field": value}, "b": {"other": value}}``.

Every form is validated even when an earlier one fails, so the user sees every problem at once;
a form's ``relevant``/``not_before``/rules may read the forms validated before it in the list.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ..sop.schema import SOP, Transition
from .errors import FormInvalid, FormsInvalid, Labels, Message
from .forms import validate_form

_NO_FIELD = Message.t("Cette action ne prend pas ce champ.")
_NOT_FORM = Message.t("Cette action ne remplit pas ce formulaire.")
_GROUP = Message.t("Un objet {shape} est attendu pour ce formulaire.", shape="{champ: valeur}")


def validate_transition_forms(sop: SOP, t: Transition, trigger: str, payload: dict[str, Any], *,
                              context: dict[str, Any], today: date, now: datetime
                              ) -> dict[str, dict[str, Any]]:
    """``{form_id: clean data}`` of ``t``'s forms from ``payload`` (shapes in the module doc);
    ``{}`` for a transition without form. ``context`` is the case data ``{form_id: {...}}`` (as
    :func:`validate_form`), ``today`` the SOP-local date, ``now`` the instant.

    Raises :class:`FormInvalid` (no form or one form; ``errors`` by field path) or
    :class:`FormsInvalid` (several forms; errors keyed by form). Writes nothing."""
    forms = t.forms
    if not forms:
        if payload:
            raise FormInvalid(trigger, {k: _NO_FIELD for k in payload},  # the action by its label
                              title=Labels((t.label,)) if t.label else None)
        return {}
    if len(forms) == 1:
        return {forms[0]: validate_form(sop, forms[0], payload, context=context, today=today, now=now)}
    by_form: dict[str, dict[str, Message]] = {}
    if not isinstance(payload, dict):
        raise FormsInvalid({"": {"": _GROUP}})
    stray = [k for k in payload if k not in forms]
    if stray:
        by_form[""] = {k: _NOT_FORM for k in stray}
    out: dict[str, dict[str, Any]] = {}
    titles: dict[str, Any] = {}
    labels: dict[str, Any] = {}
    ctx = dict(context)
    for fid in forms:
        part = payload.get(fid) or {}
        if fid in sop.forms and sop.forms[fid].title:  # the forms and fields by their SOP labels
            titles[fid] = Labels((sop.forms[fid].title,))
        if not isinstance(part, dict):
            by_form[fid] = {"": _GROUP}
            continue
        try:
            out[fid] = ctx[fid] = validate_form(sop, fid, part, context=ctx, today=today, now=now,
                                                unknown_forms=frozenset(by_form))
        except FormInvalid as e:
            by_form[fid] = e.errors
            labels.update({f"{fid}.{k}": label for k, label in e.labels.items()})
    if by_form:
        raise FormsInvalid(by_form, titles=titles, labels=labels)
    return out


def split_flat(sop: SOP, t: Transition, flat: dict[str, Any]) -> dict[str, Any]:
    """A flat ``{field: value}`` (web form, CLI ``--data``) as the payload of ``t``: unchanged for
    one form or none; for several, ``{form_id: {field: value}}`` by each form's fields (field ids
    differ across the forms, E031). A key ``form.field`` names its form; other keys stay at the top
    (refused by :func:`validate_transition_forms`)."""
    forms = t.forms
    if len(forms) < 2:
        return flat
    owner = {f.id: fid for fid in forms if fid in sop.forms for f in sop.forms[fid].fields}
    out: dict[str, Any] = {}
    for key, value in flat.items():
        head, dot, rest = key.partition(".")
        if dot and head in forms:
            out.setdefault(head, {})[rest] = value
        elif key in owner:
            out.setdefault(owner[key], {})[key] = value
        else:
            out[key] = value
    return out
