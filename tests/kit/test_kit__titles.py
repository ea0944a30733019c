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


def _every_file_loaded(sop_file: Path, sop) -> list[str]:
    """What ``title_warnings_beside`` said before its quick header read: every scenario beside
    the SOP loaded whole, its titles checked when it loads and plays this SOP."""
    from mno_workflow.kit.model import load_scenario
    from mno_workflow.kit.titles import missing_titles

    out = []
    for path in sorted((sop_file.parent / "scenarios").glob("*.y*ml")):
        try:
            scn = load_scenario(path)
        except SOPError:
            continue
        if scn.sop_path == sop_file.resolve():
            out += [d.format() for d in missing_titles(scn, sop)]
    return out


ODD_HEADS = {  # file name -> its first lines (the body of 06_non_eligible follows)
    "c_block_comment.yaml": "scenario:\n  # le titre\n  fr: Titre en bloc\n\n",
    "d_twice.yaml": "scenario: Premier\nscenario: {fr: Second, en: Second}\n",
    "e_anchor.yaml": "scenario: &t Titre ancré\n",
    "f_other_sop.yaml": "scenario: Autre POS\n",
    "g_empty_title.yaml": "scenario: {fr: '', en: Empty}\n",
    "h_quoted_key.yaml": "'scenario': Clé entre guillemets\n",
    "i_fr_en_block.yaml": "scenario:\n  fr: Les deux\n  en: Both\n",
}


def test_the_quick_header_read_says_what_loading_every_scenario_says(folder):
    """``title_warnings_beside`` reads a scenario's ``scenario:``/``sop:`` entries alone and loads
    the whole file only when that cannot settle it (issue 15: ``mno validate`` parsed every
    scenario beside the SOP). Same warnings as loading every file, for plain and odd headers:
    comments in the title block, a key written twice (an error: no warning), an anchor, another
    SOP, an empty title (an error), a quoted key."""
    from mno_workflow.kit.titles import _header, title_warnings_beside
    from mno_workflow.sop.loader import load_file

    body = (BF / "scenarios" / "06_non_eligible.yaml").read_text(encoding="utf-8").split("\n", 3)[3]
    for name, head in ODD_HEADS.items():
        text = head + body
        if name == "f_other_sop.yaml":
            text = text.replace("sop: ../mnr.yaml", "sop: ../autre.yaml")
        (folder / "scenarios" / name).write_text(text, encoding="utf-8")
    sop_file = folder / "mnr.yaml"
    sop = load_file(sop_file).model
    said = [d.format() for d in title_warnings_beside(sop_file, sop)]
    assert said == _every_file_loaded(sop_file, sop)
    assert [x.split("/scenarios/")[1].split(":")[0] for x in said] == [
        "a_fr.yaml", "c_block_comment.yaml", "e_anchor.yaml", "h_quoted_key.yaml"]
    assert _header(folder / "scenarios" / "b_both.yaml") == (sop_file.resolve(), {"fr", "en"})
    assert _header(folder / "scenarios" / "i_fr_en_block.yaml") == (sop_file.resolve(), {"fr", "en"})
    for undecided in ("d_twice.yaml", "e_anchor.yaml", "g_empty_title.yaml", "h_quoted_key.yaml"):
        assert _header(folder / "scenarios" / undecided) is None, undecided
    # and the shipped BF scenarios: every one settled by its header, none warned about
    bf = BF / "mnr.yaml"
    assert all(_header(p) == (bf.resolve(), {"fr", "en"}) for p in sorted((BF / "scenarios").glob("*.yaml")))
    assert title_warnings_beside(bf, load_file(bf).model) == [] == _every_file_loaded(bf, load_file(bf).model)
