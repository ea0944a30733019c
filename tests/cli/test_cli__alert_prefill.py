"""``mno case fire`` on a case opened by an alert takes the alert's values for the fields it is not
given, as the page and the API do (engine/prefill.py; issue 13 review); ``--no-prefill`` turns it
off; ``mno case prefill`` shows them (SQLite file and PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app

from ..conftest import BF_SOP
from .test_cli__alerts import AS
from .users import PEOPLE, add_users

runner = CliRunner()
ALERT = ["--data", "first_name=Moussa", "--data", "last_name=Zongo", "--data", "sex=male",
         "--data", "estimated_age=31", "--data", "region=kadiogo", "--data", "place=Ouaga, gare routière",
         "--data", "met_on=2025-01-10", "--data", "contact_way=phone",
         "--data", "phone=+226 70 00 00 07", "--data", "contact_agreed=true"]
CW = ("--as", "mariam.kabore:caseworker")


def mno(db_url, *args, **kw):
    result = runner.invoke(app, ["--db", db_url, *args], **kw)
    assert "Traceback" not in result.output
    return result


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
def test_case_fire_register_takes_the_alerts_values(db_url):
    add_users(db_url, PEOPLE + [("agent.fds", "first_responder", "fds-poste-seytenga", None)])
    mno(db_url, "sop", "load", str(BF_SOP))
    ref = json.loads(mno(db_url, "alert", "create", *AS, *ALERT, "--format", "json").stdout)["reference"]
    r = mno(db_url, "case", "fire", ref, "take_up", *CW, "--data", "contacted_on=2025-01-10",
            "--data", "mode=phone")
    assert r.exit_code == 0, r.output
    shown = json.loads(mno(db_url, "case", "prefill", ref, "register", *CW).stdout)
    assert shown == {"identification": {
        "first_name": "Moussa", "last_name": "Zongo", "sex": "male", "estimated_age": 31,
        "region": "kadiogo", "commune": "Ouaga, gare routière", "phone": "+226 70 00 00 07"}}
    off = mno(db_url, "case", "fire", ref, "register", *CW, "--no-prefill",
              "--data", "return_date=2025-01-09")
    assert off.exit_code == 1 and "Formulaire invalide" in off.output and "first_name" in off.output
    r = mno(db_url, "case", "fire", ref, "register", *CW, "--data", "return_date=2025-01-09",
            "--data", "first_name=Moussa A.")
    assert r.exit_code == 0, r.output
    assert "Pré-rempli depuis le signalement (identification) : " in r.output
    assert "last_name" in r.output and "first_name" not in r.output.split("Pré-rempli")[1]
    case = json.loads(mno(db_url, "case", "show", ref, "--format", "json").stdout)
    ident = case["data"]["identification"]
    assert (ident["first_name"], ident["last_name"], ident["commune"]) == ("Moussa A.", "Zongo",
                                                                          "Ouaga, gare routière")


@pytest.mark.migrated
def test_case_fire_register_ticks_the_alerts_child_flag(db_url):
    """Tryout 7, J8: the alert's « Enfant seul ou séparé » ticks « Enfant non accompagné »
    (``prefill_choices``) in ``mno case prefill`` and ``mno case fire``, as on the page and the API."""
    add_users(db_url, PEOPLE + [("agent.fds", "first_responder", "fds-poste-seytenga", None)])
    mno(db_url, "sop", "load", str(BF_SOP))
    child = [a.replace("estimated_age=31", "estimated_age=16") for a in ALERT]
    child += ["--data", "urgency=child_alone"]
    ref = json.loads(mno(db_url, "alert", "create", *AS, *child, "--format", "json").stdout)["reference"]
    mno(db_url, "case", "fire", ref, "take_up", *CW, "--data", "contacted_on=2025-01-10",
        "--data", "mode=phone")
    shown = json.loads(mno(db_url, "case", "prefill", ref, "register", *CW).stdout)
    assert shown["identification"]["vulnerabilities"] == ["unaccompanied_child"]
    r = mno(db_url, "case", "fire", ref, "register", *CW, "--data", "return_date=2025-01-09")
    assert r.exit_code == 0 and "vulnerabilities" in r.output.split("Pré-rempli")[1], r.output
    case = json.loads(mno(db_url, "case", "show", ref, "--format", "json").stdout)
    assert case["data"]["identification"]["vulnerabilities"] == ["unaccompanied_child"]
