"""A file the command line cannot write is said in the ``--lang`` language and in words (no
operating-system English such as « [Errno 2] No such file or directory »), with « nothing is
saved » where the command's transaction is rolled back; ``calendar set --remove`` answers with
the day as dd/mm/yyyy and « retiré » / "removed" (tryout, 4 Dec 2026)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from mno_workflow.cli import app

from ..conftest import BF_SOP
from .users import add_users

runner = CliRunner()
IDENT = ["--data", "first_name=Zoé", "--data", "last_name=Kaboré", "--data", "sex=female",
         "--data", "estimated_age=30", "--data", "return_date=10/01/2025", "--data", "region=kadiogo"]
MISSING = {"fr": "Écriture impossible de {path} : le dossier n'existe pas",
           "en": "Cannot write {path}: the folder does not exist"}
FOLDER = {"fr": "Écriture impossible de {path} : c'est un dossier",
          "en": "Cannot write {path}: it is a folder"}


def mno(*args):
    r = runner.invoke(app, list(args))
    assert "Traceback" not in r.output, r.output
    return r


@pytest.fixture
def one_case(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'w.db'}"
    add_users(db_url)
    ref = mno("--db", db_url, "case", "create", "--sop", str(BF_SOP), "--as", "awa:caseworker").stdout.strip()
    r = mno("--db", db_url, "case", "fire", ref, "register", "--as", "awa:caseworker", *IDENT)
    assert r.exit_code == 0, r.output
    return db_url, ref


def _checkpoints(db_url: str) -> int:
    db = create_engine(db_url)
    try:
        with db.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM audit_checkpoints")).scalar()
    finally:
        db.dispose()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_checkpoint_that_cannot_be_written_says_why_and_saves_nothing(one_case, tmp_path, lang):
    db_url, _ref = one_case
    before = _checkpoints(db_url)
    out = tmp_path / "no-such-folder" / "cp.json"
    r = mno("--db", db_url, "--lang", lang, "audit", "checkpoint", "-o", str(out))
    assert r.exit_code == 1, r.output
    said = MISSING[lang].format(path=out)
    assert said in r.stderr and "Errno" not in r.stderr and "No such file" not in r.stderr, r.stderr
    assert ("rien n'est enregistré" if lang == "fr" else "nothing is saved") in r.stderr, r.stderr
    assert _checkpoints(db_url) == before  # the transaction rolled back


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_person_export_into_a_folder_says_why(one_case, tmp_path, lang):
    db_url, ref = one_case
    folder = tmp_path / "a-folder"
    folder.mkdir()
    r = mno("--db", db_url, "--lang", lang, "case", "export-person", ref, "-o", str(folder),
            "--as", "coord:coordinator")
    assert r.exit_code == 1, r.output
    assert FOLDER[lang].format(path=folder) in r.stderr and "Errno" not in r.stderr, r.stderr


@pytest.mark.parametrize("lang, said", [("fr", "BF 25/12/2026 : retiré"), ("en", "BF 25/12/2026: removed")])
def test_a_removed_holiday_is_said_in_words(tmp_path, lang, said):
    db_url = f"sqlite:///{tmp_path / 'c.db'}"
    add_users(db_url)
    r = mno("--db", db_url, "--lang", lang, "calendar", "set", "25/12/2026", "--remove",
            "--as", "coord:coordinator")
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == said, r.stdout
