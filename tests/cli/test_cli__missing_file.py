"""A path that does not exist, on every command that takes one (issue 18): « Fichier introuvable :
{path} » / "File not found: {path}" in the ``--lang`` language, exit code not 0, never Python's
``[Errno 2] No such file or directory`` nor a traceback."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app

from ..conftest import BF_SOP

runner = CliRunner()

#: command (``{x}``: the missing path, ``{out}``: an output that may be written) per path-taking command
COMMANDS = {
    "validate": ["validate", "{x}.yaml"],
    "sop load": ["sop", "load", "{x}.yaml"],
    "sop diff": ["sop", "diff", "{x}.yaml", str(BF_SOP)],
    "test": ["test", "{x}.yaml"],
    "diagram": ["diagram", "{x}.yaml", "-o", "{out}.svg"],
    "handbook": ["handbook", "{x}.yaml", "-o", "{out}"],
    "publish": ["publish", "{x}.yaml", "-o", "{out}"],
    "xlsform": ["xlsform", "{x}.yaml", "--all", "-o", "{out}"],
    "directory import json": ["directory", "import", "{x}.json"],
    "directory import xlsx": ["directory", "import", "{x}.xlsx"],
    "intake kobo": ["intake", "kobo", "{x}.csv", "--as", "system:caseworker"],
    "case create --json": ["case", "create", "--sop", str(BF_SOP), "--as", "system:caseworker",
                           "--json", "{x}.json"],
    "audit verify --checkpoint": ["audit", "verify", "--checkpoint", "{x}.json"],
    "export dhis2 --mapping": ["export", "dhis2", "--period", "2025Q2", "--mapping", "{x}.yaml"],
}
SAID = {"fr": ("Fichier introuvable : {path}", "File not found"),
        "en": ("File not found: {path}", "Fichier introuvable")}


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_missing_file_is_said_in_words(tmp_path, name, lang):
    missing = tmp_path / "absent" / "nope"
    args = [a.format(x=missing, out=tmp_path / "out") for a in COMMANDS[name]]
    r = runner.invoke(app, ["--db", f"sqlite:///{tmp_path / 'm.db'}", "--lang", lang, *args])
    shown = r.stdout + r.stderr
    expected, other = SAID[lang]
    path = next(a for a in args if a.startswith(str(missing)))
    assert r.exit_code != 0, shown
    assert expected.format(path=path) in shown, shown
    assert other not in shown and "Errno" not in shown and "Traceback" not in shown, shown
