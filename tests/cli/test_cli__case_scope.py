"""The command line applies the web's rule of who may act on a case (tryout 3, F30: a supervisor
of Yaadga exported and erased the personal data of a Kadiogo case from the CLI, which answers
404 on the web and the API): every command that acts on a case as ``--as USER:ROLE`` — fire,
prefill, extend, pause, resume, reassign, reopen, correct, export-person, erase — refuses a
supervisor of another region and a case manager the case is not assigned to, changes nothing,
and says why in the reader's language; the supervisor of the case's region may."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from mno_workflow.cli import app

from ..conftest import BF_SOP
from .users import add_users

runner = CliRunner()
PEOPLE = [("mariam.kabore", "caseworker", None, "kadiogo"), ("idrissa.sanou", "supervisor", None, "kadiogo"),
          ("salif.zongo", "supervisor", None, "yaadga"), ("bob", "caseworker", None, "kadiogo"),
          ("coord", "coordinator", None, None)]
REFUSED = {"fr": "hors de votre portée", "en": "out of your reach"}


def mno(db_url, *args, **kw):
    r = runner.invoke(app, ["--db", db_url, *args], **kw)
    assert "Traceback" not in r.output
    return r


def state(db_url: str, ref: str) -> tuple:
    """What a refused command must leave as it was: the case row and the number of events."""
    with create_engine(db_url).connect() as conn:
        case = conn.execute(text("SELECT version, assignee, status, data FROM cases WHERE reference = :r"),
                            {"r": ref}).one()
        n = conn.execute(text("SELECT count(*) FROM audit_events e JOIN cases c ON c.id = e.case_id "
                              "WHERE c.reference = :r"), {"r": ref}).scalar()
    return (*case, n)


@pytest.fixture
def kadiogo_case(db_url):
    add_users(db_url, PEOPLE)
    assert mno(db_url, "sop", "load", str(BF_SOP)).exit_code == 0
    ref = mno(db_url, "case", "create", "--as", "mariam.kabore:caseworker").stdout.strip()
    r = mno(db_url, "case", "fire", ref, "register", "--as", "mariam.kabore:caseworker",
            "--data", "first_name=Awa", "--data", "last_name=Sawadogo", "--data", "sex=female",
            "--data", "estimated_age=30", "--data", "return_date=2025-06-01", "--data", "region=kadiogo")
    assert r.exit_code == 0, r.output
    return db_url, ref


def commands(ref: str, tmp) -> dict[str, list[str]]:
    return {
        "fire": ["case", "fire", ref, "screen_out", "--data", "reason=duplicate"],
        "prefill": ["case", "prefill", ref, "record_consent"],
        "extend": ["case", "extend", ref, "consent:1", "--by", "5 jours ouvrés", "--reason", "x"],
        "pause": ["case", "pause", ref, "consent:1", "--reason", "x"],
        "resume": ["case", "resume", ref, "consent:1"],
        "reassign": ["case", "reassign", ref, "--to", "bob", "--reason", "x"],
        "export-person": ["case", "export-person", ref, "-o", str(tmp / "p.html")],
        "erase": ["case", "erase", ref, "--reason", "demande de la personne"],
    }


@pytest.mark.migrated
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_another_regions_supervisor_and_another_case_manager_are_refused_everywhere(
        kadiogo_case, tmp_path, lang):
    db_url, ref = kadiogo_case
    before = state(db_url, ref)
    for name, args in commands(ref, tmp_path).items():
        for actor in ("salif.zongo:supervisor", "bob:caseworker"):
            r = mno(db_url, "--lang", lang, *args, "--as", actor)
            assert r.exit_code == 1, (name, actor, r.output)
            # a case manager's role may not export or erase at all: that refusal comes first
            if not (actor.startswith("bob") and name in ("export-person", "erase")):
                assert REFUSED[lang] in r.output and ref in r.output, (name, actor, r.output)
            if actor.startswith("salif"):  # regions by their SOP labels, never codes (tryout 4, G8)
                assert "Kadiogo (Ouagadougou)" in r.output and "Yaadga (Ouahigouya)" in r.output, r.output
                assert "« kadiogo »" not in r.output and "“kadiogo”" not in r.output
            assert state(db_url, ref) == before, (name, actor)
    assert not (tmp_path / "p.html").exists()
    for args in (["case", "reopen", ref, "--reason", "x"],
                 ["case", "correct", ref, "--step", "consent", "--state", "pending", "--reason", "x"]):
        r = mno(db_url, "--lang", lang, *args, "--as", "salif.zongo:supervisor")
        assert r.exit_code == 1 and REFUSED[lang] in r.output, (args, r.output)


@pytest.mark.migrated
def test_the_regions_supervisor_may(kadiogo_case, tmp_path):
    db_url, ref = kadiogo_case
    r = mno(db_url, "case", "extend", ref, "consent:1", "--by", "5 jours ouvrés", "--reason", "x",
            "--as", "idrissa.sanou:supervisor")
    assert r.exit_code == 0, r.output
    r = mno(db_url, "case", "export-person", ref, "-o", str(tmp_path / "p.html"),
            "--as", "idrissa.sanou:supervisor")
    assert r.exit_code == 0 and (tmp_path / "p.html").exists(), r.output
    r = mno(db_url, "case", "export-person", ref, "-o", str(tmp_path / "q.html"), "--as", "coord:coordinator")
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize(("lang", "why"), [
    ("fr", "(ce dossier n'a pas de région, vous êtes superviseur de « Yaadga (Ouahigouya) »)"),
    ("en", "(this case has no region; you supervise “Yaadga (Ouahigouya)”)")])
def test_a_case_without_region_is_said_so(db_url, lang, why):
    """A case not yet registered has no region: the refusal says so in words, not « région « - » »."""
    add_users(db_url, PEOPLE)
    assert mno(db_url, "sop", "load", str(BF_SOP)).exit_code == 0
    ref = mno(db_url, "case", "create", "--as", "mariam.kabore:caseworker").stdout.strip()
    r = mno(db_url, "--lang", lang, "case", "pause", ref, "consent:1", "--reason", "x",
            "--as", "salif.zongo:supervisor")
    assert r.exit_code != 0 and REFUSED[lang] in r.output and why in r.output, r.output
    assert "« - »" not in r.output
