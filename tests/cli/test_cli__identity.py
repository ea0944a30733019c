"""CLI identity (issue 16): ``--as`` names an existing user with that role and organisation,
``--as system[:ROLE]`` is explicit and recorded as such, every event records ``via: cli`` and the
operating-system user; ``reassign --to`` checks the target like the API; ``case reopen``."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.cli_identity import os_user
from mno_workflow.store.base import make_engine
from mno_workflow.store.models import AuditEvent

from ..conftest import BF_SOP
from .users import add_users

runner = CliRunner()
IDENT = ["--data", "first_name=Zoé", "--data", "last_name=Kaboré", "--data", "sex=female",
         "--data", "estimated_age=30", "--data", "return_date=2025-01-10", "--data", "region=kadiogo"]
PEOPLE = [("awa", "caseworker", None, "kadiogo"), ("awa.yaadga", "caseworker", None, "yaadga"),
          ("ines", "caseworker", None, "kadiogo"), ("sup", "supervisor", None, None),
          ("focal.cfp", "provider", "org-cfp", None), ("ghost.old", "caseworker", None, None)]


def mno(db_url, *args):
    r = runner.invoke(app, ["--db", db_url, *args])
    assert "Traceback" not in r.output, r.output
    return r


def events(db_url):
    engine = make_engine(db_url)
    try:
        with engine.connect() as c:
            return list(c.execute(select(AuditEvent.seq, AuditEvent.actor, AuditEvent.role,
                                         AuditEvent.organisation, AuditEvent.via, AuditEvent.os_user,
                                         AuditEvent.action).order_by(AuditEvent.id)))
    finally:
        engine.dispose()


def _deactivate(db_url, uid):
    from sqlalchemy import update

    from mno_workflow.store.models import User
    engine = make_engine(db_url)
    with engine.begin() as c:
        c.execute(update(User).where(User.id == uid).values(active=False))
    engine.dispose()


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
def test_as_must_name_an_existing_user_with_that_role_and_organisation(db_url):
    add_users(db_url, PEOPLE)
    _deactivate(db_url, "ghost.old")
    r = mno(db_url, "case", "create", "--sop", str(BF_SOP), "--as", "ghost.user:caseworker")
    assert r.exit_code == 1 and "unknown_user" not in r.stderr and "mno user add" in r.stderr
    assert mno(db_url, "case", "create", "--as", "ghost.old:caseworker").exit_code == 1  # deactivated
    r = mno(db_url, "case", "create", "--as", "awa:supervisor")
    assert r.exit_code == 1 and "[wrong_role]" not in r.stderr
    assert "a le rôle « Gestionnaire de cas » (caseworker), pas « Superviseur » (supervisor)" in r.stderr
    r = mno(db_url, "case", "create", "--sop", str(BF_SOP), "--as", "awa:caseworker")
    assert r.exit_code == 0, r.output
    ref = r.stdout.strip()
    assert mno(db_url, "case", "fire", ref, "register", "--as", "awa:caseworker", *IDENT).exit_code == 0
    r = mno(db_url, "case", "fire", ref, "accept", "--as", "focal.cfp:provider@org-ghost")
    assert r.exit_code == 1 and "est de l'organisation « org-cfp », pas « org-ghost »" in r.stderr
    r = mno(db_url, "--lang", "en", "case", "fire", ref, "accept", "--as", "ghost.user:provider@org-cfp")
    assert r.exit_code == 1 and "Unknown or deactivated user 'ghost.user'" in r.stderr
    assert [e.seq for e in events(db_url)] == [1, 2]  # nothing written by the refused ones
    # every event the CLI wrote says so, with the operating-system account
    assert {(e.via, e.os_user) for e in events(db_url)} == {("cli", os_user())}
    assert mno(db_url, "audit", "verify").exit_code == 0


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
def test_as_system_is_explicit_and_recorded_as_system(db_url):
    add_users(db_url, PEOPLE)
    r = mno(db_url, "case", "create", "--sop", str(BF_SOP), "--as", "system:supervisor")
    assert r.exit_code == 0, r.output
    ref = r.stdout.strip()
    r = mno(db_url, "case", "fire", ref, "register", "--as", "system", *IDENT)
    assert r.exit_code == 1 and "Le rôle « system » ne peut pas" in r.stderr  # the bare system role: nothing
    assert "role_not_allowed" not in r.stderr  # words, not the key
    first = events(db_url)[0]
    assert (first.actor, first.role, first.via, first.os_user) == ("system", "supervisor", "cli", os_user())
    r = mno(db_url, "case", "show", ref, "--format", "json")
    assert json.loads(r.stdout)["assignee"] == "system"


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
def test_reassign_checks_the_target_like_the_api_and_reopen_exists(db_url, tmp_path):
    add_users(db_url, PEOPLE)
    ref = mno(db_url, "case", "create", "--sop", str(BF_SOP), "--as", "awa:caseworker").stdout.strip()
    assert mno(db_url, "case", "fire", ref, "register", "--as", "awa:caseworker", *IDENT).exit_code == 0
    for target, message in [("nobody.here", "n'est pas un gestionnaire de cas actif"),
                            ("sup", "n'est pas un gestionnaire de cas actif"),
                            ("focal.cfp", "n'est pas un gestionnaire de cas actif"),
                            ("awa.yaadga", "n'est pas de la région de : " + ref)]:
        r = mno(db_url, "case", "reassign", ref, "--to", target, "--reason", "congé",
                "--as", "sup:supervisor")
        assert r.exit_code == 1 and "bad_assignee" not in r.stderr and message in r.stderr, (target, r.output)
    r = mno(db_url, "case", "reassign", ref, "--to", "ines", "--reason", "congé", "--as", "sup:supervisor")
    assert r.exit_code == 0 and "1 dossier réattribué à ines" in r.stdout
    plan = tmp_path / "plan.json"
    plan.write_text('{"assessed_on": "2025-01-10", "risk_level": "low", "needs": [{"dimension": '
                    '"economic", "need": "cash", "referral_needed": false}]}', encoding="utf-8")
    # close the case (consent refused, then — issue 13: a refusal no longer closes the case — the
    # direct-assistance path: assessment, plan, a visit, end of follow-up), then reopen it
    for trig, who, data in [("record_refusal", "ines:caseworker", ["--data", "refused_on=2025-01-10",
                                                                   "--data", "given_by=self"]),
                            ("submit_assessment", "ines:caseworker", ["--json", str(plan)]),
                            ("approve_plan", "sup:supervisor", []),
                            ("record_visit", "ines:caseworker", [
                                "--data", "visit_date=2025-01-10", "--data", "contact_mode=phone",
                                "--data", "services_received=true", "--data", "risk_level=low"]),
                            ("end_follow_up", "ines:caseworker", []),
                            ("propose_closure", "ines:caseworker", ["--data", "reason=consent_refused",
                                                                    "--data", "closed_on=2025-01-10"]),
                            ("approve_closure", "sup:supervisor", [])]:
        r = mno(db_url, "case", "fire", ref, trig, "--as", who, *data)
        assert r.exit_code == 0, r.output
    r = mno(db_url, "case", "reopen", ref, "--reason", "  ", "--as", "sup:supervisor")
    assert r.exit_code == 1 and "Formulaire invalide" in r.stderr and "form_invalid" not in r.stderr
    r = mno(db_url, "case", "reopen", ref, "--reason", "nouvelle demande", "--as", "ines:caseworker")
    assert r.exit_code == 1 and "rôle" in r.stderr and "role_not_allowed" not in r.stderr
    r = mno(db_url, "case", "reopen", ref, "--reason", "nouvelle demande", "--as", "sup:supervisor")
    assert r.exit_code == 0 and "rouvert ; redémarre : follow_up:" in r.stdout, r.output
    assert events(db_url)[-1].action == "reopen"
    assert mno(db_url, "audit", "verify").exit_code == 0


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
def test_an_unreadable_audit_key_is_one_clear_error_and_nothing_is_written(db_url, tmp_path, monkeypatch):
    from mno_workflow.store.auditkey import forget_keys
    add_users(db_url, PEOPLE)
    monkeypatch.setenv("MNO_AUDIT_KEY_FILE", str(tmp_path / "missing.key"))
    forget_keys()
    r = mno(db_url, "case", "create", "--sop", str(BF_SOP), "--as", "awa:caseworker")
    assert r.exit_code == 1 and "audit_key: $MNO_AUDIT_KEY_FILE désigne" in r.stderr, r.output
    assert "rien n'a été enregistré" in r.stderr, r.output  # in French, the CLI's default language
    assert "clé d'audit absente ou illisible" in r.stderr and "audit key missing" not in r.stderr
    assert "Traceback" not in r.output
    r = mno(db_url, "--lang", "en", "case", "create", "--sop", str(BF_SOP), "--as", "awa:caseworker")
    assert r.exit_code == 1 and "audit key missing or unreadable, nothing was saved" in r.stderr, r.output
    assert "clé d'audit" not in r.stderr
    assert events(db_url) == []
    monkeypatch.delenv("MNO_AUDIT_KEY_FILE")
    forget_keys()
    assert mno(db_url, "case", "list").stdout.strip() == ""
