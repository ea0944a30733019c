"""Configuration (issue 17): command line > environment > ``mno.toml`` (or ``$MNO_CONFIG``) >
defaults; the data directory (700) holds the SQLite file (600) and the session secret (600); an old
``./mno.db`` is named in a clear message instead of being silently replaced by an empty database;
``mno init``; ``mno handbook`` without Graphviz."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app

from ..conftest import BF_SOP

runner = CliRunner()


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """An empty working folder as the current directory, without MNO_* variables."""
    for var in [v for v in os.environ if v.startswith("MNO_")]:
        monkeypatch.delenv(var)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def mno(*args):
    """One ``mno`` run; the environment is restored afterwards as a new process would see it (the
    root command writes the file's values and ``--db`` into os.environ for the sub-commands)."""
    saved = dict(os.environ)
    try:
        r = runner.invoke(app, list(args))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert "Traceback" not in r.output
    return r


def count_cases(*args) -> int:
    r = mno(*args, "case", "list", "--format", "json")
    assert r.exit_code == 0, r.output
    return len(json.loads(r.stdout))


def test_defaults_data_directory_and_private_modes(folder):
    assert mno("case", "create", "--sop", str(BF_SOP), "--as", "system:caseworker").exit_code == 0
    assert (folder / "data").stat().st_mode & 0o777 == 0o700
    assert (folder / "data" / "mno.db").stat().st_mode & 0o777 == 0o600
    from mno_workflow.web.server import _stored_secret
    key = _stored_secret()
    assert (folder / "data" / "secret-key").read_text() == key
    assert (folder / "data" / "secret-key").stat().st_mode & 0o777 == 0o600
    assert _stored_secret() == key  # kept across restarts


def test_precedence_cli_over_env_over_file(folder, monkeypatch):
    (folder / "mno.toml").write_text('database_url = "sqlite:///from-file.db"\nlang = "en"\n')
    mno("case", "create", "--sop", str(BF_SOP), "--as", "system:caseworker")
    assert (folder / "from-file.db").is_file() and not (folder / "data" / "mno.db").exists()
    monkeypatch.setenv("MNO_DATABASE_URL", f"sqlite:///{folder / 'from-env.db'}")
    mno("case", "create", "--sop", str(BF_SOP), "--as", "system:caseworker")
    mno("case", "create", "--sop", str(BF_SOP), "--as", "system:caseworker")
    mno("--db", str(folder / "from-cli.db"), "case", "create", "--sop", str(BF_SOP),
        "--as", "system:caseworker")
    assert count_cases("--db", str(folder / "from-cli.db")) == 1
    assert count_cases() == 2  # the environment's database
    monkeypatch.delenv("MNO_DATABASE_URL")
    assert count_cases() == 1  # the file's database
    # lang: the file says en; the environment, then the command line, say otherwise
    def message(*args):
        r = mno(*args, "case", "fire", "MNR-BF-000001", "nope", "--as", "system:caseworker")
        assert r.exit_code == 1
        return r.output
    assert "Unknown trigger" in message() or "not" in message().lower()
    english = message()
    monkeypatch.setenv("MNO_LANG", "fr")
    french = message()
    assert french != english
    assert message("--lang", "en") == english
    monkeypatch.setenv("MNO_LANG", "en")
    assert message("--lang", "fr") == french


def test_config_from_mno_config_relative_to_its_folder(folder, monkeypatch):
    conf = folder / "etc" / "site.toml"
    conf.parent.mkdir()
    conf.write_text('data_dir = "../var/mno"\n')
    monkeypatch.setenv("MNO_CONFIG", str(conf))
    monkeypatch.chdir(folder / "etc")
    assert mno("case", "create", "--sop", str(BF_SOP), "--as", "system:caseworker").exit_code == 0
    assert (folder / "var" / "mno" / "mno.db").is_file()


@pytest.mark.parametrize("content,message", [
    ("colour = 'blue'\n", "clé inconnue 'colour'"),
    ("[smtp]\nhots = 'x'\n", "clé inconnue smtp.hots"),
    ("lang = \n", "configuration illisible"),
])
def test_bad_config_file_is_refused_with_the_accepted_keys(folder, content, message):
    (folder / "mno.toml").write_text(content)
    r = mno("case", "list")
    assert r.exit_code == 2 and message in r.output
    if "clé inconnue" in message:
        assert "database_url" in r.output or "host" in r.output


def test_missing_mno_config_and_bad_env_values(folder, monkeypatch):
    monkeypatch.setenv("MNO_CONFIG", str(folder / "absent.toml"))
    r = mno("case", "list")
    assert r.exit_code == 2 and "introuvable" in r.output
    monkeypatch.delenv("MNO_CONFIG")
    monkeypatch.setenv("MNO_LANG", "de")
    r = mno("case", "list")
    assert r.exit_code == 2 and "fr, en" in r.output


def test_an_old_mno_db_in_the_folder_is_named_not_ignored(folder):
    r = mno("--db", "mno.db", "case", "create", "--sop", str(BF_SOP), "--as", "system:caseworker")
    assert r.exit_code == 0
    r = mno("case", "list")
    assert r.exit_code == 1
    assert "mno.db" in r.output and "--db mno.db" in r.output and "mv mno.db" in r.output
    for other in (["db", "current"], ["directory", "search", "--need", "medical", "--region", "kadiogo"]):
        r = mno(*other)  # every path that opens the default database says the same
        assert r.exit_code == 1 and "--db mno.db" in r.output, (other, r.output)
    assert not (folder / "data" / "mno.db").exists()  # nothing created behind the user's back
    assert count_cases("--db", "mno.db") == 1


def test_init_creates_a_working_folder_that_validates(folder):
    r = mno("init", "office")
    assert r.exit_code == 0, r.output
    sop = folder / "office" / "sops" / "burkina_faso" / "mnr.yaml"
    assert sop.read_bytes() == BF_SOP.read_bytes()
    assert (folder / "office" / "sops" / "burkina_faso" / "scenarios").is_dir()
    assert (folder / "office" / "data").stat().st_mode & 0o777 == 0o700
    import tomllib
    assert tomllib.loads((folder / "office" / "mno.toml").read_text())["data_dir"] == "data"
    assert mno("validate", str(sop)).exit_code == 0
    r = mno("init", "office")
    assert r.exit_code == 1 and "n'est pas vide" in r.output


def test_schema_prints_the_sop_json_schema(folder):
    from mno_workflow.sop.jsonschema import build_schema
    r = mno("schema")
    assert r.exit_code == 0 and json.loads(r.stdout) == build_schema()


def test_handbook_without_graphviz_fails_clearly_or_writes_mermaid(folder, monkeypatch):
    monkeypatch.setenv("PATH", str(folder))  # no `dot`
    r = mno("handbook", str(BF_SOP), "-o", "hb")
    assert r.exit_code == 1 and "graphviz" in r.output.lower() and "--no-diagrams" in r.output
    assert not (folder / "hb").exists()
    r = mno("handbook", str(BF_SOP), "-o", "hb", "--no-diagrams")
    assert r.exit_code == 0, r.output
    html = (folder / "hb" / "mnr_bf" / "fr" / "handbook.html").read_text()
    assert "<svg" not in html and "stateDiagram" in html or "flowchart" in html
