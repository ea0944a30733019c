"""``mno case reopen --risk-level`` (issue 13 review): a screened-out case is reopened only with
the risk level of its first follow-up; per-field error otherwise (SQLite file and PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app

from ..conftest import BF_SOP
from .users import PEOPLE, add_users

runner = CliRunner()


def mno(db_url, *args, **kw):
    result = runner.invoke(app, ["--db", db_url, *args], **kw)
    assert "Traceback" not in result.output
    return result


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
def test_reopen_a_screened_out_case_with_its_risk_level(db_url):
    add_users(db_url, PEOPLE)
    mno(db_url, "sop", "load", str(BF_SOP))
    ref = mno(db_url, "case", "create", "--as", "mariam.kabore:caseworker").output.split()[0]
    r = mno(db_url, "case", "fire", ref, "screen_out", "--as", "mariam.kabore:caseworker",
            "--data", "reason=duplicate")
    assert r.exit_code == 0, r.output
    # a supervisor without region: the case (closed at identification) has none
    sup = ("--as", "sup:supervisor")
    r = mno(db_url, "case", "reopen", ref, "--reason", "Erreur", *sup)
    assert r.exit_code == 1 and "risk_level" in r.output and "premier suivi" in r.output
    assert json.loads(mno(db_url, "case", "show", ref, "--format", "json").stdout)["status"] == "closed"
    r = mno(db_url, "--lang", "en", "case", "reopen", ref, "--reason", "Erreur", *sup, "--risk-level", "x")
    assert r.exit_code == 1 and "possible values" in r.output
    r = mno(db_url, "case", "reopen", ref, "--reason", "Erreur", *sup, "--risk-level", "high")
    assert r.exit_code == 0 and "follow_up:1" in r.output, r.output
