"""``mno case fire`` on an action with two forms (``form: [referral, appointment]``): ``--json``
takes one object per form, ``--data`` takes ``field=value`` or ``form.field=value``; a refusal
names the form and the field and writes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.store.base import make_engine
from mno_workflow.store.models import Case

from ..conftest import BF_SOP
from ..engine.multiform_sop import two_forms
from ..engine.sop_variants import variant
from ..web.helpers import case_with_referrals, referral
from .users import add_users

runner = CliRunner()


def mno(db_url, *args):
    result = runner.invoke(app, ["--db", db_url, "--lang", "en", *args])
    assert "Traceback" not in result.output
    return result


def _setup(db_url) -> str:
    add_users(db_url)
    db = make_engine(db_url)
    wf = WorkflowEngine(db, SimulatedClock(datetime.now(UTC)))
    wf.load_sop(variant(BF_SOP.read_text(encoding="utf-8"), "2099.9", two_forms))
    ref = case_with_referrals(wf, send=False)
    db.dispose()
    return ref


def _referral(db_url, ref, key):
    db = make_engine(db_url)
    try:
        with db.connect() as conn:
            from sqlalchemy.orm import Session
            with Session(bind=conn) as s:
                case = s.scalars(select(Case).where(Case.reference == ref)).one()
                inst = next(i for i in case.instances if i.label_key == key)
                return case.version, inst.state, dict(inst.data or {})
    finally:
        db.dispose()


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
def test_fire_with_json_one_object_per_form(db_url, tmp_path):
    ref = _setup(db_url)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"referral": referral("org-masn"), "appointment": {}}), encoding="utf-8")
    before = _referral(db_url, ref, "referral:cash")
    r = mno(db_url, "case", "fire", ref, "send", "--as", "mariam.kabore:caseworker",
            "--instance", "referral:cash", "--json", str(bad))
    assert r.exit_code != 0
    assert "appointment.appointment_date" in r.output
    assert _referral(db_url, ref, "referral:cash") == before
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"referral": referral("org-masn"), "appointment": {
        "appointment_date": "2025-06-10"}}), encoding="utf-8")
    r = mno(db_url, "case", "fire", ref, "send", "--as", "mariam.kabore:caseworker",
            "--instance", "referral:cash", "--json", str(good))
    assert r.exit_code == 0, r.output
    _, state, data = _referral(db_url, ref, "referral:cash")
    assert state == "sent" and data["appointment"] == {"appointment_date": "2025-06-10"}
    assert data["referral"]["provider"] == "org-masn"


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
def test_fire_with_data_field_or_form_dot_field(db_url):
    ref = _setup(db_url)
    args = [f"{k}={v}" for k, v in referral("org-csps").items()]
    r = mno(db_url, "case", "fire", ref, "send", "--as", "mariam.kabore:caseworker",
            "--instance", "referral:medical", *sum((["--data", a] for a in args), []),
            "--data", "appointment.appointment_date=2025-06-11", "--data", "escort=true")
    assert r.exit_code == 0, r.output
    _, state, data = _referral(db_url, ref, "referral:medical")
    assert state == "sent"
    assert data["appointment"] == {"appointment_date": "2025-06-11", "escort": True}
    assert data["referral"]["provider"] == "org-csps"
