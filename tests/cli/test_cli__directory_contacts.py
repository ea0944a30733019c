"""``mno directory search`` and the focal points (staff accounts): hidden with a note saying how to
get them unless ``--as`` names an active account whose role has the ``directory_contacts``
permission (the web's rule, web/access/roles.py); then shown, and the read written to the access log
(one ``cli.directory.search`` row naming the focal points), on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.directory import SAMPLE_DIR
from mno_workflow.store.base import make_engine
from mno_workflow.web.models import ExportLog

from .users import PEOPLE, add_users

SEARCH = ["directory", "search", "--need", "housing", "--region", "kadiogo"]
USERS = [*PEOPLE, ("formateur", "trainer", None, None), ("suivi", "me_officer", None, None),
         ("auteur", "sop_author", None, None), ("fds", "first_responder", None, None)]


def logged(db_url: str) -> list[ExportLog]:
    engine = make_engine(db_url)
    try:
        with Session(engine) as s:
            return list(s.scalars(select(ExportLog).order_by(ExportLog.id)))
    finally:
        engine.dispose()


@pytest.fixture
def db(db_url):
    add_users(db_url, USERS)
    done = CliRunner().invoke(app, ["directory", "import", str(SAMPLE_DIR), "--db", db_url])
    assert done.exit_code == 0, done.output
    return db_url


def search(db: str, *extra: str):
    result = CliRunner().invoke(app, [*SEARCH, "--db", db, *extra])
    assert "Traceback" not in result.output, result.output
    return result


@pytest.mark.parametrize("who", ["", "formateur:trainer", "suivi:me_officer", "auteur:sop_author",
                                 "fds:first_responder"])
def test_focal_points_hidden_without_the_permission(db, who: str) -> None:
    extra = ["--as", who] if who else []
    table = search(db, *extra)
    assert table.exit_code == 0, table.output
    assert "point focal : masqué" in table.stdout and "focal.oim" not in table.output
    assert "directory_contacts" in table.stderr and "--as" in table.stderr
    if who:  # says which role lacks it
        assert f"le rôle « {who.split(':')[1]} » n'a pas la permission" in table.stderr
    found = search(db, "--format", "json", *extra)
    rows = json.loads(found.stdout)
    assert rows and all(r["focal_point_user_id"] is None for r in rows)
    assert logged(db) == []


@pytest.mark.parametrize("who", ["mariam.kabore:caseworker", "idrissa.sanou:supervisor", "coord:coordinator",
                                 "focal.cfp:provider"])
def test_focal_points_shown_and_logged_with_the_permission(db, who: str) -> None:
    table = search(db, "--as", who)
    assert table.exit_code == 0 and table.stderr == "", table.output
    assert "point focal : focal.oim" in table.stdout and "masqué" not in table.stdout
    found = search(db, "--format", "json", "--as", who)
    focal = {r["focal_point_user_id"] for r in json.loads(found.stdout)}
    assert None not in focal and "focal.oim" in focal
    rows = logged(db)
    user, role = who.split(":")
    expected = (user, role, "cli.directory.search", True)
    assert [(r.user_id, r.role, r.what, r.names) for r in rows] == [expected] * 2
    assert set(rows[1].filters["disclosed"]) == focal and rows[1].filters["contacts"] == len(focal)
    assert rows[1].filters["need"] == "housing" and rows[1].filters["os_user"]


def test_unknown_or_mismatched_operator_is_one_line_and_logs_nothing(db) -> None:
    for who, words in (("ghost:caseworker", "Utilisateur inconnu"), ("mariam.kabore:supervisor", "a le rôle"),
                       ("nonsense", "")):
        result = search(db, "--as", who)
        assert result.exit_code == 1 and result.stdout == "", (who, result.output)
        assert len(result.stderr.strip().splitlines()) == 1 and words in result.stderr, result.stderr
    assert logged(db) == []


def test_full_export_is_logged_and_public_export_is_not(db, tmp_path) -> None:
    """``mno directory export`` (database access, no ``--as``): a full export writes one row naming
    the persons, focal point accounts and agreements written; ``--public`` writes none."""
    public = CliRunner().invoke(app, ["directory", "export", str(tmp_path / "pub"), "--db", db, "--public"])
    assert public.exit_code == 0 and logged(db) == [], public.output
    full = CliRunner().invoke(app, ["directory", "export", str(tmp_path / "full"), "--db", db,
                                    "--format", "hsds"])
    assert full.exit_code == 0, full.output
    rows = logged(db)
    assert [(r.role, r.what, r.names) for r in rows] == [("cli", "cli.directory.export", True)]
    assert rows[0].user_id.startswith("cli:") and rows[0].filters["format"] == "hsds"
    named = set(rows[0].filters["disclosed"])
    assert {"ct-oim", "focal.oim", "agr-masn"} <= named and rows[0].filters["contacts"] == len(named)


@pytest.mark.parametrize("lang, focal, channel, other", [
    ("fr", "point focal : Awa Focale OIM ; orientation : par téléphone", "Zone : Kadiogo", "by phone"),
    ("en", "focal point: Awa Focale OIM; referrals: by phone", "Area: Kadiogo", "par téléphone"),
])
def test_search_says_words_not_codes_and_keeps_ids_in_json(db, lang, focal, channel, other) -> None:
    """The service's and the focal point's names and the channel in words (issue 18), no score,
    no service id, no user name; ``--format json`` keeps them."""
    engine = make_engine(db)
    with engine.begin() as c:
        from sqlalchemy import insert

        from mno_workflow.store.models import User
        c.execute(insert(User).values(id="focal.oim", display_name="Awa Focale OIM", role="provider",
                                      organisation="org-oim", language="fr", active=True))
    engine.dispose()
    table = CliRunner().invoke(app, ["--lang", lang, *SEARCH, "--db", db, "--as", "coord:coordinator"])
    assert table.exit_code == 0, table.output
    first = table.stdout.splitlines()[:3]
    assert first[0] == (" 1. Centre de transit de Ouagadougou — OIM Burkina Faso — programme de "
                        "réintégration (illustratif)"), first
    assert first[1].strip() == focal and channel in first[2], first
    for code in ("svc-oim-transit", "focal.oim", "[", ": phone", "; canal", other):
        assert code not in table.stdout, (code, table.stdout)
    rows = json.loads(CliRunner().invoke(app, ["--lang", lang, *SEARCH, "--db", db, "--as",
                                               "coord:coordinator", "--format", "json"]).stdout)
    assert rows[0]["service_id"] == "svc-oim-transit" and rows[0]["focal_point_user_id"] == "focal.oim"
    assert rows[0]["referral_channel"] == "phone" and isinstance(rows[0]["score"], int)
