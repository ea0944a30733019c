"""``spawn:`` of a transition: add instances to a ``for_each`` step after it started, or before
its flow rule starts it (an immediate referral at first contact, a need found at a follow-up visit
and referred inside the case).

Shape (:class:`mno_workflow.sop.schema.Spawn`): ``spawn: {step: referral, from: immediate_referral}``
(the form's data is one item, asked for as such: the step's ``where`` is not applied)
or ``from: plan_revision.needs`` (one item per row of a repeat field,
filtered by the target step's ``where``). Each item becomes an instance of the target step in its
initial state, keyed by the step's ``key`` field like the instances its flow rule creates, with
``spawned_by`` (the trigger) added to the item. Rules:

- an item whose key is already held by an *open* instance of the step is refused (``FormInvalid`` on
  the key field, in French and English): nothing is written, one open referral per need;
- a spawned instance does not count as "the step already ran" for flow rules
  (:func:`is_spawned`), and when the flow rule later starts the step, the plan's items whose key a
  spawned instance already holds are left out (:func:`spawned_keys`): the immediate referral *is*
  that need's referral, and the plan shows it;
- effects (``started``, deadlines armed, tasks) are those of any instance entering its first state.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from ..sop.expr import compile_expr
from ..sop.schema import ForEach, Transition
from ..store.models import Case, StepInstance
from .consent_gate import check_spawn_gate
from .corewrite import new_instance
from .errors import Labels, Message
from .forms import invalid
from .item_source import MARK

if TYPE_CHECKING:  # pragma: no cover
    from .compile import CompiledSOP



def is_spawned(inst: StepInstance) -> bool:
    """Whether ``inst`` was added by a ``spawn:`` (not by the step's flow rule)."""
    return bool((inst.item or {}).get(MARK))


def spawned_keys(case: Case, step_id: str) -> set[str]:
    """Keys (``medical``) of the instances of ``step_id`` that a ``spawn:`` added to ``case``."""
    return {i.key for i in case.instances if i.step == step_id and is_spawned(i)}


def _items(case: Case, inst: StepInstance, t: Transition, data: dict) -> list[dict]:
    assert t.spawn is not None
    form_id, _, field_id = t.spawn.source.partition(".")
    if form_id in t.forms:  # ``data`` is {form_id: data} of the transition's forms
        source: Any = data.get(form_id) or {}
    else:
        source = (inst.data or {}).get(form_id) or (case.data or {}).get(form_id) or {}
    if field_id:
        rows = source.get(field_id) if isinstance(source, dict) else None
        return [dict(r) for r in rows or [] if isinstance(r, dict)]
    return [dict(source)] if source else []


def spawn_instances(engine: Any, s: Session, case: Case, inst: StepInstance, compiled: CompiledSOP,
                    t: Transition, trigger: str, data: dict, now: datetime,
                    actor_role: str | None) -> list[dict]:
    """Create and enter the instances ``t.spawn`` asks for (``data``: ``{form_id: data}`` of the
    transition's forms); returns the effects (``started``,
    deadlines, tasks) for the transition's audit event. Raises FormInvalid (nothing written: the
    caller's transaction rolls back) when an item's key is held by an open instance of the step."""
    assert t.spawn is not None
    sop = compiled.sop
    step_id = t.spawn.step
    step = sop.steps[step_id]
    fe = step.instances if isinstance(step.instances, ForEach) else None
    ctx = engine.context(case, None, sop, now)
    open_keys = {i.key for i in case.instances if i.step == step_id and not i.final}
    taken = {i.key for i in case.instances if i.step == step_id}
    effects: list[dict] = []
    created: list[StepInstance] = []
    rows = "." in t.spawn.source  # a repeat group's rows are filtered by the step's ``where``;
    for n, item in enumerate(_items(case, inst, t, data), start=1):  # a form's one item is asked for
        if rows and fe and fe.where and not compile_expr(fe.where).holds(dict(ctx, item=item)):
            continue
        key = str(item.get(fe.key)) if fe and fe.key and item.get(fe.key) is not None else str(n)
        if key in open_keys:
            field = fe.key if fe and fe.key else "_"
            src = t.spawn.source.partition(".")[0]
            form_id = (src if src in t.forms else t.forms[0]) if t.forms else trigger
            raise invalid(sop, form_id, {field: Message.t(
                "Un {step} est déjà en cours pour « {key} » ({step_id}:{key}) : le suivre plutôt "
                "que d'en créer un second.", step=Labels((step.label,), lower=True), key=key,
                step_id=step_id)})
        k, m = key, 1
        while k in taken:
            m += 1
            k = f"{key}-{m}"
        new = new_instance(case, step=step_id, key=k, state=step.initial_state, final=False,
                           item={**item, MARK: trigger}, data={}, started_at=now, entered_at=now,
                           version=1)  # written by the Core path: no ORM default before a flush
        case.instances.append(new)
        taken.add(k)
        open_keys.add(k)
        created.append(new)
    if created:  # issue 13: no referral is created once the person refused data sharing
        check_spawn_gate(sop, case, step_id, trigger, now)
    for new in created:
        effects.append({"started": new.label_key, "spawned_by": trigger})
        effects += engine._enter(s, case, new, compiled, None, new.state, now, actor_role)
    return effects
