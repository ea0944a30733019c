"""``mno directory agreement end`` and ``add`` refuse an end before the signature (tryout 3, F36),
in the ``--lang`` language, one line, nothing written."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app

from .users import add_users

runner = CliRunner()
pytestmark = pytest.mark.migrated


def _run(db_url: str, *args: str):
    add_users(db_url)
    return runner.invoke(app, ["--db", db_url, *args])


def test_an_agreement_cannot_end_before_it_was_signed(db_url):
    from mno_workflow.directory import SAMPLE_DIR
    assert _run(db_url, "directory", "import", str(SAMPLE_DIR)).exit_code == 0
    fr = _run(db_url, "directory", "agreement", "end", "agr-ecoute", "--on", "01/01/2020")
    assert fr.exit_code == 1, fr.output
    assert "la fin de validité ne peut pas précéder la signature de l'accord" in fr.output
    assert "Traceback" not in fr.output and "fin au" not in fr.output
    en = _run(db_url, "--lang", "en", "directory", "agreement", "end", "agr-ecoute", "--on", "2020-01-01")
    assert en.exit_code == 1
    assert "the end of validity cannot come before the agreement was signed" in en.output, en.output
    listed = _run(db_url, "directory", "agreement", "list", "--today", "2026-01-01")
    assert "EXPIRÉ" not in listed.output.split("org-ecoute")[1].splitlines()[0]  # nothing written
    added = _run(db_url, "--lang", "en", "directory", "agreement", "add", "org-liens", "--signed-on",
                 "15/01/2025", "--version", "9", "--categories", "identity", "--purposes", "referral",
                 "--expires-on", "01/01/2024")
    assert added.exit_code != 0
    assert "the end of validity cannot come before the agreement was signed" in added.output, added.output
    ok = _run(db_url, "directory", "agreement", "end", "agr-ecoute", "--on", "15/01/2025")
    assert ok.exit_code == 0 and "fin au 15/01/2025" in ok.output, ok.output
