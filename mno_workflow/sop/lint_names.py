"""Names an SOP refers to: the index of its fields and the diagnostic of a name it does not define
(E020-E029: « unknown state 'x' », with the names it could have used)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .diagnostics import Diagnostic, said
from .loader import LoadedSOP
from .schema import SOP, FormField


def field_index(sop: SOP) -> dict[str, FormField]:
    """``{"form.field": FormField}`` for every top-level field of every form."""
    return {f"{fid}.{f.id}": f for fid, form in sop.forms.items() for f in form.fields}


def all_fields(sop: SOP) -> Iterator[FormField]:
    """Every field of every form, sub-fields of repeat groups included."""
    stack = [f for form in sop.forms.values() for f in form.fields]
    while stack:
        f = stack.pop()
        yield f
        stack.extend(f.fields or [])


#: One message per kind of name, so that each translates as a whole sentence.
_UNKNOWN = {"state": said("unknown state {name!r}"), "role": said("unknown role {name!r}"),
            "form": said("unknown form {name!r}"), "field": said("unknown field {name!r}"),
            "step": said("unknown step {name!r}"), "option list": said("unknown option list {name!r}"),
            "trigger": said("unknown trigger {name!r}")}


def unknown(loaded: LoadedSOP, path: tuple, code: str, kind: str, name: str, known: Any) -> Diagnostic:
    """The diagnostic ``code`` at ``path``: ``name``, a ``kind`` (state, role, form, field, step,
    option list, trigger) not among ``known`` (names), the hint listing them."""
    message = said(_UNKNOWN[kind].msgid, name=name) if kind in _UNKNOWN else \
        said("unknown {kind} {name!r}", kind=kind, name=name)
    return loaded.diag(path, code, message, use_one_of(known))


def use_one_of(known: Any) -> str:
    """The hint « use one of: a, b » (sorted names), or « use one of: none defined »."""
    names = ", ".join(sorted(known))
    return said("use one of: {names}", names=names) if names else said("use one of: none defined")
