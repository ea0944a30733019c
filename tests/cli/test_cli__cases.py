"""The `mno` command line on a real SQLite file: cases, refusals, audit verify and the demo."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app

from ..conftest import BF_SOP, ROOT
from .users import add_users

runner = CliRunner()


def mno(db_url, *args):
    result = runner.invoke(app, ["--db", db_url, *args])
    assert "Traceback" not in result.output
    return result


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
def test_case_lifecycle_from_the_command_line(db_url, tmp_path):
    add_users(db_url)  # --as names existing users (issue 16)
    r = mno(db_url, "case", "create", "--sop", str(BF_SOP), "--as", "awa:caseworker")
    assert r.exit_code == 0, r.output
    ref = r.stdout.strip()
    assert ref == "MNR-BF-000001"
    r = mno(db_url, "case", "fire", ref, "register", "--as", "awa:caseworker",
            "--data", "first_name=Zoé", "--data", "last_name=Kaboré", "--data", "sex=female",
            "--data", "estimated_age=30", "--data", "return_date=2025-01-10", "--data", "region=kadiogo",
            "--data", "vulnerabilities=pregnant_woman,disability")
    assert r.exit_code == 0, r.output
    assert "Accueil et dépistage → Dossier enregistré" in r.stdout
    assert "+ Consentement éclairé [consent:1]" in r.stdout
    consent = tmp_path / "consent.json"
    consent.write_text(json.dumps({"given": True, "given_by": "self", "consent_date": "2025-01-10",
                                   "channel": "verbal", "data_categories": ["identity"],
                                   "share_with": ["service_provider"], "purposes": ["referral"]}))
    r = mno(db_url, "case", "fire", ref, "record_consent", "--as", "awa:caseworker", "--json", str(consent))
    assert r.exit_code == 0, r.output

    r = mno(db_url, "case", "show", ref, "--format", "json")
    shown = json.loads(r.stdout)
    assert shown["version"] == 3
    assert shown["data"]["identification"]["vulnerabilities"] == ["pregnant_woman", "disability"]
    assert [e["action"] for e in shown["audit"]] == ["create", "fire", "fire"]
    assert {(s["step"], s["state"]) for s in shown["steps"]} == {  # + immediate needs (issue 13)
        ("identification", "identified"), ("consent", "given"), ("needs_assessment", "in_progress"),
        ("immediate", "available")}

    r = mno(db_url, "case", "show", ref)
    assert "Nom : Zoé Kaboré" in r.stdout and "Journal d'audit" in r.stdout

    r = mno(db_url, "case", "list", "--search", "KABORE", "--format", "json")
    assert [c["reference"] for c in json.loads(r.stdout)] == [ref]
    r = mno(db_url, "case", "list", "--search", "nobody")
    assert r.stdout.strip() == ""

    r = mno(db_url, "audit", "verify")
    assert r.exit_code == 0 and "1 dossier vérifié, 0 problème" in r.stdout


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
def test_refusals_are_one_clear_message_and_exit_1(db_url):
    add_users(db_url)  # --as names existing users (issue 16)
    ref = mno(db_url, "case", "create", "--sop", str(BF_SOP), "--as", "awa:caseworker").stdout.strip()
    r = mno(db_url, "case", "fire", ref, "register", "--as", "awa:caseworker",
            "--data", "birth_date=2025-02-30")
    assert r.exit_code == 1
    assert "form_invalid" not in r.output and "birth_date: Date invalide" in r.output
    assert "  region: Ce champ est obligatoire." in r.output
    r = mno(db_url, "case", "fire", ref, "approve_closure", "--as", "sup:supervisor")
    assert r.exit_code == 1 and "impossible dans l'état actuel" in r.output
    assert "trigger_not_allowed" not in r.output  # words, not the key
    r = mno(db_url, "--lang", "en", "case", "fire", ref, "approve_closure", "--as", "sup:supervisor")
    assert "is not allowed in the current state" in r.output
    r = mno(db_url, "case", "fire", ref, "register", "--as", "bob:caseworker", "--data", "sex=male")
    # the web's rule on the CLI too (tryout 3, F30): a case manager acts on the cases assigned to them
    assert r.exit_code == 1 and "hors de votre portée (attribué à awa, pas à vous)" in r.output
    assert "role_not_allowed" not in r.output
    r = mno(db_url, "case", "fire", ref, "register", "--as", "nocolon")
    assert r.exit_code == 2
    r = mno(db_url, "case", "fire", "MNR-BF-000042", "register", "--as", "awa:caseworker")
    assert r.exit_code == 1 and "Dossier introuvable" in r.output and "case_not_found" not in r.output
    r = mno(db_url, "case", "show", ref, "--format", "json")
    assert json.loads(r.stdout)["version"] == 1  # nothing was written


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
def test_invalid_sop_on_case_create(db_url, tmp_path):
    add_users(db_url)  # --as names existing users (issue 16)
    bad = tmp_path / "bad.yaml"
    bad.write_text(BF_SOP.read_text(encoding="utf-8").replace("to: sent\n", "to: envoye\n", 1),
                   encoding="utf-8")
    r = mno(db_url, "--lang", "en", "case", "create", "--sop", str(bad), "--as", "awa:caseworker")
    assert r.exit_code == 1
    assert f"{bad}:" in r.output and "E020 unknown state 'envoye'" in r.output
    r = mno(db_url, "case", "create", "--sop", str(bad), "--as", "awa:caseworker")  # French by default
    assert r.exit_code == 1 and "E020 état inconnu : 'envoye'" in r.output, r.output


def test_changed_sop_with_same_version_is_refused(db_url, tmp_path):
    assert mno(db_url, "sop", "load", str(BF_SOP)).exit_code == 0
    assert mno(db_url, "sop", "load", str(BF_SOP)).exit_code == 0  # idempotent
    changed = tmp_path / "mnr.yaml"
    changed.write_text(BF_SOP.read_text(encoding="utf-8").replace("within: 30 days", "within: 31 days"),
                       encoding="utf-8")
    r = mno(db_url, "sop", "load", str(changed))
    assert r.exit_code == 1 and "changez le numéro de version" in r.output


def test_unreachable_database_is_a_clear_error(tmp_path):
    r = runner.invoke(app, ["--db", f"sqlite:///{tmp_path}/missing/dir/x.db", "case", "create", "--as",
                            "system:caseworker"])  # case list, read-only, says « Aucune base de données ici »
    assert r.exit_code == 1 and "Base de données inaccessible" in r.output
    assert "Traceback" not in r.output


def test_demo_runs_to_closure_as_installed_command(tmp_path):
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    out = subprocess.run([sys.executable, "-m", "mno_workflow", "--db", db, "demo"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[-1].strip() == "↳ Dossier clos"
    assert "Refuser avec un motif" in out.stdout and "Référer à un autre prestataire" in out.stdout
    # chosen by matching, shown by name (issue 18: no organisation or user ids)
    assert "→ Association Écoute et soutien psychosocial (fictive)" in out.stdout
    assert "→ Centre de formation professionnelle de Bobo-Dioulasso (illustratif)" in out.stdout
    assert "→ org-" not in out.stdout and "@ org-" not in out.stdout and "mariam.kabore (" not in out.stdout
    assert "Mariam Kaboré (Gestionnaire de cas)" in out.stdout
    assert "29 services importés" in out.stdout
    verify = subprocess.run([sys.executable, "-m", "mno_workflow", "--db", db, "audit", "verify"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert verify.returncode == 0 and "0 problème" in verify.stdout


def test_user_add_hashes_the_password_and_checks_the_role(db_url):
    from sqlalchemy import create_engine, text
    assert mno(db_url, "sop", "load", str(BF_SOP)).exit_code == 0
    r = runner.invoke(app, ["--db", db_url, "user", "add", "awa", "--role", "casewroker", "--name", "Awa",
                            "--password-stdin"], input="un-mot-de-passe-long\n")
    assert r.exit_code == 1 and "Rôle inconnu" in r.output
    for accepted in ("caseworker", "me_officer", "sop_author", "trainer"):  # every role (tryout 4, G21)
        assert accepted in r.output, r.output
    r = runner.invoke(app, ["--db", db_url, "user", "add", "focal", "--role", "provider", "--name", "F",
                            "--password-stdin"], input="un-mot-de-passe-long\n")
    assert r.exit_code == 1 and "--organisation" in r.output
    r = runner.invoke(app, ["--db", db_url, "user", "add", "awa", "--role", "caseworker", "--name", "Awa",
                            "--password-stdin"], input="court\n")
    assert r.exit_code == 1 and "trop court" in r.output
    r = runner.invoke(app, ["--db", db_url, "user", "add", "awa", "--role", "caseworker", "--name", "Awa",
                            "--region", "kadiogo", "--password-stdin"], input="un-mot-de-passe-long\n")
    assert r.exit_code == 0, r.output
    with create_engine(db_url).connect() as conn:
        stored = conn.execute(text("SELECT password_hash, region FROM users WHERE id = 'awa'")).one()
    assert stored[0].startswith("$argon2") and "un-mot-de-passe-long" not in stored[0]
    assert stored[1] == "kadiogo"
