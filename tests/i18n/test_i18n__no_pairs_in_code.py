"""No new texts in code: a scan of every Python module outside ``mno_workflow/i18n/`` for
``(fr, en)`` pairs — ``{"fr": …, "en": …}`` dicts, tables of 2-string tuples — and branches on the
language (``lang == "en"``, ``lang != "fr"``). Texts belong in the gettext catalogues
(``docs/translations.md``), so that a third language is a file, not code.

Two lists, both explicit:

* ``ALLOWED`` — places where comparing the language is not a text in code, each with its reason;
* ``LEFT`` — what is still to move (counts per module, from the scan; empty since issue 18). It
  may only shrink: a module above its count, or a new module, fails; a module below its count
  fails too, so that the count is lowered with the fix (the test says which).
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LANGS = {"fr", "en"}

#: ``module: (how many, why)`` — language comparisons that are not texts in code.
ALLOWED: dict[str, tuple[int, str]] = {
    "mno_workflow/engine/errors.py": (1, "legacy Message(fr=…, en=…) still read (docs: « the old way »)"),
    "mno_workflow/web/i18n.py": (2, "legacy TEXTS/ROLE_LABELS pairs read first (docs: « the old way »)"),
    "mno_workflow/web/api_models.py": (2, "legacy TEXTS pairs read first; pydantic's own English message "
                                          "kept in English (its source language, with the details)"),
    "mno_workflow/web/me_view.py": (1, "legacy TEXT pairs read first (docs: « the old way »)"),
    "mno_workflow/render/handbook.py": (1, "the glossary shows the other language by design"),
    "mno_workflow/render/directory_data.py": (3, "the directory's own translation files (data)"),
    "mno_workflow/directory/matching.py": (1, "a service's English label from the directory (data)"),
    "mno_workflow/cli.py": (1, "COMMANDS: (module, French help); the help is extracted (mno_cli)"),
    "mno_workflow/web/routes/hsds.py": (1, "HSDS operationIds (list, item), not words"),
    "mno_workflow/web/printing.py": (1, "synonymous field ids, not words"),
    "mno_workflow/engine/forms.py": (1, "a field id as its label in every language, not words"),
    "mno_workflow/reminders/stored_message.py": (3, "stored texts of legacy Message(fr, en) values and of "
                                                 "rows written before message ids (data, not words)"),
}

#: ``module: count`` still to move to the catalogues (lower it when you move some).
LEFT: dict[str, int] = {}  # issue 18: every table and branch moved to the catalogues


def _is_lang(node: ast.AST) -> bool:
    return (isinstance(node, ast.Name) and node.id in ("lang", "language")) or (
        isinstance(node, ast.Attribute) and node.attr in ("lang", "language"))


def findings(source: str) -> list[tuple[int, str]]:
    """``(line, kind)`` of each language branch, ``{"fr": …, "en": …}`` dict and pair table."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare) and len(node.ops) == 1 \
                and isinstance(node.ops[0], ast.Eq | ast.NotEq):
            left, right = node.left, node.comparators[0]
            if any(_is_lang(x) and isinstance(y, ast.Constant) and y.value in LANGS
                   for x, y in ((left, right), (right, left))):
                out.append((node.lineno, "lang branch"))
        if isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            if LANGS <= keys and keys <= LANGS | {"mos", "dyu", "ar", "pt"}:
                out.append((node.lineno, "fr/en dict"))
            pairs = [v for v in node.values if isinstance(v, ast.Tuple) and len(v.elts) == 2
                     and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in v.elts)]
            if len(pairs) >= 3 and len(pairs) >= len(node.values) // 2:
                out.append((node.lineno, "table of (fr, en) pairs"))
    return out


def scan() -> dict[str, list[tuple[int, str]]]:
    found = {}
    for path in sorted((ROOT / "mno_workflow").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if not rel.startswith("mno_workflow/i18n/"):
            hits = findings(path.read_text(encoding="utf-8"))
            if hits:
                found[rel] = hits
    return found


def test_the_scan_finds_each_kind():
    src = ('W = {"fr": {"a": "b"}, "en": {"a": "b"}}\n'
           'T = {"x": ("a", "b"), "y": ("c", "d"), "z": ("e", "f")}\n'
           'def f(lang):\n    return "Oui" if lang == "fr" else "Yes"\n')
    assert sorted(k for _, k in findings(src)) == ["fr/en dict", "lang branch", "table of (fr, en) pairs"]


def test_no_new_texts_in_code():
    counts = Counter({rel: len(hits) for rel, hits in scan().items()})
    expected = Counter(LEFT)
    for rel, (n, _why) in ALLOWED.items():
        expected[rel] += n
    grown = {rel: (counts[rel], expected[rel], scan_lines(rel))
             for rel in counts if counts[rel] > expected[rel]}
    assert grown == {}, "texts in code: use the catalogues (docs/translations.md) — module: (found, allowed)"
    shrunk = {rel: (counts[rel], expected[rel]) for rel in expected if counts[rel] < expected[rel]}
    assert shrunk == {}, "fewer than listed: lower LEFT (or ALLOWED) in this test — module: (found, listed)"


def scan_lines(rel: str) -> list[str]:
    return [f"{line}: {kind}" for line, kind in findings((ROOT / rel).read_text(encoding="utf-8"))]
