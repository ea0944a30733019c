"""The values a form opens with on a case opened by an SOP entry (a first responder's alert): the
entry's ``prefill`` (BF SOP: identification's name, sex, age, region, province, commune and phone
from the alert), the same on every path (issue 13 review).

- The page shows the form filled with them (:func:`opening_values`, web/routes/case_actions.py);
  the caseworker may change or clear any of them before submitting.
- The API (``POST /api/v1/cases/{ref}/fire``) and the CLI (``mno case fire``) complete the payload
  with them (:func:`complete`): a field **absent** from the payload takes the alert's value; a
  field sent, even empty (``null``, ``""``, ``[]``), keeps what was sent — that is how a caller
  clears a pre-filled value. ``"prefill": false`` (API) / ``--no-prefill`` (CLI) turns it off.
  ``GET /api/v1/cases/{ref}/prefill/{trigger}`` and ``mno case prefill REF TRIGGER`` show them.

A repeat field with ``rows_from: {step, key}`` (BF SOP: the follow-up's lines, one per referral)
opens on the page with one row per instance of that step, its ``key`` field set
(:func:`opening_rows`). Those rows are the page's suggestion only: the API and the CLI never add
rows to a payload (a client leaving the optional group out is not refused for it), and
``GET …/prefill/{trigger}`` / ``mno case prefill`` keep showing what :func:`complete` adds, so
they do not list them either.

An entry's ``prefill_choices`` (BF SOP: the alert's « Besoins immédiats » « Enfant seul ou séparé »
and « Violence sexuelle de moins de 72 h » → identification's « Catégories de vulnérabilité »
« Enfant non accompagné » and « Survivant·e de VBG »; tryout 7, J8) adds, on the same paths, the
target options mapped from the source options the case holds; :func:`recalled` gives the source
values themselves, which the page shows beside the target field whatever it holds.

Values are read from the case's data at the moment of the call; nothing here writes.
"""

from __future__ import annotations

from typing import Any

from ..sop.schema import SOP
from .instances import instance_keys


def _value(data: dict, path: str) -> Any:
    form, _, field = path.partition(".")
    return (data.get(form) or {}).get(field)


def prefill(sop: SOP, case: Any, form_id: str) -> dict[str, Any]:
    """Values ``form_id`` opens with on ``case``: the ``prefill`` of every entry whose form data
    the case holds (``{}`` for a case opened at ``start``). Empty values are left out."""
    data = case.data or {}
    out: dict[str, Any] = {}
    for entry in sop.entries.values():
        pairs = entry.prefill.get(form_id)
        if not pairs:
            continue
        for field_id, source in pairs.items():
            value = _value(data, source)
            if value not in (None, "", []):
                out.setdefault(field_id, value)
        for field_id, rule in entry.prefill_choices.get(form_id, {}).items():
            mapped = _mapped(sop, form_id, field_id, _codes(_value(data, rule.source)), rule.options)
            if mapped not in (None, []):
                out.setdefault(field_id, mapped)
    return out


