"""A ``--json`` file that is not JSON (``mno case create``, ``case fire``, ``alert create``) is
said in the reader's language with its line and column, never Python's English parser text
(« Expecting property name enclosed in double quotes: line 1 column 2 (char 1) ») — tryout 5, G18."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app

from ..conftest import BF_SOP
from .users import PEOPLE, add_users

runner = CliRunner()
pytestmark = pytest.mark.migrated
WORDS = {"fr": "JSON illisible ligne 1, colonne 2 : nom de clé entre guillemets doubles attendu",
         "en": "unreadable JSON at line 1, column 2: a key name in double quotes is expected"}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_json_file_that_is_not_json_is_said_in_words(db_url, tmp_path, lang):
    add_users(db_url, PEOPLE + [("agent.fds", "first_responder", "fds-poste-seytenga", None)])
    assert runner.invoke(app, ["--db", db_url, "sop", "load", str(BF_SOP)]).exit_code == 0
    bad = tmp_path / "fiche.json"
    bad.write_text("{first_name: 'Awa'}", encoding="utf-8")
    opened = runner.invoke(app, ["--db", db_url, "case", "create", "--as", "mariam.kabore:caseworker"])
    ref = opened.stdout.strip()
    for args in (["case", "create", "--as", "mariam.kabore:caseworker", "--json", str(bad)],
                 ["case", "fire", ref, "register", "--as", "mariam.kabore:caseworker", "--json", str(bad)],
                 ["alert", "create", "--as", "agent.fds:first_responder", "--json", str(bad)]):
        r = runner.invoke(app, ["--db", db_url, "--lang", lang, *args])
        assert r.exit_code == 1 and WORDS[lang] in r.output and str(bad) in r.output, (args, r.output)
        for english in ("Expecting", "char 1", "enclosed in double quotes"):
            assert english not in r.output, (args, r.output)
