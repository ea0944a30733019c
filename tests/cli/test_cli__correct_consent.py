"""Tryout 2 #17 on the command line (SQLite file and PostgreSQL): ``mno case correct`` refuses to
put a refused consent in « donné » without the consent form, in one sentence naming the data and
the action (French and English); ``mno case fire … send`` on a case whose consent data is missing
says that data is missing, never the guard's expression nor « erreur de la POS »."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.store import repository
from mno_workflow.store.base import make_engine

from ..conftest import TEST_DIRECTORY
from ..engine.helpers import CW, IDENT, to_referrals
from .users import add_users

runner = CliRunner()


def mno(db_url, *args):
    result = runner.invoke(app, ["--db", db_url, *args])
    assert "Traceback" not in result.output
    return result


def engine(db_url, bf_loaded) -> WorkflowEngine:
    wf = WorkflowEngine(make_engine(db_url), SimulatedClock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC)),
                        **TEST_DIRECTORY)
    wf.load_sop(bf_loaded)
    return wf


@pytest.mark.migrated  # its first act is add_users(db_url): an Alembic upgrade
def test_correct_refuses_a_consent_without_its_form_and_fire_says_data_is_missing(db_url, bf_loaded):
    add_users(db_url)
    wf = engine(db_url, bf_loaded)
    refused = wf.create_case("mnr_bf", CW)
    wf.fire(refused, "register", CW, IDENT)
    wf.fire(refused, "record_refusal", CW, {"refused_on": "2025-06-02", "given_by": "self"})
    lost = to_referrals(wf)
    with wf.sessions.begin() as s:  # « donné » without the consent form (a correction before the fix)
        case = repository.get_case(s, lost)
        case.data = {k: v for k, v in case.data.items() if k != "consent"}
    wf.sessions.kw["bind"].dispose()

    r = mno(db_url, "case", "correct", refused, "--step", "consent", "--state", "given",
            "--reason", "Erreur de saisie", "--as", "coord:coordinator")
    assert r.exit_code == 1
    assert r.output.strip() == (
        "erreur : Correction impossible vers « Consentement donné » (Consentement éclairé) : le dossier "
        "n'a pas les données que cet état suppose — « Consentement éclairé », enregistré par l'action "
        "« Enregistrer le consentement ». Faites cette action à la place.")
    r = mno(db_url, "--lang", "en", "case", "correct", refused, "--step", "consent", "--state", "overridden",
            "--reason", "typo", "--as", "coord:coordinator")
    assert r.exit_code == 1 and "Cannot correct to 'Overridden (without consent)'" in r.output
    assert "'Override consent (with reason)'" in r.output and "Formulaire" not in r.output

    r = mno(db_url, "case", "fire", lost, "send", "--as", "mariam.kabore:caseworker",
            "--instance", "referral:psychosocial", "--data", "provider=ong_a", "--data", "priority=normal",
            "--data", "referral_date=2025-06-02", "--data", "channel=system")
    assert r.exit_code == 1, r.output
    assert "Le consentement ne couvre pas le partage avec un prestataire pour un référencement." in r.output
    assert "Une donnée nécessaire manque au dossier" in r.output and "(Consentement éclairé)" in r.output
    assert "consent.purposes" not in r.output and "POS" not in r.output
