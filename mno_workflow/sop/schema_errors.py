"""pydantic's validation errors of a YAML document placed on its nodes, for the SOP loader (E010,
E011, E012) and the scenario files of ``mno test`` (S010, S011, S012): each error's path in the
document (pydantic's union branch tags such as ``'DeadlineExp'`` or ``'list[str]'`` are not in the
YAML and are left out), and the errors of a union branch that does not apply dropped (a
``deadline:`` mapping whose date is wrong is not also « a list is expected »: tryout 4, G20)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

#: error types saying the value does not have a branch's shape at all (a list expected, a mapping
#: given): noise when another branch of the same union took the value and found a deeper error
WRONG_SHAPE = frozenset({
    "list_type", "tuple_type", "set_type", "iterable_type", "dict_type", "mapping_type", "model_type",
    "model_attributes_type", "dataclass_type", "string_type", "int_type", "float_type", "bool_type",
    "is_instance_of",
})


@dataclass(frozen=True)
class Placed:
    """One error of pydantic (``error``) with its ``path`` in the document (``prefix`` + the parts
    of its ``loc`` found in the document; a missing or unknown key's name last), ``on_key`` when it
    is about a mapping key (pydantic's ``[key]``), ``branch`` when its ``loc`` went through a union
    branch."""

    error: dict[str, Any]
    path: tuple
    on_key: bool
    branch: bool

    @property
    def kind(self) -> str:
        return self.error["type"]


def placed_errors(err: ValidationError, nodes: Any, prefix: tuple = ()) -> list[Placed]:
    """Every error of ``err`` placed in the document whose node positions are ``nodes`` (a
    :class:`~mno_workflow.sop.loader.Positions`), the model having validated the value at
    ``prefix``; a union branch's errors are dropped when another branch went deeper into the
    value and they only say that the value does not have that branch's shape."""
    out: list[Placed] = []
    for e in err.errors(include_url=False):
        loc = tuple(e["loc"])
        known: list[Any] = []
        branch = False
        for part in loc:
            candidate = prefix + tuple(known) + (part,)
            if candidate in nodes.keys or candidate in nodes.values or (
                    e["type"] in ("extra_forbidden", "missing") and part == loc[-1]):
                known.append(part)
            elif part != "[key]":
                branch = True
        out.append(Placed(e, prefix + tuple(known), "[key]" in loc, branch))
    return [p for p in out if not (p.branch and p.kind in WRONG_SHAPE and any(
        len(q.path) > len(p.path) and q.path[:len(p.path)] == p.path for q in out))]


def missing_where(p: Placed) -> tuple:
    """Where a missing key is said to be missing (its mapping); any other error's own path."""
    loc = p.error["loc"]
    return p.path[:-1] if p.kind == "missing" and loc and p.path and p.path[-1] == loc[-1] else p.path
