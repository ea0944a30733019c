"""``mno case fire`` on the step instance of before a reopen (tryout 7, J14): refused naming the
current step, in French and English, and the trigger refused is not offered again among « you can
also »; the same words as the page and the API (tests/web/test_web__action_gone.py)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app

from ..engine.helpers import CW, NEEDS, SUP, to_referrals
from .users import add_users

runner = CliRunner()
pytestmark = pytest.mark.migrated
VISIT = {"visit_date": "2025-06-02", "contact_mode": "phone", "services_received": True, "risk_level": "low"}


def test_the_old_follow_up_is_refused_naming_the_current_one(wf, db_url):
    ref = to_referrals(wf, needs=dict(NEEDS, needs=[{"dimension": "social", "need": "documentation",
                                                      "referral_needed": False}]))
    wf.fire(ref, "record_visit", CW, VISIT)
    wf.fire(ref, "end_follow_up", CW)
    wf.fire(ref, "propose_closure", CW, {"reason": "goals_met", "closed_on": "2025-06-02"})
    wf.fire(ref, "approve_closure", SUP)
    assert wf.reopen(ref, SUP, "La personne revient").started == ["follow_up:1-2"]
    add_users(db_url)
    data = [x for k, v in VISIT.items() for x in ("--data", f"{k}={str(v).lower() if v is True else v}")]
    for lang, words, also in (("fr", "terminée ou remplacée", "Vous pouvez aussi"),
                              ("en", "finished or replaced", "You can also")):
        r = runner.invoke(app, ["--db", db_url, "--lang", lang, "case", "fire", ref, "record_visit",
                                "--instance", "follow_up:1", "--as", "mariam.kabore:caseworker", *data])
        assert "Traceback" not in r.output
        assert r.exit_code == 1 and words in r.output, r.output
        assert "record_visit" not in r.output.split(also, 1)[1], r.output
