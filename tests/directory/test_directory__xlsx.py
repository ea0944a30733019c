"""Excel workbooks: export → import unchanged, French sheet and column labels, per-cell errors in
French and English, dry run, through the library and the CLI."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from mno_workflow.directory import DirectoryImportError, import_package, load_sample
from mno_workflow.directory.cli import app
from mno_workflow.directory.hsds_io import dump_tables
from mno_workflow.directory.xlsx import export_xlsx

from .conftest import MINIMAL, snapshot


def test_export_then_import_is_unchanged(session: Session, tmp_path: Path, engine) -> None:
    from mno_workflow.store.base import Base, make_engine

    load_sample(session)
    session.commit()
    book = export_xlsx(session, tmp_path / "d.xlsx")
    assert "service" in load_workbook(book).sheetnames
    assert not import_package(session, book, dry_run=True).has_changes
    original = dump_tables(session)
    other = make_engine(f"sqlite:///{tmp_path}/o.db")
    Base.metadata.create_all(other)
    with Session(other) as s:
        import_package(s, book)
        assert dump_tables(s) == original
    other.dispose()


def _french_book(path: Path, status: str = "active", age: object = 18) -> Path:
    book = Workbook()
    org = book.active
    org.title = "Organisations"
    org.append(["Identifiant", "Nom", "Description", "Courriel"])
    org.append(["org-x", "Association X", "Données fictives", "contact@x.bf"])
    svc = book.create_sheet("Services")
    svc.append(["Identifiant", "Organisation", "Nom", "Statut", "Âge minimum", "Dernière vérification"])
    svc.append(["svc-x", "org-x", "Écoute", status, age, date(2026, 10, 1)])
    book.save(path)
    return path


def test_french_labels_are_accepted(session: Session, tmp_path: Path) -> None:
    import_package(session, _french_book(tmp_path / "fr.xlsx"))
    data = dump_tables(session)
    svc = data["service"][0]
    assert (svc["id"], svc["organization_id"], svc["minimum_age"]) == ("svc-x", "org-x", 18)
    assert svc["assured_date"] == date(2026, 10, 1)
    assert data["organization"][0]["email"] == "contact@x.bf"


def test_cell_errors_name_sheet_row_and_column_in_french_and_english(session: Session, tmp_path: Path):
    import_package(session, MINIMAL)
    session.commit()
    before = snapshot(session)
    book = _french_book(tmp_path / "bad.xlsx", status="ouvert", age="dix-huit")
    with pytest.raises(DirectoryImportError) as err:
        import_package(session, book)
    french = [p.format("fr") for p in err.value.problems]  # catalogue messages, one language each
    english = [p.format("en") for p in err.value.problems]
    assert "bad.xlsx[Services]:2:E:minimum_age: nombre entier attendu, reçu 'dix-huit'" in french
    assert "bad.xlsx[Services]:2:E:minimum_age: whole number expected, got 'dix-huit'" in english
    assert any(line.startswith("bad.xlsx[Services]:2:D:status: valeur 'ouvert' invalide ; attendu :")
               for line in french), french
    assert any(line.startswith("bad.xlsx[Services]:2:D:status: invalid value 'ouvert'; expected:")
               for line in english), english
    assert not any(" / " in line for line in french + english)
    session.rollback()
    assert snapshot(session) == before


def test_unknown_sheet_and_column(session: Session, tmp_path: Path) -> None:
    book = Workbook()
    book.active.title = "Bidule"
    book.active.append(["id"])
    book.active.append(["x"])
    org = book.create_sheet("organization")
    org.append(["id", "name", "description", "couleur"])
    org.append(["o", "O", "d", "bleu"])
    book.save(tmp_path / "u.xlsx")
    with pytest.raises(DirectoryImportError) as err:
        import_package(session, tmp_path / "u.xlsx")
    lines = [p.format() for p in err.value.problems]
    assert any(line.startswith("u.xlsx[Bidule]:0:-: feuille inconnue") for line in lines), lines
    assert "u.xlsx[organization]:1:D:couleur: colonne inconnue" in lines
    english = [p.format("en") for p in err.value.problems]
    assert any(line.startswith("u.xlsx[Bidule]:0:-: unknown sheet: ") for line in english), english
    assert "u.xlsx[organization]:1:D:couleur: unknown column" in english


def test_cli_xlsx_dry_run_import_and_export(tmp_path: Path) -> None:
    runner = CliRunner()
    db = f"sqlite:///{tmp_path}/c.db"
    book = _french_book(tmp_path / "fr.xlsx")
    dry = runner.invoke(app, ["import", str(book), "--dry-run", "--db", db])
    assert dry.exit_code == 0 and "rien n'a été écrit" in dry.output, dry.output
    done = runner.invoke(app, ["import", str(book), "--db", db])
    assert "2 ajouts" in done.output, done.output
    out = runner.invoke(app, ["export", str(tmp_path / "out.xlsx"), "--format", "xlsx", "--db", db])
    assert out.exit_code == 0, out.output
    assert load_workbook(tmp_path / "out.xlsx")["service"]["A2"].value == "svc-x"
    bad = runner.invoke(app, ["import", str(_french_book(tmp_path / "b.xlsx", age="x")), "--db", db])
    assert bad.exit_code == 1
    expected = "b.xlsx[Services]:2:E:minimum_age: nombre entier attendu, reçu 'x'"
    assert expected in bad.output and "whole number" not in bad.output
    from mno_workflow.cli import app as mno
    bad = runner.invoke(mno, ["--lang", "en", "directory", "import", str(tmp_path / "b.xlsx"), "--db", db])
    assert bad.exit_code == 1
    assert "b.xlsx[Services]:2:E:minimum_age: whole number expected, got 'x'" in bad.output, bad.output
    assert "nombre" not in bad.output
