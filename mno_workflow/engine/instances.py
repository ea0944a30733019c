"""How users name a step instance: ``referral:medical`` (the instance key shown everywhere),
``medical`` (its key alone), its database id, or the bare step name (``move_on``) when that step
has exactly one open instance (its key is then ``1``: ``move_on:1``), as scenarios' ``expect`` do;
and what CEL conditions see of a case's instances: ``open_instances`` and ``instance_keys``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def named(instances: Iterable[Any], name: str) -> list[Any]:
    """The instances of ``instances`` (open ones, usually) that ``name`` designates (see the module
    doc); a bare step name with several open instances designates all of them (the caller then
    reports the ambiguity with their keys)."""
    insts = list(instances)
    exact = [i for i in insts if name in (i.label_key, i.key, str(i.id))]
    return exact or [i for i in insts if i.step == name]


def open_instances(sop: Any, instances: Iterable[Any]) -> dict[str, int]:
    """``{step id: number of its instances that are not final}`` for every step of ``sop`` (0 for
    a step not started): the ``open_instances`` name of CEL conditions, e.g.
    ``open_instances.referral == 0`` (every referral final, or none)."""
    out = dict.fromkeys(sop.steps, 0)
    for i in instances:
        if not i.final and i.step in out:
            out[i.step] += 1
    return out


def instance_key(sop: Any, inst: Any) -> str:
    """The key an instance of a ``for_each`` step is for: the value of the step's ``key`` field in
    the instance's item (``medical``, also for a second referral of the same need, whose instance
    key is ``medical-2``), else the instance key itself (``1``, ``2`` for a step without ``key``)."""
    step = sop.steps.get(inst.step)
    key = getattr(getattr(step, "instances", None), "key", None)
    value = (inst.item or {}).get(key) if key else None
    return str(value) if value is not None else str(inst.key)


def instance_keys(sop: Any, instances: Iterable[Any]) -> dict[str, list[str]]:
    """``{step id: [key, ...]}`` for every ``for_each`` step of ``sop`` (``[]`` for a step not
    started): the ``instance_keys`` name of CEL conditions and form rules, e.g.
    ``follow_up.referral_lines.all(l, l.need in instance_keys.referral)``. Every instance the case
    has counts, open or final (a referral completed, closed without service or revoked was still
    referred: the follow-up asks about it); each key once, in the order the instances started
    (:func:`instance_key`)."""
    out: dict[str, list[str]] = {sid: [] for sid, step in sop.steps.items()
                                 if not isinstance(step.instances, str)}
    for i in instances:
        keys = out.get(i.step)
        if keys is not None:
            key = instance_key(sop, i)
            if key not in keys:
                keys.append(key)
    return out
