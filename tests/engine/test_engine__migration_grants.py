"""``recompute`` keeps what was granted (issue 14, item 4): a deadline recomputed from the original
start under the new rule is moved again by the extensions and pauses already granted in that state,
in their order; table-tested with real dates (Burkina Faso calendar, Africa/Ouagadougou = UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from mno_workflow.engine.versions import migrate_cases
from mno_workflow.store import repository
from mno_workflow.store.models import Deadline

from .helpers import CW, SUP, provider, referral, to_referrals
from .sop_variants import set_deadline
from .test_engine__migration_time import COORD, clean_audit, expiry, load_v2


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# state, new rule, grants [(days after the start, action, duration)], expected due, grants counted
ROWS = [
    # calendar days: accepted Mon 2 June 08:00; new rule 10 days → due end of Thu 12 June;
    # +5 days from that due (granted Tue 3 June, the due still ahead) → end of 17 June;
    # paused Wed 4 June 08:00 → resumed Fri 6 June 08:00 (48 h) → 19 June, same hour
    ("accepted", "10 days", [(1, "extend", "5 days"), (2, "pause", None), (4, "resume", None)],
     _at("2025-06-19T08:00:00"), 2),
    # no grant: the new rule alone, counted from the original start (12 June, same hour)
    ("accepted", "10 days", [], _at("2025-06-12T08:00:00"), 0),
    # an extension in French, from the due instant: 12 June + 1 week
    ("accepted", "10 days", [(1, "extend", "1 semaine")], _at("2025-06-19T08:00:00"), 1),
    # working days (referral sent, not yet answered): 5 working days from Mon 2 June → Tue 3, Wed 4,
    # Thu 5, (Fri 6 June: Tabaski), Mon 9, Tue 10 → end of Tue 10 June; +2 working days from that
    # due (granted Tue 3 June) → end of Thu 12 June; paused Wed 4 08:00 → resumed Fri 6 June 08:00:
    # one whole working day covered (Thu 5; Wed 4 was begun, Fri 6 is Tabaski), as the resume
    # granted then (its event: 19 → 20 June) → end of Fri 13 June
    ("sent", "5 working days", [(1, "extend", "2 jours ouvrés"), (2, "pause", None), (4, "resume", None)],
     _at("2025-06-13T23:59:59.999999"), 2),
]


@pytest.mark.parametrize("state, rule, grants, expected, counted", ROWS)
def test_recompute_keeps_extensions_and_pauses(wf, clock, state, rule, grants, expected, counted):
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("ong_a", "normal"), instance="psychosocial")
    if state == "accepted":
        wf.fire(ref, "accept", provider("ong_a"))  # Mon 2 June 2025 08:00 UTC
    start = clock.now()
    assert start == _at("2025-06-02T08:00:00")
    for days, action, by in grants:
        clock.advance(start + timedelta(days=days) - clock.now())
        if action == "extend":
            wf.extend_deadline(ref, "referral:psychosocial", by, "attente du rapport", SUP)
        elif action == "pause":
            wf.pause_deadline(ref, "referral:psychosocial", "personne hospitalisée", SUP)
        else:
            wf.resume_deadline(ref, "referral:psychosocial", SUP)
    clock.advance(start + timedelta(days=5) - clock.now())          # Sat 7 June: the migration
    old, new = load_v2(wf, lambda d: set_deadline(d, "referral", state, rule))
    plan = migrate_cases(wf, old, new, {}, COORD, rule="recompute")
    with wf.sessions() as s:
        row = expiry(s, repository.get_case(s, ref), "referral:psychosocial")
        assert row.status == "pending" and row.start_at == start
        got = row.due_at
        reminders = s.scalars(select(Deadline).where(Deadline.instance_id == row.instance_id,
                                                     Deadline.kind == "reminder",
                                                     Deadline.status == "pending")).all()
        assert all(r.fire_at > clock.now() for r in reminders)
    assert got == expected
    info = next(d for d in plan.cases[ref].deadlines if d["instance"] == "referral:psychosocial")
    assert info["rule"] == "recompute" and info.get("grants", 0) == counted
    assert info["new_due"] == got.isoformat()
    clean_audit(wf)
