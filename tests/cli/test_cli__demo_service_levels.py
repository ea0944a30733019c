"""``mno demo`` names the directory service of every referral it sends (``service_id``, issue 13
review): its referrals show the provider's response time from the directory
(``service_referral.csv``), not the SOP's default deadline. Checked against the directory rows
themselves, on the SQLite file the command wrote."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, select
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.directory.tables import TABLES
from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.engine.service_levels import record_for
from mno_workflow.sop.schema import Duration
from mno_workflow.store.base import make_engine
from mno_workflow.store.models import AuditEvent, Case, StepInstance
from mno_workflow.store.models import Deadline as DeadlineRow

runner = CliRunner()


def test_demo_referrals_take_the_directorys_response_time(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    r = runner.invoke(app, ["--db", url, "demo"])
    assert r.exit_code == 0, r.output
    db = create_engine(url)
    ref_t = TABLES["service_referral"]
    with db.connect() as conn:
        sends = conn.execute(select(AuditEvent.effects, AuditEvent.trigger, AuditEvent.case_id)
                             .where(AuditEvent.trigger.in_(("send", "re_refer")))).all()
        directory = {row.service_id: row for row in conn.execute(select(ref_t))}
    levels = [e["service_level"] for effects, _t, _c in sends for e in effects if "service_level" in e]
    assert len(levels) >= 4  # training, psychosocial, its re-referral, the emergency clinic…
    demo_levels = [lv for lv in levels if lv["service"] is not None]
    assert len(demo_levels) >= 4
    for lv in demo_levels:
        assert lv["source"] == "directory", lv
        assert lv["within"] == getattr(directory[lv["service"]], f"response_time_{lv['priority']}")
    # the emergency referral still waiting: its due instant is the directory's time after sending
    wf = WorkflowEngine(make_engine(url), SimulatedClock(datetime(2025, 6, 2, tzinfo=UTC)))
    with wf.sessions() as s:
        inst, case = s.execute(select(StepInstance, Case).join(Case, Case.id == StepInstance.case_id)
                               .where(StepInstance.step == "referral", StepInstance.state == "sent")
                               .order_by(StepInstance.id)).first()
        data = (inst.data or {}).get("referral") or {}
        assert data.get("priority") == "emergency" and data.get("service_id")
        due = s.scalar(select(DeadlineRow.due_at).where(DeadlineRow.instance_id == inst.id,
                                                        DeadlineRow.kind == "expiry",
                                                        DeadlineRow.status == "pending"))
        text = directory[data["service_id"]].response_time_emergency
        d = Duration.model_validate(text)
        assert d.unit.value == "hours"
        assert due.astimezone(UTC) - inst.entered_at.astimezone(UTC) == timedelta(hours=d.amount)
        record = record_for(s, wf.registry.for_case(case).sop, case, inst)
        assert (record["source"], record["within"]) == ("directory", text)
