"""``mno user add`` never takes over an existing account silently, refuses a login with a space,
a region the SOP does not know and a provider organisation the directory does not know (with
the nearest known value), and ``mno user list`` lists the accounts in words — in French and in
English (tryout 3, F22-F24)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from mno_workflow.cli import app

from ..conftest import BF_SOP, ROOT

runner = CliRunner()
PASSWORD = "un-mot-de-passe-long\n"


def mno(db_url: str, *args: str, lang: str = "fr", **kw):
    r = runner.invoke(app, ["--db", db_url, "--lang", lang, *args], **kw)
    assert "Traceback" not in r.output
    return r


def stored(db_url: str, user: str) -> tuple:
    with create_engine(db_url).connect() as conn:
        return conn.execute(text("SELECT display_name, role, region, phone, password_hash FROM users "
                                 "WHERE id = :u"), {"u": user}).one()


@pytest.fixture
def db(db_url):
    assert mno(db_url, "sop", "load", str(BF_SOP)).exit_code == 0
    directory = ROOT / "sops" / "burkina_faso" / "directory"
    assert mno(db_url, "directory", "import", str(directory)).exit_code == 0
    r = mno(db_url, "user", "add", "mariam.kabore", "--role", "caseworker", "--name", "Mariam Kaboré",
            "--region", "kadiogo", "--phone", "+22670102031", "--password-stdin", input=PASSWORD)
    assert r.exit_code == 0, r.output
    return db_url


@pytest.mark.parametrize("lang, words", [
    ("fr", ("existe déjà", "Mariam Kaboré", "Gestionnaire de cas", "--update")),
    ("en", ("already exists", "Mariam Kaboré", "Case manager", "--update")),
])
def test_an_existing_account_is_changed_only_with_update(db, lang, words):
    before = stored(db, "mariam.kabore")
    r = mno(db, "user", "add", "mariam.kabore", "--role", "caseworker", "--name", "dup", "--region",
            "kadiogo", "--password-stdin", input="un-autre-mot-de-passe\n", lang=lang)
    assert r.exit_code == 1 and all(w in r.output for w in words), r.output
    assert stored(db, "mariam.kabore") == before  # name, role, region, phone, password kept
    # --update changes only what is given: the phone and the password stay
    r = mno(db, "user", "add", "mariam.kabore", "--update", "--name", "Mariam K.", lang=lang)
    assert r.exit_code == 0, r.output
    after = stored(db, "mariam.kabore")
    assert after[0] == "Mariam K." and after[1:] == before[1:]
    r = mno(db, "user", "add", "mariam.kabore", "--update", "--password-stdin",
            input="tout-nouveau-mot-de-passe\n", lang=lang)
    assert r.exit_code == 0 and stored(db, "mariam.kabore")[4] != before[4]


@pytest.mark.parametrize("lang, near, unknown_org", [
    ("fr", "vouliez-vous dire « kadiogo »", "inconnue de l'annuaire"),
    ("en", "did you mean “kadiogo”", "not in the directory"),
])
def test_unknown_region_organisation_and_bad_login_are_refused(db, lang, near, unknown_org):
    r = mno(db, "user", "add", "test.user", "--role", "caseworker", "--name", "T", "--region", "kadigo",
            "--password-stdin", input=PASSWORD, lang=lang)
    assert r.exit_code == 1 and near in r.output, r.output
    r = mno(db, "user", "add", "test.prov", "--role", "provider", "--name", "T", "--organisation",
            "org-ecout", "--password-stdin", input=PASSWORD, lang=lang)
    assert r.exit_code == 1 and unknown_org in r.output and "org-ecoute" in r.output, r.output
    r = mno(db, "user", "add", "test.prov", "--role", "provider", "--name", "T", "--organisation",
            "org-nexistepas", "--password-stdin", input=PASSWORD, lang=lang)
    assert r.exit_code == 1 and unknown_org in r.output, r.output
    r = mno(db, "user", "add", "Test User", "--role", "caseworker", "--name", "T", "--password-stdin",
            input=PASSWORD, lang=lang)
    assert r.exit_code == 2 and "Test User" in r.output, r.output
    with create_engine(db).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM users")).scalar() == 1  # nothing written
    r = mno(db, "user", "add", "test.prov", "--role", "provider", "--name", "T", "--organisation",
            "org-ecoute", "--password-stdin", input=PASSWORD, lang=lang)
    assert r.exit_code == 0, r.output


def test_user_list_in_words_and_json(db):
    assert mno(db, "user", "add", "focal.ecoute", "--role", "provider", "--name", "Point focal Écoute",
               "--organisation", "org-ecoute", "--password-stdin", input=PASSWORD).exit_code == 0
    fr = mno(db, "user", "list")
    assert fr.exit_code == 0
    assert "Gestionnaire de cas" in fr.output and "Kadiogo (Ouagadougou)" in fr.output
    assert "+226 70 10 20 31" in fr.output and "org-ecoute" not in fr.output and "2 comptes" in fr.output
    en = mno(db, "user", "list", lang="en")
    assert "Case manager" in en.output and "2 accounts" in en.output and "Role" in en.output
    rows = json.loads(mno(db, "user", "list", "--format", "json").output)
    assert {r["id"]: (r["role"], r["organisation"]) for r in rows} == {
        "mariam.kabore": ("caseworker", None), "focal.ecoute": ("provider", "org-ecoute")}
    assert mno(db, "user", "deactivate", "focal.ecoute").exit_code == 0
    assert "1 compte" in mno(db, "user", "list").output
    assert "désactivé" in mno(db, "user", "list", "--inactive").output


def test_user_list_keeps_each_countrys_region_labels_with_a_second_sop(db, tmp_path):
    """Tryout 4, G6: once another country's SOP was loaded, the Burkina Faso accounts' regions
    read « kadiogo » instead of « Kadiogo (Ouagadougou) »."""
    other = BF_SOP.read_text(encoding="utf-8").replace("sop: mnr_bf", "sop: mnr_autre", 1)
    other = other.replace("kadiogo:", "bamako_x:", 1)  # its own region list
    (tmp_path / "autre.yaml").write_text(other, encoding="utf-8")
    assert mno(db, "sop", "load", str(tmp_path / "autre.yaml")).exit_code == 0
    listed = mno(db, "user", "list").output
    assert "Kadiogo (Ouagadougou)" in listed and " kadiogo " not in listed, listed


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_user_list_names_a_first_responders_post_not_its_key(db, lang):
    """Tryout 5, G6: a first responders' post is in no directory nor SOP (it lives in its accounts):
    its organisation read « fds-poste-seytenga »; it is named by its account, as on the case pages."""
    assert mno(db, "user", "add", "agent.fds", "--role", "first_responder", "--name",
               "Agent FDS, poste de Seytenga", "--organisation", "fds-poste-seytenga", "--region",
               "kadiogo", "--password-stdin", input=PASSWORD).exit_code == 0
    listed = mno(db, "user", "list", lang=lang).output
    row = next(line for line in listed.splitlines() if line.startswith("agent.fds"))
    assert "fds-poste-seytenga" not in listed and row.count("Agent FDS, poste de Seytenga") == 2, listed
    rows = json.loads(mno(db, "user", "list", "--format", "json").output)  # the code, for scripts
    assert {r["id"]: r["organisation"] for r in rows}["agent.fds"] == "fds-poste-seytenga"
