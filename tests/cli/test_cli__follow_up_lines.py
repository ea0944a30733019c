"""``mno case fire … record_visit`` refuses a follow-up line for a need never referred on the case
(issue 18, F18: the BF SOP's rule over ``instance_keys``), in the ``--lang`` language, writes
nothing, and adds no line by itself; ``mno case prefill`` shows no line (page-only rows)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.store.base import make_engine

from ..conftest import BF_SOP
from ..web.helpers import case_with_referrals
from .users import add_users

runner = CliRunner()
CW = ("--as", "mariam.kabore:caseworker")
VISIT = {"visit_date": "2025-06-02", "contact_mode": "phone", "services_received": True, "risk_level": "low"}


def mno(db_url, *args):
    result = runner.invoke(app, ["--db", db_url, *args])
    assert "Traceback" not in result.output
    return result


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
def test_case_fire_refuses_a_need_never_referred(db_url, tmp_path):
    from mno_workflow.sop.loader import load_file
    add_users(db_url)
    db = make_engine(db_url)
    wf = WorkflowEngine(db, SimulatedClock(datetime(2025, 6, 2, 10, tzinfo=UTC)))
    wf.load_sop(load_file(BF_SOP))
    ref = case_with_referrals(wf)  # cash and medical referred
    db.dispose()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**VISIT, "referral_lines": [{"need": "housing", "service_received": False}]}))
    for lang, said in (("fr", "Ce besoin n'a pas été référé pour ce dossier"),
                       ("en", "This need was not referred for this case")):
        r = mno(db_url, "--lang", lang, "case", "fire", ref, "record_visit", *CW, "--json", str(bad))
        assert r.exit_code == 1 and said in r.output, r.output
    shown = mno(db_url, "case", "prefill", ref, "record_visit", *CW)
    assert shown.exit_code == 0 and "referral_lines" not in shown.output, shown.output
    ok = tmp_path / "ok.json"
    ok.write_text(json.dumps(VISIT))
    assert mno(db_url, "case", "fire", ref, "record_visit", *CW, "--json", str(ok)).exit_code == 0
    case = json.loads(mno(db_url, "case", "show", ref, "--format", "json").stdout)
    assert "referral_lines" not in case["data"]["follow_up"]  # no line added by the command
