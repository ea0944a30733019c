"""A new user's tryout of the command line (issue 18): ``mno case list`` prints a header and the
SOP's labels in the ``--lang`` language (codes only in ``--format json``); ``--as`` with a user of
another role or organisation is not « unknown user » but says which role (by its name) and which
command; an action refused to a role names the role by its name."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.store.base import make_engine
from mno_workflow.store.models import User

from ..conftest import BF_SOP
from .users import add_users

runner = CliRunner()
IDENT = ["--data", "first_name=Zoé", "--data", "last_name=Kaboré", "--data", "sex=female",
         "--data", "estimated_age=30", "--data", "return_date=2025-01-10", "--data", "region=kadiogo"]
PEOPLE = [("awa", "caseworker", None, "kadiogo"), ("sup", "supervisor", None, None),
          ("focal.cfp", "provider", "org-cfp", None)]


def mno(db_url, *args):
    r = runner.invoke(app, ["--db", db_url, *args])
    assert "Traceback" not in r.output, r.output
    return r


@pytest.fixture
def one_case(tmp_path):
    """A SQLite file with the users above and one registered case: ``(db_url, reference)``."""
    db_url = f"sqlite:///{tmp_path / 'tryout.db'}"
    add_users(db_url, PEOPLE)
    engine = make_engine(db_url)
    with engine.begin() as c:
        c.execute(update(User).where(User.id == "awa").values(display_name="Awa Ouédraogo"))
    engine.dispose()
    ref = mno(db_url, "case", "create", "--sop", str(BF_SOP), "--as", "awa:caseworker").stdout.strip()
    assert mno(db_url, "case", "fire", ref, "register", "--as", "awa:caseworker", *IDENT).exit_code == 0
    return db_url, ref


@pytest.mark.migrated
@pytest.mark.parametrize("lang, header, words, codes", [
    ("fr", ["Référence", "État du dossier", "Nom", "Région", "Gestionnaire", "Étapes en cours"],
     ["ouvert", "Kadiogo", "Consentement éclairé : ", " ; "], ["open", "consent:1", "kadiogo\t"]),
    ("en", ["Reference", "Case status", "Name", "Region", "Case manager", "Open steps"],
     ["open", "Kadiogo", "Informed consent: ", "; "], ["ouvert", "consent:1", "kadiogo\t"]),
])
def test_case_list_has_a_header_and_words_in_the_chosen_language(one_case, lang, header, words, codes):
    db_url, ref = one_case
    r = mno(db_url, "--lang", lang, "case", "list")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0].split("\t") == header
    row = lines[1].split("\t")
    assert row[0] == ref and row[2] == "Zoé Kaboré" and row[4] == "Awa Ouédraogo"  # the assignee by name
    for word in words:
        assert word in lines[1], (word, lines[1])
    for code in codes:
        assert code not in lines[1], (code, lines[1])
    shown = json.loads(mno(db_url, "--lang", lang, "case", "list", "--format", "json").stdout)
    assert shown[0]["status"] == "open" and shown[0]["region"] == "kadiogo"  # codes, for scripts
    assert any(s.startswith("consent:1=") for s in shown[0]["open_steps"])


@pytest.mark.migrated
@pytest.mark.parametrize("lang, wrong_role, wrong_org, not_allowed", [
    ("fr", "« awa » a le rôle « Gestionnaire de cas » (caseworker), pas « Superviseur » (supervisor) : "
           "« mno case create » refusé ; agissez en tant que « --as awa:caseworker ».",
     "« focal.cfp » est de l'organisation « org-cfp », pas « org-x » : « mno case fire » refusé.",
     "dossier hors de votre portée (aucun référencement adressé à votre organisation) ; rien n'a été fait."),
    ("en", "'awa' has the role 'Case manager' (caseworker), not 'Supervisor' (supervisor): "
           "'mno case create' refused; act as '--as awa:caseworker'.",
     "'focal.cfp' belongs to the organisation 'org-cfp', not 'org-x': 'mno case fire' refused.",
     "case out of your reach (no referral addressed to your organisation); nothing was done."),
])
def test_as_with_another_role_is_not_an_unknown_user(one_case, lang, wrong_role, wrong_org, not_allowed):
    db_url, ref = one_case
    r = mno(db_url, "--lang", lang, "case", "create", "--as", "awa:supervisor")
    assert r.exit_code == 1 and r.stderr.strip().endswith(wrong_role), r.stderr
    r = mno(db_url, "--lang", lang, "case", "fire", ref, "accept", "--as", "focal.cfp:provider@org-x")
    assert r.exit_code == 1 and r.stderr.strip().endswith(wrong_org), r.stderr
    r = mno(db_url, "--lang", lang, "case", "reassign", ref, "--to", "awa", "--reason", "x",
            "--as", "focal.cfp:provider")
    assert r.exit_code == 1 and r.stderr.strip().endswith(not_allowed), r.stderr
    r = mno(db_url, "--lang", lang, "case", "create", "--as", "ghost:caseworker")
    assert r.exit_code == 1 and "ghost" in r.stderr and "[unknown_user]" not in r.stderr  # words, no key
