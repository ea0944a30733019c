"""YAML syntax errors of an SOP are said in words of the reader's language, with the position
(tryout of 4 December 2026: « erreur de syntaxe YAML : mapping values are not allowed here
(conseil : check indentation… ) » on a French screen): every problem the table of
sop/yaml_words.py knows is produced by a real broken file here and read in French and English;
the hints of every loader error are translated too."""

from __future__ import annotations

import re

import pytest
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

from mno_workflow.sop.diagnostics import SOPError
from mno_workflow.sop.loader import parse_yaml
from mno_workflow.sop.yaml_words import PROBLEMS

#: (broken text, code, line, col, French words, English words)
CASES = [
    ("sop: x\n  bad: [1,\n", "E001", 2, 6, "un deux-points ':' qui n'ouvre rien ici",
     "a colon ':' here starts nothing"),
    ("sop: x\nlabel: a\nb\nc: d\n", "E001", 4, 1, "une clé sans son deux-points", "a key without its colon"),
    ("sop: @x\n", "E001", 1, 6, "le caractère '@' ne peut pas commencer une valeur",
     "character '@' cannot start a value"),
    ("sop: x\nsteps:\n  a: 1\n b: 2\n", "E001", 4, 2, "l'indentation ne correspond pas",
     "the indentation does not match"),
    ("sop: x\nroles: [a, b\nversion: 1\n", "E001", 3, 8,
     "une liste [ … ] ou une table { … } n'est pas fermée", "a list [ … ] or a mapping { … } is not closed"),
    ('sop: x\nlabel: "abc\n', "E001", 2, 8, "un guillemet n'est pas fermé", "a quote is not closed"),
    ("sop: x\nlabel: *nowhere\n", "E001", 2, 8, "alias inconnu 'nowhere'", "unknown alias 'nowhere'"),
    ('sop: x\nlabel: "a \\q b"\n', "E001", 2, 12, "échappement inconnu 'q'", "unknown escape 'q'"),
    ("sop: x\nlabel: - b\n", "E001", 2, 8, "un élément de liste '-' là où une valeur était attendue",
     "a list item '-' where a value was expected"),
    ("sop: x\nlabel: |- b\n", "E001", 2, 11, "'b' inattendu en fin de ligne",
     "unexpected 'b' at the end of this line"),
    ("sop: x\nlabel: >x\n", "E001", 2, 9, "'x' inattendu en fin de ligne",
     "unexpected 'x' at the end of this line"),
    ("sop: x\nlabel: !!str &a\n", None, None, None, None, None),  # valid YAML (an empty string): no error
    # a list or a mapping left open at the end of the file (tryout 4, G20: « expected the node content,
    # but found '<stream end>' » in a scenario file)
    ("sop: x\nroles: [a,\n", "E001", 2, 8, "le fichier se termine là où une valeur était attendue",
     "the file ends where a value was expected"),
    ("sop: x\nroles: [,]\n", "E001", 2, 9, "une valeur est attendue ici, pas ','",
     "a value is expected here, not ','"),
    # an impossible instant, unquoted: said at its place (it was 1:1, naming the first key)
    ("sop: x\nlabel: 2025-06-31T08:00:00Z\n", "E001", 2, 8, "date invalide : 2025-06-31T08:00:00Z",
     "invalid date: 2025-06-31T08:00:00Z"),
    ("sop: x\n---\nsop: y\n", "E001", 2, 1, "plus d'un document YAML", "more than one YAML document"),
    ("sop: x\nsop: y\n", "E002", 2, 1, "la clé \"sop\" apparaît deux fois", 'the key "sop" appears twice'),
    ("sop: x\n\tz: 1\n", "E003", 2, 1, "indenter avec des espaces", "indent with spaces"),
    # a key that is a list or a mapping holding a list: said in words where it is (it said
    # « YAML structure not allowed: unhashable type: 'CommentedSeq' » at 1:1)
    ("sop: x\nsteps:\n  - ? {a: [1]}\n    : 2\n", "E001", 3, 7,
     "une clé est ici une liste ou une table, pas un nom", "a key here is a list or a mapping, not a name"),
    ("sop: x\nroles: {? [a, {b: 1}]: 1}\n", "E001", 2, 11,
     "une clé est ici une liste ou une table, pas un nom", "a key here is a list or a mapping, not a name"),
]
RUAMEL = re.compile(r"not allowed here|could not find|cannot start any token|block end|but got|"
                    r"end of stream|undefined alias|escape character|sequence entries|line break|"
                    r"node content|single document|duplicate key|unhashable|Commented|structure not allowed")


