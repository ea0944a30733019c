"""« Mon travail » says the time left before a deadline as the SOP counts it: in working days of
the SOP's calendar for a deadline in working days (« dans 2 jours ouvrés », as lateness and the
provider's pages say it; weekends and Burkina Faso's public holidays, e.g. Tabaski on Friday
6 June 2025, are not counted), in real time otherwise (« dans 7 jours 13 heures »)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy.orm import Session

from mno_workflow.engine.calendar import BusinessCalendar
from mno_workflow.sop.loader import load_file
from mno_workflow.store.base import Base, make_engine
from mno_workflow.web.routes.work import left_in

SOP = load_file("sops/burkina_faso/mnr.yaml").model
CAL = BusinessCalendar.from_sop(SOP.calendar)  # Africa/Ouagadougou = UTC all year


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """A real SQLite file (calendar_for reads its stored holiday overrides: none)."""
    db = make_engine(f"sqlite:///{tmp_path_factory.mktemp('work')}/w.db")
    Base.metadata.create_all(db)
    with Session(db) as s:
        yield s
    db.dispose()


def at(y, mo, d, h=23, mi=59):
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


MON = at(2025, 6, 2, 10, 0)  # Monday 2 June 2025


@pytest.mark.parametrize(("now", "due", "state", "fr", "en"), [
    # consent.pending: 2 working days
    (MON, at(2025, 6, 4), ("consent", "pending"), "dans 2 jours ouvrés", "in 2 working days"),
    (MON, at(2025, 6, 2, 16, 0), ("consent", "pending"), "aujourd'hui", "today"),
    # Friday 6 June 2025 is Tabaski, then the weekend: Tue, Wed, Thu, Mon = 4 working days (7 days)
    (MON, at(2025, 6, 9), ("consent", "pending"), "dans 4 jours ouvrés", "in 4 working days"),
    # Friday → Monday over the weekend: 1 working day (3 calendar days)
    (at(2025, 6, 13, 10, 0), at(2025, 6, 16), ("closure", "preparing"), "dans 1 jour ouvré",
     "in 1 working day"),
    # due on a Saturday, seen on the Friday
    (at(2025, 6, 13, 10, 0), at(2025, 6, 14, 12, 0), ("closure", "preparing"),
     "avant le prochain jour ouvré", "before the next working day"),
    # follow_up.scheduled: working days whatever the risk level
    (MON, at(2025, 6, 9), ("follow_up", "scheduled"), "dans 4 jours ouvrés", "in 4 working days"),
    # referral.accepted counts 30 (calendar) days: in real time, weekends counted (tryout 8, K10)
    (MON, at(2025, 6, 9), ("referral", "accepted"), "dans 7 jours 13 heures", "in 7 days 13 hours"),
])
def test_upcoming_deadline_in_the_sops_days(session, now, due, state, fr, en):
    step, st = state
    it = SimpleNamespace(step=step, state=st, due_at=due, sop_version=None,
                         days=(due.date() - now.date()).days)  # what the work query gives
    sops = SimpleNamespace(compiled=lambda _version: SimpleNamespace(sop=SOP))  # each row's SOP
    assert left_in(session, sops, now, "fr")(it) == fr
    assert left_in(session, sops, now, "en")(it) == en
