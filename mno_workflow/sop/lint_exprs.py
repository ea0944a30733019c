"""CEL conditions of an SOP checked against its forms: syntax, names, ``form.field`` and
``item.field`` references (E027, E036), codes compared (E039) and constant conditions (E040, W113)."""

from __future__ import annotations

import re

from .cel_words import column_words, syntax_error
from .checks.conditions import check_codes, check_constant, position_in_file
from .diagnostics import Diagnostic, said
from .expr import _MACRO_VAR_RE, BUILTIN_NAMES, ExprError, compile_expr
from .lint_names import field_index
from .loader import LoadedSOP
from .schema import SOP, FieldType, Step

# What ``item`` holds where an expression is evaluated: (where it comes from, its field ids);
# _NO_ITEM: ``item`` is empty there; None: unknown (the step's for_each is itself wrong), not checked.
ItemContext = tuple[str, set[str]] | None
_NO_ITEM: ItemContext = ("", set())


def step_item(sop: SOP, step: Step) -> ItemContext:
    """What ``item`` is in the guards of ``step``: the sub-fields of its for_each repeat group."""
    if isinstance(step.instances, str):
        return _NO_ITEM
    f = field_index(sop).get(step.instances.for_each)
    if f is None or f.type != FieldType.repeat:
        return None
    return (said("the repeat group {name!r}", name=step.instances.for_each),
            {sub.id for sub in f.fields or []})


_TOKEN_RE = re.compile(r"""
    (?P<ws>\s+|//[^\n]*)
  | (?P<str>[rRbB]{0,2}(?:\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'))
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<num>\d\w*(?:\.\d\w*)?)
  | (?P<op>.)
""", re.X)


def field_refs(source: str) -> list[tuple[str, str]]:
    """``(root, selector)`` for every ``root.selector`` (or ``root["selector"]``) in a CEL
    expression whose ``root`` is a top-level name (not a member, not a function, not a macro
    variable), e.g. ``[("consent", "given"), ("item", "need")]``. Strings and comments are skipped."""
    toks = [(m.lastgroup, m.group()) for m in _TOKEN_RE.finditer(source) if m.lastgroup != "ws"]
    macro_vars = set(_MACRO_VAR_RE.findall(source))
    out = []
    for i, (kind, text) in enumerate(toks):
        if kind != "ident" or (i and toks[i - 1] == ("op", ".")) or text in macro_vars:
            continue
        nxt = toks[i + 1:i + 4]
        if len(nxt) >= 2 and nxt[0] == ("op", ".") and nxt[1][0] == "ident" \
                and not (len(nxt) > 2 and nxt[2] == ("op", "(")):
            out.append((text, nxt[1][1]))
        elif len(nxt) == 3 and nxt[0] == ("op", "[") and nxt[1][0] == "str" and nxt[2] == ("op", "]"):
            out.append((text, nxt[1][1].lstrip("rRbB").strip("'\"")))
    return out


def check_expr(loaded: LoadedSOP, source: str, path: tuple, extra: set[str] | None = None,
               item: ItemContext = _NO_ITEM) -> list[Diagnostic]:
    """Diagnostics of the CEL condition ``source`` at ``path``: E027 (syntax, unknown name; names
    in ``extra`` are known too), E036 (``form.field`` or ``item.field`` no form defines, ``item``
    being what ``item`` holds there), E039/E040/W113 (:mod:`.checks.conditions`)."""
    try:
        expr = compile_expr(source)
    except ExprError as e:  # said in words at its column, mapped to the file (tryout 4, G2)
        offset, problem = syntax_error(e.detail, source)
        line, col = position_in_file(loaded, path, source, offset)
        return [Diagnostic(loaded.positions.file_of(path, loaded.path), line, col, "error", "E027",
                           column_words(source, offset, problem),
                           said("see https://cel.dev for the syntax, e.g. consent.given && x > 1"))]
    sop = loaded.model
    known = set(sop.forms) | BUILTIN_NAMES | (extra or set())
    out = check_codes(loaded, source, path) + check_constant(loaded, source, path)
    out += [loaded.diag(path, "E027",
                        said("CEL expression reads unknown name {name!r}", name=name),
                        said("use a form id ({forms}) or item, today, now",
                             forms=", ".join(sorted(sop.forms))))
           for name in sorted(expr.variables - known)]
    seen: set[tuple[str, str]] = set()
    for root, sel in field_refs(source):
        if (root, sel) in seen or root in (extra or set()):
            continue
        seen.add((root, sel))
        if root in sop.forms:
            ids = [f.id for f in sop.forms[root].fields]
            if sel not in ids:
                out.append(loaded.diag(
                    path, "E036",
                    said("condition reads {form}.{field}, but form {form!r} has no field {field!r}",
                         form=root, field=sel),
                    said("fields of form {form}: {fields}", form=root, fields=", ".join(ids))))
        elif root == "item" and item is not None and sel not in item[1]:
            if item[0]:
                out.append(loaded.diag(
                    path, "E036", said("condition reads item.{field}, but {item} has no field {field!r}",
                                       field=sel, item=item[0]),
                    said("fields of the item: {fields}", fields=", ".join(sorted(item[1])))))
            else:
                out.append(loaded.diag(
                    path, "E036", said("condition reads item.{field}, but 'item' is empty here", field=sel),
                    said("item only exists in a step with 'instances: for_each' or inside a repeat group")))
    return out
