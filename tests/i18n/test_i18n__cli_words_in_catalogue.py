"""Every word ``mno`` prints comes from the gettext catalogues: a scan (AST) of every module of the
command line for a string literal or f-string holding words passed to what writes to the terminal
(``typer.echo``, ``typer.secho``, ``print``, ``fail``, ``error_line``, ``typer.BadParameter``,
Click's exceptions, prompts) instead of a text from ``_()`` / ``gettext`` / ``ngettext`` /
``Message`` — such a text is French whatever ``--lang`` says.

What is followed: conditional expressions, ``+`` and ``%``, f-string parts (and the literals inside
their placeholders, ``{rev or 'vide'}``), ``"…".format(…)``, local names assigned in the same
function (or at module level), and the return values of functions of the same module. A call to
anything else (``_()``, ``json.dumps``, ``day_text``) is a text that is not written here.

An exception's own text (``{e}``, ``str(e)``, a name bound by ``except … as e``) is found too:
it is a library's English; say what went wrong in words (``error_text``, ``file_error``).

Not words: option names (``--now``), ``%Y`` format codes, paths and URLs, and the codes of
:data:`CODES`. ``ALLOWED`` lists, with their reason, the few lines that print no words.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Modules that write to the terminal of ``mno`` although they import neither Typer nor Click.
EXTRA_MODULES = ("mno_workflow/web/server.py",)
#: Developer tools run by ``make`` (not ``mno``), in English by design: not scanned.
DEVELOPER_TOOLS = ("mno_workflow/i18n/migrate.py", "mno_workflow/i18n/extract.py",
                   "mno_workflow/sop/jsonschema.py")

#: What writes a text to the terminal (the called name, or the attribute's last part).
SINKS = {"echo", "secho", "print", "fail", "_fail", "error_line", "BadParameter", "UsageError",
         "ClickException", "BadOptionUsage", "BadArgumentUsage", "FileError", "Abort", "confirm",
         "prompt", "style", "write"}
#: Codes that are values, not words: output formats (``text``/``json``), names of standards.
CODES = {"text", "json", "csv", "yaml", "html", "pdf", "svg", "png", "HTML", "PDF", "dot", "xlsx", "sha256",
         "UTC", "ISO", "ADX", "HSDS", "SOP", "MNO", "mno", "sqlite", "postgresql"}

#: ``(module, first line of the call)``: what prints no words, each with its reason.
ALLOWED: dict[tuple[str, int], str] = {
    ("mno_workflow/cli.py", 164): "mno --version: the program's name and its version",
}

_NOT_WORDS = [
    re.compile(r"https?://\S+"),            # URLs
    re.compile(r"\S*/\S+"),                 # paths, « a/b »
    re.compile(r"(?<![\w-])--?[a-z][\w-]*"),  # options: --now, -n
    re.compile(r"%[-+ #0]*\d*(\.\d+)?[a-zA-Z]"),  # %Y, %s, %.1f
    re.compile(r"\{[^{}]*\}"),              # placeholders of "{name}".format
    re.compile(r"\b\w+\.(py|toml|db|yaml|yml|json|csv|po|mo|html|pdf)\b"),  # file names
    re.compile(r"\b(?=\w*\d)\w+\b"),        # codes with digits: sha256, E001, DHIS2
]
_WORD = re.compile(r"[^\W\d_]{2,}")


def words(text: str) -> list[str]:
    """The words of a literal, once the option names, format codes, paths and codes are removed."""
    for pattern in _NOT_WORDS:
        text = pattern.sub(" ", text)
    return [w for w in _WORD.findall(text) if w not in CODES]


def _called(node: ast.Call) -> str:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


class _Module:
    """One module: its functions, its module-level names, and the literals with words it prints."""

    def __init__(self, source: str):
        self.tree = ast.parse(source)
        self.functions = {n.name: n for n in ast.walk(self.tree)
                          if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
        self.caught = {(self._scope(n), n.name) for n in ast.walk(self.tree)
                       if isinstance(n, ast.ExceptHandler) and n.name}

    def _scope(self, node: ast.AST) -> ast.AST:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node
        return self.tree

    def _assigned(self, scope: ast.AST, name: str) -> list[ast.expr]:
        found = []
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name
                                                     for t in node.targets):
                found.append(node.value)
            elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name) \
                    and node.target.id == name and node.value is not None:
                found.append(node.value)
        return found

    def literals(self, expr: ast.AST, seen: set) -> list[str]:
        """The words of the literals that make up ``expr`` (followed as the module says)."""
        if expr in seen:
            return []
        seen.add(expr)
        if isinstance(expr, ast.Constant):
            return words(expr.value) if isinstance(expr.value, str) else []
        if isinstance(expr, ast.JoinedStr):
            out = []
            for part in expr.values:
                out += self.literals(part.value if isinstance(part, ast.FormattedValue) else part, seen)
            return out
        if isinstance(expr, ast.IfExp):
            return self.literals(expr.body, seen) + self.literals(expr.orelse, seen)
        if isinstance(expr, ast.BoolOp):
            return [w for v in expr.values for w in self.literals(v, seen)]
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add | ast.Mod):
            return self.literals(expr.left, seen) + self.literals(expr.right, seen)
        if isinstance(expr, ast.Name):
            scope = self._scope(expr)
            if (scope, expr.id) in self.caught:  # an exception's own text (often English)
                return ["{" + expr.id + "}"]
            values = self._assigned(scope, expr.id) or (
                self._assigned(self.tree, expr.id) if scope is not self.tree else [])
            return [w for v in values for w in self.literals(v, seen)]
        if isinstance(expr, ast.Subscript):
            return self.literals(expr.value, seen)
        if isinstance(expr, ast.Call):
            f = expr.func
            if isinstance(f, ast.Name) and f.id in ("str", "repr") and expr.args:
                return self.literals(expr.args[0], seen)
            if isinstance(f, ast.Attribute) and f.attr in ("splitlines", "strip", "rstrip", "split"):
                return self.literals(f.value, seen)
            if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Constant | ast.JoinedStr) \
                    and f.attr in ("format", "strip", "upper", "lower", "capitalize", "title"):
                return self.literals(f.value, seen)
            if isinstance(f, ast.Name) and f.id in self.functions and f.id not in SINKS:
                fn = self.functions[f.id]
                return [w for r in ast.walk(fn) if isinstance(r, ast.Return) and r.value is not None
                        and self._scope(r) is fn for w in self.literals(r.value, seen)]
            if _called(expr) == "style" and expr.args:
                return self.literals(expr.args[0], seen)
        return []

    def findings(self) -> list[tuple[int, str]]:
        """``(line, words)`` of each call writing a literal with words to the terminal."""
        out = []
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Call) or _called(node) not in SINKS:
                continue
            if _called(node) == "write" and not (isinstance(node.func, ast.Attribute)
                                                 and "std" in ast.unparse(node.func.value)):
                continue  # file.write: not the terminal
            texts = node.args[:1] + [k.value for k in node.keywords
                                     if k.arg in ("message", "text", "msg", "hint")]
            found = [w for t in texts for w in self.literals(t, set())]
            if found:
                out.append((node.lineno, " ".join(found[:6])))
        return out


def cli_modules() -> list[str]:
    """The modules of ``mno_workflow`` that use Typer or Click, and :data:`EXTRA_MODULES`."""
    found = []
    for path in sorted((ROOT / "mno_workflow").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        if rel in DEVELOPER_TOOLS:
            continue
        if re.search(r"^\s*(import (typer|click)|from (typer|click)\b)", text, re.M) or rel in EXTRA_MODULES:
            found.append(rel)
    return found


def scan() -> dict[str, list[tuple[int, str]]]:
    found = {}
    for rel in cli_modules():
        hits = [(line, said) for line, said in _Module((ROOT / rel).read_text(encoding="utf-8")).findings()
                if (rel, line) not in ALLOWED]
        if hits:
            found[rel] = hits
    return found


def test_every_word_the_command_line_prints_is_in_the_catalogues():
    found = scan()
    assert not found, "Texts written in code (put them in _() / gettext / ngettext):\n" + "\n".join(
        f"  {rel}:{line}: {said}" for rel, hits in found.items() for line, said in hits)


def test_the_allowed_lines_still_print_something():
    """An allowed line that moved or was fixed is taken off the list (it would hide a new one)."""
    for rel, line in ALLOWED:
        calls = [n for n in ast.walk(ast.parse((ROOT / rel).read_text(encoding="utf-8")))
                 if isinstance(n, ast.Call) and n.lineno == line and _called(n) in SINKS]
        assert calls, f"{rel}:{line} prints nothing now: take it off ALLOWED"


@pytest.mark.parametrize("source, expected", [
    ('typer.echo(f"Balayage toutes les {every} s")', ["Balayage", "toutes", "les"]),
    ('fail(f"--now : instant ISO 8601 attendu")', ["instant", "attendu"]),
    ('typer.echo(_("Balayage toutes les {n} s", n=every))', []),
    ('typer.echo(json.dumps({"key": "value"}))', []),
    ('typer.echo(f"  {k or \'-\'}: {said}")', []),
    ('typer.echo(f"{rev or \'vide\'}")', ["vide"]),
    ('msg = "Compte désactivé"\ntyper.echo(msg)', ["Compte", "désactivé"]),
    ('def f():\n    return "Jeton révoqué"\ntyper.echo(f())', ["Jeton", "révoqué"]),
    ('raise typer.BadParameter("--now: " + str(e))', []),
    ('raise typer.BadParameter("valeur " + str(e))', ["valeur"]),
    ('print("x", file=sys.stderr)', []),
    ('typer.echo(ok and "oui" or _("non"))', ["oui"]),
    ('sys.stderr.write("Erreur\\n")', ["Erreur"]),
    ('out.write("Erreur\\n")', []),
    ('try:\n    x()\nexcept ValueError as e:\n    fail(f"--idempotency-key : {e}", 2)', ["{e}"]),
    ('try:\n    x()\nexcept ValueError as e:\n    fail(str(e).splitlines()[0])', ["{e}"]),
    ('try:\n    x()\nexcept ValueError as e:\n    fail(error_text(e))', []),
    ('typer.echo(f"{a}/{b} %Y-%m-%d --format json")', []),
])
def test_the_scan_finds_words_written_in_code(source, expected):
    found = _Module(source).findings()
    assert [w for _line, said in found for w in said.split()] == expected
