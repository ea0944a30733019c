"""Every scenario of the Burkina Faso SOP (escalations, extensions, pauses, automatic triggers,
withdrawals, reopening…), and the web demo data, leave a database whose audit chain verifies and
replays to the stored state: ``mno audit verify`` has no false alarm on real paths."""

from __future__ import annotations

from pathlib import Path

from mno_workflow.engine.replay import replay_all
from mno_workflow.kit import runner
from mno_workflow.store.audit import verify_all

ROOT = Path(__file__).resolve().parents[2]


def test_every_bf_scenario_verifies_and_replays(monkeypatch):
    found: dict[str, list[str]] = {}
    checked = []
    original = runner._Play.close

    def close(self) -> None:
        with self.wf.sessions() as s:
            problems = verify_all(s)[1] + replay_all(self.wf, s)
        checked.append(self.scn.path)
        if problems:
            found[str(self.scn.path)] = [f"{p.reference} #{p.seq}: {p.problem}" for p in problems]
        original(self)

    monkeypatch.setattr(runner._Play, "close", close)
    result = runner.run([ROOT / "sops" / "burkina_faso"])
    assert len(checked) >= 12
    assert found == {}
    assert result is not None


def test_the_web_demo_data_verifies_and_replays(tmp_path):
    """The 45 demo cases of ``mno serve --demo`` (every step, escalations, reassignments)."""
    from mno_workflow.engine.engine import WorkflowEngine
    from mno_workflow.store import migrate
    from mno_workflow.store.base import make_engine
    from mno_workflow.web.demo_data import load_demo

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    migrate.upgrade(url)
    db = make_engine(url)
    try:
        wf = WorkflowEngine(db)
        load_demo(wf)
        with wf.sessions() as s:
            # 45 + 5 issue-13 path cases (web/demo_practice.py) + 3 alerts (web/demo_alerts.py)
            assert verify_all(s) == (53, [])
            assert replay_all(wf, s) == []
    finally:
        db.dispose()
