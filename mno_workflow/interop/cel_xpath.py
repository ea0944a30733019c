"""Translation of the SOP's CEL conditions (``relevant``) into XLSForm/ODK XPath, for one form.

Supported (everything the Burkina Faso SOP uses, and more): ``form.field`` of the same form
(→ ``${field}``), literals (strings, numbers, ``true``/``false``), ``has(form.field)``
(→ ``${field} != ''``), ``!``, ``&&``, ``||``, parentheses, comparisons ``== != < <= > >=``,
``'x' in form.multi`` and ``form.multi.exists(v, v == 'x' || …)`` (→ ``selected(${multi}, 'x')``),
``size(form.multi)`` (→ ``count-selected(${multi})``). A boolean field alone means ``= 'true'``.

Anything else raises :class:`Untranslatable` with a French and English reason (a field of another
form, a function or macro XLSForm has no equivalent for…): the caller refuses, it never guesses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mno_workflow.i18n import gettext

TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
    r"|(?P<op>&&|\|\||==|!=|<=|>=|[<>!().,])|(?P<name>[A-Za-z_][A-Za-z0-9_]*))"
)


class Untranslatable(ValueError):
    """A CEL expression (or part) with no XLSForm equivalent; the message says which, fr / en."""


@dataclass
class Scope:
    """What the translator knows of the form: its id and ``{field id: SOP field type}``."""

    form: str
    types: dict[str, str]


def _tokens(expr: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(expr):
        if expr[pos:].strip() == "":
            break
        m = TOKEN.match(expr, pos)
        if not m or m.end() == pos:
            near = expr[pos:].strip()[:10]
            raise Untranslatable(f"caractère inattendu « {near} » / unexpected character")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    """Recursive descent over the tokens; each method returns (xpath text, kind) where kind is
    ``bool``, ``field:<type>:<name>``, ``str``, ``num`` or ``multi:<name>``."""

    def __init__(self, expr: str, scope: Scope) -> None:
        self.toks = _tokens(expr)
        self.i = 0
        self.scope = scope
        self.var: str | None = None  # the variable of an exists() lambda
        self.var_of: str | None = None

    def peek(self) -> str | None:
        return self.toks[self.i][1] if self.i < len(self.toks) else None

    def take(self, value: str | None = None) -> str:
        if self.i >= len(self.toks):
            raise Untranslatable("expression incomplète / incomplete expression")
        tok = self.toks[self.i][1]
        if value is not None and tok != value:
            raise Untranslatable(gettext("« {expected} » attendu au lieu de « {found} »",
                                         expected=value, found=tok))
        self.i += 1
        return tok

    def parse(self) -> str:
        text, kind = self.or_()
        if self.i != len(self.toks):
            raise Untranslatable(f"suite inattendue « {self.peek()} » / unexpected '{self.peek()}'")
        return self.as_bool(text, kind)

    def as_bool(self, text: str, kind: str) -> str:
        if kind == "bool":
            return text
        if kind.startswith("field:boolean:"):
            return f"{text} = 'true'"
        raise Untranslatable(gettext("« {text} » n'est pas une condition", text=text))

    def or_(self) -> tuple[str, str]:
        text, kind = self.and_()
        while self.peek() == "||":
            self.take()
            right, rkind = self.and_()
            text, kind = f"{self.as_bool(text, kind)} or {self.as_bool(right, rkind)}", "bool"
        return text, kind

    def and_(self) -> tuple[str, str]:
        text, kind = self.not_()
        while self.peek() == "&&":
            self.take()
            right, rkind = self.not_()
            text, kind = f"{self.as_bool(text, kind)} and {self.as_bool(right, rkind)}", "bool"
        return text, kind

    def not_(self) -> tuple[str, str]:
        if self.peek() == "!":
            self.take()
            text, kind = self.not_()
            if kind.startswith("field:boolean:"):
                return f"{text} = 'false'", "bool"
            return f"not({self.as_bool(text, kind)})", "bool"
        return self.compare()

    def compare(self) -> tuple[str, str]:
        left, lkind = self.atom()
        op = self.peek()
        if op in ("==", "!=", "<", "<=", ">", ">="):
            self.take()
            right, rkind = self.atom()
            if lkind == "var" or rkind == "var":
                lit = right if lkind == "var" else left
                if op != "==":
                    raise Untranslatable("dans exists(), seule l'égalité se traduit / only ==")
                return f"selected({self.var_of}, {lit})", "bool"
            if lkind.startswith("field:boolean:") and right in ("true()", "false()"):
                right = f"'{right[:-2]}'"
            xop = {"==": "=", "!=": "!="}.get(op, op)
            return f"{left} {xop} {right}", "bool"
        if op == "in":
            self.take()
            right, rkind = self.atom()
            if not rkind.startswith("field:multi:"):
                raise Untranslatable(gettext("« in » seulement sur un choix multiple"))
            return f"selected({right}, {left})", "bool"
        return left, lkind

    def field(self) -> tuple[str, str]:
        form = self.take()
        self.take(".")
        name = self.take()
        if form != self.scope.form:
            raise Untranslatable(gettext("« {field} » est un champ d'un autre formulaire",
                                         field=f"{form}.{name}"))
        if name not in self.scope.types:
            raise Untranslatable(gettext("champ inconnu « {field} »", field=f"{form}.{name}"))
        ref = f"${{{name}}}"
        if self.peek() == "." and self.i + 1 < len(self.toks) and self.toks[self.i + 1][1] != "exists":
            method = self.toks[self.i + 1][1]
            raise Untranslatable(gettext("méthode « {method} » sans équivalent XLSForm", method=method))
        if self.peek() == "." and self.toks[self.i + 1][1] == "exists":
            self.take(".")
            self.take("exists")
            if self.scope.types[name] != "multi":
                raise Untranslatable(gettext("{function} seulement sur un choix multiple",
                                             function="exists()"))
            self.take("(")
            var = self.take()
            self.take(",")
            saved = (self.var, self.var_of)
            self.var, self.var_of = var, ref
            body, kind = self.or_()
            self.var, self.var_of = saved
            self.take(")")
            return f"({self.as_bool(body, kind)})", "bool"
        return ref, f"field:{self.scope.types[name]}:{name}"

    def atom(self) -> tuple[str, str]:
        kind, tok = self.toks[self.i] if self.i < len(self.toks) else ("", "")
        if tok == "(":
            self.take()
            text, k = self.or_()
            self.take(")")
            return f"({self.as_bool(text, k)})", "bool"
        if kind == "num":
            return self.take(), "num"
        if kind == "str":
            raw = self.take()[1:-1]
            if "'" in raw:
                raise Untranslatable("apostrophe dans une chaîne / quote inside a string")
            return f"'{raw}'", "str"
        if tok in ("true", "false"):
            self.take()
            return f"{tok}()", "bool"
        if tok == "has":
            self.take()
            self.take("(")
            ref, k = self.field()
            self.take(")")
            if k.startswith("field:multi:"):
                return f"count-selected({ref}) > 0", "bool"
            return f"{ref} != ''", "bool"
        if tok == "size":
            self.take()
            self.take("(")
            ref, k = self.field()
            self.take(")")
            if not k.startswith("field:multi:"):
                raise Untranslatable(gettext("{function} seulement sur un choix multiple", function="size()"))
            return f"count-selected({ref})", "num"
        if kind == "name" and tok == self.var:
            self.take()
            return "v", "var"
        if kind == "name" and self.i + 1 < len(self.toks) and self.toks[self.i + 1][1] == ".":
            return self.field()
        raise Untranslatable(gettext("« {token} » sans équivalent XLSForm", token=tok))


def translate(expr: str, scope: Scope) -> str:
    """The XPath of the CEL condition ``expr`` within ``scope`` (raises Untranslatable)."""
    return _Parser(expr, scope).parse()

