"""Scenario titles per language (issue 19): ``scenario: {fr: …, en: …}`` like the SOP's labels; a
title without a language the SOP declares is warned about (S040, file:line:col) by ``mno test``
(text and JSON, in the run's language) and ``mno validate``, without failing the scenario."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.kit.model import load_scenario_text
from mno_workflow.kit.runner import run
from mno_workflow.sop.diagnostics import SOPError

ROOT = Path(__file__).resolve().parents[2]
BF = ROOT / "sops" / "burkina_faso"
HEAD = "sop: x.yaml\nstart: 2025-06-02T08:00:00Z\nsteps:\n  - create: {as: a:caseworker}\n"


def test_title_is_one_text_or_one_per_language():
    one = load_scenario_text("scenario: Titre\n" + HEAD)
    assert (one.name, one.titles, one.title("en")) == ("Titre", {"fr": "Titre"}, "Titre")
    two = load_scenario_text("scenario: {fr: Titre, en: Title}\n" + HEAD)
    assert (two.name, two.title("fr"), two.title("en")) == ("Titre", "Titre", "Title")


@pytest.mark.parametrize("head,where", [("scenario: {fr: Titre, de: Titel}\n", "1:27"),
                                        ("scenario: {}\n", "1:11"), ("scenario: {fr: ''}\n", "1:16")])
def test_a_bad_title_is_an_error_with_its_position(head, where):
    with pytest.raises(SOPError) as e:
        load_scenario_text(head + HEAD, "t.yaml")
    assert f"t.yaml:{where}: error S012" in str(e.value)


@pytest.fixture
def folder(tmp_path):
    """The BF SOP folder (narrative, directory) with two scenarios: one titled in French only, one
    in both languages."""
    shutil.copytree(BF, tmp_path, ignore=shutil.ignore_patterns("scenarios"), dirs_exist_ok=True)
    (tmp_path / "scenarios").mkdir()
    source = (BF / "scenarios" / "06_non_eligible.yaml").read_text(encoding="utf-8")
    assert source.startswith("scenario:\n  fr: ")
    body = source.split("\n", 3)[3]
    (tmp_path / "scenarios" / "a_fr.yaml").write_text("scenario: Dépistage seul\n" + body, encoding="utf-8")
    (tmp_path / "scenarios" / "b_both.yaml").write_text(
        "scenario: {fr: Dépistage bilingue, en: Bilingual screening}\n" + body, encoding="utf-8")
    return tmp_path


def test_mno_test_warns_about_a_missing_english_title_without_failing(folder):
    result = run([folder])
    assert result.ok
    fr_only, both = result.scenarios
    assert [w.format() for w in fr_only.warnings] == [
        f"{folder}/scenarios/a_fr.yaml:1:1: S040 titre du scénario sans version « en » : les documents en "
        "« en » (dossier de formation) montrent « Dépistage seul » (écrire scenario: {fr: …, en: …})"]
    assert both.warnings == []
    out = CliRunner().invoke(app, ["test", str(folder)])
    assert out.exit_code == 0, out.output
    assert "attention : " in out.output and out.output.count("S040") == 1
    en = CliRunner().invoke(app, ["--lang", "en", "test", str(folder), "--format", "json"])
    data = json.loads(en.output)
    assert [s["scenario"] for s in data["scenarios"]] == ["Dépistage seul", "Bilingual screening"]
    assert [len(s["warnings"]) for s in data["scenarios"]] == [1, 0]
    assert "scenario title without a « en » version" in data["scenarios"][0]["warnings"][0]["message"]


def test_mno_validate_warns_about_it_too(folder):
    out = CliRunner().invoke(app, ["validate", str(folder / "mnr.yaml")])
    assert out.exit_code == 0, out.output
    lines = [x for x in out.output.splitlines() if "S040" in x]
    assert lines == [f"{folder}/scenarios/a_fr.yaml:1:1: avertissement S040 titre du scénario sans version "
                     "« en » : les documents en « en » (dossier de formation) montrent « Dépistage seul » "
                     "(conseil : écrire scenario: {fr: …, en: …})"]


def test_every_bf_scenario_has_its_english_title():
    out = CliRunner().invoke(app, ["validate", str(BF / "mnr.yaml")])
    assert "S040" not in out.output
    assert not [s.path for s in run(sorted((BF / "scenarios").glob("0[1-3]*.yaml"))).scenarios if s.warnings]


def test_the_workbench_run_carries_the_warning(folder):
    """The SOP workbench runs a draft's scenarios like ``mno test``: the S040 warning is in its
    results (shown under the scenario on the page), and the scenario still passes."""
    from mno_workflow.store.models import SopDraft
    from mno_workflow.web.workbench import run_scenarios

    files = {f"scenarios/{p.name}": p.read_text(encoding="utf-8")
             for p in (folder / "scenarios").glob("*.yaml")}
    draft = SopDraft(source=(folder / "mnr.yaml").read_text(encoding="utf-8"), files=files)
    run = run_scenarios(draft, "sops/burkina_faso/mnr.yaml")
    assert run["ok"] and [len(r["warnings"]) for r in run["results"]] == [1, 0]
    assert "S040" in run["results"][0]["warnings"][0]["message"]


def test_mno_publish_reports_it_too(folder, tmp_path):
    """``mno publish`` (the training pack is one of its documents) lists the same warning."""
    from mno_workflow.render.publish import publish
    from mno_workflow.sop.loader import load_file

    sop = load_file(folder / "mnr.yaml").model
    report = publish(sop, tmp_path / "out", folder / "mnr.yaml", langs=["en"], pdf=False,
                     only=lambda n: False)
    found = [w for w in report.warnings if w.startswith("S040")]
    assert len(found) == 1 and "a_fr.yaml:1:1" in found[0] and "« Dépistage seul »" in found[0]
