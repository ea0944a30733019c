"""The BF SOP 2026.9 (tryout 9, L5: right to rectification): a registered person's identification
data can be rectified (« Rectifier l'identification », caseworker or supervisor, with a reason);
the audit event keeps the values replaced, said « avant → après » by ``mno case show`` (fr, en) and
the person-data document, erased with the rest. A 2026.8 database migrates with ``mno sop migrate
mnr_bf@2026.8 mnr_bf@2026.9`` and no ``--map``; afterwards ``mno case fire … rectify_identification``
works on its cases. Real SQLite file."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.engine.change_words import KEY
from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.engine.errors import FormInvalid, RoleNotAllowed
from mno_workflow.engine.retention import erase_case
from mno_workflow.sop.loader import load_text
from mno_workflow.store import repository
from mno_workflow.store.base import make_engine

from ..conftest import BF_SOP, TEST_DIRECTORY
from ..engine.helpers import CW, IDENT, SUP, close_now, provider, to_referrals
from ..engine.sop_variants import dump, parse
from .users import add_users

REASON = "Acte de naissance présenté par la tutrice"


def as_2026_8(doc: dict) -> dict:
    """The current text without the 2026.9 change: no rectification of identification."""
    doc["version"] = "2026.8"
    doc["forms"].pop("rectification", None)
    step = doc["steps"]["identification"]
    step["transitions"] = [t for t in step["transitions"] if t["trigger"] != "rectify_identification"]
    return doc


def mno(db_url, *args):
    result = CliRunner().invoke(app, ["--db", db_url, *args])
    assert "Traceback" not in result.output
    return result


def test_rectification_keeps_the_old_value_and_erasure_takes_it(wf):
    ref = to_referrals(wf)
    with pytest.raises(FormInvalid) as no_reason:  # the reason is required
        wf.fire(ref, "rectify_identification", CW, {"identification": {**IDENT, "birth_date": "2010-03-14"},
                                                   "rectification": {}})
    assert "rectification.reason" in no_reason.value.errors
    with pytest.raises(RoleNotAllowed):
        wf.fire(ref, "rectify_identification", provider("org-cfp"),
                {"identification": IDENT, "rectification": {"reason": REASON}})
    child = {**IDENT, "birth_date": "2010-03-14"}
    with pytest.raises(FormInvalid) as minor:  # the child rules: a consent given by herself, first
        wf.fire(ref, "rectify_identification", SUP, {"identification": child,
                                                     "rectification": {"reason": REASON}})
    said = minor.value.errors["rectification.reason"]
    assert "moins de 18 ans" in said.text("fr") and "under 18" in said.text("en")
    older = {**IDENT, "birth_date": "1999-03-14"}
    res = wf.fire(ref, "rectify_identification", SUP, {"identification": older,
                                                      "rectification": {"reason": REASON}})
    assert res.from_state == res.to_state == "identified" and not res.started
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        assert case.data["identification"]["birth_date"] == "1999-03-14"
        ev = repository.trail(s, case)[-1]
        assert ev.data[KEY] == {"identification": {"birth_date": "2001-03-14"}}  # only what changed
    # a new immediate need re-fills its form each time: a new record, not a change (no « avant »)
    from ..engine.copies import IMMEDIATE
    wf.fire(ref, "refer_immediately", CW, IMMEDIATE)
    wf.fire(ref, "refer_immediately", CW, {**IMMEDIATE, "need": "housing"})
    with wf.sessions() as s:
        assert KEY not in repository.trail(s, repository.get_case(s, ref))[-1].data
    erase_case(wf, close_now(wf, ref), SUP, "demande de la personne")  # a closed case only (L9)
    with wf.sessions() as s:
        ev = next(e for e in repository.trail(s, repository.get_case(s, ref))
                  if e.trigger == "rectify_identification")
        assert "2001-03-14" not in json.dumps(ev.data) and "Acte de naissance" not in json.dumps(ev.data)


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
def test_a_2026_8_database_migrates_and_the_cli_rectifies(db_url, tmp_path):
    add_users(db_url)
    doc = parse(BF_SOP.read_text(encoding="utf-8"))
    assert doc["version"] == "2026.9"
    clock = SimulatedClock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC))
    db = make_engine(db_url)
    old = WorkflowEngine(db, clock, **TEST_DIRECTORY)
    old.load_sop(load_text(dump(as_2026_8(doc)), "mnr.yaml"))
    ref = to_referrals(old)
    db.dispose()

    assert mno(db_url, "sop", "load", str(BF_SOP)).exit_code == 0
    r = mno(db_url, "sop", "migrate", "mnr_bf@2026.8", "mnr_bf@2026.9", "--dry-run",
            "--as", "coord:coordinator")
    assert r.exit_code == 0 and ref in r.output, r.output
    r = mno(db_url, "sop", "migrate", "mnr_bf@2026.8", "mnr_bf@2026.9", "--as", "coord:coordinator")
    assert r.exit_code == 0, r.output

    payload = tmp_path / "rectif.json"
    payload.write_text(json.dumps({"identification": {**IDENT, "birth_date": "1999-03-14"},
                                   "rectification": {"reason": REASON}}), encoding="utf-8")
    r = mno(db_url, "case", "fire", ref, "rectify_identification", "--json", str(payload),
            "--as", "mariam.kabore:caseworker")
    assert r.exit_code == 0, r.output
    r = mno(db_url, "case", "show", ref)
    assert r.exit_code == 0, r.output
    assert "Rectifier l'identification" in r.output
    assert "↳ Date de naissance : 14/03/2001 → 14/03/1999" in r.output, r.output
    assert f"↳ Motif de la rectification : {REASON}" in r.output
    r = mno(db_url, "--lang", "en", "case", "show", ref)
    assert "Rectify identification" in r.output and "↳ Date of birth: 14/03/2001 → 14/03/1999" in r.output
    out = tmp_path / "p.html"
    r = mno(db_url, "case", "export-person", ref, "-o", str(out), "--as", "coord:coordinator")
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    assert "Avant → après" in page and "14/03/2001 → 14/03/1999" in page
    # the kept values are sealed like any value: the trail verifies and replays, before and after
    # an erasure that replaced them by tombstones
    r = mno(db_url, "audit", "verify")
    assert r.exit_code == 0, r.output
    close_now(old, ref)  # erasure needs a closed case (tryout 9, L9)
    r = mno(db_url, "case", "erase", ref, "--reason", "Demande de la personne",
            "--as", "idrissa.sanou:supervisor")
    assert r.exit_code == 0, r.output
    r = mno(db_url, "audit", "verify")
    assert r.exit_code == 0, r.output
    r = mno(db_url, "case", "show", ref)
    assert "14/03/2001" not in r.output and "14/03/1999" not in r.output and REASON not in r.output
