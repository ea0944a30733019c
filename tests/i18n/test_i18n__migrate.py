"""``python -m mno_workflow.i18n.migrate``: legacy ``(fr, en)`` pairs move from code into the
catalogues (and out of the code), and ``Message(fr=f"…", en=f"…")`` pairs become
``Message.t("… {name} …", name=…)`` rendering the same texts."""

from __future__ import annotations

import ast
import shutil
import sys

import pytest

from mno_workflow import i18n
from mno_workflow.i18n import migrate
from mno_workflow.i18n.pairs import find_pairs, rewrite

LEGACY = '''"""A module with legacy texts."""

TEXTS: dict[str, tuple[str, str]] = {
    "hello": ("Bonjour", "Hello"),
}

ROLE_LABELS = {}


def t(key):
    return key


TEXTS.update({
    "bye": ("Au revoir", "Goodbye"),
    # a comment inside
    "my_work": ("Mon travail à moi", "My own work"),
})
'''


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    locale = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale, ignore=shutil.ignore_patterns("*.mo", "*.pot"))
    pkg = tmp_path / "legacy_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "texts.py").write_text(LEGACY, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("legacy_pkg.texts", None)
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)
    monkeypatch.setenv("MNO_CACHE_DIR", str(tmp_path / "cache"))
    i18n.clear_cache()
    yield tmp_path
    i18n.clear_cache()
    sys.modules.pop("legacy_pkg.texts", None)


def test_legacy_entries_move_to_every_catalogue_and_out_of_the_code(sandbox):
    locale = sandbox / "locale"
    (locale / "pt" / "LC_MESSAGES").mkdir(parents=True)
    (locale / "pt" / "LC_MESSAGES" / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: pt\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n', "utf-8")
    sources = [("legacy_pkg.texts", "TEXTS", "")]
    entries = migrate.legacy_entries(sources)
    assert {e[1] for e in entries} == {"hello", "bye", "my_work"}
    migrate.add_to_catalogues(entries, locale)
    path = sandbox / "legacy_pkg" / "texts.py"
    assert migrate.strip_source(path, "TEXTS") == 2
    code = path.read_text("utf-8")
    ast.parse(code)
    assert "Bonjour" not in code and "Au revoir" not in code
    assert "TEXTS: dict[str, tuple[str, str]] = {}" in code
    assert "def t(key):" in code
    i18n.clear_cache()
    assert i18n.gettext("bye", "en") == "Goodbye" and i18n.gettext("hello", "fr") == "Bonjour"
    assert i18n.gettext("my_work", "en") == "My own work"  # the code was newer: it wins
    assert i18n.gettext("hello", "pt") == "Bonjour"  # added untranslated: French fallback
    assert migrate.read_catalogue("pt", locale).get("hello").string == ""
    sys.modules.pop("legacy_pkg.texts", None)
    assert migrate.legacy_entries(sources) == []  # nothing left to move


PAIRS = '''from x import Message, Err

def f(reference, case, keys):
    a = Message(fr=f"Dossier introuvable : {reference}", en=f"Case not found: {reference}")
    b = Message(fr="Le motif est obligatoire.", en="The reason is required.")
    c = Err(Message(
        fr=f"Le dossier {case.reference} est attribué à {case.assignee} ({', '.join(keys)}) — accentué é.",
        en=f"Case {case.reference} is assigned to {case.assignee} ({', '.join(keys)})."))
    d = Message(fr=f"{reference!r} : 100 % {{brut}}", en=f"{reference!r}: 100 % {{raw}}")
    e = Message(fr=f"Seulement en français {reference}", en="Only English")
    return a, b, c, d, e
'''


class Message:
    """What engine.errors.Message does, for evaluating rewritten code."""

    def __init__(self, fr="", en=""):
        self.fr, self.en = fr, en

    @classmethod
    def t(cls, msgid, **params):
        return cls(msgid.format(**params), "")


def test_message_pairs_become_catalogue_messages_with_the_same_text(tmp_path):
    path = tmp_path / "mod.py"
    path.write_text(PAIRS, encoding="utf-8")
    pairs, left = rewrite(path)
    assert len(pairs) == 4 and len(left) == 1  # e: the two texts do not use the same values
    assert {p.msgid: p.english for p in pairs}["Dossier introuvable : {reference}"] == \
        "Case not found: {reference}"
    assert {p.msgid for p in pairs} >= {"Le motif est obligatoire.", "{reference!r} : 100 % {{brut}}"}
    code = path.read_text("utf-8")
    assert max(len(line) for line in code.splitlines()) <= 110
    namespace = {"Message": Message, "Err": lambda m: m}
    exec(compile(code.replace("from x import Message, Err", ""), "mod.py", "exec"), namespace)

    class Case:
        reference, assignee = "MNR-7", "awa"
    a, b, c, d, e = namespace["f"]("MNR-1", Case, ["x", "y"])
    assert a.fr == "Dossier introuvable : MNR-1" and b.fr == "Le motif est obligatoire."
    assert c.fr == "Le dossier MNR-7 est attribué à awa (x, y) — accentué é."
    assert d.fr == "'MNR-1' : 100 % {brut}"
    assert e.fr == "Seulement en français MNR-1" and e.en == "Only English"  # left as it was
    assert find_pairs(code)[0] == []  # nothing more to rewrite
