"""Reopening a case restarts its follow-up on the **last known** risk level, and asks for it when
none is known (a case screened out before any assessment): issue 13 review, decided as a case
manager expects — a follow-up without its first-visit deadline is one nobody is reminded of.
Real BF calendar (Tabaski, Friday 6 June 2025); SQLite and PostgreSQL; the audit replays."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from mno_workflow.engine.errors import FormInvalid
from mno_workflow.engine.replay import replay_all
from mno_workflow.store import repository
from mno_workflow.store.audit import verify_all
from mno_workflow.store.models import Deadline as DeadlineRow
from tests.conftest import snapshot
from tests.web.helpers import IDRISSA, MARIAM, closed_case

EOD = dict(hour=23, minute=59, second=59, microsecond=999999, tzinfo=UTC)


def _screened_out(wf) -> str:
    ref = wf.create_case("mnr_bf", MARIAM)
    wf.fire(ref, "screen_out", MARIAM, {"reason": "already_assisted"})
    return ref


def _first_visit_due(wf, ref):
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        inst = next(i for i in case.instances if i.step == "follow_up" and not i.final)
        return s.scalar(select(DeadlineRow.due_at).where(DeadlineRow.instance_id == inst.id,
                                                         DeadlineRow.kind == "expiry",
                                                         DeadlineRow.status == "pending")).astimezone(UTC)


# case, value given at reopening → first follow-up due (reopened Monday 2 June 2025, 08:00)
ROWS = [
    ("screened_out", "high", datetime(2025, 6, 4, **EOD)),       # 2 working days
    ("screened_out", "moderate", datetime(2025, 6, 10, **EOD)),  # 5 working days, Tabaski skipped
    ("assessed_low", None, datetime(2025, 6, 17, **EOD)),        # last known: low, 10 working days
    ("assessed_low", "high", datetime(2025, 6, 4, **EOD)),       # re-assessed at reopening
]


@pytest.mark.parametrize(("kind", "given", "due"), ROWS)
def test_the_first_follow_up_deadline_after_reopening(wf, kind, given, due):
    ref = _screened_out(wf) if kind == "screened_out" else closed_case(wf)
    wf.reopen(ref, IDRISSA, "Nouvelle information", values={"risk_level": given} if given else None)
    assert _first_visit_due(wf, ref) == due
    with wf.sessions() as s:
        assert verify_all(s)[1] == []
        assert replay_all(wf, s) == []


@pytest.mark.parametrize(("values", "fr", "en"), [
    (None, "premier suivi", "follow-up"),
    ({"risk_level": ""}, "premier suivi", "follow-up"),
    ({"risk_level": "extreme"}, "inconnue", "unknown"),
    ({"risk_level": "high", "colour": "red"}, "", ""),
])
def test_a_screened_out_case_is_not_reopened_without_a_valid_risk_level(wf, values, fr, en):
    ref = _screened_out(wf)
    before = snapshot(wf)
    with pytest.raises(FormInvalid) as e:
        wf.reopen(ref, IDRISSA, "Nouvelle information", values=values)
    field = "colour" if values and "colour" in values else "risk_level"
    assert field in e.value.errors
    assert fr in e.value.errors[field].fr and en in e.value.errors[field].en.lower()
    assert snapshot(wf) == before
