"""A new user's tryout of the command line with ``--lang en`` (findings C1–C7): holiday names and
the calendar header in the chosen language; ``sop list`` titles and dates in words; ``case show``
with the language's colon and need labels, not instance keys; read-only commands on a folder
without a database say so and create none; no ``[error_key]`` in error lines; a refused trigger
lists « label (trigger) »; missing options say « erreur : » like the others; days typed as on the
pages (dd/mm/yyyy) or ISO. Each check runs in both languages."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.i18n.dates import iso_day, read_day

from ..conftest import BF_SOP
from .users import add_users

runner = CliRunner()
IDENT = ["--data", "first_name=Zoé", "--data", "last_name=Kaboré", "--data", "sex=female",
         "--data", "estimated_age=30", "--data", "return_date=10/01/2025", "--data", "region=kadiogo"]


def help_of(*args) -> str:
    """``mno *args --help`` as people run it (the console entry point: help in the --lang language)."""
    import os
    import subprocess
    import sys
    r = subprocess.run([sys.executable, "-m", "mno_workflow", *args, "--help"], capture_output=True,
                       text=True, env={**os.environ, "COLUMNS": "200"}, check=False)
    assert r.returncode == 0, r.stderr
    return r.stdout


def mno(*args, env=None):
    r = runner.invoke(app, list(args), env=env)
    assert "Traceback" not in r.output, r.output
    return r


@pytest.fixture
def one_case(tmp_path):
    """A SQLite file with users and one case registered with a day typed dd/mm/yyyy."""
    db_url = f"sqlite:///{tmp_path / 'cli3.db'}"
    add_users(db_url, [("awa", "caseworker", None, "kadiogo")])
    ref = mno("--db", db_url, "case", "create", "--sop", str(BF_SOP), "--as", "awa:caseworker").stdout.strip()
    r = mno("--db", db_url, "case", "fire", ref, "register", "--as", "awa:caseworker", *IDENT)
    assert r.exit_code == 0, r.output
    return db_url, ref


@pytest.mark.parametrize("lang, names, not_names, header", [
    ("en", ["New Year's Day", "Labour Day"], ["Jour de l'An", "Fête du Travail"],
     "# Public holidays in 2026, calendar BF (time zone Africa/Ouagadougou); source: the 'holidays' "
     "package "),
    ("fr", ["Jour de l'An", "Fête du travail"], ["New Year's Day"],
     "# Jours fériés 2026 du calendrier BF (fuseau horaire Africa/Ouagadougou) ; source : paquet "
     "« holidays » "),
])
def test_c1_holiday_names_and_header_in_the_chosen_language(tmp_path, lang, names, not_names, header):
    r = mno("--db", f"sqlite:///{tmp_path / 'cal.db'}", "--lang", lang, "calendar", "holidays", "2026")
    assert r.exit_code == 0, r.output
    for name in names:
        assert name in r.stdout, r.stdout
    for name in not_names:
        assert name not in r.stdout, r.stdout
    assert r.stderr.startswith(header), r.stderr
    assert "holidays 0." not in r.stderr  # the old technical line


@pytest.mark.parametrize("lang, title", [("en", "National referral mechanism"),
                                         ("fr", "Mécanisme national de référencement")])
def test_c2_sop_list_title_and_date_in_words(one_case, lang, title):
    db_url, _ = one_case
    r = mno("--db", db_url, "--lang", lang, "sop", "list")
    assert r.exit_code == 0, r.output
    sop_id, version, loaded, shown = r.stdout.splitlines()[0].split("\t")
    assert sop_id == "mnr_bf" and shown.startswith(title), shown
    assert loaded[2] == "/" and loaded[5] == "/" and "Z" not in loaded and "-" not in loaded, loaded


@pytest.mark.parametrize("lang, steps, trail, words", [
    ("en", "Steps:", "Audit trail:", "Informed consent: "),
    ("fr", "Étapes :", "Journal d'audit :", "Consentement éclairé : "),
])
def test_c3_case_show_colons_and_no_instance_keys(one_case, lang, steps, trail, words):
    db_url, ref = one_case
    r = mno("--db", db_url, "--lang", lang, "case", "show", ref)
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert steps in lines and trail in lines, lines
    assert any(words in x for x in lines), lines
    assert not any("[1]" in x or "[consent" in x for x in lines), lines
    shown = json.loads(mno("--db", db_url, "case", "show", ref, "--format", "json").stdout)
    assert any(s["key"] == "1" for s in shown["steps"])  # the keys stay in JSON, for scripts


def test_c3_a_need_is_named_by_its_label():
    from mno_workflow.sop.loader import load_file
    from mno_workflow.views import _need
    sop = load_file(BF_SOP).model
    assert _need(sop, "cash", "en") == " — " + sop.label(sop.options["need"]["cash"], "en")
    assert _need(sop, "cash", "fr") == " — " + sop.label(sop.options["need"]["cash"], "fr")
    assert _need(sop, "1", "en") == ""


@pytest.mark.parametrize("lang, said", [("en", "error: No database here: "),
                                        ("fr", "erreur : Aucune base de données ici : ")])
@pytest.mark.parametrize("command", [["case", "list"], ["case", "show", "MNR-BF-000001"], ["sop", "list"]])
def test_c4_read_only_commands_create_no_database(tmp_path, monkeypatch, lang, said, command):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MNO_DATABASE_URL", raising=False)
    monkeypatch.delenv("MNO_DATA_DIR", raising=False)
    monkeypatch.delenv("MNO_CONFIG", raising=False)
    r = mno("--lang", lang, *command)
    assert r.exit_code == 1, r.output
    assert r.stderr.startswith(said) and "mno init" in r.stderr and "--db" in r.stderr, r.stderr
    assert not (tmp_path / "data").exists() and list(tmp_path.iterdir()) == []
    (tmp_path / "demo.db").write_bytes(b"")  # beside make run's demonstration database: it is named
    r = mno("--lang", lang, *command)
    assert r.exit_code == 1 and r.stderr.startswith(said) and "mno --db demo.db" in r.stderr, r.stderr
    assert not (tmp_path / "data").exists()
    r = mno("--lang", lang, "--db", str(tmp_path / "other.db"), *command)  # --db names a missing file
    assert r.exit_code == 1 and r.stderr.startswith(said) and "other.db" in r.stderr, r.stderr
    assert not (tmp_path / "other.db").exists()


@pytest.mark.parametrize("lang, line", [("en", "error: Case not found: MNR-NOPE"),
                                        ("fr", "erreur : Dossier introuvable : MNR-NOPE")])
def test_c4_error_lines_show_no_keys(one_case, lang, line):
    db_url, ref = one_case
    r = mno("--db", db_url, "--lang", lang, "case", "show", "MNR-NOPE")
    assert r.exit_code == 1 and r.stderr.strip() == line, r.stderr
    bad = mno("--db", db_url, "--lang", lang, "case", "fire", ref, "record_consent", "--as", "awa:caseworker",
              "--data", "nothing=1")
    assert bad.exit_code == 1 and "[" not in bad.stderr.splitlines()[0], bad.stderr
    assert "form_invalid" not in bad.stderr


@pytest.mark.parametrize("lang, closing", [("en", "'"), ("fr", " »")])
def test_c5_a_refused_trigger_lists_what_to_type(one_case, lang, closing):
    from mno_workflow.sop.loader import load_file
    db_url, ref = one_case
    r = mno("--db", db_url, "--lang", lang, "case", "fire", ref, "nonsense", "--as", "awa:caseworker")
    assert r.exit_code == 1 and "[trigger_not_allowed]" not in r.stderr, r.output
    sop = load_file(BF_SOP).model
    label = next(sop.label(t.label, lang) for t in sop.steps["consent"].transitions
                 if t.trigger == "record_consent")
    assert f"{label}{closing} (record_consent)" in r.stderr, r.stderr  # « label (trigger to type) »


@pytest.mark.parametrize("lang, said", [("en", "error: --as USER:ROLE is required"),
                                        ("fr", "erreur : --as UTILISATEUR:ROLE est obligatoire")])
@pytest.mark.parametrize("command", [["sop", "migrate", "mnr_bf@1", "mnr_bf@2"],
                                     ["case", "reopen", "MNR-X", "--reason", "r"],
                                     ["case", "erase", "MNR-X", "--reason", "r"],
                                     ["calendar", "set", "15/05/2026", "--name", "x"]])
def test_c6_missing_options_say_error_like_the_others(tmp_path, lang, said, command):
    r = mno("--db", f"sqlite:///{tmp_path / 'x.db'}", "--lang", lang, *command)
    assert r.exit_code == 2 and r.stderr.strip() == said, r.stderr


def test_c6_migrate_help_shows_value_shapes_and_sop_help_agrees():
    help_text = help_of("--lang", "en", "sop", "migrate")
    assert "--map STEP.OLD=NEW" in help_text and "--deadline STEP.STATE=RULE" in help_text, help_text
    assert "list[str]" not in help_text
    assert "Load, list, compare, migrate SOP versions." in help_of("--lang", "en", "sop")
    assert "Charger, lister, comparer, migrer" in help_of("--lang", "fr", "sop")


def test_c7_one_day_parser_reads_both_shapes():
    assert read_day("15/01/2025").isoformat() == read_day("2025-01-15").isoformat() == "2025-01-15"
    assert read_day("5/1/2025").isoformat() == "2025-01-05"
    for bad in ("31/02/2025", "2025/01/15", "15/01/25", "", "tomorrow"):
        with pytest.raises(ValueError):
            read_day(bad)
    assert iso_day(" 15/01/2025 ") == "2025-01-15" and iso_day("31/02/2025") == "31/02/2025"


@pytest.mark.parametrize("lang, shapes", [("en", "DD/MM/YYYY or YYYY-MM-DD"),
                                          ("fr", "JJ/MM/AAAA ou AAAA-MM-JJ")])
def test_c7_cli_dates_accept_dd_mm_yyyy_and_say_both_shapes(one_case, lang, shapes):
    db_url, ref = one_case
    shown = json.loads(mno("--db", db_url, "case", "show", ref, "--format", "json").stdout)
    assert shown["data"]["identification"]["return_date"] == "2025-01-10"  # typed 10/01/2025
    ok = mno("--db", db_url, "--lang", lang, "directory", "agreement", "list", "--today", "15/01/2025")
    assert ok.exit_code == 0, ok.output
    bad = mno("--db", db_url, "--lang", lang, "directory", "agreement", "list", "--today", "31/02/2025")
    assert bad.exit_code == 1 and shapes in bad.stderr, bad.stderr
    assert shapes in help_of("--lang", lang, "directory", "agreement", "list")
