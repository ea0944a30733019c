"""No bilingual « Texte / Text » strings in code (issue 18): a help text, a message printed by the
CLI or an error that carries both languages joined by " / " (``"Dossier / Case"``,
``"fichier illisible / cannot read"``) shows the reader both, whatever ``--lang`` says, and keeps the
English out of the catalogues. French goes in the code (``_("Texte")``, ``Message.t``, ``said_fr``,
plain French ``help=`` texts extracted by the ``mno_cli`` method), English in the catalogue
(``docs/translations.md``).

A ratchet like :mod:`tests.i18n.test_i18n__no_pairs_in_code`: ``LEFT`` counts, per module, the
string literals (docstrings left out; an f-string counts once) with a French part, " / ", then an
English part. A module above its count or a new module fails; a module below fails too, so that
the count is lowered with the fix.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: a French word or sign (the part before " / ")
FRENCH = re.compile(r"\b(le|la|les|des|du|une|un|et|ou|pour|avec|dans|sur|est|sont|de|au|aux|en|par|"
                    r"sans|à|exemple|aucun|aucune|fichier|dossier|dossiers|étape|état|ligne|inconnu|inconnue|"
                    r"impossible|attendu|attendue|introuvable|traductions|répertoire|importé|vérifié|"
                    r"prochaines|clos|démarrée)\b|[éèàùêçôîâ«»]", re.I)
#: an English word (the part after " / ", which has no French word or sign)
ENGLISH = re.compile(r"\b(the|of|and|or|with|in|on|is|are|to|for|by|not|no|unknown|expected|cannot|file|"
                     r"case|cases|step|state|line|found|imported|checked|next|closed|started|translations|"
                     r"directory|read|invalid|date|end|before|start|missing|error|already|must|should|states|"
                     r"unchanged|deadline|deadlines|days|due|sent|received|provider|referral|consent)\b",
                     re.I)

#: ``module: count`` of bilingual strings still to move to the catalogues (lower it with the fix).
#: Since issue 18 every message a person reads at run time (CLI, web, REST and HSDS API errors,
#: import problems) is a catalogue message, and so are the OpenAPI documents' descriptions
#: (``/api/v1/openapi.json`` and ``/hsds/openapi.json`` follow ``?lang=`` / ``Accept-Language``:
#: web/openapi_lang.py); the SOP language's JSON Schema (a committed file) is in English.
LEFT: dict[str, int] = {}


def bilingual(text: str) -> bool:
    """``text`` holds « French / English »: a French part, " / ", then a part with English words
    and no French one (« KoboToolbox / ODK », « oui / non » are not)."""
    for m in re.finditer(" / ", text):
        left, right = text[:m.start()], text[m.end():]
        if FRENCH.search(left) and ENGLISH.search(right) and not FRENCH.search(right):
            return True
    return False


def literals(source: str):
    """``(line, text)`` of each string literal (an f-string once, its values as ``{}``), docstrings
    left out."""
    tree = ast.parse(source)
    skip = set()
    for node in ast.walk(tree):
        documented = isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        if documented and node.body and isinstance(node.body[0], ast.Expr) \
                and isinstance(node.body[0].value, ast.Constant):
            skip.add(id(node.body[0].value))
        if isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in node.values)
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            yield node.lineno, "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.lineno, node.value


def scan() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "mno_workflow").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        hits = [f"{line}: {text[:80]!r}" for line, text in literals(path.read_text(encoding="utf-8"))
                if bilingual(text)]
        if hits:
            found[rel] = hits
    return found


def test_the_scan_finds_bilingual_strings():
    for text in ("Dossier / Case", "fichier illisible / cannot read: {e}", "Aucun jeton. / No token.",
                 "traductions du répertoire ({n}) / directory translations"):
        assert bilingual(text), text
    for text in ("KoboToolbox / ODK", "oui / non", "yes / no", "Dossier", "entrées sorties / entrées échues",
                 "a / b"):
        assert not bilingual(text), text
    src = ('X = "Dossier / Case"\ndef f(e):\n    """Doc / the doc."""\n'
           '    return f"lecture impossible / cannot read: {e}"\n')
    assert [line for line, text in literals(src) if bilingual(text)] == [1, 4]


def test_no_new_bilingual_strings():
    found = scan()
    counts = Counter({rel: len(hits) for rel, hits in found.items()})
    grown = {rel: (counts[rel], LEFT.get(rel, 0), found[rel])
             for rel in counts if counts[rel] > LEFT.get(rel, 0)}
    assert grown == {}, "« French / English » in code: French in the code, English in the catalogue " \
        "(docs/translations.md) — module: (found, allowed, where)"
    shrunk = {rel: (counts[rel], n) for rel, n in LEFT.items() if counts[rel] < n}
    assert shrunk == {}, "fewer than listed: lower LEFT in this test — module: (found, listed)"
