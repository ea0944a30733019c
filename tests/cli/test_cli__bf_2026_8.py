"""The BF SOP 2026.8 (tryout 7, J4: an override names its recipients, ``consent_override.share_with``)
migrates a 2026.7 database with ``mno sop migrate mnr_bf@2026.7 mnr_bf@2026.8`` and no ``--map``:
afterwards an override recorded under 2026.8 for « health » does not let a referral go to an NGO
(engine and ``mno case fire``, French and English, nothing written), while one recorded under
2026.7 (no ``share_with``) still covers every recipient. Real SQLite file, sample directory."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from mno_workflow import directory
from mno_workflow.cli import app
from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.engine.errors import GuardNotMet
from mno_workflow.sop.loader import load_text
from mno_workflow.store.base import make_engine

from ..conftest import BF_SOP, snapshot
from ..engine.helpers import CONSENT, CW, SUP, referral, to_referrals
from ..engine.sop_variants import dump, parse
from .users import add_users

WITHDRAWAL = {"withdrawn_on": "2025-06-02", "expressed_by": "self"}
OVERRIDE = {"legal_basis": "vital_interests", "reason": "Risque VIH, PEP indispensable",
            "data_categories": ["identity", "health"]}
BOTH = {**CONSENT, "share_with": ["service_provider", "health"]}


def as_2026_7(doc: dict) -> dict:
    """The current text without the 2026.8 change (nor 2026.9's rectification): an override
    without recipients (the 2026.7 rules)."""
    from .test_cli__bf_2026_9 import as_2026_8
    doc = as_2026_8(doc)
    doc["version"] = "2026.7"
    form = doc["forms"]["consent_override"]
    form["fields"] = [f for f in form["fields"] if f["id"] != "share_with"]
    return doc


def mno(db_url, *args):
    result = CliRunner().invoke(app, ["--db", db_url, *args])
    assert "Traceback" not in result.output
    return result


def send_by_cli(db_url, ref, org, *lang):
    return mno(db_url, *lang, "case", "fire", ref, "send", "--as", "mariam.kabore:caseworker",
               "--instance", "psychosocial", "--data", f"provider={org}", "--data", "priority=normal",
               "--data", "referral_date=2025-06-02", "--data", "channel=system")


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
def test_a_2026_7_database_migrates_and_a_new_override_covers_only_its_recipients(db_url):
    add_users(db_url)
    doc = parse(BF_SOP.read_text(encoding="utf-8"))
    current = f"mnr_bf@{doc['version']}"  # 2026.8 or later (later versions keep the change)
    clock = SimulatedClock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC))
    db = make_engine(db_url)
    old = WorkflowEngine(db, clock)  # the directory's organisation types and agreements
    with old.sessions.begin() as s:
        directory.load_sample(s)
    old.load_sop(load_text(dump(as_2026_7(doc)), "mnr.yaml"))
    before = to_referrals(old, consent=BOTH)  # overridden under 2026.7: no recipients named
    old.fire(before, "withdraw_consent", CW, WITHDRAWAL)
    old.fire(before, "override_consent", SUP, OVERRIDE)
    after = to_referrals(old, consent=BOTH)  # withdrawn under 2026.7, overridden under 2026.8
    old.fire(after, "withdraw_consent", CW, WITHDRAWAL)
    db.dispose()

    assert mno(db_url, "sop", "load", str(BF_SOP)).exit_code == 0
    r = mno(db_url, "sop", "migrate", "mnr_bf@2026.7", current, "--dry-run",
            "--as", "coord:coordinator")
    assert r.exit_code == 0 and before in r.output and after in r.output, r.output
    r = mno(db_url, "sop", "migrate", "mnr_bf@2026.7", current, "--as", "coord:coordinator")
    assert r.exit_code == 0, r.output

    db = make_engine(db_url)
    new = WorkflowEngine(db, clock)
    new.fire(after, "override_consent", SUP, {**OVERRIDE, "share_with": ["health"]})
    written = snapshot(new)
    with pytest.raises(GuardNotMet) as refused:
        new.fire(after, "send", CW, referral("org-ecoute"), instance="psychosocial")
    assert "La dérogation ne couvre pas le partage avec une organisation de type « ONG ou association »" \
        in refused.value.text("fr")
    assert "The override does not cover sharing with an organisation of type “NGO or association”" \
        in refused.value.text("en")
    db.dispose()
    r = send_by_cli(db_url, after, "org-ecoute")
    assert r.exit_code == 1 and "La dérogation ne couvre pas le partage" in r.output, r.output
    r = send_by_cli(db_url, after, "org-ecoute", "--lang", "en")
    assert r.exit_code == 1 and "The override does not cover sharing" in r.output, r.output
    db = make_engine(db_url)
    new = WorkflowEngine(db, clock)
    assert snapshot(new) == written  # nothing written by the three refusals
    assert new.fire(after, "send", CW, referral("org-csps"), instance="psychosocial").to_state == "sent"
    # the override recorded under 2026.7 names no recipient: it still covers the NGO
    assert new.fire(before, "send", CW, referral("org-ecoute"), instance="psychosocial").to_state == "sent"
    db.dispose()
