"""Tryout finding 1 and S1: the training pack renders for several users at once (its scenario runs
build their scratch databases from one template migrated once per process, never two Alembic
upgrades at once), its exercise runs and the demo data loading leave no INFO transition lines in
the server log, and a crash page is in the reader's language."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from mno_workflow.engine.engine import Actor

from .conftest import capturing


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_training_pack_for_three_readers_at_once(live, captured, fmt):
    clients = [live.client("formateur") for _ in range(3)]
    for c in clients:
        c.get("/langue/en")
    with ThreadPoolExecutor(3) as pool:
        got = list(pool.map(lambda c: c.get("/pos/documents/formation", params={"format": fmt}), clients))
    assert [r.status_code for r in got] == [200, 200, 200], [r.text[-1500:] for r in got]
    if fmt == "html":
        assert all("Training pack" in r.text for r in got)
    else:
        assert all(r.content.startswith(b"%PDF") for r in got)
    # The exercise runs are not casework: no transition of theirs in the log at INFO...
    assert [x for x in captured() if x.get("event") in ("transition", "sweep")] == []
    # ... while a real transition is there.
    cw = Actor("mariam.kabore", "caseworker")
    ref = live.wf.create_case("mnr_bf", cw)
    live.wf.fire(ref, "register", cw, {"first_name": "Zoé", "last_name": "Kaboré", "sex": "female",
                                       "estimated_age": 30, "return_date": "2025-05-30",
                                       "region": "kadiogo"})
    assert [x["case"] for x in captured() if x.get("event") == "transition"] == [ref]


def test_exercise_lines_at_debug_are_tagged(live):
    """At DEBUG the exercise transitions are there, tagged ``run: exercise`` (JSON)."""
    with capturing("DEBUG") as records:
        assert live.client("formateur").get("/pos/documents/formation").status_code == 200
    transitions = [x for x in records() if x.get("event") == "transition"]
    assert transitions and {(t["level"], t["run"]) for t in transitions} == {("DEBUG", "exercise")}


def test_demo_data_loading_logs_no_transition_at_info(tmp_path, captured):
    from mno_workflow.web.server import build

    said: list[str] = []
    app = build(f"sqlite:///{tmp_path / 'demo.db'}", demo=True, demo_password="demo-mno-2025",
                sweeper_interval=0, secret_key="x" * 32, echo=said.append)
    app.state.web.wf.db.dispose()
    assert any(line.endswith("dossiers fictifs créés.") for line in said)  # the summary line
    assert [x for x in captured() if x.get("event") in ("transition", "sweep")] == []


@pytest.mark.parametrize(("lang", "words"), [("en", "Server error"), ("fr", "Erreur du serveur")])
def test_crash_page_in_the_readers_language(live, monkeypatch, lang, words):
    from mno_workflow.render import training

    def boom(*_a, **_k):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(training, "scenario_exercises", boom)
    c = live.client("formateur")
    c.get(f"/langue/{lang}")
    r = c.get("/pos/documents/formation")
    assert r.status_code == 500
    assert f'<html lang="{lang}"' in r.text and words in r.text and "secret internal detail" not in r.text
    assert 'action="/logout"' in r.text  # the menu of the signed-in reader
