"""The SOP's ``relevant:`` conditions translated for the browser, so that a conditional field is
shown only when it applies (a hidden field is disabled, so not sent); the server still decides
(:mod:`mno_workflow.engine.forms` checks ``required`` only on relevant fields and refuses a value
sent for one that does not apply: :mod:`mno_workflow.engine.form_relevance`).

Translated subset of CEL (anything else → no translation, the field stays shown with « si
applicable »): ``||``, ``&&``, ``!``, parentheses, ``==`` / ``!=`` between a field of the same form
and a literal (string, number, ``true``/``false``), ``has(form.field)``, a bare boolean field and
``form.field.exists(v, v == 'code')``; in a row of a repeat group, ``item.sub`` names a field of
the same row (``"item.need"`` in the tree; app.js reads it in the row of the field it shows or
hides, tryout 9, L3). Same semantics as :meth:`Expr.holds`: reading an empty field
outside ``has()`` is an error, and an error counts as false.

The result is a small JSON tree the vendored ``app.js`` evaluates (no ``eval``: the CSP forbids it):
``["or", a, b]``, ``["and", a, b]``, ``["not", a]``, ``["eq"|"ne", a, b]``, ``["has", name]``,
``["field", name, type]``, ``["lit", value]``, ``["exists_eq", name, value]``.
"""

from __future__ import annotations

import json
import re

from ..sop.schema import FormField

TOKEN = re.compile(r"\s*(?:(?P<str>'[^'\\]*'|\"[^\"\\]*\")|(?P<num>-?\d+(?:\.\d+)?)"
                   r"|(?P<op>==|!=|&&|\|\||[!().,])|(?P<id>[A-Za-z_][A-Za-z0-9_]*))")


class Untranslatable(Exception):
    pass


def _tokens(src: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    src = src.strip()
    while pos < len(src):
        m = TOKEN.match(src, pos)
        if not m or m.end() == pos:
            raise Untranslatable(src[pos:])
        pos = m.end()
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
    return out


class _Parser:
    def __init__(self, src: str, form_id: str, fields: dict[str, FormField],
                 item: dict[str, FormField] | None = None):
        self.toks = _tokens(src)
        self.i = 0
        self.form_id = form_id
        self.fields = fields
        self.item = item  # the row's fields, for ``item.sub`` (a field of a repeat group)

    def peek(self, value: str | None = None) -> bool:
        return self.i < len(self.toks) and (value is None or self.toks[self.i][1] == value)

    def take(self, value: str | None = None) -> tuple[str, str]:
        if not self.peek(value):
            raise Untranslatable(value or "end")
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse(self) -> list:
        node = self.or_()
        if self.i != len(self.toks):
            raise Untranslatable(self.toks[self.i][1])
        return node

    def or_(self) -> list:
        node = self.and_()
        while self.peek("||"):
            self.take()
            node = ["or", node, self.and_()]
        return node

    def and_(self) -> list:
        node = self.unary()
        while self.peek("&&"):
            self.take()
            node = ["and", node, self.unary()]
        return node

    def unary(self) -> list:
        if self.peek("!"):
            self.take()
            return ["not", self.unary()]
        left = self.primary()
        if self.peek("==") or self.peek("!="):
            op = self.take()[1]
            return ["eq" if op == "==" else "ne", left, self.primary()]
        return left

    def field_name(self) -> str:
        """``form.field`` → ``field``; ``item.sub`` (in a row) → ``item.sub``."""
        form = self.take()[1]
        self.take(".")
        name = self.take()[1]
        if form == "item" and self.item is not None and name in self.item:
            return "item." + name
        if form != self.form_id or name not in self.fields:
            raise Untranslatable(f"{form}.{name}")
        return name

    def field_type(self, name: str) -> str:
        if name.startswith("item."):
            return self.item[name[5:]].type.value  # type: ignore[index]
        return self.fields[name].type.value

    def literal(self) -> list:
        kind, text = self.take()
        if kind == "str":
            return ["lit", text[1:-1]]
        if kind == "num":
            return ["lit", float(text) if "." in text else int(text)]
        if text in ("true", "false"):
            return ["lit", text == "true"]
        raise Untranslatable(text)

    def primary(self) -> list:
        if self.peek("("):
            self.take()
            node = self.or_()
            self.take(")")
            return node
        kind, text = self.toks[self.i] if self.i < len(self.toks) else ("", "")
        if kind in ("str", "num") or text in ("true", "false"):
            return self.literal()
        if text == "has":
            self.take()
            self.take("(")
            name = self.field_name()
            self.take(")")
            return ["has", name]
        if kind != "id":
            raise Untranslatable(text)
        name = self.field_name()
        if self.peek("."):
            self.take()
            if self.take()[1] != "exists":
                raise Untranslatable("method")
            self.take("(")
            var = self.take()[1]
            self.take(",")
            if self.take()[1] != var:
                raise Untranslatable("exists")
            self.take("==")
            lit = self.literal()
            self.take(")")
            return ["exists_eq", name, lit[1]]
        return ["field", name, self.field_type(name)]


def to_js(expr: str, form_id: str, fields: list[FormField],
          item: list[FormField] | None = None) -> str | None:
    """The JSON tree of ``expr`` for a field of ``form_id`` (see module doc), or None when the
    expression uses more than the translated subset (the field is then always shown). ``item``:
    the fields of the repeat group's row, for a field of that row (``item.sub``)."""
    row = {f.id: f for f in item} if item is not None else None
    try:
        return json.dumps(_Parser(expr, form_id, {f.id: f for f in fields}, row).parse(), ensure_ascii=False)
    except (Untranslatable, IndexError, ValueError):
        return None
