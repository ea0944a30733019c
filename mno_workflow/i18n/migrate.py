"""Move the translations still written in code (``LEGACY`` dicts of ``(fr, en)`` pairs) into the
gettext catalogues, and take them out of the code.

    python -m mno_workflow.i18n.migrate [--check] [--keep-code]

For each legacy dict of :data:`SOURCES` (e.g. ``web/i18n.py``'s ``TEXTS``): every entry
``key: (fr, en)`` becomes the msgid ``<prefix>key`` with its French text in ``fr/…/messages.po``
and its English text in ``en/…/messages.po`` (an existing entry is overwritten: the code is
newer); other languages get the entry untranslated (it falls back to French). Then the entries are
removed from the source file (``NAME = {…}`` becomes ``NAME = {}``, ``NAME.update({…})`` and
``NAME[key] = …`` statements are deleted), so each entry lives in one place. ``--check`` changes
nothing and exits 1 when an entry is left to move (for CI); ``--keep-code`` leaves the code as is.

Finally it lists the ``Message(fr=…, en=…)`` calls and ``fr if lang … else en`` pairs that remain
in code (``file:line``): those are sentences with computed parts, to be rewritten by hand with
``_("… {name} …", name=…)`` (see ``docs/translations.md``).
"""

from __future__ import annotations

import argparse
import ast
import importlib
import sys
from pathlib import Path

from . import DOMAIN, LOCALE_DIR, SOURCE, languages

ROOT = Path(__file__).resolve().parents[1]

#: (module, dict name, msgid prefix): the dicts of (fr, en) pairs still read by the old API.
SOURCES: list[tuple[str, str, str]] = [
    ("mno_workflow.web.i18n", "TEXTS", ""),
    ("mno_workflow.web.i18n", "ROLE_LABELS", "role."),
    ("mno_workflow.web.api_models", "TEXTS", "api."),
    ("mno_workflow.web.me_view", "TEXT", "me."),
]


