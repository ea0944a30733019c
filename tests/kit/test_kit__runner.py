"""The scenario runner: shipped BF scenarios pass with full coverage; failures say where and why."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mno_workflow.kit import cli as kit_cli
from mno_workflow.kit.model import load_scenario_text
from mno_workflow.kit.runner import run
from mno_workflow.sop.diagnostics import SOPError

ROOT = Path(__file__).resolve().parents[2]
BF = ROOT / "sops" / "burkina_faso"
MINI = ROOT / "tests" / "fixtures" / "valid_sops" / "minimal.yaml"
runner = CliRunner()


def test_shipped_bf_scenarios_pass_with_full_coverage(monkeypatch):
    monkeypatch.chdir(ROOT)
    res = runner.invoke(kit_cli.app, ["sops/burkina_faso", "--format", "json", "--min-coverage", "100"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)  # stdout: a service log another test configured may write on stderr
    assert data["ok"] and data["failed"] == 0 and data["passed"] >= 12
    (cov,) = data["coverage"]
    assert cov["sop"] == "mnr_bf"
    assert cov["states"]["percent"] == 100.0 and cov["states"]["missing"] == []
    assert cov["transitions"]["percent"] == 100.0 and cov["transitions"]["missing"] == []
    # issue 13: new steps, alerts; 2026.7: the override after a withdrawal; 2026.8: consent after it;
    # 2026.9: the rectification of identification
    assert (cov["states"]["total"], cov["transitions"]["total"]) == (34, 53)


def test_text_report_lists_scenarios_and_coverage(monkeypatch):
    monkeypatch.chdir(ROOT)
    res = runner.invoke(kit_cli.app, ["sops/burkina_faso/scenarios/06_non_eligible.yaml"])
    assert res.exit_code == 0, res.output
    assert "OK     sops/burkina_faso/scenarios/06_non_eligible.yaml" in res.output
    # the language's decimal sign and percent form (Babel, the catalogue's « 12,5 % »), shared
    # with the workbench (tryout 5, H9)
    assert "identification    2/3 (66,7\u202f%)      1/3 (33,3\u202f%)" in res.output
    assert "États jamais atteints" in res.output and "referral.revoked" in res.output
    res = runner.invoke(kit_cli.app, ["sops/burkina_faso/scenarios/06_non_eligible.yaml",
                                      "--min-coverage", "50"])
    assert res.exit_code == 1 and "Couverture insuffisante" in res.output


def _copy(tmp_path: Path, name: str, edit) -> Path:
    src = (BF / "scenarios" / name).read_text(encoding="utf-8")
    out = tmp_path / "scenarios" / name
    out.parent.mkdir()
    shutil.copy(BF / "mnr.yaml", tmp_path / "mnr.yaml")
    out.write_text(edit(src), encoding="utf-8")
    return out


def test_wrong_expectation_fails_with_file_line_and_message(tmp_path):
    path = _copy(tmp_path, "01_urgent_sans_reponse_escalade.yaml",
                 lambda s: s.replace("offset: 1 working day before, at: 2025-06-04T08:00:00Z",
                                     "offset: 1 working day before, at: 2025-06-04T09:00:00Z"))
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1)
                if "2025-06-04T09:00:00Z" in text) - 1  # the step is the "- expect:" line above
    res = runner.invoke(kit_cli.app, [str(tmp_path)])
    assert res.exit_code == 1
    assert f"{path}:{line}:5: étape 11 (expect) : rappels : attendus 1, obtenus 1" in res.output
    assert "manquants : {to=provider, state=sent, offset=1 working day before, at=2025-06-04T09:00:00Z}" \
        in res.output
    assert "en trop : referral:psychosocial (sent), à provider, décalage 1 working day before, " \
           "le 2025-06-04T08:00:00Z" in res.output
    assert "0 réussi, 1 en échec" in res.output


def test_state_mismatch_and_unexpected_refusal_are_explained(tmp_path):
    path = _copy(tmp_path, "06_non_eligible.yaml",
                 lambda s: s.replace("identification: not_eligible", "identification: identified"))
    (r,) = run([path]).scenarios
    (f,) = r.failures
    assert (f.step, f.action) == (4, "expect")
    assert "identification : état attendu « identified », obtenu « not_eligible »" in f.message
    path.write_text(path.read_text().replace("expect_error: case_closed", ""), encoding="utf-8")
    path.write_text(path.read_text().replace("identification: identified", "identification: not_eligible"))
    (r,) = run([path]).scenarios
    (f,) = r.failures
    assert f.action == "fire" and "« register » refusé (case_closed) alors qu'un succès était attendu" \
        in f.message


def test_malformed_scenario_gives_file_line_col(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenario: x\nsop: mnr.yaml\nstart: 2025-06-02T08:00:00Z\nsteps:\n"
                   "  - fire: register\n    as: a:caseworker\n    dta: {}\n"
                   "  - advance: 3 jours fériés\n", encoding="utf-8")
    with pytest.raises(SOPError) as e:
        load_scenario_text(bad.read_text(), str(bad))
    lines = [d.format() for d in e.value.diagnostics]
    assert lines[0].startswith(f"{bad}:7:5: error S010 clé inconnue « dta »")
    assert lines[1].startswith(f"{bad}:8:14: error S012 valeur invalide")
    res = runner.invoke(kit_cli.app, [str(bad)])
    assert res.exit_code == 1 and f"{bad}:7:5:" in res.output


def test_yaml_syntax_and_unknown_names_are_located(tmp_path):
    (tmp_path / "mnr.yaml").write_text((BF / "mnr.yaml").read_text())
    syntax = tmp_path / "syntax.yaml"
    syntax.write_text("scenario: x\nsop: mnr.yaml\nstart: 2025-06-02T08:00:00Z\nsteps:\n"
                      "  - create: {as: m:caseworker\n", encoding="utf-8")
    names = tmp_path / "names.yaml"
    names.write_text("scenario: x\nsop: mnr.yaml\nstart: 2025-06-02T08:00:00Z\nsteps:\n"
                     "  - create: {as: m:caseworkr}\n  - fire: regster\n    as: m:caseworker\n"
                     "  - expect: {states: {referral:x: sentt}}\n", encoding="utf-8")
    result = run([syntax, names])
    (f,) = result.scenarios[0].failures
    assert f.format().startswith(f"{syntax}:5:")
    msgs = [x.format() for x in result.scenarios[1].failures]
    assert msgs[0].startswith(f"{names}:5:18: S031 rôle inconnu « caseworkr »")
    assert msgs[1].startswith(f"{names}:6:11: S034 action inconnue « regster »")
    assert msgs[2].startswith(f"{names}:8:35: S033 état inconnu « sentt » pour l'étape referral")


def test_lang_en_reports_in_english(tmp_path):
    """Issue 12: ``mno --lang en test`` reports in English (it reported in French)."""
    from mno_workflow.cli import app
    path = _copy(tmp_path, "01_urgent_sans_reponse_escalade.yaml",
                 lambda s: s.replace("offset: 1 working day before, at: 2025-06-04T08:00:00Z",
                                     "offset: 1 working day before, at: 2025-06-04T09:00:00Z"))
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1)
                if "2025-06-04T09:00:00Z" in text) - 1
    res = runner.invoke(app, ["--lang", "en", "test", str(tmp_path)])
    assert res.exit_code == 1
    assert f"FAIL   {path} — " in res.output
    assert f"{path}:{line}:5: step 11 (expect): reminders: expected 1, got 1 since the last check" \
        in res.output
    assert "missing: {to=provider" in res.output
    assert "unexpected: referral:psychosocial (sent), to provider, offset 1 working day before, " \
           "at 2025-06-04T08:00:00Z" in res.output
    assert "1 scenario: 0 passed, 1 failed." in res.output
    for french in ("étape", "attendus", "obtenus", "réussi", "échec", "manquants", "en trop"):
        assert french not in res.output, french
    fr = runner.invoke(app, ["test", str(tmp_path)])
    assert "0 réussi, 1 en échec" in fr.output and "étape 11 (expect) : rappels" in fr.output


def test_mno_test_prints_the_simulation_of_each_sop():
    from mno_workflow.cli import app
    res = runner.invoke(app, ["--lang", "en", "test", str(BF / "scenarios" / "06_non_eligible.yaml")])
    assert res.exit_code == 0, res.output
    assert "Simulation of " in res.output and "mnr.yaml: 0 findings" in res.output


def test_a_wrong_due_date_shows_the_deadline_in_the_sops_time(tmp_path):
    """Tryout 3, F7: a scenario expecting the wrong day is told the deadline it got as the SOP's
    local day and minute with the time zone (« 2025-06-04 23:59 (Africa/Ouagadougou) »), to
    compare with the date it wrote, never a UTC instant with microseconds."""
    _copy(tmp_path, "02_parcours_complet.yaml",
          lambda s: s.replace("deadline: {instance: identification, due: 2025-06-04}",
                              "deadline: {instance: identification, due: 2025-06-05}"))
    res = runner.invoke(kit_cli.app, [str(tmp_path)])
    assert res.exit_code == 1
    assert "échéance attendue le 2025-06-05, obtenue 2025-06-04 23:59 (Africa/Ouagadougou)" in res.output, \
        res.output
    assert ".999999" not in res.output
