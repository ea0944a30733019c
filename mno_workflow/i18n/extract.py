"""Babel extraction for the catalogues: the CLI's help texts, and the stable keys.

* :func:`extract_cli` — a Babel extraction method (named in ``babel.cfg``) for command-line
  modules: what ``_()``/``N_()``/``t()`` mark, as for any Python file, plus every ``help="…"``
  literal, the short helps of ``cli.COMMANDS`` and the docstring of each Typer command, which
  :func:`mno_workflow.i18n.cli.localise` translates when ``--lang`` is not French. So Typer's
  code keeps plain French ``help=`` strings and stays readable.
* ``python -m mno_workflow.i18n.extract POT`` (run by ``make i18n-extract`` after ``pybabel
  extract``) adds to the template ``POT`` every stable key of the French catalogue (keys are
  declared there, with their French text), so that ``pybabel update`` never marks as obsolete a
  key used only through a variable (``t(state.status, lang)``).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: ``pybabel extract -k`` keywords beyond Babel's defaults (``_``, ``gettext``, ``ngettext``,
#: ``pgettext``, ``N_``…): ``t("key", lang)`` of the web pages, ``Message.t("…")``, ``lazy("…")``,
#: ``said("…")`` of SOP diagnostics (English source text: French in the French catalogue).
KEYWORDS = ("t", "lazy", "said", "said_fr")
#: Keywords with arguments beyond the first (Babel's specs, as ``-k P_:1c,2 -k n:1,2``): ``P_(context,
#: "…")`` in a table of :class:`~mno_workflow.i18n.Words`, ``Message.n("…", "…", n)`` plurals.
KEYWORD_SPECS: dict[str, Any] = {"P_": ((1, "c"), 2), "n": (1, 2)}

_CLI_DOC_HINTS = ("typer.", "Option", "Argument", "Arg")


def _literal(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _is_command(fn: ast.FunctionDef, names: frozenset[str] = frozenset()) -> bool:
    """A Typer command: decorated with ``….command``/``….callback``, taking Typer parameters
    (annotated, or as defaults ``x = typer.Option(…)``), or named in ``cli.COMMANDS`` (``names``)."""
    if fn.name in names:
        return True
    for dec in fn.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        if isinstance(target, ast.Attribute) and target.attr in ("command", "callback"):
            return True
    args = fn.args.args + fn.args.kwonlyargs
    if any(a.annotation is not None and any(h in ast.unparse(a.annotation) for h in _CLI_DOC_HINTS)
           for a in args):
        return True
    defaults = [d for d in fn.args.defaults + fn.args.kw_defaults if d is not None]
    return any(ast.unparse(d).startswith(("typer.Option", "typer.Argument")) for d in defaults)


def command_functions(path: str, cli_source: str | None = None) -> frozenset[str]:
    """The names of the functions of module file ``path`` that ``cli.COMMANDS`` registers as
    commands (``"demo": ("mno_workflow.commands.demo:demo", …)``), read from ``cli.py``'s source."""
    from . import LOCALE_DIR
    if cli_source is None:
        cli_source = (LOCALE_DIR.parent / "cli.py").read_text(encoding="utf-8")
    module = Path(path).with_suffix("").as_posix().replace("/", ".")
    names = set()
    for node in ast.walk(ast.parse(cli_source)):
        if isinstance(node, ast.Tuple) and node.elts and (target := _literal(node.elts[0])) \
                and ":" in target:
            mod, _, attr = target.partition(":")
            if module == mod or module.endswith("." + mod):
                names.add(attr)
    return frozenset(names)


def cli_messages(source: str, names: frozenset[str] = frozenset()) -> Iterator[tuple[int, str]]:
    """``(line, text)`` of every help text of a command-line module's source (``names``: its
    functions registered as commands, see :func:`command_functions`)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "help":
            text = _literal(node.value)
            if text:
                yield node.value.lineno, text
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _is_command(node, names):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield node.body[0].lineno, doc
        elif isinstance(node, ast.AnnAssign | ast.Assign):
            targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
            if any(isinstance(x, ast.Name) and x.id == "COMMANDS" for x in targets) \
                    and isinstance(node.value, ast.Dict):
                for value in node.value.values:
                    if isinstance(value, ast.Tuple) and len(value.elts) == 2:
                        text = _literal(value.elts[1])
                        if text:
                            yield value.elts[1].lineno, text


def extract_cli(fileobj: Any, keywords: Any, comment_tags: Any, options: dict) -> Iterator[tuple]:
    """Babel extraction method: Python's, plus the help texts (see the module docstring)."""
    from babel.messages.extract import extract_python
    data = fileobj.read()
    fileobj.seek(0)
    yield from extract_python(fileobj, keywords, comment_tags, options)
    text = data.decode(options.get("encoding", "utf-8")) if isinstance(data, bytes) else data
    name = getattr(fileobj, "name", "")
    for line, message in cli_messages(text, command_functions(name) if name else frozenset()):
        yield line, None, message, []


def add_keys(pot: Path, locale_dir: Path | None = None) -> int:
    """Add the stable keys of the French catalogue to the template ``pot``; how many were added."""
    from babel.messages.pofile import read_po, write_po

    from . import LOCALE_DIR
    from .migrate import read_catalogue
    french = read_catalogue("fr", locale_dir or LOCALE_DIR)
    with pot.open("rb") as f:
        template = read_po(f)
    added = 0
    for message in french:
        if message.id and message.string and message.id not in template:
            template.add(message.id, "", auto_comments=[f"fr: {message.string}"], context=message.context)
            added += 1
    with pot.open("wb") as f:
        write_po(f, template, width=76)
    return added


if __name__ == "__main__":  # pragma: no cover
    n = add_keys(Path(sys.argv[1]))
    print(f"{n} stable keys of the French catalogue added to {sys.argv[1]}")
