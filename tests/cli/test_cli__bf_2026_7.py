"""The BF SOP 2026.7 (tryout 6, I2 and I3) migrates a 2026.6 database with ``mno sop migrate
mnr_bf@2026.6 mnr_bf@2026.8`` (the file's version now; 2026.8 adds the override's recipients:
test_cli__bf_2026_8.py) and no ``--map`` (no state renamed): afterwards a provider's
acceptance tells the case manager, and a case whose consent was withdrawn under 2026.6 can be
overridden by a supervisor for the person's vital interests, then referred."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.sop.loader import load_text
from mno_workflow.store.base import make_engine
from mno_workflow.store.models import OutboxMessage

from ..conftest import BF_SOP, TEST_DIRECTORY
from ..engine.helpers import CW, SUP, provider, referral, to_referrals
from ..engine.sop_variants import dump, parse
from .users import add_users

ANSWERS = ("accept", "complete", "review_progress", "complete_long_service")


def as_2026_6(doc: dict) -> dict:
    """The 2026.8 text without its two 2026.7 changes (nor 2026.8's override recipients): the
    2026.6 rules."""
    from .test_cli__bf_2026_8 import as_2026_7
    doc = as_2026_7(doc)
    doc["version"] = "2026.6"
    for t in doc["steps"]["referral"]["transitions"]:
        if t["trigger"] in ANSWERS:
            t.pop("notify")
    t = next(t for t in doc["steps"]["consent"]["transitions"] if t["trigger"] == "override_consent")
    t["from"] = ["pending", "refused"]
    t["when"] = "steps.consent != 'refused' || consent_override.legal_basis == 'vital_interests'"
    return doc


def mno(db_url, *args):
    result = CliRunner().invoke(app, ["--db", db_url, *args])
    assert "Traceback" not in result.output
    return result


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
def test_a_2026_6_database_migrates_to_2026_7_without_map(db_url):
    add_users(db_url)
    doc = parse(BF_SOP.read_text(encoding="utf-8"))
    current = f"mnr_bf@{doc['version']}"  # 2026.7 or later (later versions keep both changes)
    clock = SimulatedClock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC))
    db = make_engine(db_url)
    old = WorkflowEngine(db, clock, **TEST_DIRECTORY)
    old.load_sop(load_text(dump(as_2026_6(doc)), "mnr.yaml"))
    sent = to_referrals(old)
    old.fire(sent, "send", CW, referral("ong_a"), instance="psychosocial")
    withdrawn = to_referrals(old)
    old.fire(withdrawn, "withdraw_consent", CW, {"withdrawn_on": "2025-06-02", "expressed_by": "self"})
    db.dispose()

    assert mno(db_url, "sop", "load", str(BF_SOP)).exit_code == 0
    r = mno(db_url, "sop", "migrate", "mnr_bf@2026.6", current, "--dry-run",
            "--as", "coord:coordinator")
    assert r.exit_code == 0 and sent in r.output and withdrawn in r.output, r.output
    r = mno(db_url, "sop", "migrate", "mnr_bf@2026.6", current, "--as", "coord:coordinator")
    assert r.exit_code == 0, r.output

    db = make_engine(db_url)
    new = WorkflowEngine(db, clock, **TEST_DIRECTORY)
    new.fire(sent, "accept", provider("ong_a"), instance="psychosocial")
    with new.sessions() as s:
        told = s.scalars(select(OutboxMessage.recipient_user).where(
            OutboxMessage.kind == "notify", OutboxMessage.channel == "inapp")).all()
    assert told == [CW.user]
    new.fire(withdrawn, "override_consent", SUP, {"legal_basis": "vital_interests",
                                                  "reason": "Urgence vitale",
                                                  "data_categories": ["identity", "needs"],
                                                  "share_with": ["service_provider"]})
    new.fire(withdrawn, "send", CW, referral("ong_a"), instance="psychosocial")
    db.dispose()
