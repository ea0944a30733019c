"""``mno sop migrate`` (dry run per case, typo refused with the closest name, one audit event per
case) and ``mno case correct`` (reason required, coordinator only) on a real database, then
``mno audit verify`` replays both (issue 14)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.store.base import make_engine

from ..conftest import BF_SOP, TEST_DIRECTORY
from ..engine.helpers import CW, referral, to_referrals
from ..engine.sop_variants import dump, parse, rename_state
from .users import add_users

runner = CliRunner()


def mno(db_url, *args):
    result = runner.invoke(app, ["--db", db_url, *args])
    assert "Traceback" not in result.output
    return result


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
def test_migrate_dry_run_then_run_then_correct_then_verify(db_url, tmp_path, bf_loaded):
    add_users(db_url)
    db = make_engine(db_url)
    wf = WorkflowEngine(db, SimulatedClock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC)), **TEST_DIRECTORY)
    wf.load_sop(bf_loaded)
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("ong_a"), instance="psychosocial")
    db.dispose()
    doc = parse(BF_SOP.read_text(encoding="utf-8"))
    old = f"mnr_bf@{doc['version']}"
    doc["version"] = "2099.9"
    rename_state(doc, "referral", "sent", "transmitted")
    doc["steps"]["referral"]["states"]["transmitted"]["label"] = {"fr": "Transmis", "en": "Transmitted"}
    v2 = tmp_path / "v2.yaml"
    v2.write_text(dump(doc), encoding="utf-8")
    assert mno(db_url, "sop", "load", str(v2)).exit_code == 0

    r = mno(db_url, "sop", "migrate", old, "mnr_bf@2099.9", "--map", "referral.snet=transmitted",
            "--as", "coord:coordinator")
    assert r.exit_code != 0 and "vouliez-vous dire « sent » ?" in r.output, r.output
    assert "did you mean" not in r.output and "unknown" not in r.output  # the French path says it in French
    r = mno(db_url, "--lang", "en", "sop", "migrate", old, "mnr_bf@2099.9", "--map",
            "referral.snet=transmitted",
            "--as", "coord:coordinator")
    assert r.exit_code != 0 and "did you mean 'sent'" in r.output and "vouliez" not in r.output, r.output

    r = mno(db_url, "sop", "migrate", old, "mnr_bf@2099.9", "--map", "referral.sent=transmitted",
            "--dry-run", "--as", "coord:coordinator")
    assert r.exit_code == 0, r.output
    # the SOPs' labels, the ids --map takes in brackets (tryout 5, G15)
    moved = ("états : Référencement — Soutien psychosocial et santé mentale [referral:psychosocial] : "
             "Envoyé au prestataire [sent] → Transmis [transmitted]")
    assert f"{ref}\n" in r.output and moved in r.output, r.output
    assert "même règle : échéance gardée" in r.output and "prochaines actions" in r.output
    assert "rien n'est écrit" in r.output and " / " not in r.output, r.output  # never « fr / en »
    assert not re.search(r"\b20\d\d-\d\d-\d\d", r.output), r.output  # due dates as 07/06/2025 …
    assert re.search(r"délai Référencement — [^[]+\[referral:psychosocial\] \(Transmis \[transmitted\]\) : "
                     r"\d\d/\d\d/20\d\d \d\d:\d\d → ", r.output), r.output
    r = mno(db_url, "--lang", "en", "sop", "migrate", old, "mnr_bf@2099.9", "--map",
            "referral.sent=transmitted",
            "--dry-run", "--as", "coord:coordinator")
    assert ("states: Referral — Mental health and psychosocial support [referral:psychosocial]: "
            "Sent to provider [sent] → Transmitted [transmitted]") in r.output, r.output
    assert "same rule: due date kept" in r.output and "états" not in r.output, r.output
    assert re.search(r"deadline Referral — [^[]+\[referral:psychosocial\] \(Transmitted \[transmitted\]\): "
                     r"\d\d/\d\d/20\d\d \d\d:\d\d → ", r.output), r.output
    shown = mno(db_url, "case", "show", ref, "--format", "json").stdout
    assert '"state": "sent"' in shown  # the dry run wrote nothing

    r = mno(db_url, "sop", "migrate", old, "mnr_bf@2099.9", "--map", "referral.sent=transmitted",
            "--as", "coord:coordinator")
    assert r.exit_code == 0, r.output
    import json
    shown = json.loads(mno(db_url, "case", "show", ref, "--format", "json").stdout)
    assert [e["sop_version"] for e in shown["audit"]][::len(shown["audit"]) - 1] == [old, "mnr_bf@2099.9"]
    r = mno(db_url, "case", "show", ref)
    assert "Migré de " + old in r.stdout and "Envoyé au prestataire" in r.stdout and "None" not in r.stdout

    r = mno(db_url, "case", "correct", ref, "--step", "referral:psychosocial", "--state", "draft",
            "--as", "coord:coordinator")
    assert r.exit_code == 2 and "--reason" in r.output
    r = mno(db_url, "case", "correct", ref, "--step", "referral:psychosocial", "--state", "draft",
            "--reason", "wrong provider", "--as", "sup:supervisor")
    assert r.exit_code != 0 and "coordination" in r.output
    r = mno(db_url, "case", "correct", ref, "--step", "referral:psychosocial", "--state", "draft",
            "--reason", "wrong provider", "--as", "coord:coordinator")
    assert r.exit_code == 0, r.output
    assert "transmitted → draft" in r.output

    r = mno(db_url, "audit", "verify")
    assert r.exit_code == 0, r.output
