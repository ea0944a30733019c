"""Where a step instance's item comes from: the form whose data the item copies, so that every
reader and every eraser treats a copied value by its form's own field definition (label, type,
options, ``classification``, ``category``).

An item is a copy of form data (``StepInstance.item``):

- a row of the repeat group a ``for_each`` step iterates on (``needs_assessment.needs``: the need,
  its dimension, its ``description``…), when the step's flow rule starts it;
- the data of a ``spawn:`` (:mod:`.spawn`), with ``spawned_by`` (the trigger) added: the whole form
  (``from: best_interests`` — the assessment's ``findings`` too; ``from: immediate_referral``) or
  one row of a repeat group (``from: plan_revision.needs``).

:func:`item_sources` finds the form (and repeat group) of an item: the ``spawn`` of the transition
named by ``spawned_by`` that adds instances to the step, else the step's ``for_each``. When the
case's SOP version no longer has that trigger, every source that can feed the step is used (an
eraser then erases by each of their definitions: nothing copied is left behind).
"""

from __future__ import annotations

from typing import Any

from ..sop.schema import SOP, FormField, Transition

MARK = "spawned_by"  # the key a spawn adds to its items, with the trigger (:mod:`.spawn`)

Source = tuple[str, str]  # (form id, repeat field id or "" for the whole form)
Spec = dict[str, Any]  # {form: {field: True | {sub_field: True}}} (:mod:`.retention`)


def _spawns(sop: SOP, step_id: str) -> list[Transition]:
    return [t for st in sop.steps.values() for t in st.transitions
            if t.spawn is not None and t.spawn.step == step_id]


def _for_each(sop: SOP, step_id: str) -> list[Source]:
    step = sop.steps.get(step_id)
    each = getattr(getattr(step, "instances", None), "for_each", None)
    if not isinstance(each, str):
        return []
    form_id, _, field_id = each.partition(".")
    return [(form_id, field_id)]


def _source(t: Transition) -> Source:
    assert t.spawn is not None
    form_id, _, field_id = t.spawn.source.partition(".")
    return form_id, field_id


def item_sources(sop: SOP, step_id: str, item: Any) -> list[Source]:
    """The ``(form id, repeat field id or "")`` whose data ``item`` (of an instance of ``step_id``)
    copies; several only when the item's ``spawned_by`` is not a spawn of ``sop`` (see the module
    doc); empty for a step whose instances hold no item."""
    trigger = item.get(MARK) if isinstance(item, dict) else None
    if not trigger:
        return _for_each(sop, step_id)
    spawns = _spawns(sop, step_id)
    exact = [_source(t) for t in spawns if t.trigger == trigger]
    if exact:
        return list(dict.fromkeys(exact))
    return list(dict.fromkeys([_source(t) for t in spawns] + _for_each(sop, step_id)))


def _defs(sop: SOP, source: Source) -> list[FormField]:
    form_id, field_id = source
    form = sop.forms.get(form_id)
    if form is None:
        return []
    if not field_id:
        return list(form.fields)
    group = next((f for f in form.fields if f.id == field_id), None)
    return list(group.fields or []) if group is not None else []


def item_fields(sop: SOP, step_id: str, item: Any) -> list[FormField]:
    """The field definitions of ``item``'s values, in their form's order (a field id found in
    several sources: the first one's definition)."""
    out: dict[str, FormField] = {}
    for source in item_sources(sop, step_id, item):
        for f in _defs(sop, source):
            out.setdefault(f.id, f)
    return list(out.values())


def step_item_fields(sop: SOP, step_id: str) -> dict[str, FormField]:
    """Every field an item of ``step_id`` may hold, by id, whatever fed it (its ``for_each`` rows
    and every ``spawn:`` into it; a field id found in several sources: the first definition):
    what ``item.<field>`` may name in the step's deadlines (``start``, ``no_later_than``)."""
    out: dict[str, FormField] = {}
    for source in list(dict.fromkeys(_for_each(sop, step_id) + [_source(t) for t in _spawns(sop, step_id)])):
        for f in _defs(sop, source):
            out.setdefault(f.id, f)
    return out


def item_spec(sop: SOP, step_id: str, item: Any, spec: Spec) -> dict[str, Any]:
    """The part of the purge ``spec`` that applies to ``item``: ``{field: True | {sub: True}}``,
    by the definitions of the form(s) the item copies (a repeat group purged whole: every value
    of its rows)."""
    out: dict[str, Any] = {}

    def add(fields: dict[str, Any]) -> None:
        for fid, sub in fields.items():
            have = out.get(fid)
            out[fid] = True if have is True or sub is True else {**(have or {}), **sub}

    for form_id, field_id in item_sources(sop, step_id, item):
        part = spec.get(form_id) or {}
        if not field_id:
            add(part)
        elif part.get(field_id) is True and isinstance(item, dict):
            add({k: True for k in item if k != MARK})
        elif isinstance(part.get(field_id), dict):
            add(part[field_id])
    return out


def spawned_by_label(sop: SOP, step_id: str, trigger: Any, lang: str) -> str:
    """The action that added the instance (``spawned_by``) in words: the label of its transition
    (« Enregistrer l'évaluation de l'intérêt supérieur »), else the trigger as stored."""
    t = next((t for t in _spawns(sop, step_id) if t.trigger == trigger), None)
    return sop.label(t.label, lang) if t is not None and t.label else str(trigger or "")
