"""The web demo (``mno serve --demo``, ``make run``) does not age: its cases are dated back from
the day it is loaded (closed ones over the last months, open ones in the last weeks), so that
« Mon travail » shows deadlines overdue by days, never « 647 jours de retard » a year later.
Loaded on a clock that is not simulated (as ``mno serve --demo``: the demo reads the real day),
fixed here to a day years ahead."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from mno_workflow.directory.tables import TABLES
from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.store.base import Base, make_engine
from mno_workflow.store.models import AuditEvent, Case, Deadline, StepInstance
from mno_workflow.web.demo_data import load_demo

# a Wednesday years after the demo was written, after the sample directory's data-sharing
# agreements end (31/12/2028): the demo keeps them in force from the day it is loaded
DAY = datetime(2030, 3, 13, 9, 0, tzinfo=UTC)


class FixedClock:
    """A clock that is not a ``SimulatedClock`` (the demo takes its time as the real day)."""

    def now(self) -> datetime:
        return DAY


def test_demo_cases_are_dated_back_from_the_day_it_is_loaded(tmp_path) -> None:
    db = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    Base.metadata.create_all(db)
    try:
        wf = WorkflowEngine(db, FixedClock())
        load_demo(wf)
        with wf.sessions() as s:
            times = list(s.scalars(select(AuditEvent.at)))
            opened = list(s.scalars(select(Case.created_at)))
            agreements = list(s.scalars(select(TABLES["sharing_agreement"].c.expires_on)))
            sent = s.scalar(select(func.count()).select_from(StepInstance)
                            .where(StepInstance.step == "referral", StepInstance.recipient.is_not(None)))
            running = list(s.scalars(
                select(Deadline.due_at).join(StepInstance, StepInstance.id == Deadline.instance_id)
                .join(Case, Case.id == Deadline.case_id)
                .where(Deadline.kind == "expiry", Deadline.status == "pending", Case.status == "open",
                       StepInstance.final.is_(False), StepInstance.state == Deadline.state)))
    finally:
        db.dispose()
    assert times and all(DAY - timedelta(days=200) <= t <= DAY for t in times), (min(times), max(times))
    assert min(opened) < DAY - timedelta(days=90)  # closed cases over the last months
    late = [DAY - d for d in running if d < DAY]
    assert late, "no demo deadline is overdue"
    assert max(late) <= timedelta(days=21), max(late)  # overdue by days, not hundreds
    assert any(d >= DAY for d in running)  # and some still to come
    assert agreements and min(agreements) == date(2033, 3, 13), agreements  # three years on
    assert sent and sent > 20, sent  # the referrals went out under those agreements
