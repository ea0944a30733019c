"""``mno report``, ``mno export tables`` and ``mno export dhis2`` on a database with several SOPs
(tryout 5, H5): ``--sop ID``; without it the only SOP with ``indicators:``, else one error line
naming the SOPs (title and id) and saying to pass ``--sop``; an SOP without indicators is named,
on a line of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import mno_workflow.directory.tables  # noqa: F401  (dir_* tables in the test database)
import mno_workflow.web.models  # noqa: F401  (the export log in the test database)
from mno_workflow.cli import app
from mno_workflow.sop.loader import load_file, load_text

from ..conftest import ROOT

SECOND = ROOT / "tests" / "fixtures" / "multi_sop" / "second.yaml"
BF = ROOT / "sops" / "burkina_faso" / "mnr.yaml"
EXAMPLE = ROOT / "sops" / "burkina_faso" / "dhis2.example.yaml"
BF_TITLE = {"fr": "Mécanisme national de référencement — Burkina Faso",
            "en": "National referral mechanism — Burkina Faso"}
SECOND_TITLE = {"fr": "Procédure Sénégal (essai)", "en": "Senegal procedure (trial)"}
runner = CliRunner()


def mno(db_url: str, lang: str, *args: str):
    r = runner.invoke(app, ["--db", db_url, "--lang", lang, *args])
    assert "Traceback" not in r.output, r.output
    return r


def tables(db_url: str, lang: str, out: Path, *extra: str):
    return mno(db_url, lang, "export", "tables", "--period", "2025Q2", "-o", str(out), *extra)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_sop_with_indicators_is_chosen_and_sop_names_another(wf, db_url, tmp_path, lang):
    wf.load_sop(load_file(SECOND))  # no indicators: section
    out = tmp_path / "t.csv"
    r = tables(db_url, lang, out)
    assert r.exit_code == 0, r.output
    assert "REFERRALS_MADE" in out.read_text(encoding="utf-8")
    r = tables(db_url, lang, tmp_path / "sn.csv", "--sop", "essai_sn")
    assert r.exit_code == 1
    said = {"fr": f"La POS {SECOND_TITLE['fr']} (essai_sn) n'a pas de section indicators:.\n",
            "en": f"The SOP {SECOND_TITLE['en']} (essai_sn) has no indicators: section.\n"}[lang]
    assert r.stderr.endswith(said), r.stderr  # on a line of its own, naming the SOP
    r = tables(db_url, lang, tmp_path / "x.csv", "--sop", "mnr_xx")
    assert r.exit_code == 1
    assert f"{BF_TITLE[lang]} (mnr_bf)" in r.stderr and f"{SECOND_TITLE[lang]} (essai_sn)" in r.stderr
    assert r.stderr.startswith({"fr": "erreur : POS inconnue : « mnr_xx »",
                                "en": "error: Unknown SOP: “mnr_xx”"}[lang]), r.stderr


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_two_sops_with_indicators_need_sop(wf, db_url, tmp_path, lang):
    other = BF.read_text(encoding="utf-8").replace("sop: mnr_bf", "sop: mnr_autre", 1)
    wf.load_sop(load_text(other, str(BF.parent / "autre.yaml")))
    said = {"fr": "Plusieurs POS sont enregistrées : ", "en": "Several SOPs are registered: "}[lang]
    hint = {"fr": "Choisissez-en une avec --sop ID.\n", "en": "Choose one with --sop ID.\n"}[lang]
    runs = {
        "tables": ("export", "tables", "--period", "2025Q2", "-o", str(tmp_path / "t.csv")),
        "dhis2": ("export", "dhis2", "--period", "2025Q2", "--mapping", str(EXAMPLE),
                  "-o", str(tmp_path / "v.json")),
        "report": ("report", "--period", "2025Q2", "--no-pdf", "-o", str(tmp_path / "rapport")),
    }
    for name, args in runs.items():
        r = mno(db_url, lang, *args)
        assert r.exit_code == 1, (name, r.output)
        assert said in r.stderr and r.stderr.endswith(hint), (name, r.stderr)
        assert f"{BF_TITLE[lang]} (mnr_bf)" in r.stderr and "(mnr_autre)" in r.stderr
        r = mno(db_url, lang, *args, "--sop", "mnr_bf")
        assert r.exit_code == 0, (name, r.output)
    assert (tmp_path / "t.csv").exists() and (tmp_path / "v.json").exists()
    assert (tmp_path / "rapport" / "rapport-2025Q2-all.html").exists()


@pytest.mark.parametrize("command", [("report",), ("export", "tables"), ("export", "dhis2")])
def test_help_offers_sop(command):
    r = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert r.exit_code == 0 and "--sop" in r.output
