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
