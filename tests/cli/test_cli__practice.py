"""Issue 13 on the command line (real SQLite file): an emergency referral at registration, refused
without a qualifying need (field error, nothing written), sent under a supervisor's vital-interests
override; the provider's answer recorded on its behalf, refused without channel and contact."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app

from ..conftest import BF_SOP
from .users import add_users

runner = CliRunner()


def mno(db_url, *args):
    result = runner.invoke(app, ["--db", db_url, *args])
    assert "Traceback" not in result.output
    return result


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
def test_emergency_referral_and_answer_on_behalf(db_url):
    add_users(db_url)
    ref = mno(db_url, "case", "create", "--sop", str(BF_SOP), "--as", "awa:caseworker").stdout.strip()
    r = mno(db_url, "case", "fire", ref, "register", "--as", "awa:caseworker",
            "--data", "first_name=Rasmata", "--data", "last_name=Kaboré", "--data", "sex=female",
            "--data", "estimated_age=30", "--data", "return_date=2025-01-10", "--data", "region=kadiogo")
    assert r.exit_code == 0, r.output
    r = mno(db_url, "case", "fire", ref, "refer_immediately", "--as", "awa:caseworker",
            "--data", "dimension=economic", "--data", "need=employment", "--data", "urgency=Sans ressources")
    assert r.exit_code == 1 and "Formulaire invalide" in r.output and "pas un besoin immédiat" in r.output
    r = mno(db_url, "--lang", "en", "case", "fire", ref, "refer_immediately", "--as", "awa:caseworker",
            "--data", "dimension=economic", "--data", "need=employment", "--data", "urgency=x")
    assert r.exit_code == 1 and "is not an immediate need" in r.output
    shown = json.loads(mno(db_url, "case", "show", ref, "--format", "json").stdout)
    assert not any(s["step"] == "referral" for s in shown["steps"])  # nothing written
    r = mno(db_url, "case", "fire", ref, "refer_immediately", "--as", "awa:caseworker",
            "--data", "dimension=social", "--data", "need=medical", "--data", "urgency=Blessure")
    assert r.exit_code == 0, r.output
    r = mno(db_url, "case", "fire", ref, "override_consent", "--as", "sup:supervisor",
            "--data", "legal_basis=vital_interests", "--data", "reason=Soins vitaux",
            "--data", "data_categories=identity,contact,needs,health", "--data", "share_with=health")
    assert r.exit_code == 0, r.output
    r = mno(db_url, "case", "fire", ref, "send", "--as", "awa:caseworker", "--instance", "referral:medical",
            "--data", "provider=org-csps", "--data", "priority=emergency",
            "--data", "referral_date=2025-01-10", "--data", "channel=phone")
    assert r.exit_code == 0, r.output
    r = mno(db_url, "case", "fire", ref, "record_acceptance", "--as", "awa:caseworker",
            "--instance", "referral:medical", "--data", "answered_at=2025-01-10T09:00:00Z")
    assert r.exit_code == 1 and "answer_channel" in r.output and "provider_contact" in r.output
    r = mno(db_url, "case", "fire", ref, "record_acceptance", "--as", "awa:caseworker",
            "--instance", "referral:medical", "--data", "answered_at=2025-01-10T09:00:00Z",
            "--data", "answer_channel=phone", "--data", "provider_contact=Major Kaboré")
    assert r.exit_code == 0, r.output
    shown = json.loads(mno(db_url, "case", "show", ref, "--format", "json").stdout)
    assert ("referral", "accepted") in {(s["step"], s["state"]) for s in shown["steps"]}
    assert shown["audit"][-1]["actor"] == "awa"


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
def test_refused_sharing_keeps_the_case_open_and_refuses_referrals(db_url):
    """Issue 13: after a refusal the case goes on (assessment started); a send or an immediate
    referral is refused with the consent named, in French and English; nothing is written."""
    add_users(db_url)
    ref = mno(db_url, "case", "create", "--sop", str(BF_SOP), "--as", "awa:caseworker").stdout.strip()
    assert mno(db_url, "case", "fire", ref, "register", "--as", "awa:caseworker",
               "--data", "first_name=Salif", "--data", "last_name=Zongo", "--data", "sex=male",
               "--data", "estimated_age=30", "--data", "return_date=2025-01-10",
               "--data", "region=kadiogo").exit_code == 0
    assert mno(db_url, "case", "fire", ref, "refer_immediately", "--as", "awa:caseworker",
               "--data", "dimension=social", "--data", "need=medical",
               "--data", "urgency=Fièvre").exit_code == 0
    r = mno(db_url, "case", "fire", ref, "record_refusal", "--as", "awa:caseworker",
            "--data", "refused_on=2025-01-10", "--data", "given_by=self")
    assert r.exit_code == 0, r.output
    before = json.loads(mno(db_url, "case", "show", ref, "--format", "json").stdout)
    assert before["status"] == "open"
    assert ("needs_assessment", "in_progress") in {(s["step"], s["state"]) for s in before["steps"]}
    r = mno(db_url, "case", "fire", ref, "send", "--as", "awa:caseworker", "--instance", "referral:medical",
            "--data", "provider=org-csps", "--data", "priority=emergency",
            "--data", "referral_date=2025-01-10", "--data", "channel=phone")
    assert r.exit_code == 1 and "consentement refusé" in r.output and "guard_not_met" not in r.output
    r = mno(db_url, "--lang", "en", "case", "fire", ref, "refer_immediately", "--as", "awa:caseworker",
            "--data", "dimension=social", "--data", "need=security", "--data", "urgency=Menaces")
    assert r.exit_code == 1 and "consent refused" in r.output and "direct assistance only" in r.output
    after = json.loads(mno(db_url, "case", "show", ref, "--format", "json").stdout)
    assert after["steps"] == before["steps"] and len(after["audit"]) == len(before["audit"])
