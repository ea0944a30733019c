"""``mno directory import`` says why a file cannot be read in the reader's language, with the line
and column: invalid JSON, a CSV the reader stops in, a separator it does not know, a cell that
pydantic reads as JSON — never Python's English (« Expecting ',' delimiter », « field larger than
field limit »)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.directory.hsds_json import read_hsds_json

from .conftest import MINIMAL

runner = CliRunner()
ENGLISH = ("Expecting", "delimiter:", "char ", "field larger", "field limit", "Traceback", "Error")


def imported(tmp_path: Path, lang: str, path: Path) -> str:
    r = runner.invoke(app, ["--lang", lang, "directory", "import", str(path),
                            "--db", f"sqlite:///{tmp_path}/d.db"])
    assert r.exit_code == 1, r.output
    for words in ENGLISH:
        assert words not in r.output, r.output
    return r.output


@pytest.mark.parametrize(("lang", "said"), [
    ("fr", "d.json:3:16: JSON illisible ligne 3, colonne 16 : virgule « , » attendue entre deux éléments"),
    ("en", "d.json:3:16: unreadable JSON at line 3, column 16: a comma « , » is expected between two items")])
def test_invalid_json_names_line_and_column(tmp_path, lang, said):
    path = tmp_path / "d.json"
    path.write_text('{"organization": [\n  {"id": "org-a",\n   "name": "A" "description": "x"}\n]}\n',
                    encoding="utf-8")
    assert said in imported(tmp_path, lang, path)


@pytest.mark.parametrize(("lang", "said"), [
    ("fr", "organization.csv:1:-: une seule colonne lue dans l'en-tête « id|name|description|note » : "
           "séparer les colonnes par « , », « ; » ou une tabulation"),
    ("en", "organization.csv:1:-: only one column read in the header « id|name|description|note »: "
           "separate the columns with « , », « ; » or a tab")])
def test_a_separator_that_is_not_known(tmp_path, lang, said):
    pkg = tmp_path / "pkg"
    shutil.copytree(MINIMAL, pkg)
    csv = pkg / "organization.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace(",", "|"), encoding="utf-8")
    out = imported(tmp_path, lang, pkg)
    assert said in out
    assert "organization.csv:1:name" not in out  # one sentence, not each column said missing


@pytest.mark.parametrize(("lang", "said"), [
    ("fr", "organization.csv:3:-: CSV illisible ligne 3 : cellule trop longue (guillemet non fermé ?)"),
    ("en", "organization.csv:3:-: unreadable CSV at line 3: cell too long (a quote not closed?)")])
def test_a_csv_the_reader_stops_in(tmp_path, lang, said):
    pkg = tmp_path / "pkg"
    shutil.copytree(MINIMAL, pkg)
    (pkg / "organization.csv").write_text("id,name,description,note\norg-a,A,x,y\norg-b,\"B"
                                          + "b" * 140_000 + "\n", encoding="utf-8")
    assert said in imported(tmp_path, lang, pkg)


def test_hsds_json_and_a_json_cell(tmp_path):
    path = tmp_path / "h.json"
    path.write_text('{"services": [}', encoding="utf-8")
    _, problems = read_hsds_json(path)
    assert [(p.row, p.column) for p in problems] == [(1, "15")]
    assert problems[0].format("en") == ("h.json:1:15: unreadable JSON at line 1, column 15: a value "
                                        "is expected (text in quotes, number, true, false, null, […] or {…})")
    from mno_workflow.directory.row_types import _json_object
    with pytest.raises(ValueError) as caught:
        _json_object('{"a": 1,}')
    from mno_workflow.sop.diagnostics import text_in
    assert text_in(caught.value.args[0], "fr") == (
        "objet JSON attendu : JSON illisible ligne 1, colonne 9 : nom de clé entre guillemets doubles "
        "attendu (virgule en trop avant la fin de l'objet ?)")


@pytest.mark.parametrize(("lang", "said"), [
    ("fr", "organization.csv:2:-: un guillemet ouvert ici n'est pas fermé où il le faudrait"),
    ("en", "organization.csv:2:-: a quote opened here is not closed where it should be")])
def test_a_quote_that_swallows_the_next_rows(tmp_path, lang, said):
    """Tryout 3, F8: `"org-a,A,…` opens a quote that the next rows fill, silently read as one
    cell (the rows after it lost); said at the line it opens. A real cell over two lines is
    kept."""
    pkg = tmp_path / "pkg"
    shutil.copytree(MINIMAL, pkg)
    (pkg / "organization.csv").write_text(
        'id,name,description,note\n"org-a,A,x,y\norg-b,B,x,y\norg-c,C,"x",y\n', encoding="utf-8")
    assert said in imported(tmp_path, lang, pkg)
    (pkg / "organization.csv").write_text(
        'id,name,description,note\norg-a,A,"first line\nsecond line",y\n', encoding="utf-8")
    r = runner.invoke(app, ["--lang", lang, "directory", "import", str(pkg), "--db", f"sqlite:///{tmp_path}/e.db"])
    assert "guillemet" not in r.output and "quote opened" not in r.output, r.output
