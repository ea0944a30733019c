"""Provider contact phones are E.164 numbers that ``phonenumbers`` accepts (issue 21): a CSV or
Excel import with a number of impossible length, or letters, is refused with one error per cell
(file/sheet, row, column), nothing written; the official HSDS package keeps its numbers as given."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy.orm import Session

from mno_workflow.directory import DirectoryImportError, import_package
from mno_workflow.directory.hsds_io import dump_tables

from .conftest import MINIMAL, snapshot


def write_phone(pkg: Path, number: str) -> None:
    (pkg / "phone.csv").write_text(f"id,location_id,number,type\nph-a,loc-a,{number},voice\n",
                                   encoding="utf-8")


@pytest.mark.parametrize("number", ["+226 70 12 34", "+226 70 12 34 56 78 90", "226", "+1 555 0100 1234567"])
def test_csv_number_of_impossible_length_is_a_cell_error(session: Session, tmp_path: Path, number) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(MINIMAL, pkg)
    write_phone(pkg, number)
    before = snapshot(session)
    with pytest.raises(DirectoryImportError) as err:
        import_package(session, pkg)
    [(file, row, column, message)] = [(p.file, p.row, p.column, p.message) for p in err.value.problems]
    assert (file, row, column) == ("phone.csv", 2, "number")
    assert "E.164" in message and number in message
    assert snapshot(session) == before


@pytest.mark.parametrize("number", ["+226 70 12 34 56", "70 12 34 56", "+33 1 23 45 67 89",
                                    "+226 25 00 00 01"])
def test_possible_numbers_are_accepted(session: Session, tmp_path: Path, number) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(MINIMAL, pkg)
    write_phone(pkg, number)
    import_package(session, pkg)
    assert dump_tables(session)["phone"][0]["number"] == number


def test_excel_number_error_names_sheet_row_and_column(session: Session, tmp_path: Path) -> None:
    book = Workbook()
    org = book.active
    org.title = "Organisations"
    org.append(["Identifiant", "Nom", "Description"])
    org.append(["org-x", "Association X", "Données fictives"])
    tel = book.create_sheet("Téléphones")
    tel.append(["Identifiant", "Organisation", "Numéro"])
    tel.append(["ph-ok", "org-x", "+226 70 12 34 56"])
    tel.append(["ph-bad", "org-x", "+226 7012"])
    path = tmp_path / "d.xlsx"
    book.save(path)
    with pytest.raises(DirectoryImportError) as err:
        import_package(session, path)
    texts = [p.format("fr") for p in err.value.problems]
    assert len(texts) == 1 and "Téléphones" in texts[0] and "E.164" in texts[0], texts
    assert "3" in texts[0]
    english = err.value.problems[0].format("en")  # a catalogue message, one language each
    assert "malformed value" in english and "E.164 phone number expected" in english, english
    assert "mal formée" not in english and " / " not in texts[0] + english