def po_path(lang: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalogue(lang: str, locale_dir: Path = LOCALE_DIR):
    """The Babel catalogue of ``lang`` (a new empty one when the file does not exist yet)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po
    path = po_path(lang, locale_dir)
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN, project="mno-workflow", fuzzy=False,
                       copyright_holder="MNO Workflow contributors")
    with path.open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


def write_catalogue(catalog, lang: str, locale_dir: Path = LOCALE_DIR) -> None:
    from babel.messages.pofile import write_po
    path = po_path(lang, locale_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=76, omit_header=False)


def legacy_entries(sources=None) -> list[tuple[str, str, str, str]]:
    """``(module, msgid, fr, en)`` of every entry still in a legacy dict."""
    out = []
    for module, name, prefix in sources or SOURCES:
        table = getattr(importlib.import_module(module), name, {}) or {}
        for key, pair in table.items():
            fr, en = (pair, pair) if isinstance(pair, str) else (pair[0], pair[1])
            out.append((module, prefix + key, fr, en))
    return out


def add_to_catalogues(entries, locale_dir: Path = LOCALE_DIR) -> dict[str, int]:
    """Write ``entries`` into every language's catalogue; counts of entries set per language."""
    counts: dict[str, int] = {}
    langs = set(languages(locale_dir)) | {SOURCE, "en"}
    for lang in sorted(langs):
        catalog = read_catalogue(lang, locale_dir)
        n = 0
        for _module, msgid, fr, en in entries:
            text = fr if lang == SOURCE else en if lang == "en" else None
            if lang == SOURCE and fr == msgid:
                text = ""  # French source text as msgid: nothing to translate
            old = catalog.get(msgid)
            if text is None:  # a third language: added untranslated (falls back to French)
                if old is None:
                    catalog.add(msgid, "")
                continue
            if old is not None and lang == "en" and old.string and old.string != text \
                    and msgid == fr and old.id == msgid:
                print(f"warning: {msgid!r} already translated {old.string!r}; kept (not {text!r})",
                      file=sys.stderr)
                continue
            if old is None:
                catalog.add(msgid, text)
                n += 1
            elif old.string != text or old.fuzzy:
                old.string = text  # Catalog.add keeps an existing entry's text: set it
                old.flags.discard("fuzzy")
                n += 1
        write_catalogue(catalog, lang, locale_dir)
        counts[lang] = n
    return counts


def strip_source(path: Path, name: str) -> int:
    """Remove the entries of the dict ``name`` from ``path``; the number of statements changed."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    cuts: list[tuple[int, int, str]] = []  # (first line, last line, replacement), 1-based
    for node in ast.parse(text).body:
        value = None
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name
                                                for t in node.targets):
            value = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) \
                and node.target.id == name:
            value = node.value
        if isinstance(value, ast.Dict) and value.keys:
            head = lines[node.lineno - 1][:value.col_offset] if value.lineno == node.lineno else None
            if head is not None:
                tail = lines[value.end_lineno - 1][value.end_col_offset:]
                cuts.append((node.lineno, value.end_lineno, head + "{}" + tail))
            continue
        call = node.value if isinstance(node, ast.Expr) else None
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) \
                and call.func.attr == "update" and isinstance(call.func.value, ast.Name) \
                and call.func.value.id == name:
            cuts.append((node.lineno, node.end_lineno, ""))
        elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id == name
                for t in node.targets):
            cuts.append((node.lineno, node.end_lineno, ""))
    for first, last, replacement in sorted(cuts, reverse=True):
        lines[first - 1:last] = [replacement] if replacement else []
    if cuts:
        new = "".join(lines)
        while "\n\n\n\n" in new:  # statements removed: no more than two blank lines left
            new = new.replace("\n\n\n\n", "\n\n\n")
        path.write_text(new, encoding="utf-8")
    return len(cuts)


def remaining_pairs(root: Path = ROOT) -> list[str]:
    """``file:line`` of ``Message(fr=…, en=…)`` calls left in code (translated by hand)."""
    out = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) \
                    == "Message" and {k.arg for k in node.keywords} >= {"fr", "en"}:
                out.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    return out


def migrate_messages(paths: list[Path]) -> int:
    """Rewrite the ``Message`` pairs of ``paths`` (files or folders) and fill the catalogues."""
    from .pairs import rewrite
    files = [f for p in paths for f in ([p] if p.is_file() else sorted(p.rglob("*.py")))]
    entries, left = [], []
    for f in files:
        pairs, kept = rewrite(f)
        entries += [(str(f), p.msgid, p.msgid, p.english) for p in pairs]
        left += [f"{f}:{n}" for n in kept]
        if pairs:
            print(f"{f}: Message pairs rewritten as Message.t(…): {len(pairs)}")
    add_to_catalogues(entries)
    if left:
        print(f"{len(left)} left (not literal, or the two texts use different values): rewrite by hand:")
        print("\n".join(f"  {x}" for x in left))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mno_workflow.i18n.migrate",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if entries remain")
    parser.add_argument("--keep-code", action="store_true", help="write the catalogues only")
    parser.add_argument("--list", action="store_true", help="also list Message(fr, en) left in code")
    parser.add_argument("--messages", nargs="+", type=Path, metavar="PATH", default=[],
                        help="rewrite the Message(fr=…, en=…) pairs of these files or folders as "
                             "Message.t(…) (English into the catalogues)")
    args = parser.parse_args(argv)
    if args.messages:
        return migrate_messages(args.messages)
    entries = legacy_entries()
    if args.check:
        for module, msgid, fr, _en in entries:
            print(f"{module}: {msgid!r} ({fr!r}) is still in code", file=sys.stderr)
        return 1 if entries else 0
    counts = add_to_catalogues(entries)
    print(f"{len(entries)} legacy entries; set per catalogue: "
          + ", ".join(f"{lang} {n}" for lang, n in counts.items()))
    if not args.keep_code:
        done = set()
        for module, name, _prefix in SOURCES:
            path = ROOT.parent / (module.replace(".", "/") + ".py")
            if (path, name) not in done:
                done.add((path, name))
                n = strip_source(path, name)
                if n:
                    print(f"{path.relative_to(ROOT.parent)}: {name}: statements emptied or removed: {n}")
    if args.list:
        left = remaining_pairs()
        print(f"{len(left)} Message(fr=…, en=…) left in code (rewrite with _() by hand):")
        print("\n".join(f"  {x}" for x in left))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
