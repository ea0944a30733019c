"""Counts in words follow each language's plural rule from the catalogues: French says « 0 jour »,
« 1 jour », « 2 jours » (CLDR: 0 and 1 are singular, ``plural=(n > 1)``), English "0 days",
"1 day", "2 days". Table-tested through every helper that words a count, and a scan that no Python
module or template chooses a plural by hand (``n == 1``, ``'s' if``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from jinja2 import Environment

from mno_workflow.i18n import LOCALE_DIR, ngettext
from mno_workflow.i18n.durations import duration_text
from mno_workflow.i18n.jinja import install
from mno_workflow.render.diagram_words import duration_words
from mno_workflow.render.paper_forms import period_words
from mno_workflow.sop.schema import Duration
from mno_workflow.web.i18n import due_words

ROOT = Path(__file__).resolve().parents[2]

DAYS = {  # n: (French, English)
    0: ("0 jour", "0 days"), 1: ("1 jour", "1 day"), 2: ("2 jours", "2 days"), 21: ("21 jours", "21 days"),
}
WORKING = {
    0: ("0 jour ouvrable", "0 working days"), 1: ("1 jour ouvrable", "1 working day"),
    2: ("2 jours ouvrables", "2 working days"), 21: ("21 jours ouvrables", "21 working days"),
}
YEARS = {0: ("0 an", "0 years"), 1: ("1 an", "1 year"), 2: ("2 ans", "2 years"), 21: ("21 ans", "21 years")}
LATE = {0: None, 1: ("1 jour de retard", "1 day late"), 2: ("2 jours de retard", "2 days late"),
        21: ("21 jours de retard", "21 days late")}
AHEAD = {1: ("dans 1 jour", "in 1 day"), 2: ("dans 2 jours", "in 2 days"),
         21: ("dans 21 jours", "in 21 days")}
CASES = [(n, i, lang) for n in (0, 1, 2, 21) for i, lang in enumerate(("fr", "en"))]


def test_catalogue_plural_rules():
    rules = {}
    for lang in ("fr", "en"):
        with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
            cat = read_po(f)
        rules[lang] = (cat.num_plurals, cat.plural_expr)
    assert rules == {"fr": (2, "(n > 1)"), "en": (2, "(n != 1)")}


@pytest.mark.parametrize("n, i, lang", CASES)
def test_durations(n, i, lang):
    assert duration_text(n, "days", lang) == DAYS[n][i]
    assert duration_text(n, "working_days", lang) == WORKING[n][i]
    assert duration_words(Duration(amount=n, unit="days"), lang) == DAYS[n][i]  # diagrams, handbook
    assert duration_words(Duration(amount=n, unit="working_days"), lang) == WORKING[n][i]
    assert period_words(f"{n} years", lang) == YEARS[n][i]  # paper forms' retention periods
    assert period_words(f"{n} days", lang) == DAYS[n][i]


@pytest.mark.parametrize("n, i, lang", CASES)
def test_due_words_of_the_web_pages(n, i, lang):
    if LATE[n]:
        assert due_words(-n, lang) == LATE[n][i]
    if n in AHEAD:
        assert due_words(n, lang) == AHEAD[n][i]


@pytest.mark.parametrize("n, i, lang", CASES)
def test_a_message_in_no_catalogue_takes_the_french_rule(n, i, lang):
    """A plural not (yet) in any catalogue shows its French source text, with the French rule (the
    standard library alone would say « 0 trucs »)."""
    expected = f"{n} truc" if n <= 1 else f"{n} trucs"
    assert ngettext("{n} truc", "{n} trucs", n, lang) == expected


@pytest.mark.parametrize("n, i, lang", CASES)
def test_jinja_pluralize(n, i, lang):
    """``{% pluralize %}`` goes through the same rule (this message is in no catalogue: French text
    in both languages, « 0 jour »)."""
    env = install(Environment(autoescape=True))
    tpl = env.from_string("{% trans n=n %}{{ n }} jour{% pluralize %}{{ n }} jours{% endtrans %}")
    assert tpl.render(n=n, lang=lang) == DAYS[n][0]


#: Places that compare a count with 1 to choose words, and why they may.
HAND_PLURAL_ALLOWED: set[str] = set()  # indicators/periods.py's quarters are one message each now
HAND = re.compile(r"""(['"]s['"] if )|(\b(==|!=|>|<=) ?1 else ['"])|(\{%-? if [\w.|]+ ?(==|!=|>) ?1 %\}\w)""")


def test_no_plural_chosen_by_hand():
    found = []
    files = [*(ROOT / "mno_workflow").rglob("*.py"), *(ROOT / "mno_workflow").rglob("*.html"),
             *(ROOT / "mno_workflow").rglob("*.j2")]
    for path in sorted(files):
        rel = path.relative_to(ROOT).as_posix()
        if rel in HAND_PLURAL_ALLOWED:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if HAND.search(line):
                found.append(f"{rel}:{n}: {line.strip()}")
    assert found == [], "use ngettext / {% pluralize %}:\n" + "\n".join(found)


# -- « (s) » plurals: never in a message or a string of the package (issue 18) --------------------
#: « dossier(s) », « réattribué(e)s », « exit(s) »: a word with its plural (or feminine) in brackets
BRACKET_PLURAL = re.compile(r"[^\W\d_]\((?:s|e|es)\)(?!\w)|[^\W\d_]\(e\)s\b")
#: not a plural: an address scheme
NOT_PLURAL = re.compile(r"https?\(s\)|http\(s\)")
#: Modules another branch (issue 18, helper « cli ») rewrites; listed until it lands, then removed.
BRACKET_PLURAL_WAITING: set[str] = set()  # empty since the branch that owned them landed


def bracket_plural(text: str) -> bool:
    return bool(BRACKET_PLURAL.search(NOT_PLURAL.sub("", text)))


def string_literals(source: str):
    """``(line, text)`` of every string constant of a module, docstrings left out (f-strings: their
    literal parts)."""
    import ast
    tree = ast.parse(source)
    docs = {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            yield node.lineno, node.value


def test_the_bracket_scan_finds_each_form():
    for text in ("{n} dossier(s)", "réattribué(e)s", "{n} jeton(s) révoqué(s).", "only {n} exit(s)"):
        assert bracket_plural(text), text
    for text in ("une adresse http(s)://", "f(x)", "(s)", "{n} dossiers"):
        assert not bracket_plural(text), text


def test_no_bracket_plural_in_the_catalogue_template():
    """Every msgid extracted from the code (as ``make i18n-extract``): « (s) » is ``ngettext``."""
    from .test_i18n__catalogues import extracted
    found = sorted(f"{where[0]}: {msgid!r}" for (msgid, _ctx), where in extracted().items()
                   if bracket_plural(msgid)
                   and not any(w.startswith(tuple(BRACKET_PLURAL_WAITING)) for w in where))
    assert found == [], "use ngettext(singular, plural, n) / Message.n:\n" + "\n".join(found)


def test_no_bracket_plural_in_python_strings():
    found = []
    for path in sorted((ROOT / "mno_workflow").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in BRACKET_PLURAL_WAITING:
            continue
        for line, text in string_literals(path.read_text(encoding="utf-8")):
            if bracket_plural(text):
                found.append(f"{rel}:{line}: {text!r}")
    assert found == [], "use ngettext(singular, plural, n) / Message.n:\n" + "\n".join(found)


def test_no_bracket_plural_in_the_shipped_sops():
    """The SOPs' labels are read on the same pages: « Prénoms », never « Prénom(s) » (tryout, issue 18)."""
    found = []
    for path in sorted((ROOT / "sops").rglob("*.yaml")):
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\w\((s|e|es|x)\)", line) and not line.lstrip().startswith("#"):
                found.append(f"{path.relative_to(ROOT)}:{no}: {line.strip()}")
    assert found == [], "\n".join(found)
