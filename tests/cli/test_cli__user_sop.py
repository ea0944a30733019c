"""``mno user add|--update --sop`` ties an account to the SOP it works in (tryout 5, H24): an
unknown SOP is named with the known ones, ``--region`` is checked against that SOP's regions and,
without ``--sop`` in a database of several SOPs, chooses the SOP whose region list has it (a
region of several SOPs asks for ``--sop``); ``mno user list`` shows the SOP by its title (JSON:
a new ``sop`` key). ``mno user deactivate`` of a case manager who still holds open cases warns
with their number and the ``mno case reassign`` command (H26). French and English."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from mno_workflow.cli import app

from ..conftest import BF_SOP
from ..second_sop import sn_text

runner = CliRunner()
PASSWORD = "un-mot-de-passe-long\n"


def mno(db_url: str, *args: str, lang: str = "fr", **kw):
    r = runner.invoke(app, ["--db", db_url, "--lang", lang, *args], **kw)
    assert "Traceback" not in r.output
    return r


def add(db_url: str, uid: str, *args: str, lang: str = "fr"):
    return mno(db_url, "user", "add", uid, "--name", uid, "--password-stdin", *args, lang=lang,
               input=PASSWORD)


def sop_of(db_url: str, uid: str) -> str | None:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT sop_id FROM users WHERE id = :u"), {"u": uid}).scalar_one()
    finally:
        engine.dispose()


@pytest.fixture
def db(db_url, tmp_path):
    assert mno(db_url, "sop", "load", str(BF_SOP)).exit_code == 0
    (tmp_path / "mnr_sn.yaml").write_text(sn_text(), encoding="utf-8")
    assert mno(db_url, "sop", "load", str(tmp_path / "mnr_sn.yaml")).exit_code == 0
    return db_url


def test_sop_given_or_found_from_the_region(db):
    assert add(db, "sn.sup", "--role", "supervisor", "--sop", "mnr_sn").exit_code == 0
    assert sop_of(db, "sn.sup") == "mnr_sn"
    assert add(db, "sn.gest", "--role", "caseworker", "--region", "dakar").exit_code == 0
    assert sop_of(db, "sn.gest") == "mnr_sn"  # dakar: only the SN SOP lists it
    r = add(db, "sn.gest2", "--role", "caseworker", "--sop", "mnr_sn", "--region", "kadiogo")
    assert r.exit_code == 0, r.output
    assert sop_of(db, "sn.gest2") == "mnr_sn"
    assert add(db, "national", "--role", "coordinator").exit_code == 0
    assert sop_of(db, "national") is None  # no --sop, no region: every SOP (as before)
    r = mno(db, "user", "add", "sn.sup", "--update", "--sop", "all")
    assert r.exit_code == 0, r.output
    assert sop_of(db, "sn.sup") is None
    r = mno(db, "user", "add", "sn.sup", "--update", "--sop", "mnr_bf")
    assert r.exit_code == 0 and sop_of(db, "sn.sup") == "mnr_bf"
    r = mno(db, "user", "add", "sn.sup", "--update", "--name", "Moussa Fall")  # kept without --sop
    assert r.exit_code == 0 and sop_of(db, "sn.sup") == "mnr_bf"


@pytest.mark.parametrize("lang, words", [
    ("fr", ("POS inconnue « mnr_xx »", "Burkina Faso (mnr_bf)", "Sénégal (mnr_sn)")),
    ("en", ("Unknown SOP “mnr_xx”", "Burkina Faso (mnr_bf)", "Senegal (mnr_sn)")),
])
def test_an_unknown_sop_is_named_with_the_known_ones(db, lang, words):
    r = add(db, "sn.sup", "--role", "supervisor", "--sop", "mnr_xx", lang=lang)
    assert r.exit_code != 0 and all(w in r.output for w in words), r.output


@pytest.mark.parametrize("lang, words", [
    ("fr", ("La région « kadiogo » existe dans plusieurs POS", "--sop")),
    ("en", ("The region “kadiogo” exists in several SOPs", "--sop")),
])
def test_a_region_of_several_sops_asks_for_sop(db, lang, words):
    r = add(db, "x.sup", "--role", "supervisor", "--region", "kadiogo", lang=lang)
    assert r.exit_code != 0 and all(w in r.output for w in words), r.output


@pytest.mark.parametrize("lang, word", [("fr", "Région inconnue « dakar »"), ("en", "Unknown region")])
def test_the_region_is_checked_against_the_accounts_sop(db, lang, word):
    r = add(db, "bf.sup", "--role", "supervisor", "--sop", "mnr_bf", "--region", "dakar", lang=lang)
    assert r.exit_code != 0 and word in r.output and "dakar," not in r.output, r.output


@pytest.mark.parametrize("lang, words", [
    ("fr", ("POS", "Mécanisme national de référencement — Sénégal", "toutes les POS")),
    ("en", ("SOP", "National referral mechanism — Senegal", "every SOP")),
])
def test_user_list_shows_the_sop_by_its_title(db, lang, words):
    assert add(db, "sn.sup", "--role", "supervisor", "--sop", "mnr_sn").exit_code == 0
    assert add(db, "coord", "--role", "coordinator").exit_code == 0
    listed = mno(db, "user", "list", lang=lang).output
    row = next(line for line in listed.splitlines() if line.startswith("sn.sup"))
    assert words[1] in row and "mnr_sn" not in row, listed
    assert words[0] in listed.splitlines()[0] and words[2] in listed, listed
    rows = {r["id"]: r for r in json.loads(mno(db, "user", "list", "--format", "json").output)}
    assert (rows["sn.sup"]["sop"], rows["coord"]["sop"]) == ("mnr_sn", None)
    assert set(rows["coord"]) == {"id", "name", "role", "region", "organisation", "email", "phone",
                                  "language", "active", "sop"}


@pytest.mark.parametrize("lang, words", [
    ("fr", ("reste gestionnaire de 2 dossiers ouverts", "mno case reassign", "--to GESTIONNAIRE")),
    ("en", ("is still the case manager of 2 open cases", "mno case reassign", "--to CASE_MANAGER")),
])
def test_deactivating_a_case_manager_with_open_cases_warns(db, lang, words):
    assert add(db, "awa", "--role", "caseworker", "--sop", "mnr_bf", "--region", "kadiogo").exit_code == 0
    assert add(db, "ines", "--role", "caseworker", "--sop", "mnr_bf", "--region", "kadiogo").exit_code == 0
    refs = [mno(db, "case", "create", "--sop", "mnr_bf", "--as", "awa:caseworker").stdout.strip()
            for _ in range(2)]
    r = mno(db, "user", "deactivate", "awa", lang=lang)
    assert r.exit_code == 0, r.output
    assert all(w in r.output for w in words) and " ".join(refs) in r.output, r.output
    quiet = mno(db, "user", "deactivate", "ines", lang=lang)  # no open case: no warning
    assert quiet.exit_code == 0 and "mno case reassign" not in quiet.output


@pytest.mark.parametrize("lang, word", [("fr", "travaille sur une autre POS"),
                                        ("en", "works in another SOP")])
def test_a_case_is_never_reassigned_to_another_sops_case_manager(db, lang, word):
    assert add(db, "awa", "--role", "caseworker", "--sop", "mnr_bf", "--region", "kadiogo").exit_code == 0
    assert add(db, "sn.gest", "--role", "caseworker", "--sop", "mnr_sn", "--region", "kadiogo").exit_code == 0
    assert add(db, "sup", "--role", "supervisor").exit_code == 0
    ref = mno(db, "case", "create", "--sop", "mnr_bf", "--as", "awa:caseworker").stdout.strip()
    r = mno(db, "case", "reassign", ref, "--to", "sn.gest", "--reason", "Congé", "--as", "sup:supervisor",
            lang=lang)
    assert r.exit_code != 0 and word in r.output, r.output
