"""Which options of a choice field a form may take, worked out from the form's own SOP rules: the
options that go with the value of an earlier choice field (the needs of the chosen dimension, or
any such pairing an SOP author writes as a rule) and the options a one-field rule accepts at all.
The web form offers only those (web/pairing.py), the paper form prints only those
(render/paper_forms.py); the server still checks the rules on submit.

How: for two ``choice`` fields A (earlier) and B of one field list (a form's top level or the
sub-fields of a repeat group) that some rule of the form names both, every (a, b) pair is
evaluated against each such rule with a one-row payload; a rule whose outcome does not vary over
the pairs is not about the pairing (a uniqueness rule, a rule over other forms) and is ignored;
an evaluation error counts as « refused », as on the server. The result for B is
``(A's id, {b: [a, …]})``: the values of A each option of B is allowed with. Nothing is returned
when no rule varies (every option stays offered).

The same for one field alone (:func:`offered`): a rule naming a ``choice`` field B and no other
field of its list, whose outcome varies over B's options and evaluates for each of them without
error (a rule needing the case, ``now`` or another form is left to the server), limits the
options offered to those it accepts; the controlling field A of a pairing then offers only the
values that some offered option of B goes with. Source: tryout 7, J6 — « Référer un besoin
immédiat » offered all 20 needs where the BF SOP's rule « Ce besoin n'est pas un besoin
immédiat » accepts five (and whole dimensions holding none of them).

Source: the Burkina Faso SOP's rule « Le besoin ne relève pas de la dimension choisie » on
``needs_assessment.needs`` and ``plan_revision.needs`` (issue 18: « needs filtered by the chosen
dimension »); the directory's ``need_service_types.csv`` holds the same mapping, and a test checks
that both agree.
"""

from __future__ import annotations

import re
from typing import Any

from ..sop.expr import ExprError, compile_expr
from ..sop.schema import SOP, FieldType, FormField

Pairing = tuple[str, dict[str, list[str]]]  # (controlling field id, {option: [allowed values]})

_CACHE: dict[tuple[int, str, str], tuple[SOP, Any]] = {}


def _mentions(text: str, field_id: str) -> bool:
    return re.search(r"\b" + re.escape(field_id) + r"\b", text) is not None


def _payload(form_id: str, group: str, values: dict[str, str]) -> dict[str, Any]:
    return {form_id: {group: [values]} if group else dict(values), "today": "2000-01-01"}


def _holds(source: str, ctx: dict[str, Any]) -> bool:
    try:
        return compile_expr(source).evaluate(ctx) is True
    except (ExprError, Exception):  # noqa: BLE001 - any evaluation error refuses, as on the server
        return False


def _cached(sop: SOP, key: tuple) -> Any:
    """What :data:`_CACHE` holds for ``key`` when it was computed for this very SOP object."""
    hit = _CACHE.get(key)
    return hit[1] if hit is not None and hit[0] is sop else None


def _fields(sop: SOP, form_id: str, group: str) -> list[FormField]:
    """The fields of ``form_id``, or of its repeat field ``group`` ("" for the top level)."""
    fields: list[FormField] = sop.forms[form_id].fields
    if group:
        parent = next((f for f in fields if f.id == group), None)
        fields = list(parent.fields or []) if parent is not None else []
    return fields


def pairings(sop: SOP, form_id: str, group: str = "") -> dict[str, Pairing]:
    """``{B's field id: (A's field id, {b: [a, …]})}`` for the fields of ``form_id`` (``group``:
    the id of a repeat field, to look at its sub-fields; "" for the top level). Cached per SOP
    object; a few hundred rule evaluations the first time (3 dimensions × 20 needs)."""
    key = (id(sop), form_id, group)
    if (hit := _cached(sop, key)) is not None:
        return hit
    form, fields = sop.forms[form_id], _fields(sop, form_id, group)
    others = [o for o in sop.forms if o != form_id]  # a rule reading other forms needs the case: skipped
    choices = [f for f in fields if f.type == FieldType.choice and f.options]
    out: dict[str, Pairing] = {}
    for j, b in enumerate(choices):
        for a in choices[:j]:
            rules = [r.check for r in form.rules if _mentions(r.check, a.id) and _mentions(r.check, b.id)
                     and not any(re.search(r"\b" + re.escape(o) + r"\s*\.", r.check) for o in others)]
            if not rules:
                continue
            a_opts = list(sop.options.get(a.options, {}))
            b_opts = list(sop.options.get(b.options, {}))
            table = {(x, y): [_holds(src, _payload(form_id, group, {a.id: x, b.id: y})) for src in rules]
                     for x in a_opts for y in b_opts}
            varying = [i for i in range(len(rules)) if len({v[i] for v in table.values()}) > 1]
            if not varying:
                continue
            allowed = {y: [x for x in a_opts if all(table[(x, y)][i] for i in varying)] for y in b_opts}
            out[b.id] = (a.id, allowed)
            break  # one controlling field per field
    _CACHE[key] = (sop, out)
    return out


def _evaluates(source: str, ctx: dict[str, Any]) -> bool | None:
    try:
        out = compile_expr(source).evaluate(ctx)
    except (ExprError, Exception):  # noqa: BLE001 - cannot tell without the case: not used here
        return None
    return out if isinstance(out, bool) else None


def offered(sop: SOP, form_id: str, group: str = "") -> dict[str, list[str]]:
    """``{field id: [offered options]}`` for the ``choice`` fields of ``form_id`` (``group`` as in
    :func:`pairings`) that a one-field rule limits (see the module text); fields no such rule
    limits are left out. Cached per SOP object."""
    key = (id(sop), form_id, "offered:" + group)
    if (hit := _cached(sop, key)) is not None:
        return hit
    form, fields = sop.forms[form_id], _fields(sop, form_id, group)
    others = [o for o in sop.forms if o != form_id]
    out: dict[str, list[str]] = {}
    for b in (f for f in fields if f.type == FieldType.choice and f.options):
        opts = list(sop.options.get(b.options, {}))
        keep = set(opts)
        for r in form.rules:
            if (not _mentions(r.check, b.id) or any(_mentions(r.check, f.id) for f in fields if f is not b)
                    or any(re.search(r"\b" + re.escape(o) + r"\s*\.", r.check) for o in others)):
                continue
            results = {y: _evaluates(r.check, _payload(form_id, group, {b.id: y})) for y in opts}
            if None in results.values() or len(set(results.values())) < 2:
                continue
            keep &= {y for y, ok in results.items() if ok}
        if keep != set(opts):
            out[b.id] = [y for y in opts if y in keep]
    _CACHE[key] = (sop, out)
    return out


def offered_codes(sop: SOP, form_id: str, group: str = "") -> dict[str, set[str]]:
    """``{field id: offered option codes}``: :func:`offered`, plus the controlling field of each
    limited field's pairing, reduced to the values some offered option goes with."""
    out = {k: set(v) for k, v in offered(sop, form_id, group).items()}
    pairs = pairings(sop, form_id, group)
    for b_id, codes in list(out.items()):
        if b_id in pairs:
            a_id, allowed = pairs[b_id]
            out[a_id] = out.get(a_id, {a for vals in allowed.values() for a in vals}) & {
                a for c in codes for a in allowed.get(c, [])}
    return out