def _codes(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [] if value in (None, "") else [str(value)]


def _mapped(sop: SOP, form_id: str, field_id: str, codes: list[str], table: dict[str, list[str]]) -> Any:
    """The target options of ``codes`` through ``table``, in the target list's order: a list for
    a ``multi`` field, the first for a ``choice`` field (None when nothing maps)."""
    form = sop.forms.get(form_id)
    target = next((f for f in form.fields if f.id == field_id), None) if form else None
    if target is None:
        return None
    wanted = {t for c in codes for t in table.get(c, [])}
    ordered = [o for o in sop.options.get(target.options or "", {}) if o in wanted]
    if target.type == "multi":
        return ordered
    return ordered[0] if ordered else None


def recalled(sop: SOP, case: Any, form_id: str) -> dict[str, list[tuple[str, str, list[str]]]]:
    """``{target field id: [(entry id, source field path, [source option codes]), …]}`` for the
    ``prefill_choices`` of ``form_id`` whose source the case holds (non-empty): what the entry's
    form said, to show beside the field (the caseworker may have changed the ticks)."""
    data = case.data or {}
    out: dict[str, list[tuple[str, str, list[str]]]] = {}
    for eid, entry in sop.entries.items():
        for field_id, rule in entry.prefill_choices.get(form_id, {}).items():
            codes = _codes(_value(data, rule.source))
            if codes:
                out.setdefault(field_id, []).append((eid, rule.source, codes))
    return out


def opening_values(sop: SOP, case: Any, forms: list[str]) -> dict[str, Any] | None:
    """What a transition with ``forms`` opens with: ``{field: value}`` for one form, ``{form_id:
    {field: value}}`` for several (only the forms with values); None when nothing is pre-filled."""
    filled = {f: prefill(sop, case, f) for f in forms}
    if len(forms) == 1:
        return filled[forms[0]] or None
    return {f: v for f, v in filled.items() if v} or None


def rows(sop: SOP, case: Any, form_id: str) -> dict[str, list[dict[str, str]]]:
    """``{repeat field id: [{key field: key}, ...]}``: one row per instance of the ``rows_from``
    step of each repeat field of ``form_id`` (every instance, open or final, as
    ``instance_keys``), at most ``max_items``; fields whose step has no instance are left out."""
    keys = instance_keys(sop, case.instances)
    out: dict[str, list[dict[str, str]]] = {}
    for f in sop.forms[form_id].fields:
        rf = f.rows_from
        found = keys.get(rf.step) if rf is not None else None
        if rf is not None and found:
            out[f.id] = [{rf.key: k} for k in found[:f.max_items or len(found)]]
    return out


def opening_rows(sop: SOP, case: Any, forms: list[str], values: dict[str, Any] | None
                 ) -> dict[str, Any] | None:
    """``values`` (:func:`opening_values`' shape) with the :func:`rows` of ``forms`` added, for the
    web page only (see the module text); a field ``values`` holds already keeps its value."""
    out = {k: (dict(v) if isinstance(v, dict) and len(forms) > 1 else v) for k, v in (values or {}).items()}
    for form_id in forms:
        filled = rows(sop, case, form_id)
        if not filled:
            continue
        target = out if len(forms) == 1 else out.setdefault(form_id, {})
        for field_id, lines in filled.items():
            target.setdefault(field_id, lines)
    return out or None


def transition_of(sop: SOP, case: Any, trigger: str, role: str, instance: str | None = None):
    """The transition ``trigger`` that ``role`` would fire on ``case`` (``instance``: ``step:key``
    or ``key``), or None when there is no single one (the engine then says why)."""
    found = []
    for inst in case.instances:
        # a done step's edit (« Rectifier l'identification ») is never completed with the alert's
        # values: its payload is the whole form, as corrected (tryout 9, L5)
        if inst.final or (instance and instance not in (inst.label_key, inst.key, str(inst.id))):
            continue
        step = sop.steps.get(inst.step)
        for tr in (step.transitions if step else []):
            sources = tr.sources
            if tr.trigger == trigger and role in tr.by and (inst.state in sources or "*" in sources):
                found.append(tr)
                break
    return found[0] if len(found) == 1 else None


def _applies(sop: SOP, case: Any, form_id: str, field_id: str, target: dict[str, Any]) -> bool:
    """Whether ``field_id`` of ``form_id`` is asked with the values ``target`` holds: False only
    when its ``relevant`` is decidably false (the payload gives a birth date: the alert's
    estimated age is not added, tryout 9, L3); a condition that cannot be read yet counts as
    asked, the engine then decides."""
    from ..sop.expr import ExprError, compile_expr

    f = next((x for x in sop.forms[form_id].fields if x.id == field_id), None)
    if f is None or not f.relevant:
        return True
    try:
        return compile_expr(f.relevant).evaluate(dict(case.data or {}, **{form_id: target})) is not False
    except ExprError:
        return True


def complete(sop: SOP, case: Any, tr: Any, payload: dict[str, Any] | None
             ) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """``payload`` completed with the pre-filled values of ``tr``'s forms for the fields it does
    not name (see the module text), and ``{form_id: [field ids taken from the alert]}``. The
    payload's shape follows the transition: flat for one form, ``{form_id: {...}}`` for several."""
    out = dict(payload or {})
    taken: dict[str, list[str]] = {}
    forms = list(getattr(tr, "forms", None) or [])
    for form_id in forms:
        values = prefill(sop, case, form_id)
        if not values:
            continue
        if len(forms) == 1:
            target = out
        else:
            part = out.get(form_id)
            if part is not None and not isinstance(part, dict):
                continue  # malformed: the engine reports it
            target = out[form_id] = dict(part or {})
        added = [k for k in values if k not in target]
        for k in added:
            target[k] = values[k]
        for k in [k for k in added if not _applies(sop, case, form_id, k, target)]:
            del target[k]  # not asked with what was sent: never a value the form refuses (L3)
            added.remove(k)
        if added:
            taken[form_id] = added
    return out, taken
