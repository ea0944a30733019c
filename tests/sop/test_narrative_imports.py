"""The SOP declares its narrative files (issue 19): ``narrative: [narrative.yaml]`` (read when
documents are made) or ``imports``; the companion ``narrative.yaml`` found by name beside the SOP
still works, with a deprecation warning (W127, ``mno validate`` and ``mno publish``); a missing
listed file is W128 at its entry, a missing imported one E037 at its ``imports`` line (invalid
corpus: ``w128_missing_narrative_file.yaml``, ``e037_missing_narrative_import.yaml``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.render.narrative_text import find_narrative
from mno_workflow.sop.diagnostics import SOPError
from mno_workflow.sop.lint import lint
from mno_workflow.sop.loader import load_file

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "fixtures" / "valid_sops" / "minimal.yaml"
BF = ROOT / "sops" / "burkina_faso" / "mnr.yaml"
NARRATIVE = """narrative:
  chapters:
    - id: context
      title: {fr: Contexte, en: Context}
      text: {fr: "Le contexte.", en: "The context."}
  blocks:
    complaints: {fr: "Se plaindre.", en: "Complain."}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(MINIMAL, tmp_path / "sop.yaml")
    (tmp_path / "narrative.yaml").write_text(NARRATIVE, encoding="utf-8")
    return tmp_path


def declare(folder: Path, entry: str = "narrative.yaml", key: str = "narrative") -> Path:
    path = folder / "sop.yaml"
    text = path.read_text(encoding="utf-8").replace('version: "1"\n', f'version: "1"\n{key}: [{entry}]\n')
    path.write_text(text, encoding="utf-8")
    return path


def test_listed_narrative_files_are_read_by_the_documents(folder: Path) -> None:
    (folder / "annexes.yaml").write_text(NARRATIVE.replace("context", "annex_refs").replace(
        "Se plaindre.", "Autre plainte."), encoding="utf-8")
    path = folder / "sop.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'version: "1"\n', 'version: "1"\nnarrative: [narrative.yaml, annexes.yaml]\n'), encoding="utf-8")
    loaded = load_file(path)
    assert loaded.model.narrative == ["narrative.yaml", "annexes.yaml"]
    assert [d for d in lint(loaded) if d.code in ("W127", "W128")] == []
    narrative = find_narrative(loaded.model, path)
    assert [c.id for c in narrative.chapters] == ["context", "annex_refs"]
    assert narrative.blocks["complaints"]["fr"] == "Se plaindre."  # the first file naming a block wins


def test_imported_narrative_is_part_of_the_sop(folder: Path) -> None:
    loaded = load_file(declare(folder, key="imports"))
    assert [c.id for c in loaded.model.narrative.chapters] == ["context"]
    # stored with the version (issue 14: as its own file, beside the SOP's text): a change is a
    # change of the SOP
    assert "Le contexte." in loaded.files["narrative.yaml"] and "imports" in loaded.source
    assert [d for d in lint(loaded) if d.code == "W127"] == []
    assert find_narrative(loaded.model, folder / "sop.yaml").blocks["complaints"]["fr"] == "Se plaindre."


def test_missing_listed_file_is_w128_at_its_entry(folder: Path) -> None:
    from mno_workflow.render.narrative_text import NarrativeError

    path = declare(folder, "narrative.yaml, chapitres.yaml")
    loaded = load_file(path)
    [w] = [d for d in lint(loaded) if d.code == "W128"]
    assert (w.line, w.col, w.severity) == (4, 29, "warning") and "chapitres.yaml" in w.message
    with pytest.raises(NarrativeError, match="chapitres.yaml"):
        find_narrative(loaded.model, path)


def test_companion_found_by_name_still_works_with_a_deprecation_warning(folder: Path) -> None:
    loaded = load_file(folder / "sop.yaml")
    assert loaded.model.narrative is None
    [w] = [d for d in lint(loaded) if d.code == "W127"]
    assert (w.line, w.col, w.severity) == (2, 1, "warning")  # the `sop:` key
    assert "declare" in w.message and "narrative: [narrative.yaml]" in w.hint
    assert find_narrative(loaded.model, folder / "sop.yaml").chapters[0].id == "context"  # fallback kept
    result = CliRunner().invoke(app, ["validate", "--strict", str(folder / "sop.yaml")])
    assert result.exit_code == 1 and f"{folder / 'sop.yaml'}:2:1: erreur W127 " in result.output


def test_publish_reports_the_deprecated_companion(folder: Path, tmp_path_factory) -> None:
    from mno_workflow.render import diagrams
    from mno_workflow.render.publish import publish

    if not diagrams.dot_available():
        pytest.skip("Graphviz dot is not installed")
    only = ("sop-document",).__contains__
    out = tmp_path_factory.mktemp("pub")
    report = publish(load_file(folder / "sop.yaml").model, out, folder / "sop.yaml", langs=["fr"], pdf=False,
                     only=only)
    assert any(w.startswith("W127 narrative.yaml") for w in report.warnings), report.warnings
    assert "Le contexte." in (out / "mini" / "fr" / "sop-document.html").read_text(encoding="utf-8")
    declared = declare(folder)  # narrative: [narrative.yaml]
    report = publish(load_file(declared).model, out, declared, langs=["fr"], pdf=False, only=only)
    assert not any(w.startswith("W127") for w in report.warnings)


def test_missing_declared_narrative_is_e037_at_its_imports_line(folder: Path) -> None:
    path = declare(folder, "chapitres.yaml", key="imports")
    with pytest.raises(SOPError) as info:
        load_file(path)
    [d] = info.value.diagnostics
    assert (d.code, d.line, d.col) == ("E037", 4, 11)


def test_burkina_faso_sop_declares_its_narrative() -> None:
    loaded = load_file(BF)
    assert loaded.model.narrative == ["narrative.yaml"]
    assert len(find_narrative(loaded.model, BF).chapters) >= 8
    assert len(find_narrative(loaded.model).chapters) >= 8  # an SOP from the database: the shipped folder
    assert [d for d in lint(loaded) if d.code in ("W127", "W128")] == []
