"""Fixtures of the CLI tests: ``dhis2_export``, the ``mno export dhis2`` invocation the DHIS2 and
ADX tests share (period, mapping, format, output file, then any other option)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app

from ..conftest import ROOT

EXAMPLE = ROOT / "sops" / "burkina_faso" / "dhis2.example.yaml"


@pytest.fixture
def dhis2_export(db_url):
    """``run(*extra, period="2025Q2", mapping=EXAMPLE, fmt=None, out=None, env=None)``: the result of
    ``mno --db <db_url> export dhis2 --period … --mapping … [--format fmt] [-o out] *extra``; fails
    the test on a traceback."""

    def run(*extra: str, period: str = "2025Q2", mapping=EXAMPLE, fmt: str | None = None, out=None,
            env: dict | None = None):
        args = ["--db", db_url, "export", "dhis2", "--period", period, "--mapping", str(mapping)]
        args += ["--format", fmt] if fmt else []
        args += ["-o", str(out)] if out is not None else []
        result = CliRunner().invoke(app, [*args, *extra], env=env)
        assert "Traceback" not in result.output, result.output
        return result

    return run
