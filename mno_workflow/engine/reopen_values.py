"""What reopening a case must ask when the restarted step's deadline cannot be computed from what
the case knows (issue 13 review): BF SOP, a case screened out at identification has no needs
assessment, hence no risk level, and the first follow-up visit's deadline is chosen by it
(``by: needs_assessment.risk_level``: 2, 5 or 10 working days).

Decided as a case manager expects: a reopened case is followed up on the **last known** risk
level (the one the case holds); when none is known, the person reopening must **give** it — a
required field, a per-field error in French and English, nothing written — because a follow-up
without a deadline is a follow-up nobody is reminded of. A value given while one is known
replaces it (a re-assessment at reopening). The value goes where the deadline reads it (the
case's data ``form.field``) and into the ``reopen`` audit event (``data.values``), which
``mno audit verify`` replays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..sop.schema import SOP, ByField
from .errors import FormInvalid, Labels, Message


@dataclass(frozen=True)
class Asked:
    """A value a reopening needs: the deadline's field ``path`` (``form.field``), its ``field``
    id (the key callers send), the allowed ``codes``, its current value (None: unknown) and the
    option list ``options`` of the field for labels."""

    path: str
    field: str
    codes: list[str]
    current: Any
    options: str | None


def asked(sop: SOP, data: dict | None) -> list[Asked]:
    """The ``by`` fields of the deadline of the reopen step's initial state (none without
    ``reopen`` or without such a deadline)."""
    if sop.reopen is None or sop.reopen.start not in sop.steps:
        return []
    step = sop.steps[sop.reopen.start]
    state = next((st for st in step.states.values() if st.initial), None)
    dl = state.deadline if state is not None else None
    within = dl.within if dl is not None else None  # a directory rule's default is ``within`` too
    if not isinstance(within, ByField):
        return []
    form_id, _, field_id = within.by.partition(".")
    current = ((data or {}).get(form_id) or {}).get(field_id)
    form = sop.forms.get(form_id)
    spec = next((f for f in form.fields if f.id == field_id), None) if form else None
    # the option list's order (an ordinal scale: high, moderate, low), never alphabetical (tryout 3,
    # F32: « Élevé, Faible, Modéré »); codes the list lacks after, in the deadline's order
    listed = list(sop.options.get(spec.options or "", {})) if spec is not None else []
    codes = [c for c in listed if c in within.cases] + [c for c in within.cases if c not in listed]
    return [Asked(within.by, field_id, codes, current if current not in ("", None) else None,
                  spec.options if spec else None)]


def check(sop: SOP, data: dict | None, values: dict[str, Any] | None) -> dict[str, str]:
    """``{form.field: code}`` to write at reopening, from ``values`` (``{field id: code}``).
    Raises FormInvalid (``reopen``, per field, catalogue messages) when a needed value is missing or is not
    one of the deadline's codes; values for fields not asked are refused too."""
    values = {k: v for k, v in (values or {}).items() if v not in (None, "")}
    out: dict[str, str] = {}
    errors: dict[str, Message] = {}
    wanted = asked(sop, data)
    known = {a.field for a in wanted}
    for k in values:
        if k not in known:
            errors[k] = Message.t("Champ inconnu à la réouverture : « {field} ».", field=k)
    for a in wanted:
        v = values.get(a.field)
        if v is None:
            if a.current is None:
                errors[a.field] = Message.t(
                    "Obligatoire : ce dossier n'a pas de « {label} » connu (par exemple clos à "
                    "l'identification) ; il choisit le délai du premier suivi de l'étape qui "
                    "redémarre.", label=_label(sop, a.path))
            continue
        if str(v) not in a.codes:  # the codes by the option list's labels (« Élevé, Modéré, Faible »)
            options = sop.options.get(a.options or "", {})
            errors[a.field] = Message.t("Valeur « {value} » inconnue ; valeurs possibles : {codes}.",
                                        value=v, codes=Labels(tuple(options.get(c) or {"fr": c}
                                                                    for c in a.codes)))
            continue
        out[a.path] = str(v)
    if errors:  # the fields by their SOP labels (« Niveau de risque »), never their ids
        raise FormInvalid("reopen", errors, labels={a.field: _label(sop, a.path) for a in wanted
                                                    if a.field in errors and isinstance(_label(sop, a.path),
                                                                                        Labels)})
    return out


def _label(sop: SOP, path: str) -> Labels | str:
    """The label of field ``path`` (``form.field``) as a message value, else the field id."""
    form_id, _, field_id = path.partition(".")
    form = sop.forms.get(form_id)
    spec = next((f for f in form.fields if f.id == field_id), None) if form else None
    return Labels((spec.label,)) if spec else field_id


def apply(data: dict, given: dict[str, str]) -> dict:
    """``data`` (the case's data) with ``given`` (``{form.field: code}``) written in."""
    out = dict(data)
    for path, value in given.items():
        form_id, _, field_id = path.partition(".")
        out[form_id] = {**(out.get(form_id) or {}), field_id: value}
    return out
