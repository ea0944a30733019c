"""An exception the scenario runner did not expect (a bug, a database error) is said in words in
the run's language at the step's file:line:col; its class and text go to the log only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.kit import runner as kit_runner

ROOT = Path(__file__).resolve().parents[2]
BF = ROOT / "sops" / "burkina_faso"
RAW = "sqlite3.OperationalError: no such table: step_instance"


@pytest.fixture
def broken(tmp_path, monkeypatch):
    (tmp_path / "scenarios").mkdir()
    shutil.copy(BF / "mnr.yaml", tmp_path / "mnr.yaml")
    path = tmp_path / "scenarios" / "06.yaml"
    shutil.copy(BF / "scenarios" / "06_non_eligible.yaml", path)

    def boom(self, step):
        raise RuntimeError(RAW)

    monkeypatch.setattr(kit_runner._Play, "_do_create", boom)
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "create" in text)
    return tmp_path, path, line


@pytest.mark.parametrize("lang, words", [
    ("fr", "erreur inattendue en jouant cette étape (détails dans le journal)"),
    ("en", "unexpected error while playing this step (details in the log)"),
])
def test_unexpected_error_is_said_in_words_and_logged(broken, lang, words):
    folder, path, line = broken
    res = CliRunner().invoke(app, ["--lang", lang, "test", str(folder)])
    assert res.exit_code == 1
    assert f"{path}:{line}:" in res.stdout and words in res.stdout
    assert RAW not in res.stdout and "RuntimeError" not in res.stdout
    assert RAW in res.stderr  # the log (stderr) keeps the detail
