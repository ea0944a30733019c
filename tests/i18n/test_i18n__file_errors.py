"""A file that cannot be read is said in words of the catalogues for the common error numbers (and
by the error number's name otherwise), never with the operating system's English text."""

from __future__ import annotations

import errno
import os
import subprocess
import sys

import pytest

from mno_workflow.i18n.files import file_error, write_error

CASES = [
    (OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)),
     "Lecture impossible de /d/x.csv : le disque est plein", "Cannot read /d/x.csv: the disk is full"),
    (OSError(errno.EROFS, os.strerror(errno.EROFS)),
     "Lecture impossible de /d/x.csv : le système de fichiers est en lecture seule",
     "Cannot read /d/x.csv: the file system is read-only"),
    (OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG)),
     "Lecture impossible de /d/x.csv : le nom du fichier est trop long",
     "Cannot read /d/x.csv: the file name is too long"),
    (OSError(errno.EIO, os.strerror(errno.EIO)),
     "Lecture impossible de /d/x.csv : erreur du système EIO", "Cannot read /d/x.csv: system error EIO"),
    (ValueError("embedded null byte"), "Lecture impossible de /d/x.csv", "Cannot read /d/x.csv"),
]


@pytest.mark.parametrize(("exc", "fr", "en"), CASES)
def test_read_errors_are_words_in_the_readers_language(exc, fr, en):
    said = file_error("/d/x.csv", exc)
    assert said.text("fr") == fr and said.text("en") == en
    if isinstance(exc, OSError):
        assert exc.strerror not in said.text("en")


def test_write_errors_read_only_and_name_too_long():
    ro = write_error("/d/x.csv", OSError(errno.EROFS, os.strerror(errno.EROFS)))
    assert ro.text("fr") == "Écriture impossible de /d/x.csv : le système de fichiers est en lecture seule"
    assert ro.text("en") == "Cannot write /d/x.csv: the file system is read-only"
    long = write_error("/d/x.csv", OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG)))
    assert long.text("en") == "Cannot write /d/x.csv: the file name is too long"


@pytest.mark.parametrize(("lang", "words"), [("fr", "le nom du fichier est trop long"),
                                             ("en", "the file name is too long")])
def test_mno_validate_a_file_name_too_long(tmp_path, lang, words):
    path = tmp_path / ("n" * 300 + ".yaml")  # a real ENAMETOOLONG from the file system
    r = subprocess.run([sys.executable, "-m", "mno_workflow", "--lang", lang, "validate", str(path)],
                       capture_output=True, text=True, env={**os.environ, "MNO_LANG": ""}, check=False)
    out = r.stdout + r.stderr
    assert r.returncode != 0 and words in out, out
    assert os.strerror(errno.ENAMETOOLONG) not in out and "Errno" not in out


@pytest.mark.parametrize(("text", "lang", "words"), [
    ("translations:\n  a: [1, 2\n  b: x\n", "fr",
     ":3:4: erreur E001 erreur de syntaxe YAML : une liste [ … ] ou une table { … } n'est pas fermée"),
    ("translations:\n  a: [1, 2\n  b: x\n", "en",
     ":3:4: error E001 YAML syntax error: a list [ … ] or a mapping { … } is not closed"),
    ("translations: 3\n", "fr", "translations : chaque texte français suivi de sa traduction est attendu"),
    ("translations: 3\n", "en", "translations: expected each French text followed by its translation")])
def test_mno_validate_a_directory_translations_file_that_cannot_be_read(tmp_path, text, lang, words):
    (tmp_path / "translations.en.yaml").write_text(text, encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "mno_workflow", "--lang", lang, "validate", str(tmp_path)],
                       capture_output=True, text=True, env={**os.environ, "MNO_LANG": ""}, check=False)
    out = r.stdout + r.stderr
    assert r.returncode != 0 and words in out, out
    for english in ("expected ',' or ']'", "while parsing", "object has no attribute", "Traceback"):
        assert english not in out, out


@pytest.mark.parametrize(("lang", "words"), [("fr", "erreur E001 date invalide : 1999-02-30"),
                                             ("en", "error E001 invalid date: 1999-02-30")])
def test_an_impossible_date_in_an_sop_names_the_date_not_pythons_words(tmp_path, lang, words):
    path = tmp_path / "bad.yaml"
    path.write_text('sop: x\nversion: "1"\nupdated: 1999-02-30\n', encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "mno_workflow", "--lang", lang, "validate", str(path)],
                       capture_output=True, text=True, env={**os.environ, "MNO_LANG": ""}, check=False)
    assert f"{path}:3:10: {words}" in r.stdout + r.stderr, r.stdout + r.stderr
    assert "out of range" not in r.stdout + r.stderr


def test_a_scenario_with_an_impossible_date_or_missing_says_it_in_words(tmp_path):
    from mno_workflow.kit.model import load_scenario, load_scenario_text
    from mno_workflow.sop.diagnostics import SOPError
    with pytest.raises(SOPError) as caught:
        load_scenario_text("sop: x\nsteps:\n  - at: 2025-02-30\n", "s.yaml")
    first = caught.value.diagnostics[0]
    # S001 at its place; the file is read on to say its other errors too (tryout 4, G20)
    assert (first.code, first.line, first.col) == ("S001", 3, 9)
    assert first.message.text("fr") == "date impossible « 2025-02-30 »"
    assert first.message.text("en") == "impossible date '2025-02-30'"
    with pytest.raises(SOPError) as caught:
        load_scenario(tmp_path / "nowhere.yaml")
    assert caught.value.diagnostics[0].message.text("en") == f"File not found: {tmp_path / 'nowhere.yaml'}"
