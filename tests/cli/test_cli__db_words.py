"""A database that cannot be opened or written is said in the reader's language, naming the file
or the server (host:port), never with the SQLite or PostgreSQL driver's English (« database is
locked », « unable to open database file », « Connection refused »), which goes to the log."""

from __future__ import annotations

import sqlite3

import pytest
from typer.testing import CliRunner

import mno_workflow.store.base as base
from mno_workflow.cli import app
from mno_workflow.store import db_words
from mno_workflow.store.db_words import db_error
from tests.store.pgserver import free_port

runner = CliRunner()
ENGLISH = ("database is locked", "unable to open database file", "Connection refused",
           'database "nope" does not exist', "OperationalError", "Traceback", "connection failed")


def mno(*args: str):
    r = runner.invoke(app, list(args))
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    for words in ENGLISH:
        assert words not in r.output, r.output
    return r


@pytest.fixture
def locked(tmp_path, monkeypatch):
    """A SQLite file another program is writing (its write lock held), and a short busy wait."""
    path = tmp_path / "locked.db"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA journal_mode=WAL")
    other.execute("CREATE TABLE t (x)")
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t VALUES (1)")
    monkeypatch.setattr(base, "BUSY_TIMEOUT_MS", 50)
    yield path
    other.execute("ROLLBACK")
    other.close()


@pytest.mark.parametrize(("lang", "said"), [
    ("fr", "est occupée par un autre programme (mno serve, une sauvegarde…) ; réessayez dans un instant"),
    ("en", "is busy with another program (mno serve, a backup…); try again in a moment")])
def test_a_locked_sqlite_file(locked, lang, said, monkeypatch):
    logged: list[str] = []

    class Log:  # the module's logger (the CLI's logging configuration replaces handlers)
        @staticmethod
        def info(text: str, *args: object) -> None:
            logged.append(text % args)

    monkeypatch.setattr(db_words, "log", Log)
    r = mno("--lang", lang, "--db", f"sqlite:///{locked}", "db", "upgrade")
    assert r.exit_code == 1 and said in r.output and str(locked) in r.output
    assert logged == ["database error: database is locked"]  # the driver's words: in the log only
    r = mno("--lang", lang, "--db", f"sqlite:///{locked}", "directory", "import", str(locked.parent))
    assert r.exit_code == 1 and said in r.output


@pytest.mark.parametrize(("lang", "said"), [
    ("fr", "impossible d'ouvrir le fichier de base /nowhere/at/all.db : le dossier n'existe pas"),
    ("en", "cannot open the database file /nowhere/at/all.db: the folder does not exist")])
def test_a_sqlite_file_in_a_missing_folder(lang, said):
    r = mno("--lang", lang, "--db", "sqlite:////nowhere/at/all.db", "db", "current")
    assert r.exit_code == 1 and said in r.output


@pytest.mark.parametrize(("lang", "said"), [
    ("fr", "le serveur de base de données 127.0.0.1:{port} refuse la connexion"),
    ("en", "the database server 127.0.0.1:{port} refuses the connection")])
def test_a_postgresql_server_that_is_not_running(lang, said):
    port = free_port()  # nothing listens there
    r = mno("--lang", lang, "--db", f"postgresql://mno@127.0.0.1:{port}/mno", "db", "current")
    assert r.exit_code == 1 and said.format(port=port) in r.output


@pytest.mark.postgresql
@pytest.mark.parametrize(("lang", "said"), [
    ("fr", "la base « nope » n'existe pas sur le serveur 127.0.0.1:{port}"),
    ("en", "the database 'nope' does not exist on the server 127.0.0.1:{port}")])
def test_a_postgresql_database_that_does_not_exist(pg_server, lang, said):
    url = pg_server.url("nope")
    port = url.rsplit(":", 1)[1].split("/")[0]
    r = mno("--lang", lang, "--db", url, "db", "upgrade")
    assert r.exit_code == 1 and said.format(port=port) in r.output, r.output


def test_authentication_refused_names_the_user_and_the_server():
    import psycopg
    from sqlalchemy.exc import OperationalError
    exc = OperationalError("SELECT 1", {}, psycopg.OperationalError(
        'connection failed: connection to server at "10.0.0.5", port 5433 failed: FATAL:  password '
        'authentication failed for user "mno"'))
    said = db_error(exc, "postgresql://mno:secret@10.0.0.5:5433/mno")
    assert said.text("fr") == ("le serveur de base de données 10.0.0.5:5433 refuse l'utilisateur « mno » "
                               "(mot de passe ou droits d'accès)")
    assert said.text("en") == ("the database server 10.0.0.5:5433 refuses the user 'mno' "
                               "(password or access rights)")
    other = db_error(OperationalError("x", {}, sqlite3.OperationalError("something new")), "sqlite:///a.db")
    assert other.text("en") == "database error on a.db (OperationalError)"
