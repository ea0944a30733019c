"""The CEL parser's syntax errors (its English, « token recognition error at: '= ' ») said as what an
SOP author must change, in the reader's language, with the column inside the expression: each
common mistake (a single ``=``, a bracket or quote not closed, a character CEL does not know, an
expression ending on an operator, ``and``/``or``/``not``) is a catalogue message
(:func:`~mno_workflow.sop.diagnostics.said`, English source, French in ``fr/…/messages.po``); any
other problem is a plain « syntax error » at its column. The parser's own text goes to the log
only. Used by :func:`mno_workflow.sop.lint_exprs.check_expr` for E027 (tryout 4, G2)."""

from __future__ import annotations

import logging
import re

from .diagnostics import Said, said

log = logging.getLogger("mno_workflow.sop")

#: one error of the parser: ``ERROR: <input>:LINE:COL: Syntax error: PROBLEM``
_ERROR_RE = re.compile(r"ERROR: <input>:(?P<line>\d+):(?P<col>\d+): (?P<problem>[^\n]*)")
_CLOSERS = {"(": ")", "[": "]", "{": "}"}
_OPENERS = {v: k for k, v in _CLOSERS.items()}
_WORDS = {"and": "&&", "or": "||", "not": "!"}
_TOKEN_RE = re.compile(r"""
    (?P<ws>\s+|//[^\n]*)
  | (?P<str>[rRbB]{0,2}(?:\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'))
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>.)
""", re.X)


def offset_of(source: str, line: int, col: int) -> int:
    """Index in ``source`` of the 1-based ``line`` and ``col`` the parser reports."""
    lines = source.split("\n")
    before = sum(len(text) + 1 for text in lines[:max(line - 1, 0)])
    return min(before + max(col - 1, 0), len(source))


def _unclosed(source: str) -> int | None:
    """Index of the innermost bracket of ``source`` left open at its end (strings skipped)."""
    stack: list[tuple[str, int]] = []
    for m in _TOKEN_RE.finditer(source):
        text = m.group()
        if m.lastgroup != "other":
            continue
        if text in _CLOSERS:
            stack.append((text, m.start()))
        elif text in _OPENERS and stack and stack[-1][0] == _OPENERS[text]:
            stack.pop()
    return stack[-1][1] if stack else None


def _word_before(source: str, offset: int) -> str:
    m = re.search(r"([A-Za-z_]\w*)\s*$", source[:offset])
    return m[1] if m else ""


def _problem(problem: str, source: str, offset: int) -> tuple[int, Said]:
    """``(offset, words)`` of one parser ``problem`` found at ``offset`` of ``source``."""
    m = re.match(r"Syntax error: token recognition error at: '(?P<t>.*)'$", problem, re.S)
    if m:
        token = m["t"]
        if token[:2] in ("=>", "=<"):
            return offset, said("'{token}' is not CEL: write '{op}'", token=token[:2], op=token[1] + "=")
        if token.startswith("="):
            return offset, said("'=' unexpected (to compare, write '==')")
        if token[:1] in ("'", '"'):
            return offset, said("a text in quotes is not closed: add its closing {quote}", quote=token[0])
        if token[:1] in ("&", "|"):
            return offset, said("'{token}' alone is not CEL: write '{op}'", token=token[0], op=token[0] * 2)
        return offset, said("character '{character}' is not part of CEL", character=token[:1])
    m = re.match(r"Syntax error: missing '(?P<t>.)' at", problem)
    if m:
        opened = _unclosed(source)
        if opened is not None:
            return opened, said("'{opener}' is not closed: add '{closer}'", opener=source[opened],
                                closer=_CLOSERS[source[opened]])
        return offset, said("'{token}' is missing here", token=m["t"])
    m = re.match(r"Syntax error: (?:mismatched|extraneous) input '(?P<t>.*)' expecting (?P<e>.*)$",
                 problem, re.S)
    if m:
        token, expecting = m["t"], m["e"]
        if token == "<EOF>":
            opened = _unclosed(source)
            if opened is not None and _CLOSERS[source[opened]] in expecting:
                return opened, said("'{opener}' is not closed: add '{closer}'", opener=source[opened],
                                    closer=_CLOSERS[source[opened]])
            if "':'" in expecting and "?" in source:
                return offset, said("'?' without its ':' (write: condition ? value : other value)")
            if not source.strip():
                return offset, said("the expression is empty")
            last = re.search(r"([&|=!<>+\-*/%?:.,]+|\S)\s*$", source)[1]  # the operator it ends on
            return offset, said("the expression ends too early: a value is missing after '{token}'",
                                token=last)
        if token in _WORDS:
            return offset, said("'{token}' is not CEL: write '{op}'", token=token, op=_WORDS[token])
        if _word_before(source, offset) == "not":
            return source.rfind("not", 0, offset), said("'{token}' is not CEL: write '{op}'",
                                                        token="not", op="!")
        if token in _OPENERS:
            return offset, said("'{token}' closes nothing: remove it, or open it before with '{opener}'",
                                token=token, opener=_OPENERS[token])
        if expecting.strip() == "<EOF>":
            return offset, said("'{token}' unexpected here: an operator (==, &&, ||, …) is missing "
                                "before it", token=token)
        return offset, said("'{token}' unexpected here", token=token)
    m = re.match(r"Syntax error: no viable alternative at input '(?P<t>.*)'$", problem, re.S)
    if m and m["t"]:
        return offset, said("'{token}' unexpected here", token=m["t"][-1])
    return offset, said("syntax error")


def syntax_error(raw: str, source: str) -> tuple[int, Said]:
    """``(offset in source, words)`` of the CEL parser's error text ``raw`` for ``source``: its
    first syntax error (the next ones follow from it); the raw text is logged."""
    log.debug("CEL syntax error in %r: %s", source, raw)
    found = list(_ERROR_RE.finditer(raw))
    first = next((m for m in found if m["problem"].startswith("Syntax error")), found[0] if found else None)
    if first is None:
        return 0, said("syntax error")
    offset = offset_of(source, int(first["line"]), int(first["col"]))
    return _problem(first["problem"], source, offset)


def column_words(source: str, offset: int, problem: Said) -> Said:
    """E027's message: the problem at its column (and line, for an expression on several lines)
    inside the expression ``source``."""
    line = source.count("\n", 0, offset) + 1
    col = offset - (source.rfind("\n", 0, offset) + 1) + 1
    if line > 1:
        return said("the CEL expression cannot be read at line {line}, column {col}: {problem}",
                    line=line, col=col, problem=problem)
    return said("the CEL expression cannot be read at column {col}: {problem}", col=col, problem=problem)
