"""Narrative files listed by the SOP are read with it (issue 14): kept in ``LoadedSOP.files`` and
in the digest, read from the stored texts when given (never the disk), cached only with their
content in the key; bad paths and invalid narrative files are E037 at their line; the messages
are catalogue messages (``said``), English with ``--lang en``."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.render.narrative_text import find_narrative
from mno_workflow.sop import cache
from mno_workflow.sop.diagnostics import Said, SOPError
from mno_workflow.sop.imports import content_sha256
from mno_workflow.sop.loader import load_file, load_text

from .test_narrative_imports import MINIMAL, NARRATIVE

ROOT = Path(__file__).resolve().parents[2]


def sop(folder: Path, entry: str = "narrative.yaml", narrative: str = NARRATIVE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = MINIMAL.read_text(encoding="utf-8").replace(
        'version: "1"\n', f'version: "1"\nnarrative: [{entry}]\n')
    (folder / "sop.yaml").write_text(text, encoding="utf-8")
    (folder / "narrative.yaml").write_text(narrative, encoding="utf-8")
    return folder / "sop.yaml"


def test_listed_files_are_part_of_the_sop_and_read_from_stored_texts(tmp_path):
    path = sop(tmp_path / "pos")
    loaded = load_file(path)
    assert loaded.files == {"narrative.yaml": NARRATIVE} and loaded.narrative_paths == ("narrative.yaml",)
    assert loaded.sha256 == content_sha256(loaded.source, loaded.files)
    (tmp_path / "pos" / "narrative.yaml").write_text(NARRATIVE.replace("Le contexte.", "Autre."),
                                                     encoding="utf-8")
    stored = load_text(loaded.source, str(path), files=loaded.files)
    assert find_narrative(stored.model, path).chapters[0].text["fr"] == "Le contexte."
    # the disk read again is another SOP (another digest), never a stale cached one
    again = load_file(path)
    assert again.sha256 != loaded.sha256
    assert find_narrative(again.model, path).chapters[0].text["fr"] == "Autre."


def test_cached_loads_follow_the_narrative_file(tmp_path, monkeypatch):
    monkeypatch.setenv("MNO_CACHE_DIR", str(tmp_path / "cache"))
    cache.clear_memory()
    path = sop(tmp_path / "pos")
    assert cache.key(path.read_text(encoding="utf-8"), str(path)) is not None  # cached, with the file
    first = load_file(path)
    (tmp_path / "pos" / "narrative.yaml").write_text(NARRATIVE.replace("Se plaindre.", "Plainte."),
                                                     encoding="utf-8")
    second = load_file(path)
    assert find_narrative(second.model).blocks["complaints"]["fr"] == "Plainte." != \
        find_narrative(first.model).blocks["complaints"]["fr"]
    cache.clear_memory()


@pytest.mark.parametrize("entry,reason", [
    ("../outside.yaml", "leads out of the SOP's folder"),
    ("/etc/passwd", "absolute path"),
])
def test_bad_narrative_paths_are_e037_at_their_entry(tmp_path, entry, reason):
    path = sop(tmp_path / "pos", f'"{entry}"')
    with pytest.raises(SOPError) as info:
        load_file(path)
    [d] = info.value.diagnostics
    assert (d.path, d.line, d.col, d.code) == (str(path), 4, 13, "E037") and reason in d.message
    assert isinstance(d.message, Said) and d.message.msgid.startswith("cannot read narrative file")


def test_a_link_out_of_the_folder_is_e037(tmp_path):
    path = sop(tmp_path / "pos", "lien.yaml")
    (tmp_path / "secret.yaml").write_text(NARRATIVE, encoding="utf-8")
    os.symlink(tmp_path / "secret.yaml", tmp_path / "pos" / "lien.yaml")
    with pytest.raises(SOPError) as info:
        load_file(path)
    assert [(d.code, d.line) for d in info.value.diagnostics] == [("E037", 4)]
    assert "link" in info.value.diagnostics[0].message


def test_an_invalid_narrative_file_is_e037_at_its_own_line(tmp_path):
    path = sop(tmp_path / "pos", narrative=NARRATIVE.replace("- id: context", "- id: Contexte Général"))
    with pytest.raises(SOPError) as info:
        load_file(path)
    [d] = info.value.diagnostics
    assert (d.path, d.line, d.code) == (str(tmp_path / "pos" / "narrative.yaml"), 3, "E037")
    assert "narrative.chapters.0.id" in d.message
    other = sop(tmp_path / "two", narrative=NARRATIVE + "forms: {}\n")
    with pytest.raises(SOPError) as info:
        load_file(other)
    assert [(d.code, d.line) for d in info.value.diagnostics] == [("E037", 8)]


def test_validate_speaks_english_with_lang_en(tmp_path):
    path = sop(tmp_path / "pos", '"../outside.yaml"')
    r = CliRunner().invoke(app, ["--lang", "en", "validate", str(path)])
    assert r.exit_code == 1
    assert (f"{path}:4:13: error E037 cannot read narrative file '../outside.yaml': the path leads out "
            "of the SOP's folder") in r.output
    imported = tmp_path / "imp"
    shutil.copytree(tmp_path / "pos", imported)
    (imported / "sop.yaml").write_text((imported / "sop.yaml").read_text(encoding="utf-8").replace(
        'narrative: ["../outside.yaml"]', "imports: [absent.yaml]"), encoding="utf-8")
    r = CliRunner().invoke(app, ["--lang", "en", "validate", str(imported / "sop.yaml")])
    assert "error E037 cannot import 'absent.yaml': file not found" in r.output, r.output
