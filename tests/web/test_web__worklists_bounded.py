"""Work lists whose cost does not grow with the number of cases (issue 15), on both back ends.

- The overdue and step/state filters of « Mes dossiers » take one of two plans (``worklists._member``):
  the matching set read whole when small, an ordered walk of ``cases`` with a correlated EXISTS
  when large. Both must give the same pages and counts; the walk must not sort (no temp B-tree:
  it stops at its LIMIT).
- « Mon travail » reads at most ``SHOW`` rows per group and counts each group up to ``COUNT_CAP``:
  its rows, order and counts must equal a brute-force computation from every running deadline,
  and a capped count says so (``capped``) instead of silently stopping.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from mno_workflow.web import access, queries, triage, worklists

from ..engine.helpers import CW, referral, to_referrals
from .test_web__query_plans import USERS, captured, full_scans

FILTERS = {
    "overdue": lambda now: {"overdue_before": now},
    "step+state": lambda now: {"step": "referral", "state": "sent"},
    "step": lambda now: {"step": "referral"},
    "state": lambda now: {"state": "draft"},
}


@pytest.fixture
def many(wf, clock):
    """Seven cases: three with referrals sent (one of them 40 days ago, so overdue), four in draft."""
    refs = [to_referrals(wf) for _ in range(7)]
    wf.fire(refs[0], "send", CW, referral("ong_a"), instance="psychosocial")
    clock.advance(timedelta(days=40))
    for ref in refs[1:3]:
        wf.fire(ref, "send", CW, referral("ong_a"), instance="psychosocial")
    return refs


def _page(s, user, **kw):
    page = worklists.case_page(s, access.case_clause(USERS[user]), limit=2, **kw)
    return [c.reference for c in page.cases], page.total, page.older


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_both_plans_give_the_same_pages(wf, clock, many, monkeypatch, name):
    now = clock.now()
    results = {}
    for dense in (0, 10**9):  # 0: always the ordered walk; 10**9: always the set read whole
        monkeypatch.setattr(worklists, "DENSE", dense)
        with wf.sessions() as s:
            got = []
            for user in ("caseworker", "supervisor_region", "coordinator"):
                refs, total, older = _page(s, user, **FILTERS[name](now))
                got.append((user, refs, total))
                if older:  # the next page by key, too
                    got.append((user, "next", _page(s, user, before=older, **FILTERS[name](now))[:2]))
            results[dense] = got
    assert results[0] == results[10**9]
    assert any(total for _u, _r, total in results[0] if isinstance(total, int)), "the filter matched nothing"


def test_the_ordered_walk_never_sorts_and_stops(wf, clock, many, monkeypatch):
    monkeypatch.setattr(worklists, "DENSE", 0)
    now = clock.now()
    for name, kw in FILTERS.items():
        for user in ("supervisor_region", "coordinator"):
            with captured(wf.db) as seen, wf.sessions() as s:
                _page(s, user, **kw(now))
            for statement, parameters in seen:
                if "EXISTS" not in statement.upper() or "cases" not in statement:
                    continue
                _bad, plan = full_scans(wf.db, statement, parameters)
                assert "TEMP B-TREE" not in plan and "Sort" not in plan.split("\n")[0], (name, user, plan)
                assert "LIMIT" in statement.upper(), (name, user, statement)


def _brute(s, user, now, tz):
    """Every running deadline of ``user``'s role on the cases they may open, grouped like
    « Mon travail », without any limit."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz)
    groups = {g: [] for g in triage.GROUPS}
    for d, case, inst in queries.running_deadlines(s, owner_role=user.role, clause=access.case_clause(user),
                                                   limit=100_000):
        it = triage._item(d, case, inst, now, zone)
        if it.group == "upcoming" and d.due_at >= now + timedelta(days=7):
            continue
        groups[it.group].append(it)
    return {g: sorted(v, key=triage.urgency) for g, v in groups.items()}


@pytest.mark.parametrize("show,cap", [(100, 500), (1, 1), (2, 3)])
def test_my_work_equals_the_brute_force(wf, clock, many, monkeypatch, show, cap):
    monkeypatch.setattr(triage, "SHOW", show)
    monkeypatch.setattr(triage, "COUNT_CAP", cap)
    tz = "Africa/Ouagadougou"
    for when in (clock.now(), clock.now() - timedelta(days=45), clock.now() + timedelta(days=400)):
        for name in ("caseworker", "supervisor_region", "supervisor_all", "coordinator"):
            user = USERS[name]
            with wf.sessions() as s:
                got = triage.my_work(s, user, when, tz)
                want = _brute(s, user, when, tz)
            for g in triage.GROUPS:
                # the same due dates in the same order; rows due at the same instant may be any of
                # those tied (the page breaks ties by deadline id, the brute force by read order)
                assert [i.due_at for i in got[g]] == [i.due_at for i in want[g][:show]], (name, g, when)
                key = lambda it: (it.reference, it.instance, it.due_at)  # noqa: E731
                assert {key(i) for i in got[g]} <= {key(i) for i in want[g]}, (name, g, when)
                assert len({key(i) for i in got[g]}) == len(got[g]), (name, g)
                assert got["counts"][g] == min(len(want[g]), cap + 1), (name, g)
                assert got["capped"][g] == (len(want[g]) > cap), (name, g)
    # the world has something to count, or the comparison proves nothing
    with wf.sessions() as s:
        seen = {g: 0 for g in triage.GROUPS}
        for name in USERS:
            for g, v in _brute(s, USERS[name], clock.now(), tz).items():
                seen[g] += len(v)
    assert sum(seen.values()) >= 2 and seen["overdue"] >= 1, seen