@pytest.mark.parametrize("text, code, line, col, fr, en", CASES, ids=[c[0][:24] for c in CASES])
def test_yaml_errors_in_words(text, code, line, col, fr, en):
    if code is None:
        parse_yaml(text, "x.yaml")
        return
    with pytest.raises(SOPError) as e:
        parse_yaml(text, "x.yaml")
    [d] = e.value.diagnostics
    assert (d.code, d.line, d.col) == (code, line, col), d
    french, english = d.format("fr"), d.format("en")
    assert fr in french and "(conseil : " in french, french
    assert en in english and "(hint: " in english, english
    assert not RUAMEL.search(french), french  # ruamel's English sentence is replaced, not appended
    assert not re.search(r"\b(the|with|check|indent|never|each|line)\b", french), french


def test_every_known_problem_is_exercised():
    """A new row of the table needs a broken file above: each row's pattern matches the problem
    ruamel reports for one of :data:`CASES`."""
    seen = set()
    for text, *_ in CASES:
        try:
            YAML(typ="rt").load(text)
        except (TypeError, ValueError):  # a key that is a list or a mapping, an impossible date:
            continue                     # not a ruamel problem of the table
        except MarkedYAMLError as e:
            problem = e.problem or e.context or ""
            seen |= {i for i, (pattern, _words) in enumerate(PROBLEMS) if pattern.search(problem)}
    assert seen == set(range(len(PROBLEMS))), sorted(set(range(len(PROBLEMS))) - seen)


@pytest.mark.parametrize("typo, near", [("escalte", "escalate"), ("titel", "title"),
                                        ("reminder_tme", "reminder_time")])
def test_a_misspelt_key_names_the_key_it_is_nearest_to(tmp_path, typo, near):
    """Tryout 2, finding 3: « escalte » says « vouliez-vous dire 'escalate' ? » (any key of the SOP
    language, by difflib), in French and English; a key near nothing keeps the general hint."""
    from mno_workflow.sop.loader import load_file
    from tests.conftest import BF_SOP
    text = BF_SOP.read_text(encoding="utf-8")
    word = near
    broken = tmp_path / "mnr.yaml"
    broken.write_text(text.replace(f"{word}:", f"{typo}:", 1), encoding="utf-8")
    with pytest.raises(SOPError) as e:
        load_file(broken)
    [d] = [d for d in e.value.diagnostics if d.code == "E010"]
    assert f"vouliez-vous dire '{near}' ?" in d.format("fr") and f"did you mean '{near}'?" in d.format("en")
    broken.write_text(text.replace(f"{word}:", "zzqqxx:", 1), encoding="utf-8")
    with pytest.raises(SOPError) as e:
        load_file(broken)
    [d] = [d for d in e.value.diagnostics if d.code == "E010"]
    assert "vouliez-vous dire" not in d.format("fr") and "orthographe" in d.format("fr")


def test_a_key_of_the_language_at_the_wrong_place_says_where_it_belongs(tmp_path):
    """Tryout 9, L1: ``lint:`` on a step said « vouliez-vous dire 'lint' ? » — the very key refused.
    A key of the SOP language written at a place that does not take it says where it goes."""
    from mno_workflow.sop.loader import load_file
    from tests.conftest import BF_SOP
    text = BF_SOP.read_text(encoding="utf-8")
    head = "  identification:\n    label:"
    assert head in text
    broken = tmp_path / "mnr.yaml"
    broken.write_text(text.replace(head, "  identification:\n    lint: {allow: [W109], reason: essai}\n"
                                   "    label:", 1), encoding="utf-8")
    with pytest.raises(SOPError) as e:
        load_file(broken)
    [d] = [d for d in e.value.diagnostics if d.code == "E010"]
    fr, en = d.format("fr"), d.format("en")
    assert "vouliez-vous dire" not in fr and "did you mean" not in en
    assert "clé 'lint' non permise ici" in fr and "s'écrit sous steps.<step>.states.<state>" in fr
    assert "key 'lint' is not allowed here" in en and "belongs under steps.<step>.states.<state>" in en
