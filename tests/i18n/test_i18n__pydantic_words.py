"""pydantic's English words in the reader's language (issue 18): ``mno validate``'s E012 on a bad
SOP (« une liste est attendue, reçu 'caseworker' », file:line:col kept) and Typer's usage errors,
which convert options with pydantic (« Value error, 'x' is not one of 'text', 'json' » was shown on
the French path)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.i18n.pydantic_words import said_error

from ..conftest import ROOT

INVALID = ROOT / "tests" / "fixtures" / "invalid_sops"
PYDANTIC = ("Input should", "Value error", "valid integer", "is not one of")


def mno(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mno_workflow", *args], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200"}, check=False)


@pytest.mark.parametrize("fixture, where, fr, en", [
    ("e012_by_string.yaml", ":61:13: error E012 ", "une liste est attendue, reçu 'caseworker'",
     "a list is expected, got 'caseworker'"),
    ("e012_deadline_optional_not_boolean.yaml", ":53:21: error E012 ",
     "true ou false est attendu, reçu 'perhaps'", "true or false is expected, got 'perhaps'"),
    ("e012_by_empty.yaml", ":61:13: error E012 ", "trop peu d'éléments (minimum 1)",
     "too few items (minimum 1)"),
    ("e012_bad_sop_id.yaml", ":2:6: error E012 ", "'Mini-SOP' n'a pas la forme attendue",
     "'Mini-SOP' does not have the expected form"),
])
def test_validate_says_pydantic_errors_in_the_chosen_language(fixture, where, fr, en):
    for lang, words, other in (("fr", fr, en), ("en", en, fr)):
        r = CliRunner().invoke(app, ["--lang", lang, "validate", str(INVALID / fixture)])
        assert r.exit_code == 1
        line = next(x for x in r.stdout.splitlines() if " E012 " in x)
        where_in = where.replace(" error ", " erreur ") if lang == "fr" else where  # severity in lang
        assert f"{fixture}{where_in}" in line and words in line, line
        assert other not in line and not any(p in line for p in PYDANTIC), line


@pytest.mark.parametrize("args, fr, en", [
    (["case", "list", "--status", "x"],
     "Valeur invalide pour '--status' : une de ces valeurs est attendue : 'open', 'closed' ; reçu 'x'",
     "Invalid value for '--status': one of 'open', 'closed' is expected, got 'x'"),
    (["validate", "--format", "x", "s.yaml"], "une de ces valeurs est attendue : 'text', 'json' ; reçu 'x'",
     "one of 'text', 'json' is expected, got 'x'"),
    (["case", "list", "--limit", "x"],
     "Valeur invalide pour '--limit' : un nombre entier est attendu, reçu 'x'",
     "Invalid value for '--limit': a whole number is expected, got 'x'"),
    (["--log-format", "x", "case", "list"], "Valeur invalide pour '--log-format' : une de ces valeurs",
     "Invalid value for '--log-format': one of 'text', 'json' is expected"),
])
def test_usage_errors_of_converted_options_are_in_the_chosen_language(args, fr, en):
    for lang, words, other in (("fr", fr, en), ("en", en, fr)):
        r = mno("--lang", lang, *args)
        assert r.returncode == 2, r.stderr
        assert words in r.stderr and other not in r.stderr, r.stderr
        assert not any(p in r.stderr for p in PYDANTIC), r.stderr


def test_an_uncommon_error_type_is_left_to_the_caller():
    assert said_error({"type": "url_parsing", "input": "x", "msg": "Input should be a valid URL"}) is None
    said = said_error({"type": "int_parsing", "input": "dix", "msg": "Input should be a valid integer"})
    assert str(said) == "a whole number is expected, got 'dix'"
    assert said.text("fr") == "un nombre entier est attendu, reçu 'dix'"


@pytest.mark.parametrize("lang, summary, justified, other", [
    ("fr", "POS valide : {path} — ", "(justifié : Le consentement est un enregistrement",
     "Consent is a record"),
    ("en", "SOP valid: {path} — ", "(justified: Consent is a record", "Le consentement est"),
])
def test_validate_prints_the_sops_own_words_and_a_summary_in_the_chosen_language(lang, summary, justified,
                                                                                  other):
    sop = ROOT / "sops" / "burkina_faso" / "mnr.yaml"
    r = CliRunner().invoke(app, ["--lang", lang, "validate", str(sop)])
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[-1].startswith(summary.format(path=sop)), lines[-1]
    assert any(justified in line for line in lines) and other not in r.stdout
    assert not any(" / " in line.partition("(justif")[2] for line in lines)  # one language per reason
    bad = INVALID / "e012_by_empty.yaml"
    r = CliRunner().invoke(app, ["--lang", lang, "validate", str(bad)])
    assert r.exit_code == 1
    assert r.stdout.splitlines()[-1] == {"fr": f"POS invalide : {bad} — 1 erreur",
                                         "en": f"SOP invalid: {bad} — 1 error"}[lang]
