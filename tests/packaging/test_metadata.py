"""Package metadata (issue 17): SPDX licence with the licence file, compatible-release bounds on every
dependency, the version shown by ``mno --version`` is the package's."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from typer.testing import CliRunner

import mno_workflow
from mno_workflow.cli import app

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_licence_is_spdx_with_the_full_agpl_text():
    project = PYPROJECT["project"]
    assert project["license"] == "AGPL-3.0-or-later"
    assert "LICENSE" in project["license-files"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("GNU AFFERO GENERAL PUBLIC LICENSE\nVersion 3, 19 November 2007")
    assert "13. Remote Network Interaction; Use with the GNU General Public License." in text
    assert "END OF TERMS AND CONDITIONS" in text and len(text) > 30000


def test_every_runtime_dependency_has_a_compatible_release_bound():
    deps = PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"]["postgresql"]
    loose = [d for d in deps if not re.fullmatch(r"[A-Za-z0-9_.\-]+(\[[a-z,]+\])?~=\d+(\.\d+)+", d)]
    assert loose == []
    holidays = next(d for d in deps if d.startswith("holidays"))
    assert holidays.count(".") == 2  # one minor series: ~=0.N.0


def test_version_option_shows_the_package_version():
    r = CliRunner().invoke(app, ["--version"])
    assert r.exit_code == 0 and r.stdout == f"mno-workflow {mno_workflow.__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+", mno_workflow.__version__)
