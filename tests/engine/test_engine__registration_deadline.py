"""Issue 13: the BF needs-assessment month counts from registration (``start:
steps.identification.identified``), not from the return date nor from when consent was recorded.
Table-tested with real calendar dates, property-tested over the consent delay; the language
feature itself (missing state, lint) is tested on the pure functions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mno_workflow.engine.calendar import BusinessCalendar
from mno_workflow.engine.deadlines import STEP_INSTANTS, MissingFieldError, due_at
from mno_workflow.engine.step_start import state_label, step_start_problem
from mno_workflow.sop.schema import Calendar, Deadline
from mno_workflow.store import repository
from mno_workflow.store.models import Deadline as DeadlineRow

from .helpers import CONSENT, CW, IDENT


def _due(wf, ref) -> datetime:
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        inst = next(i for i in case.instances if i.step == "needs_assessment")
        row = next(r for r in s.query(DeadlineRow).filter_by(instance_id=inst.id, kind="expiry"))
        return row.due_at.astimezone(UTC)


# registered at (UTC = Ouagadougou time), return date, consent recorded after, plan due at
ROWS = [
    # identified a month after return: due a month after registration, not overdue at once
    (datetime(2025, 6, 2, 8, 0, tzinfo=UTC), "2025-05-01", timedelta(0),
     datetime(2025, 7, 2, 8, 0, tzinfo=UTC)),
    # consent three days later does not move the plan's due date
    (datetime(2025, 6, 2, 8, 0, tzinfo=UTC), "2025-06-01", timedelta(days=3),
     datetime(2025, 7, 2, 8, 0, tzinfo=UTC)),
    # 31 January + 1 month: the last day of February
    (datetime(2025, 1, 31, 10, 30, tzinfo=UTC), "2024-12-20", timedelta(days=1),
     datetime(2025, 2, 28, 10, 30, tzinfo=UTC)),
    # 29 February of a leap year + 1 month
    (datetime(2024, 2, 29, 15, 0, tzinfo=UTC), "2024-02-01", timedelta(hours=5),
     datetime(2024, 3, 29, 15, 0, tzinfo=UTC)),
    # across the year end
    (datetime(2025, 12, 15, 16, 45, tzinfo=UTC), "2025-10-01", timedelta(days=6),
     datetime(2026, 1, 15, 16, 45, tzinfo=UTC)),
]


@pytest.mark.parametrize(("registered", "returned", "consent_after", "due"), ROWS)
def test_plan_due_a_month_after_registration(wf, clock, registered, returned, consent_after, due):
    clock.set(registered)
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, {**IDENT, "return_date": returned})
    clock.advance(consent_after)
    day = (registered + consent_after).date().isoformat()
    wf.fire(ref, "record_consent", CW, {**CONSENT, "consent_date": day})
    assert _due(wf, ref) == due
    assert _due(wf, ref) > clock.now()  # never overdue at once
    assert date.fromisoformat(returned) < registered.date()


@settings(max_examples=15, deadline=None)
@given(delay=st.integers(min_value=0, max_value=20 * 24 * 60))
def test_consent_delay_does_not_move_the_due_date(delay):
    # Pure: the clock starts at the step's instant, whatever the moment of arming.
    dl = Deadline.model_validate({"within": "1 month", "start": "steps.identification.identified"})
    cal = BusinessCalendar.from_sop(Calendar.model_validate({"timezone": "Africa/Ouagadougou"}))
    registered = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
    data = {STEP_INSTANTS: {"identification.identified": registered}}
    armed = registered + timedelta(minutes=delay)
    assert due_at(dl, armed, data, cal) == datetime(2025, 7, 2, 8, 0, tzinfo=UTC)


def test_missing_step_state_cannot_arm_the_deadline():
    cal = BusinessCalendar.from_sop(Calendar.model_validate({"timezone": "Africa/Ouagadougou"}))
    dl = Deadline.model_validate({"within": "1 month", "start": "steps.identification.identified"})
    with pytest.raises(MissingFieldError) as e:
        due_at(dl, datetime(2025, 6, 2, tzinfo=UTC), {}, cal)
    assert e.value.field == "steps.identification.identified"


def test_lint_names_unknown_step_or_state(bf_loaded):
    sop = bf_loaded.model
    assert step_start_problem(sop, "steps.identification.identified") is None
    assert "does not exist" in step_start_problem(sop, "steps.identificaton.identified")
    assert "not a state" in step_start_problem(sop, "steps.identification.registered")
    assert state_label(sop, "steps.identification.identified") == "Identification — Dossier enregistré"
    assert state_label(sop, "steps.identification.identified", "en") == "Identification — Case registered"
