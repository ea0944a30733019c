"""First responders on the command line (issue 13, item 5; SQLite file and PostgreSQL): ``mno user
add --role first_responder --org``, ``mno alert create`` (per-field errors in French and English,
nothing written; the case goes to the region's case manager) and ``mno alert list`` (status only),
and a first responder kept out of ``mno case create``."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app

from ..conftest import BF_SOP
from .users import PEOPLE, add_users

runner = CliRunner()
AS = ("--as", "agent.fds:first_responder@fds-poste-seytenga")
GOOD = ["--data", "description=Jeune homme, chemise bleue", "--data", "sex=male",
        "--data", "estimated_age=20", "--data", "region=kadiogo", "--data", "place=Ouaga, gare routière",
        "--data", "met_on=2025-01-10", "--data", "contact_way=phone,through_reporter",
        "--data", "phone=+226 70 00 00 07", "--data", "contact_agreed=true"]


def mno(db_url, *args, **kw):
    result = runner.invoke(app, ["--db", db_url, *args], **kw)
    assert "Traceback" not in result.output
    return result


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
def test_user_add_first_responder_needs_an_organisation(db_url):
    add_users(db_url)
    mno(db_url, "sop", "load", str(BF_SOP))  # the role is checked against the loaded SOPs
    r = mno(db_url, "user", "add", "agent.cnvs", "--role", "first_responder", "--name", "Agent CNVS",
            "--password-stdin", input="motdepasse-long\n")
    assert r.exit_code == 1 and "--org est obligatoire" in r.output
    r = mno(db_url, "user", "add", "agent.cnvs", "--role", "first_responder", "--name", "Agent CNVS",
            "--org", "cnvs-dori", "--password-stdin", input="motdepasse-long\n")
    assert r.exit_code == 0, r.output
    listed = mno(db_url, "alert", "list", "--as", "agent.cnvs:first_responder@cnvs-dori")
    assert listed.exit_code == 0 and "Aucun signalement" in listed.output


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
def test_alert_create_list_and_take_up(db_url):
    add_users(db_url, PEOPLE + [("agent.fds", "first_responder", "fds-poste-seytenga", None)])
    mno(db_url, "sop", "load", str(BF_SOP))
    bad = ["--data", "sex=male", "--data", "place=Dori", "--data", "met_on=2999-01-01",
           "--data", "contact_agreed=true"]
    r = mno(db_url, "alert", "create", *AS, *bad)
    assert r.exit_code == 1 and "Formulaire invalide" in r.output
    assert "region: Ce champ est obligatoire" in r.output and "contact_way:" in r.output
    assert "met_on: La date ne peut pas être dans le futur" in r.output
    r = mno(db_url, "--lang", "en", "alert", "create", *AS, *bad)
    assert r.exit_code == 1 and "region: This field is required" in r.output
    assert json.loads(mno(db_url, "alert", "list", *AS, "--format", "json").stdout) == []  # nothing written
    r = mno(db_url, "alert", "create", *AS, *GOOD, "--format", "json")
    assert r.exit_code == 0, r.output
    filed = json.loads(r.stdout)
    assert (filed["assignee"], filed["assignment"]) == ("mariam.kabore", "least_loaded")
    ref = filed["reference"]
    listed = mno(db_url, "alert", "list", *AS)
    assert ref in listed.output and "Reçu" in listed.output and "chemise" not in listed.output
    assert "Received" in mno(db_url, "--lang", "en", "alert", "list", *AS).output
    r = mno(db_url, "case", "fire", ref, "take_up", "--as", "mariam.kabore:caseworker",
            "--data", "contacted_on=2025-01-10", "--data", "mode=phone")
    assert r.exit_code == 0, r.output
    rows = json.loads(mno(db_url, "alert", "list", *AS, "--format", "json").stdout)
    assert [(x["reference"], x["status"]) for x in rows] == [(ref, "taken_up")]
    shown = json.loads(mno(db_url, "case", "show", ref, "--format", "json").stdout)
    assert ("identification", "screening") in {(s["step"], s["state"]) for s in shown["steps"]}


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
def test_roles_are_kept_to_their_path(db_url):
    add_users(db_url, PEOPLE + [("agent.fds", "first_responder", "fds-poste-seytenga", None)])
    mno(db_url, "sop", "load", str(BF_SOP))
    r = mno(db_url, "case", "create", "--sop", str(BF_SOP), *AS)
    assert r.exit_code == 1 and "ne peut pas" in r.output and "role_not_allowed" not in r.output
    r = mno(db_url, "alert", "create", "--as", "mariam.kabore:caseworker", *GOOD)
    assert r.exit_code == 1 and "ne peut pas transmettre de signalement" in r.output
    # no case manager in Tapoa: a supervisor without region (national) receives it
    tapoa = [g.replace("kadiogo", "tapoa") for g in GOOD]
    r = mno(db_url, "alert", "create", *AS, *tapoa, "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["assignment"] == "fallback_national"
    assert json.loads(r.stdout)["assignee"] in ("idrissa", "sup")
