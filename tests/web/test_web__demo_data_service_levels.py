"""The web demo's random cases (``web/demo_data.py``: ``mno serve --demo``, ``mno sandbox``, the
sandbox reset) name the directory service of every referral they send (``service_id``, as ``mno
demo`` does): each referral's deadline is the provider's response time from the directory
(``service_referral.csv``), not the SOP's default. Checked against the directory rows themselves,
on both back ends."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from mno_workflow.directory.tables import TABLES
from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.store.base import Base, make_engine
from mno_workflow.store.models import AuditEvent, StepInstance
from mno_workflow.web.demo_data import STAGES, load_demo


def test_every_demo_referral_takes_the_directorys_response_time(db_url) -> None:
    db = make_engine(db_url)
    Base.metadata.create_all(db)
    try:
        wf = WorkflowEngine(db, SimulatedClock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC)))
        load_demo(wf, n_cases=len(STAGES))  # each stage once: 8 of them send two referrals
        with wf.sessions() as s:
            directory = {r.service_id: r for r in s.execute(select(TABLES["service_referral"]))}
            sends = s.execute(select(AuditEvent.effects)
                              .where(AuditEvent.trigger == "send")).all()
            referrals = list(s.scalars(select(StepInstance).where(StepInstance.step == "referral",
                                                                  StepInstance.state != "draft")))
    finally:
        db.dispose()
    assert len(sends) >= 2 * 8
    for (effects,) in sends:
        levels = [e["service_level"] for e in effects if "service_level" in e]
        assert len(levels) == 1, effects
        level = levels[0]
        assert level["source"] == "directory" and level["service"], level
        assert level["within"] == getattr(directory[level["service"]], f"response_time_{level['priority']}")
    sent = [(i.data or {}).get("referral") or {} for i in referrals]
    assert sent and all(r.get("service_id") in directory for r in sent), sent
