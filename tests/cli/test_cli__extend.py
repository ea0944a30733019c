"""`mno case extend` on an escalated deadline: French durations, counted from now or --from-due."""

from __future__ import annotations

from datetime import UTC, datetime

from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.reminders.sweeper import sweep
from mno_workflow.sop.loader import load_file
from mno_workflow.store.base import Base, make_engine
from tests.cli.users import add_users

from ..conftest import BF_SOP
from ..engine.helpers import CW, referral, to_referrals

runner = CliRunner()


def test_extend_an_escalated_deadline_from_the_command_line(db_url):
    db = make_engine(db_url)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, SimulatedClock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC)))
    wf.load_sop(load_file(BF_SOP))
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("ong_a", "urgent"), instance="psychosocial")  # due 5 June 08:00
    assert sweep(wf, now=datetime(2025, 6, 6, 9, 0, tzinfo=UTC)).escalations
    db.dispose()
    add_users(db_url)  # --as must name an existing account (the CLI checks it)
    args = ["--db", db_url, "case", "extend", ref, "referral:psychosocial", "--reason", "Appel",
            "--as", "idrissa:supervisor"]
    r = runner.invoke(app, [*args, "--by", "2 jours ouvrés", "--from-due"])
    assert r.exit_code == 0, r.output
    # Fri 6 June is Tabaski: Mon 9, Tue 10; the end of the working day in the SOP's time zone, day first
    assert "nouveau délai 10/06/2025 23:59 (Africa/Ouagadougou)" in r.stdout, r.stdout
    r = runner.invoke(app, [*args, "--by", "48 heures"])  # the real clock is past 2025: from now
    assert r.exit_code == 0, r.output
    assert "nouveau délai 2025" not in r.stdout and "/2025 " not in r.stdout
    r = runner.invoke(app, [*args, "--by", "2 jours fériés"])
    assert r.exit_code == 1 and "3 jours ouvrés" in r.output and "Traceback" not in r.output
