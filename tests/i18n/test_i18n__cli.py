"""``mno --lang en`` changes the command line's words: ``--help`` of the root, of a command and of
a sub-command, and errors such as ``case show``'s « Dossier introuvable »; French stays the
default and ``mno --help`` loads no catalogue (it starts as fast as before)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from mno_workflow.i18n.cli import lang_of_argv


def mno(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mno_workflow", *args], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200", **(env or {})}, check=False)


@pytest.mark.parametrize("args, english, french", [
    (("--help",), "Language of messages", "Langue des messages"),
    (("validate", "--help"), "Warnings become errors.", "Les avertissements deviennent des erreurs."),
    (("case", "show", "--help"), "text or json", "text ou json"),
])
def test_help_follows_lang(args, english, french):
    en, fr = mno(*args, "--lang", "en"), mno(*args)
    assert en.returncode == 0 and fr.returncode == 0
    assert english in en.stdout and french not in en.stdout
    assert french in fr.stdout and english not in fr.stdout
    assert english in mno(*args, env={"MNO_LANG": "en"}).stdout


def test_case_show_error_follows_lang(tmp_path):
    db = f"sqlite:///{tmp_path / 'x.db'}"
    assert mno("--db", db, "db", "upgrade").returncode == 0  # case show creates no database
    en = mno("--db", db, "--lang", "en", "case", "show", "MNR-NOPE")
    fr = mno("--db", db, "case", "show", "MNR-NOPE")
    assert en.returncode == fr.returncode == 1
    assert en.stderr.strip() == "error: Case not found: MNR-NOPE"  # words; the key is not shown
    assert fr.stderr.strip() == "erreur : Dossier introuvable : MNR-NOPE"


def test_an_unreachable_database_is_said_in_words_without_exception_names(tmp_path):
    db = f"sqlite:///{tmp_path / 'missing' / 'x.db'}"  # a folder that does not exist
    for args, words in ((("--lang", "en"), "Database unreachable"), ((), "Base de données inaccessible")):
        r = mno("--db", db, *args, "case", "create", "--as", "system:caseworker")  # case list: C4
        assert r.returncode == 1 and words in r.stderr, r.stderr
        assert "Error" not in r.stderr.replace("error:", "") and "sqlite3." not in r.stderr, r.stderr
        assert "Traceback" not in r.stderr


def test_lang_is_read_anywhere_on_the_line():
    assert lang_of_argv(["case", "show", "--lang", "en"], {}) == "en"
    assert lang_of_argv(["--lang=en", "--help"], {}) == "en"
    assert lang_of_argv(["--help"], {"MNO_LANG": "en"}) == "en"
    assert lang_of_argv(["--help"], {}) == "fr"
    assert lang_of_argv(["--", "--lang", "en"], {}) == "fr"


def test_french_help_loads_no_catalogue():
    probe = ("import json, sys\nsys.argv=['mno','--help']\nfrom mno_workflow.cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\nprint('@@'+json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    mods = set(json.loads(out.split("@@")[-1]))
    assert "mno_workflow.i18n" in mods and not any(m.startswith("babel") for m in mods)


def test_validate_messages_follow_lang(tmp_path):
    from ..conftest import BF_SOP
    bad = tmp_path / "bad.yaml"
    bad.write_text(BF_SOP.read_text(encoding="utf-8").replace("to: sent\n", "to: envoye\n", 1), "utf-8")
    fr, en = mno("validate", str(bad)), mno("validate", "--lang", "en", str(bad))
    assert fr.returncode == en.returncode == 1
    assert "erreur E020 état inconnu : 'envoye'" in fr.stdout and "unknown state" not in fr.stdout
    assert "error E020 unknown state 'envoye'" in en.stdout
    js = json.loads(mno("validate", "--format", "json", str(bad)).stdout)  # JSON: the source text
    assert "unknown state 'envoye'" in [d["message"] for r in js for d in r["diagnostics"]]


def test_said_is_the_english_text_and_survives_copies():
    import copy
    import pickle

    from mno_workflow.sop.diagnostics import Diagnostic, said
    m = said("state {state!r} cannot be reached", state="x")
    assert m == "state 'x' cannot be reached" and m.text("fr") == "l'état 'x' ne peut pas être atteint"
    for again in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert again.text("fr") == m.text("fr") and again == m
    d = Diagnostic("f.yaml", 1, 2, "warning", "W102", m)
    assert d.format() == "f.yaml:1:2: warning W102 state 'x' cannot be reached"
    assert d.format("fr") == "f.yaml:1:2: avertissement W102 l'état 'x' ne peut pas être atteint"
    assert d.as_dict()["message"] == "state 'x' cannot be reached"


def test_case_list_refuses_an_unknown_status_and_names_the_allowed_ones(tmp_path):
    db = f"sqlite:///{tmp_path / 'x.db'}"
    assert mno("--db", db, "db", "upgrade").returncode == 0  # case list creates no database
    r = mno("--db", db, "--lang", "en", "case", "list", "--status", "weird")
    assert r.returncode == 2 and "'open', 'closed'" in r.stderr, r.stderr  # was rc 0 and nothing
    ok = mno("--db", db, "case", "list", "--status", "closed")
    assert ok.returncode == 0, ok.stderr
    assert "open (ouvert) ou closed (clos)" in mno("case", "list", "--help").stdout
