"""``mno case show`` gives each open step's deadline as the case page does (« échéance
10/06/2025 23:59 », « en retard » once passed), in the SOP's time zone; ``--format json`` and the
API's case read give ``steps[].due_at`` (tryout 3, F10)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app

from ..conftest import BF_SOP
from .users import add_users

runner = CliRunner()


@pytest.mark.migrated
def test_case_show_gives_the_deadline_of_each_open_step(db_url):
    add_users(db_url)
    assert runner.invoke(app, ["--db", db_url, "sop", "load", str(BF_SOP)]).exit_code == 0
    ref = runner.invoke(app, ["--db", db_url, "case", "create", "--as", "awa:caseworker"]).stdout.strip()
    data = json.loads(runner.invoke(app, ["--db", db_url, "case", "show", ref, "--format", "json"]).stdout)
    (ident,) = [st for st in data["steps"] if st["step"] == "identification"]
    due = datetime.fromisoformat(ident["due_at"])
    assert due.tzinfo is not None
    fr = runner.invoke(app, ["--db", db_url, "case", "show", ref]).stdout
    en = runner.invoke(app, ["--db", db_url, "--lang", "en", "case", "show", ref]).stdout
    when = due.strftime("%d/%m/%Y %H:%M")  # Africa/Ouagadougou is UTC all year
    line_fr = next(x for x in fr.splitlines() if "Identification" in x and "•" in x)
    assert f"échéance {when}" in line_fr, fr
    assert f"due {when}" in next(x for x in en.splitlines() if "Identification" in x and "•" in x), en
    assert "en retard" not in line_fr
