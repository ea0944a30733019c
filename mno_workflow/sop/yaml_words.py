"""The YAML parser's problems (ruamel.yaml's English sentences, « mapping values are not allowed
here ») said as what an SOP author must change, in the reader's language: each known problem is a
catalogue message (:func:`~mno_workflow.sop.diagnostics.said`, English source, French in
``fr/…/messages.po``); an unknown one keeps ruamel's sentence. Used by :func:`loader.parse_yaml`
for E001, with where to point for problems ruamel places badly or not at all
(:func:`open_bracket`, :func:`find_complex_key`, :func:`find_bad_date`)."""

from __future__ import annotations

import re
from collections.abc import Callable

from .diagnostics import Said, said

#: (pattern of ruamel's problem, its words from the match).
PROBLEMS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], Said]]] = [
    (re.compile(r"mapping values are not allowed here"),
     lambda m: said("a colon ':' here starts nothing: quote a text that contains ': ', or put the key "
                    "on its own line under its parent")),
    (re.compile(r"could not find expected ':'"),
     lambda m: said("a key without its colon ':', or a text on several lines that needs quotes")),
    (re.compile(r"found character (?P<c>.+) that cannot start any token"),
     lambda m: said("character {character} cannot start a value: put the text in quotes",
                    character=m["c"])),
    (re.compile(r"expected <block end>, but found"),
     lambda m: said("the indentation does not match the lines above: align this line with the other "
                    "keys or items of its level")),
    (re.compile(r"expected ',' or '[\]}]', but got"),
     lambda m: said("a list [ … ] or a mapping { … } is not closed, or a comma is missing between "
                    "its items")),
    (re.compile(r"expected the node content, but found '<stream end>'"),
     lambda m: said("the file ends where a value was expected: a list [ … ] or a mapping { … } is not "
                    "closed")),
    (re.compile(r"expected the node content, but found (?P<c>.+)"),
     lambda m: said("a value is expected here, not {character}: remove it or write the missing value",
                    character=m["c"])),
    (re.compile(r"found unexpected end of stream"),
     lambda m: said("the file ends inside a quoted text: a quote is not closed")),
    (re.compile(r"found undefined alias (?P<a>.+)"),
     lambda m: said("unknown alias {alias}: define its anchor (&name) before using it", alias=m["a"])),
    (re.compile(r"found unknown escape character (?P<c>.+)"),
     lambda m: said("unknown escape {character} in a text between double quotes: use single quotes",
                    character=m["c"])),
    (re.compile(r"sequence entries are not allowed here"),
     lambda m: said("a list item '-' where a value was expected: put the list on the lines below its "
                    "key, indented")),
    (re.compile(r"expected (?:a comment or a line break|chomping or indentation indicators), "
                r"but found (?P<c>.+)"),
     lambda m: said("unexpected {character} at the end of this line: after '|' or '>' the text starts on "
                    "the next line", character=m["c"])),
    (re.compile(r"but found another document|expected a single document in the stream"),
     lambda m: said("more than one YAML document ('---'): an SOP file holds one")),
]


def problem_words(problem: str) -> Said | str:
    """ruamel's ``problem`` as a message in words (see the module doc); unknown: itself."""
    for pattern, words in PROBLEMS:
        m = pattern.search(problem)
        if m:
            return words(m)
    return problem


def open_bracket(text: str) -> tuple[int, int] | None:
    """1-based (line, col) of the innermost ``[`` or ``{`` that ``text`` leaves open at its end (a
    flow list or mapping starting a value; quoted texts and comments skipped), else None."""
    stack: list[tuple[int, int]] = []
    for n, line in enumerate(text.split("\n"), start=1):
        quote, prev = "", ""
        i = 0
        while i < len(line):
            c = line[i]
            if quote:
                if c == "\\" and quote == '"':
                    i += 1
                elif c == quote:
                    quote = ""
            elif c in "'\"" and (not prev.strip() or prev[-1] in ":-,[{ "):
                quote = c
            elif c == "#" and (not prev or prev[-1] == " "):
                break
            elif c in "[{" and (stack or not prev.strip() or prev.rstrip()[-1] in ":-,[{"):
                stack.append((n, i + 1))
            elif c in "]}" and stack:
                stack.pop()
            prev += c
            i += 1
    return stack[-1] if stack else None


def find_complex_key(text: str) -> tuple[int, int]:
    """1-based (line, col) of the first mapping key that is a list or a mapping, else (1, 1)."""
    from ruamel.yaml import YAML
    try:
        stack = [YAML(typ="rt").compose(text)]
    except Exception:  # noqa: BLE001 (only a position is sought: the error is said anyway)
        return 1, 1
    while stack:
        node = stack.pop(0)
        value = getattr(node, "value", None)
        if not isinstance(value, list):
            continue
        for item in value:
            if isinstance(item, tuple):
                key, val = item
                if isinstance(key.value, list):
                    return key.start_mark.line + 1, key.start_mark.column + 1
                stack.append(val)
            else:
                stack.append(item)
    return 1, 1


def find_bad_date(text: str) -> tuple[int, int]:
    """1-based (line, col) of the first YYYY-MM-DD-looking value that is not a real date."""
    from datetime import date
    for n, line in enumerate(text.splitlines(), start=1):
        # a date, or the date of an instant (2025-06-31T08:00:00Z)
        for m in re.finditer(r"(?<![\w\"'])(\d{4})-(\d{1,2})-(\d{1,2})(?:(?![\w\"'])|(?=[Tt ]\d))", line):
            try:
                date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return n, m.start() + 1
    return 1, 1
