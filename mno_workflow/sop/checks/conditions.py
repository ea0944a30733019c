"""E039: a condition compares a step, state or option code that does not exist.

``steps.intake == 'dnoe'`` (a misspelt state), ``steps.intak == 'done'`` (a misspelt step),
``identification.priority == 'urgnet'`` or ``'medicl' in needs.kinds`` (a code that is not in the
field's option list) would make a guard silently always false (or always true with ``!=``). The
check reads the expression's tokens: a ``root.selector`` reference compared with ``==`` / ``!=``
to a string literal, ``ref in ['a', 'b']``, or ``'a' in ref``. ``root`` is ``steps`` (the
selector is a step, the literal one of its states), a form id, or ``item`` (in a step with
``instances: for_each``), whose choice/multi fields name an option list. ``open_instances.<step>``
and ``instance_keys.<step>`` must name a step (``instance_keys``: a ``for_each`` step). Reported
at the literal (file:line:col) with a "did you mean" hint.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from ..diagnostics import Diagnostic, said
from ..loader import LoadedSOP
from ..schema import SOP, FieldType, FormField

_TOKEN_RE = re.compile(r"""
    (?P<ws>\s+|//[^\n]*)
  | (?P<str>[rR]?(?:"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'))
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<num>\d\w*(?:\.\d\w*)?)
  | (?P<op>==|!=|.)
""", re.X)


def _tokens(source: str) -> list[tuple[str, str, int]]:
    return [(m.lastgroup or "", m.group(), m.start()) for m in _TOKEN_RE.finditer(source)
            if m.lastgroup != "ws"]


def code_comparisons(source: str) -> list[tuple[str, str, str, int]]:
    """``(root, selector, literal, offset)`` for every string literal compared to ``root.selector``
    in ``source`` (``==``, ``!=``, ``in [..]``, ``'x' in ref``); ``offset`` is the literal's index."""
    toks = _tokens(source)
    refs: dict[int, tuple[str, str, int]] = {}  # index of the ref's first token -> (root, sel, last)
    for i, (kind, text, _) in enumerate(toks):
        if kind != "ident" or (i and toks[i - 1][1] == "."):
            continue
        if i + 2 < len(toks) and toks[i + 1][1] == "." and toks[i + 2][0] == "ident" and not (
                i + 3 < len(toks) and toks[i + 3][1] in ("(", ".")):
            refs[i] = (text, toks[i + 2][1], i + 2)
    out = []

    def lit(tok: tuple[str, str, int]) -> tuple[str, int]:
        return tok[1].lstrip("rR")[1:-1], tok[2] + (len(tok[1]) - len(tok[1].lstrip("rR"))) + 1

    for i, (root, sel, last) in refs.items():
        nxt = toks[last + 1:last + 3]
        if len(nxt) == 2 and nxt[0][1] in ("==", "!=") and nxt[1][0] == "str":
            out.append((root, sel, *lit(nxt[1])))
        elif len(nxt) == 2 and nxt[0][1] == "in" and nxt[1][1] == "[":
            j = last + 3
            while j < len(toks) and toks[j][1] != "]":
                if toks[j][0] == "str":
                    out.append((root, sel, *lit(toks[j])))
                j += 1
        if i >= 2 and toks[i - 1][1] in ("==", "!=", "in") and toks[i - 2][0] == "str":
            out.append((root, sel, *lit(toks[i - 2])))
    return out


def _item_fields(sop: SOP, path: tuple) -> dict[str, FormField]:
    """Sub-fields of the repeat group ``item`` stands for in a step's conditions (else none)."""
    if len(path) < 2 or path[0] != "steps" or path[1] not in sop.steps:
        return {}
    inst = sop.steps[path[1]].instances
    if isinstance(inst, str):
        return {}
    form_id, _, field_id = inst.for_each.partition(".")
    for f in sop.forms.get(form_id).fields if form_id in sop.forms else []:
        if f.id == field_id and f.fields:
            return {sub.id: sub for sub in f.fields}
    return {}


def position_in_file(loaded: LoadedSOP, path: tuple, source: str, offset: int) -> tuple[int, int]:
    """file line:col of character ``offset`` of the condition at ``path`` when it can be found:
    on its first line (plain or quoted scalar), or on its own line of a literal block (``when: |``
    and the condition on the lines below); else the condition's own position."""
    line, col = loaded.positions.of(path)
    lines = loaded.text_of(loaded.positions.file_of(path, loaded.path)).splitlines()  # imported file
    if 0 < line <= len(lines) and "\n" not in source[:offset]:
        text = lines[line - 1][col - 1:]
        first = source.split("\n", 1)[0]
        for skip in (0, 1):
            if text[skip:].startswith(first):
                return line, col + skip + offset
    k = source.count("\n", 0, offset)  # the line of the condition holding ``offset`` (0-based)
    part = source.split("\n")[k]
    if 0 < line + 1 + k <= len(lines) and part.strip() and lines[line + k].strip() == part.strip():
        within = offset - (source.rfind("\n", 0, offset) + 1)
        return line + 1 + k, lines[line + k].index(part) + 1 + within
    return line, col


def check_codes(loaded: LoadedSOP, source: str, path: tuple) -> list[Diagnostic]:
    """E039 for every unknown step, state or option code compared in the condition ``source``
    written at ``path``."""
    sop, out = loaded.model, []
    item_fields = _item_fields(sop, path)

    def report(offset: int, message: str, code: str, known: list[str]) -> None:
        near = difflib.get_close_matches(code, known, n=1, cutoff=0.5)
        hint = (f"vouliez-vous dire {near[0]!r} ? / did you mean {near[0]!r}? " if near else "") + \
            f"(valeurs possibles / possible values: {', '.join(known) or 'none'})"
        line, col = position_in_file(loaded, path, source, offset)
        out.append(Diagnostic(loaded.positions.file_of(path, loaded.path), line, col, "error", "E039",
                              message, hint))

    for name in sorted(set(re.findall(r"\bopen_instances\.([a-z][a-z0-9_]*)", source)) - set(sop.steps)):
        report(source.find(f"open_instances.{name}") + 15,
               f"condition counts the open instances of step {name!r}, which does not exist", name,
               list(sop.steps))
    keyed = [s for s, st in sop.steps.items() if not isinstance(st.instances, str)]
    for name in sorted(set(re.findall(r"\binstance_keys\.([a-z][a-z0-9_]*)", source))):
        if name not in sop.steps:
            report(source.find(f"instance_keys.{name}") + 14,
                   said("condition reads the instance keys of step {step!r}, which does not exist",
                        step=name), name, keyed)
        elif isinstance(sop.steps[name].instances, str):
            report(source.find(f"instance_keys.{name}") + 14,
                   said("condition reads the instance keys of step {step!r}, which has a single "
                        "instance (no for_each)", step=name), name, keyed)
    for m in re.finditer(r"\bsteps\.([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)", source):
        # steps.<step> is the state's code (text): it has no fields (tryout 10, M5:
        # « steps.consent.given » passed --strict and every send failed at run time)
        step, name = m.group(1), m.group(2)
        known = list(sop.steps[step].states) if step in sop.steps else list(sop.steps)
        report(m.start(2), said("condition reads steps.{step}.{name}: steps.{step} is the state of the "
                                "step (a code), not a record; compare it: steps.{step} == '{near}'",
                                step=step, name=name, near=name if name in known else (known or ["…"])[0]),
               name, known)
    for root, sel, literal, offset in code_comparisons(source):
        if root == "steps":
            if sel not in sop.steps:
                report(source.find(f"steps.{sel}") + 6,
                       f"condition names step {sel!r}, which does not exist", sel, list(sop.steps))
            elif literal not in sop.steps[sel].states:
                report(offset, f"condition compares steps.{sel} with {literal!r}, which is not a state "
                       f"of step {sel!r}", literal, list(sop.steps[sel].states))
            continue
        field: FormField | None = None
        if root == "item":
            field = item_fields.get(sel)
        elif root in sop.forms:
            field = next((f for f in sop.forms[root].fields if f.id == sel), None)
        if field is None or field.type not in (FieldType.choice, FieldType.multi):
            continue
        codes = list(sop.options.get(field.options or "", {}))
        if codes and literal and literal not in codes:  # '' tests for "not filled"
            report(offset, f"condition compares {root}.{sel} with {literal!r}, which is not an option "
                   f"of {field.options!r}", literal, codes)
    return out


def constant_value(source: str) -> Any:
    """The value of a condition that reads no data (``1 == 2``, ``false``), else ``None``."""
    from ..expr import ExprError, compile_expr
    try:
        expr = compile_expr(source)
    except ExprError:
        return None
    if expr.variables:
        return None
    try:
        return expr.evaluate({})
    except ExprError:
        return None


def check_constant(loaded: LoadedSOP, source: str, path: tuple) -> list[Diagnostic]:
    """E040 for a condition that is always false (it reads no data and evaluates to ``false``: the
    transition can never happen); W113 for one that is always true (the guard is useless)."""
    value = constant_value(source)
    if value is False:
        return [loaded.diag(path, "E040", said("condition {source!r} is always false: it reads no case data",
                                               source=source),
                            said("the condition must read case data (a form, steps, today)"))]
    if value is True:
        return [loaded.diag(path, "W113", said("condition {source!r} is always true: it reads no case data",
                                               source=source),
                            said("remove it, or make it read case data"), severity="warning")]
    return []
