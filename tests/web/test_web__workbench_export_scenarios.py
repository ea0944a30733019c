"""Issue 18 leftover of tryout 6, I10: ``mno sop export`` of a version published from the SOP
workbench writes the scenarios kept with that version under ``scenarios/`` beside the SOP, in the
form ``mno test`` reads (``sop: ../<file>``), and the exported folder passes ``mno test`` (French
and English) — also when ``-o`` names the SOP file otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app

from ..engine.sop_variants import dump, parse, rename_state
from .conftest import csrf_of
from .test_web__workbench_scenarios import SCENARIO, _published_with_scenario, _run, _textarea, live

__all__ = ["live"]  # the fixture (SQLite and PostgreSQL), shared with the workbench's scenario tests
runner = CliRunner()


def _publish_fixed(live, tmp_path) -> None:
    """2099.2 published from the workbench with the scenario fixed there (a state renamed)."""
    _published_with_scenario(live, tmp_path)
    c = live.client("auteur.pos")
    csrf = csrf_of(c.get("/pos/atelier").text)
    r = c.post("/pos/atelier/brouillons", data={"sop_id": "mnr_bf", "csrftoken": csrf})
    number = int(r.headers["location"].rsplit("/", 1)[1])
    doc = parse(_textarea(c.get(f"/pos/atelier/brouillons/{number}").text, "source"))
    doc["version"] = "2099.2"
    rename_state(doc, "identification", "not_eligible", "ineligible")
    assert c.post(f"/pos/atelier/brouillons/{number}/enregistrer",
                  data={"source": dump(doc), "csrftoken": csrf}).status_code == 303
    c.post(f"/pos/atelier/brouillons/{number}/scenario",
           data={"name": "06_non_eligible.yaml", "text": SCENARIO.replace("not_eligible", "ineligible"),
                 "csrftoken": csrf})
    assert 'class="ok">1/1' in _run(c, number, csrf)
    r = c.post(f"/pos/atelier/brouillons/{number}/publier", data={"go": "publish", "csrftoken": csrf})
    assert r.status_code == 303, r.text[:3000]


def _mno(*args: str):
    r = runner.invoke(app, list(args))
    assert "Traceback" not in r.output, r.output
    return r


@pytest.mark.parametrize(("lang", "passed"), [("fr", "1 scénario : 1 réussi, 0 en échec."),
                                              ("en", "1 scenario: 1 passed, 0 failed.")])
def test_the_export_of_a_workbench_version_carries_its_scenarios_and_passes_mno_test(
        live, tmp_path: Path, lang: str, passed: str):
    _publish_fixed(live, tmp_path)
    url = live.wf.db.url.render_as_string(hide_password=False)
    out = tmp_path / "export"
    out.mkdir()
    r = _mno("--db", url, "--lang", lang, "sop", "export", "mnr_bf", "-o", str(out))
    assert r.exit_code == 0, r.output
    kept = out / "scenarios" / "06_non_eligible.yaml"
    assert str(kept) in r.output
    text = kept.read_text(encoding="utf-8")
    assert "ineligible" in text and "not_eligible" not in text and "\nsop: ../mnr.yaml" in text
    r = _mno("--lang", lang, "test", str(out))
    assert r.exit_code == 0 and passed in r.output, r.output
    # -o another file name: the scenario names that file
    other = tmp_path / "ailleurs" / "pos-2099-2.yaml"
    assert _mno("--db", url, "sop", "export", "mnr_bf", "-o", str(other)).exit_code == 0
    moved = (other.parent / "scenarios" / "06_non_eligible.yaml").read_text(encoding="utf-8")
    assert "\nsop: ../pos-2099-2.yaml" in moved and "mnr.yaml" not in moved
    r = _mno("--lang", lang, "test", str(other.parent))
    assert r.exit_code == 0 and passed in r.output, r.output
    # the version loaded from a file is exported as before: its own files, no scenario
    old = tmp_path / "v1"
    old.mkdir()
    assert _mno("--db", url, "sop", "export", "mnr_bf", "--version", "2099.1", "-o", str(old)).exit_code == 0
    assert not (old / "scenarios").exists()
