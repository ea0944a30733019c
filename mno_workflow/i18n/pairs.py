"""Rewrite ``Message(fr=…, en=…)`` pairs of a Python file as catalogue messages
``Message.t("… {name} …", name=…)``, their English text going to the catalogues (used by
``python -m mno_workflow.i18n.migrate --messages PATH…``).

An f-string becomes a format string: each ``{expression}`` is named after the expression (``x``
for ``x``, ``b`` for ``a.b``, ``p1``… otherwise) and passed as a keyword. A pair is left alone
(and listed) when its two texts do not use the same expressions or are not literal strings.
"""

from __future__ import annotations

import ast
import string
from dataclasses import dataclass
from pathlib import Path

LINE = 110  # ruff's line length of the project


@dataclass
class Pair:
    line: int
    msgid: str
    english: str
    replacement: str
    start: tuple[int, int]
    end: tuple[int, int]


def _placeholders(node: ast.AST, names: dict[str, str]) -> str | None:
    """The format string of a literal or f-string (``names``: expression source → name)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.replace("{", "{{").replace("}", "}}")
    if not isinstance(node, ast.JoinedStr):
        return None
    out = []
    for part in node.values:
        if isinstance(part, ast.Constant):
            out.append(str(part.value).replace("{", "{{").replace("}", "}}"))
            continue
        if not isinstance(part, ast.FormattedValue):
            return None
        source = ast.unparse(part.value)
        if source not in names:
            base = part.value.id if isinstance(part.value, ast.Name) else \
                part.value.attr if isinstance(part.value, ast.Attribute) else f"p{len(names) + 1}"
            while base in names.values() or base in ("msgid", "cls", "lang"):
                base = f"{base}_"
            names[source] = base
        conv = {-1: "", 115: "!s", 114: "!r", 97: "!a"}[part.conversion]
        spec = ""
        if part.format_spec is not None:
            inner = _placeholders(part.format_spec, names)
            if inner is None or "{" in inner:
                return None
            spec = ":" + inner
        out.append("{" + names[source] + conv + spec + "}")
    return "".join(out)


def _used(fmt: str) -> set[str]:
    """The placeholder names of a format string."""
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(fmt) if name}


def _literal_lines(text: str, indent: int) -> list[str]:
    """``text`` as Python string literals, split at spaces to fit in the line length."""
    room = max(30, LINE - indent - 4)
    chunks, current = [], ""
    for word in text.split(" "):
        piece = (current + " " + word) if current else word
        if len(repr(piece)) > room and current:
            chunks.append(current + " ")
            current = word
        else:
            current = piece
    chunks.append(current)
    return [_quote(c) for c in chunks]


def _quote(s: str) -> str:
    if '"' not in s:
        return '"' + s.replace("\\", "\\\\").replace("\n", "\\n") + '"'
    return repr(s)


def find_pairs(source: str) -> tuple[list[Pair], list[int]]:
    """The rewritable pairs of ``source`` and the lines of those left as they are."""
    pairs, left = [], []
    lines = source.splitlines()
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Message"):
            continue
        kw = {k.arg: k.value for k in node.keywords}
        if len(node.args) == 2 and not kw:
            kw = {"fr": node.args[0], "en": node.args[1]}
        if set(kw) != {"fr", "en"} or node.args and len(node.args) != 2:
            continue
        names: dict[str, str] = {}
        fr = _placeholders(kw["fr"], names)
        fr_names = dict(names)
        en = _placeholders(kw["en"], names)
        if fr is None or en is None or names != fr_names or not fr or _used(fr) != _used(en):
            left.append(node.lineno)
            continue
        indent = len(lines[node.lineno - 1]) - len(lines[node.lineno - 1].lstrip())
        args = ", ".join(f"{name}={expr}" for expr, name in names.items())
        one = f"Message.t({_quote(fr)}{', ' + args if args else ''})"
        column = len(lines[node.lineno - 1].encode()[:node.col_offset].decode())
        if column + len(one) + 2 <= LINE and "\n" not in one:
            replacement = one
        else:
            pad = " " * (indent + 4)
            body = ("\n" + pad).join(_literal_lines(fr, indent + 4))
            replacement = "Message.t(\n" + pad + body + ("," if args else "")
            if args:
                replacement += "\n" + pad + args if len(pad + args) < LINE else \
                    "".join(f"\n{pad}{name}={expr}," for expr, name in names.items()).rstrip(",")
            replacement += ")"
        english = en.replace("{{", "{").replace("}}", "}") if not names else en
        msgid = fr.replace("{{", "{").replace("}}", "}") if not names else fr
        if not names:  # no placeholders: gettext() does not format, the texts are taken as they are
            replacement = replacement.replace(_quote(fr), _quote(msgid))
        pairs.append(Pair(node.lineno, msgid, english, replacement, (node.lineno, node.col_offset),
                          (node.end_lineno, node.end_col_offset)))
    return pairs, left


def rewrite(path: Path) -> tuple[list[Pair], list[int]]:
    """Rewrite the pairs of ``path`` in place; the pairs moved and the lines left."""
    source = path.read_text(encoding="utf-8")
    pairs, left = find_pairs(source)
    if not pairs:
        return pairs, left
    lines = source.splitlines(keepends=True)
    for p in sorted(pairs, key=lambda p: p.start, reverse=True):
        (l1, c1), (l2, c2) = p.start, p.end  # ast offsets count UTF-8 bytes, not characters
        head = lines[l1 - 1].encode()[:c1].decode()
        tail = lines[l2 - 1].encode()[c2:].decode()
        lines[l1 - 1:l2] = [head + p.replacement + tail]
    path.write_text("".join(lines), encoding="utf-8")
    return pairs, left
