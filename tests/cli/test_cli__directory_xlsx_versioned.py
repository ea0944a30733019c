"""Issue 18 leftover of tryout 5, H6: the directory's .xlsx export carries the directory's version (a
custom property of the workbook, as ``datapackage.json`` and the JSON documents carry it), and the
.xlsx import of that workbook keeps a field edited on the web since the export and refuses, with
the cell and the value now, a field changed on both sides — nothing written — in French and English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mno_workflow.directory.hsds_own import export_mark

from .test_cli__directory_hsds_roundtrip import counts, edit_on_the_web, loaded, mno, oim_row, snapshot

__all__ = ["loaded"]  # the fixture, shared with the HSDS round trip
pytestmark = pytest.mark.migrated


def _export(db_url: str, tmp_path: Path) -> Path:
    target = tmp_path / "repertoire.xlsx"
    assert mno(db_url, "directory", "export", str(target), "--format", "xlsx").exit_code == 0
    return target


def _edit(book_path: Path, column: str, value: str) -> str:
    """Edit the OIM transit service's ``column`` in the workbook as a partner would; its cell."""
    book = load_workbook(book_path)
    sheet = book["service"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("id")].value == "svc-oim-transit")
    cell = row[header.index(column)]
    cell.value = value
    book.save(book_path)
    return cell.column_letter


def test_the_xlsx_export_carries_the_directory_version(loaded: str, tmp_path: Path):
    target = _export(loaded, tmp_path)
    mark = export_mark(target)
    assert isinstance(mark, int) and mark > 0
    _edit(target, "eligibility_description", "Adultes (tableur)")  # the workbook edited and saved
    assert export_mark(target) == mark
    before = snapshot(loaded)
    again = _export(loaded, tmp_path / "again")
    assert export_mark(again) == mark and snapshot(loaded)[1] == before[1]  # an export writes nothing


def test_an_edit_made_since_the_xlsx_export_is_kept(loaded: str, tmp_path: Path):
    target = _export(loaded, tmp_path)
    edit_on_the_web(loaded, {"fees_description": "Gratuit (édité sur le web)"})
    _edit(target, "eligibility_description", "Adultes (tableur)")
    result = mno(loaded, "directory", "import", str(target))
    assert result.exit_code == 0, result.output
    assert counts(result.output)["service"] == (0, 1, 28)
    after = oim_row(loaded)
    assert after["fees_description"] == "Gratuit (édité sur le web)"  # not reverted by the workbook
    assert after["eligibility_description"] == "Adultes (tableur)"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_cell_changed_on_both_sides_refuses_the_xlsx_import(loaded: str, tmp_path: Path, lang: str):
    target = _export(loaded, tmp_path)
    edit_on_the_web(loaded, {"fees_description": "Gratuit (édité sur le web)"})
    letter = _edit(target, "fees_description", "Payant (tableur)")
    _edit(target, "eligibility_description", "Adultes (tableur)")
    before = snapshot(loaded)
    result = mno(loaded, "--lang", lang, "directory", "import", str(target))
    assert result.exit_code == 1, result.output
    words = ("modifié dans le répertoire depuis l'export (maintenant « Gratuit (édité sur le web) ») et dans "
             "ce fichier (« Payant (tableur) ») : exportez à nouveau" if lang == "fr" else
             "changed in the directory since the export (now “Gratuit (édité sur le web)”) and in this file "
             "(“Payant (tableur)”)")
    assert words in result.output
    assert re.search(rf"repertoire\.xlsx\[service\]:\d+:{letter}:fees_description: ", result.output)
    assert snapshot(loaded) == before  # nothing written, not even the other cell
    assert mno(loaded, "directory", "import", str(target), "--dry-run").exit_code == 1
