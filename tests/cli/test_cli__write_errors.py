"""A command that cannot write its output says which path and why in the ``--lang`` language,
never the operating system's English (« [Errno 20] Not a directory »; tryout 3, F6)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app

from ..conftest import ROOT

MINI = ROOT / "tests" / "fixtures" / "valid_sops" / "minimal.yaml"


@pytest.mark.parametrize("lang, words", [("fr", "un fichier porte déjà le nom d'un dossier"),
                                         ("en", "a file already has the name of a folder")])
def test_diagram_into_a_path_under_a_file(tmp_path, lang, words):
    blocker = tmp_path / "diag"
    blocker.write_text("not a folder", encoding="utf-8")
    r = CliRunner().invoke(app, ["--lang", lang, "diagram", str(MINI), "--all", "-o", str(blocker)])
    assert r.exit_code == 1 and words in r.output and str(blocker) in r.output, r.output
    assert "Errno" not in r.output and "Not a directory" not in r.output
