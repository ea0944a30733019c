"""Plan approval from the command line (issue 18): the supervisor's optional comment is kept with
the approval and shown by ``mno case show``; a too long comment is one clear refusal."""

from __future__ import annotations

import json

import pytest

from ..conftest import BF_SOP
from .test_cli__cases import mno
from .users import add_users

CONSENT = {"given": True, "given_by": "self", "consent_date": "2025-01-10", "channel": "verbal",
           "data_categories": ["identity", "needs"], "share_with": ["service_provider"],
           "purposes": ["referral"]}
NEEDS = {"assessed_on": "2025-01-12", "risk_level": "moderate", "needs": [
    {"dimension": "economic", "need": "cash", "referral_needed": True}]}


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
def test_plan_approved_with_a_comment_from_the_command_line(db_url, tmp_path):
    add_users(db_url)
    ref = mno(db_url, "case", "create", "--sop", str(BF_SOP), "--as", "awa:caseworker").stdout.strip()
    r = mno(db_url, "case", "fire", ref, "register", "--as", "awa:caseworker",
            "--data", "first_name=Zoé", "--data", "last_name=Kaboré", "--data", "sex=female",
            "--data", "estimated_age=30", "--data", "return_date=2025-01-10", "--data", "region=kadiogo")
    assert r.exit_code == 0, r.output
    for trigger, data in (("record_consent", CONSENT), ("submit_assessment", NEEDS)):
        path = tmp_path / f"{trigger}.json"
        path.write_text(json.dumps(data))
        r = mno(db_url, "case", "fire", ref, trigger, "--as", "awa:caseworker", "--json", str(path))
        assert r.exit_code == 0, r.output
    r = mno(db_url, "case", "fire", ref, "approve_plan", "--as", "idrissa:supervisor",
            "--data", "comment=" + "x" * 1001)
    assert r.exit_code == 1 and "comment" in r.output
    r = mno(db_url, "case", "fire", ref, "approve_plan", "--as", "idrissa:supervisor",
            "--data", "comment=Commencer par l'aide en espèces")
    assert r.exit_code == 0, r.output
    shown = json.loads(mno(db_url, "case", "show", ref, "--format", "json").stdout)
    assert shown["data"]["plan_approval"] == {"comment": "Commencer par l'aide en espèces"}
    assert ("needs_assessment", "approved") in {(s["step"], s["state"]) for s in shown["steps"]}
    text = mno(db_url, "case", "show", ref).stdout
    assert "Commencer par l'aide en espèces" in text
