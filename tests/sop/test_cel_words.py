"""A CEL condition that does not parse is said in the reader's language, at its column inside the
expression and at its file:line:col (tryout 4, G2: a French run printed the parser's English,
« l'expression CEL ne compile pas : Failed to parse expression 'steps.consent = given(': ERROR:
<input>:1:15: Syntax error: token recognition error at: '= ' »). Every common mistake of
sop/cel_words.py is made here in a real SOP and read in French and English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.sop.diagnostics import SOPError
from mno_workflow.sop.loader import load_text

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "invalid_sops" / "e027_cel_syntax.yaml"
WHEN = '        when: "intake.name == (("'
#: the parser's own English: never in what the author reads
PARSER = re.compile(r"Failed to parse|Syntax error|<input>|token recognition|mismatched|extraneous|"
                    r"viable|expecting|EOF")

#: (expression, column in it, French words, English words)
CASES = [
    ("steps.consent = given(", 15, "« = » inattendu (pour comparer, écrire « == »)",
     "'=' unexpected (to compare, write '==')"),
    ("intake.name = 'x' || intake.name == 'y'", 13, "« = » inattendu", "'=' unexpected"),
    ("size(intake.needs) > (1", 22, "« ( » n'est pas fermé : ajouter « ) »", "'(' is not closed: add ')'"),
    ("'x' in [intake.name", 8, "« [ » n'est pas fermé : ajouter « ] »", "'[' is not closed: add ']'"),
    ("intake.name == 'x')", 19, "« ) » ne ferme rien", "')' closes nothing"),
    ("intake.name == 'abc", 16, "un texte entre guillemets n'est pas fermé : ajouter son ' de fin",
     "a text in quotes is not closed: add its closing '"),
    ("intake.name # 'x'", 13, "le caractère « # » n'existe pas en CEL", "character '#' is not part of CEL"),
    ("intake.name == 'x' &&", 22, "l'expression s'arrête trop tôt : il manque une valeur après « && »",
     "the expression ends too early: a value is missing after '&&'"),
    ("intake.name == 'x' and true", 20, "« and » n'existe pas en CEL : écrire « && »",
     "'and' is not CEL: write '&&'"),
    ("intake.name == 'x' or true", 20, "« or » n'existe pas en CEL : écrire « || »",
     "'or' is not CEL: write '||'"),
    ("not has(intake.name)", 1, "« not » n'existe pas en CEL : écrire « ! »", "'not' is not CEL: write '!'"),
    ("size(intake.needs) => 1", 20, "« => » n'existe pas en CEL : écrire « >= »",
     "'=>' is not CEL: write '>='"),
    ("has(intake.name) & true", 18, "« & » seul n'existe pas en CEL : écrire « && »",
     "'&' alone is not CEL: write '&&'"),
    ("intake.name 'x'", 13, "« 'x' » inattendu ici : il manque un opérateur",
     "''x'' unexpected here: an operator"),
    ("has(intake.name) ? true", 24, "« ? » sans son « : »", "'?' without its ':'"),
]


def _e027(text: str) -> list:
    with pytest.raises(SOPError) as e:
        load_text(text, "pos.yaml")
    return [d for d in e.value.diagnostics if d.code == "E027"]


@pytest.mark.parametrize("expr, col, fr, en", CASES, ids=[c[0] for c in CASES])
def test_a_cel_syntax_error_is_said_at_its_column(expr, col, fr, en):
    text = MINI.read_text(encoding="utf-8")
    assert WHEN in text
    when = WHEN.replace('"intake.name == (("', '"' + expr.replace('"', '\\"') + '"')
    [d] = _e027(text.replace(WHEN, when))
    line = text.splitlines().index(WHEN) + 1
    # the file position is the character the column names, inside the quoted condition
    assert (d.line, d.col) == (line, when.index('"') + 1 + col), (d.line, d.col)
    french, english = d.format("fr"), d.format("en")
    assert f"pos.yaml:{line}:{d.col}: erreur E027 l'expression CEL ne se lit pas à la colonne {col} : " \
        in french, french
    assert f"pos.yaml:{line}:{d.col}: error E027 the CEL expression cannot be read at column {col}: " \
        in english, english
    assert fr in french and en in english, (french, english)
    assert not PARSER.search(french) and not PARSER.search(english), (french, english)


def test_an_expression_on_several_lines_names_the_line_inside_it():
    text = MINI.read_text(encoding="utf-8")
    block = '        when: |\n          has(intake.name)\n            && intake.name = "x"\n'
    [d] = _e027(text.replace(WHEN + "\n", block))
    assert "à la ligne 2, colonne 18 : « = » inattendu" in d.format("fr"), d.format("fr")
    assert "at line 2, column 18: '=' unexpected" in d.format("en"), d.format("en")
    # in the file: the '=' itself, on the block's second line
    assert (d.line, d.col) == (text.splitlines().index(WHEN) + 3, 28), (d.line, d.col)


def test_an_unknown_parser_problem_is_still_said_in_words():
    from mno_workflow.sop.cel_words import column_words, syntax_error
    offset, problem = syntax_error("ERROR: <input>:1:3: Syntax error: something new at 'x'", "a x")
    said = column_words("a x", offset, problem)
    assert said.text("fr") == "l'expression CEL ne se lit pas à la colonne 3 : erreur de syntaxe"
    assert said.text("en") == "the CEL expression cannot be read at column 3: syntax error"


@pytest.mark.parametrize("lang, words", [
    ("fr", "erreur E027 l'expression CEL ne se lit pas à la colonne 15 : « = » inattendu (pour comparer, "
           "écrire « == »)"),
    ("en", "error E027 the CEL expression cannot be read at column 15: '=' unexpected (to compare, "
           "write '==')"),
])
def test_mno_validate_says_it(tmp_path, lang, words):
    """The tryout's own condition, through ``mno validate``."""
    text = MINI.read_text(encoding="utf-8")
    path = tmp_path / "pos.yaml"
    path.write_text(text.replace(WHEN, '        when: "steps.consent = given("'), encoding="utf-8")
    r = CliRunner().invoke(app, ["--lang", lang, "validate", str(path)])
    assert r.exit_code == 1
    line = text.splitlines().index(WHEN) + 1
    assert f"{path}:{line}:30: {words}" in r.output, r.output
    assert not PARSER.search(r.output), r.output
