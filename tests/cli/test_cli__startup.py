"""The command line starts light and reads its global options anywhere: ``mno --help`` and
``mno validate`` import neither FastAPI, Alembic nor the SQLAlchemy ORM (checked in a fresh
process), ``--db``/``--lang`` after the command, refused option values list the accepted ones,
``mno --version``. Start-up times are measured by ``bench/cli_startup.py``, not here."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import COMMANDS, app

from ..conftest import BF_SOP

runner = CliRunner()
HEAVY = ("fastapi", "starlette", "uvicorn", "alembic", "sqlalchemy.orm", "graphviz", "jinja2",
         "mno_workflow.engine.engine", "mno_workflow.web", "prompt_toolkit", "rich")

PROBE = """
import json, sys
sys.argv = ["mno", *json.loads(sys.argv[1])]
from mno_workflow.cli import main
try:
    main()
except SystemExit:
    pass
print("@@" + json.dumps(sorted(sys.modules)))
"""


def imported_by(*args: str) -> set[str]:
    """Modules loaded by a fresh ``mno ARGS`` process."""
    out = subprocess.run([sys.executable, "-c", PROBE, json.dumps(list(args))], capture_output=True,
                         text=True, check=True).stdout
    return set(json.loads(out.split("@@")[-1]))


@pytest.mark.parametrize("args", [("--help",), ("validate", str(BF_SOP))], ids=["help", "validate"])
def test_help_and_validate_import_nothing_heavy(args):
    mods = imported_by(*args)
    assert "mno_workflow.cli" in mods  # the probe did run the command line
    if args[0] == "validate":
        assert "mno_workflow.sop.lint" in mods
    assert sorted(m for m in mods if m.split(".")[0] in HEAVY or m in HEAVY) == []


def test_every_registered_command_loads_and_has_help():
    for name in COMMANDS:
        r = runner.invoke(app, [name, "--help"], prog_name="mno")
        assert r.exit_code == 0, (name, r.output)
        assert f"mno {name} [OPTIONS]" in r.output


def test_global_options_before_or_after_the_command(tmp_path):
    after, before = tmp_path / "after.db", tmp_path / "before.db"
    r1 = runner.invoke(app, ["demo", "--db", str(after), "--lang", "en"])
    r2 = runner.invoke(app, ["--db", str(before), "--lang=en", "demo"])
    assert r1.exit_code == 0 and r2.exit_code == 0, (r1.output, r2.output)
    assert after.exists() and before.exists()
    assert "Case closed" in r1.stdout and "Case closed" in r2.stdout  # English labels
    r = runner.invoke(app, ["case", "list", f"--db={after}", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert len(json.loads(r.stdout)) == 2 + 5  # two demo cases, then the five issue-13 field paths


def test_an_option_the_command_owns_is_not_taken_as_global(tmp_path):
    out = tmp_path / "flow.mmd"
    r = runner.invoke(app, ["diagram", str(BF_SOP), "--format", "mermaid", "--lang", "en", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "Identification" in out.read_text() or "Screening" in out.read_text()
    fr = tmp_path / "flow-fr.mmd"
    runner.invoke(app, ["diagram", str(BF_SOP), "--format", "mermaid", "-o", str(fr)])
    assert out.read_text() != fr.read_text()  # --lang en reached the diagram command


@pytest.mark.parametrize("args,option,accepted", [
    (["validate", "--format", "xml", str(BF_SOP)], "--format", ("'text'", "'json'")),
    (["--lang", "de", "demo"], "--lang", ("'fr'", "'en'")),
    (["demo", "--lang", "de"], "--lang", ("'fr'", "'en'")),
    (["case", "list", "--format", "csv"], "--format", ("'text'", "'json'")),
    (["--log-format", "xml", "demo"], "--log-format", ("'text'", "'json'")),
])
def test_unknown_option_values_are_refused_with_the_accepted_list(args, option, accepted):
    r = runner.invoke(app, args)
    assert r.exit_code == 2
    assert f"Invalid value for '{option}'" in r.output
    assert all(a in r.output for a in accepted)


def test_version():
    from importlib.metadata import version
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.stdout.strip() == f"mno-workflow {version('mno-workflow')}"
