"""SOP reuse (``imports`` of shared option lists and forms) and flow rules with a CEL condition."""

from __future__ import annotations

from pathlib import Path

import pytest

from mno_workflow.sop.diagnostics import SOPError
from mno_workflow.sop.loader import load_file, load_text

ROOT = Path(__file__).resolve().parents[2]
BF = ROOT / "sops" / "burkina_faso" / "mnr.yaml"

SHARED = """\
options:
  priority:
    emergency: {fr: Urgence vitale, en: Emergency}
    normal: {fr: Normal, en: Normal}
  color:
    red: {fr: Rouge, en: Red}
forms:
  note:
    title: {fr: Note, en: Note}
    fields:
      - {id: text, type: text, required: true, label: {fr: Texte, en: Text}}
      - {id: priority, type: choice, options: priority, label: {fr: Priorité, en: Priority}}
"""

SOP = """\
sop: regional
version: "1"
imports: [shared.yaml]
title: {fr: Modèle régional, en: Regional template}
languages: [fr, en]
roles:
  caseworker: {label: {fr: Gestionnaire, en: Case manager}}
options:
  color:
    blue: {fr: Bleu national, en: National blue}
start: intake
steps:
  intake:
    label: {fr: Accueil, en: Intake}
    states:
      open: {initial: true, owner: caseworker, label: {fr: Ouvert, en: Open},
             deadline: {within: 2 days, on_expiry: {escalate: caseworker}}}
      done: {final: true, label: {fr: Fait, en: Done}}
    transitions:
      - {trigger: finish, from: open, to: done, by: [caseworker], form: note,
         label: {fr: Terminer, en: Finish}}
"""


def write(tmp_path: Path, sop: str = SOP, shared: str = SHARED) -> Path:
    (tmp_path / "shared.yaml").write_text(shared, encoding="utf-8")
    path = tmp_path / "regional.yaml"
    path.write_text(sop, encoding="utf-8")
    return path


def test_imported_options_and_forms_are_merged_and_the_sop_wins(tmp_path):
    loaded = load_file(write(tmp_path))
    m = loaded.model
    assert set(m.forms) == {"note"} and m.forms["note"].fields[1].options == "priority"
    assert set(m.options["priority"]) == {"emergency", "normal"}
    assert set(m.options["color"]) == {"blue"}  # the SOP's own list replaces the shared one
    # issue 14: the main file is kept as written, the imported file beside it (a stored version
    # keeps both and reloads from them, never from the disk)
    assert loaded.source == SOP and loaded.files == {"shared.yaml": SHARED}
    (tmp_path / "shared.yaml").unlink()
    again = load_text(loaded.source, str(tmp_path / "regional.yaml"), files=loaded.files)
    assert again.model.forms == m.forms and again.sha256 == loaded.sha256


def test_a_change_in_the_imported_file_changes_the_sop(tmp_path):
    first = load_file(write(tmp_path)).sha256
    second = load_file(write(tmp_path, shared=SHARED.replace("Urgence vitale", "Urgence"))).sha256
    assert first != second


@pytest.mark.parametrize("shared,expected", [
    (None, "cannot import"),
    ("steps: {}\noptions: {}\n", "only options and forms"),
])
def test_bad_imports_are_e037_at_the_imports_line(tmp_path, shared, expected):
    path = write(tmp_path, shared=shared or SHARED)
    if shared is None:
        (tmp_path / "shared.yaml").unlink()
    with pytest.raises(SOPError) as info:
        load_file(path)
    d = info.value.diagnostics[0]
    assert (d.code, d.path, d.line, d.col) == ("E037", str(path), 3, 11)
    assert expected in d.message


def test_an_error_inside_imported_content_points_at_its_line_in_the_imported_file(tmp_path):
    # issue 14: the diagnostic names the imported file and the line to edit there (it pointed at
    # the SOP's imports line before)
    path = write(tmp_path, shared=SHARED.replace("options: priority", "options: prioritty"))
    with pytest.raises(SOPError) as info:
        load_file(path)
    assert [(d.code, d.path, d.line) for d in info.value.diagnostics] == [
        ("E023", str(tmp_path / "shared.yaml"), 12)]


def test_syntax_error_in_an_imported_file_names_that_file(tmp_path):
    path = write(tmp_path, shared="options: [\n")
    with pytest.raises(SOPError) as info:
        load_file(path)
    assert info.value.diagnostics[0].path == str(tmp_path / "shared.yaml")
    assert info.value.diagnostics[0].code == "E001"


def test_flow_rule_condition():
    from datetime import UTC, datetime
    from tempfile import TemporaryDirectory

    from mno_workflow.engine.clock import SimulatedClock
    from mno_workflow.engine.engine import Actor, WorkflowEngine
    from mno_workflow.store.base import Base, make_engine

    text = BF.read_text(encoding="utf-8").replace(
        "  - {after: identification.identified, start: consent}",
        "  - {after: identification.identified, when: \"identification.region != 'soum'\", start: consent}")
    assert "when: \"identification.region" in text
    with TemporaryDirectory() as d:
        db = make_engine(f"sqlite:///{d}/f.db")
        Base.metadata.create_all(db)
        wf = WorkflowEngine(db, SimulatedClock(datetime(2025, 6, 2, 8, tzinfo=UTC)))
        wf.load_sop(load_text(text, "flow-when.yaml"))
        cw = Actor("awa", "caseworker")
        ident = {"first_name": "A", "last_name": "B", "sex": "male", "estimated_age": 20,
                 "return_date": "2025-06-01"}
        here = wf.create_case("mnr_bf", cw)
        # (registration also opens the immediate-referral step of issue 13, whatever the region)
        assert "consent:1" in wf.fire(here, "register", cw, {**ident, "region": "kadiogo"}).started
        there = wf.create_case("mnr_bf", cw)
        assert "consent:1" not in wf.fire(there, "register", cw, {**ident, "region": "soum"}).started
        db.dispose()
    bad = text.replace("identification.region != 'soum'", "identification.regoin != 'soum'")
    with pytest.raises(SOPError) as info:
        load_text(bad, "bad.yaml")
    assert any(d.code == "E036" for d in info.value.diagnostics)


def test_validate_folder_does_not_check_an_imported_file_as_an_sop(tmp_path):
    """Issue 12: ``mno validate <folder>`` validated shared.yaml as an SOP (E011 missing 'sop')."""
    from typer.testing import CliRunner

    from mno_workflow.cli import app
    write(tmp_path)
    result = CliRunner().invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "E011" not in result.output and " error " not in result.output
    assert f"{(tmp_path / 'shared.yaml').resolve()}: importé par {tmp_path / 'regional.yaml'}" \
        in result.output
    report = CliRunner().invoke(app, ["validate", "--format", "json", str(tmp_path)])
    import json
    assert [r["path"] for r in json.loads(report.output)] == [str(tmp_path / "regional.yaml")]
    # named explicitly, a shared file is still checked as what it is asked to be
    alone = CliRunner().invoke(app, ["validate", str(tmp_path / "shared.yaml")])
    assert alone.exit_code == 1 and "E011" in alone.output
