"""``mno alert list`` tells the first responder why an alert was closed (issue 13 review): the
reason, the date and the role of who closed it, in French then English; JSON adds ``closure``
(SQLite file and PostgreSQL). Nothing of the closure's note, nor the name of who closed it."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app

from ..conftest import BF_SOP
from .test_cli__alerts import AS, GOOD
from .users import PEOPLE, add_users

runner = CliRunner()


def mno(db_url, *args, **kw):
    result = runner.invoke(app, ["--db", db_url, *args], **kw)
    assert "Traceback" not in result.output
    return result


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
def test_alert_list_shows_the_closure_reason(db_url):
    add_users(db_url, PEOPLE + [("agent.fds", "first_responder", "fds-poste-seytenga", None)])
    mno(db_url, "sop", "load", str(BF_SOP))
    ref = json.loads(mno(db_url, "alert", "create", *AS, *GOOD, "--format", "json").stdout)["reference"]
    r = mno(db_url, "case", "fire", ref, "close_alert", "--as", "mariam.kabore:caseworker",
            "--data", "reason=declined_contact", "--data", "note=Ne veut pas (note interne)")
    assert r.exit_code == 0, r.output
    text = mno(db_url, "alert", "list", *AS).output
    assert "Clos le" in text and "par : Gestionnaire de cas." in text
    assert "Motif : La personne ne souhaite plus être contactée." in text
    assert "mariam" not in text and "note interne" not in text
    en = mno(db_url, "--lang", "en", "alert", "list", *AS).output
    assert "The person no longer wishes to be contacted" in en
    (row,) = json.loads(mno(db_url, "alert", "list", *AS, "--format", "json").stdout)
    assert row["status"] == "closed"
    assert {k: row["closure"][k] for k in ("kind", "reason", "by_role", "reason_label")} == {
        "kind": "closed", "reason": "declined_contact", "by_role": "caseworker",
        "reason_label": "La personne ne souhaite plus être contactée"}
