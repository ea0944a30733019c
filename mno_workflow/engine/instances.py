"""How users name a step instance: ``referral:medical`` (the instance key shown everywhere),
``medical`` (its key alone), its database id, or the bare step name (``move_on``) when that step
has exactly one open instance (its key is then ``1``: ``move_on:1``), as scenarios' ``expect`` do.
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
