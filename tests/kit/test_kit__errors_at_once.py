"""``mno test`` says every error of a scenario file in one run, in the reader's language
(tryout 4, G20): (a) an impossible ``start:`` instant or a bad duration no longer hide the unknown
role, action and state of the same file until they are fixed; (b) no pydantic or YAML English
(« Input should be a valid list », « day value is outside expected range », « expected the node
content ») in French or English output, and no second error for a single ``deadline:`` mapping
whose date is wrong. Positions stay file:line:col."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app

BF = Path(__file__).resolve().parents[2] / "sops" / "burkina_faso" / "mnr.yaml"
ENGLISH = re.compile(r"Input should|Value error|valid list|value is outside|node content|stream end|"
                     r"but found|expected range")

SCENARIO = """\
scenario: Essai
sop: mnr.yaml
start: 2025-06-31T08:00:00Z
users:
  - {id: mariam, role: casewoker}
steps:
  - create: {as: mariam}
  - fire: regster
    as: m:caseworker
  - advance: 3 jours fériés
  - expect:
      states: {identification: opened}
  - expect:
      deadline:
        instance: identification
        due: "2026-02-30"
"""

#: (line:col, code, French words, English words), in the order printed
EXPECTED = [
    ("3:8", "S001", "date impossible « 2025-06-31T08:00:00Z »", "impossible date '2025-06-31T08:00:00Z'"),
    ("5:24", "S031", "rôle inconnu « casewoker »", "unknown role 'casewoker'"),
    ("7:18", "S031", "rôle inconnu « casewoker »", "unknown role 'casewoker'"),
    ("8:11", "S034", "action inconnue « regster »", "unknown action 'regster'"),
    ("10:14", "S012", "valeur invalide : durée invalide '3 jours fériés'", "invalid value: invalid duration"),
    ("12:32", "S033", "état inconnu « opened » pour l'étape identification",
     "unknown state 'opened' for step identification"),
    ("16:14", "S012", "valeur invalide : '2026-02-30' n'est pas une date qui existe : le jour ou le mois est "
                      "hors limites (à steps.4.expect.deadline.due)",
     "invalid value: '2026-02-30' is not a date that exists: the day or the month is out of range "
     "(at steps.4.expect.deadline.due)"),
]


def _run(tmp_path: Path, text: str, lang: str) -> tuple[Path, str]:
    (tmp_path / "mnr.yaml").write_text(BF.read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "essai.yaml"
    path.write_text(text, encoding="utf-8")
    r = CliRunner().invoke(app, ["--lang", lang, "test", str(path)])
    assert r.exit_code == 1, r.output
    return path, r.output


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_error_of_a_scenario_file_in_one_run(tmp_path, lang):
    path, out = _run(tmp_path, SCENARIO, lang)
    said = [line.strip() for line in out.splitlines() if line.strip().startswith(f"{path}:")]
    assert len(said) == len(EXPECTED), "\n".join(said)
    for line, (where, code, fr, en) in zip(said, EXPECTED, strict=True):
        assert line.startswith(f"{path}:{where}: {code} "), (line, where, code)
        assert (fr if lang == "fr" else en) in line, line
    assert not ENGLISH.search(out), out
    assert ("list" if lang == "en" else "liste") not in out  # the valid single deadline mapping


@pytest.mark.parametrize("lang, words", [
    ("fr", "erreur de syntaxe YAML : le fichier se termine là où une valeur était attendue : une liste [ … ] "
           "ou une table { … } n'est pas fermée"),
    ("en", "YAML syntax error: the file ends where a value was expected: a list [ … ] or a mapping { … } is "
           "not closed"),
])
def test_a_list_left_open_in_a_scenario_file_is_said_in_words(tmp_path, lang, words):
    path, out = _run(tmp_path, "scenario: x\nsop: mnr.yaml\nstart: 2025-06-02T08:00:00Z\nsteps:\n"
                               "  - create: [\n", lang)
    assert f"{path}:5:13: E001 {words}" in out, out  # at the "[" left open
    assert not ENGLISH.search(out), out


@pytest.mark.parametrize("lang, words", [
    ("fr", "valeur invalide : une de ces valeurs est attendue : 'open', 'closed' ; reçu 'ouvert'"),
    ("en", "invalid value: one of 'open', 'closed' is expected, got 'ouvert'"),
])
def test_a_wrong_choice_is_said_in_words(tmp_path, lang, words):
    """A ``case:`` that is neither open nor closed: the SOP loader's words for a value not among
    the allowed ones (it said pydantic's « attendu : 'open' or 'closed' »)."""
    path, out = _run(tmp_path, "scenario: x\nsop: mnr.yaml\nstart: 2025-06-02T08:00:00Z\nsteps:\n"
                               "  - expect: {case: ouvert}\n", lang)
    line = next(x.strip() for x in out.splitlines() if x.strip().startswith(f"{path}:5:"))
    assert line.startswith(f"{path}:5:20: S012 {words}"), line
    assert not ENGLISH.search(out), out
