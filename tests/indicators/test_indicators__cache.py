"""The indicator caches (:mod:`mno_workflow.indicators.cache`) never serve a stale figure: a new
audit event changes the figures at once (only the changed case is read again), a deadline that
falls due without any event changes a within-deadline figure at its due time, a new SOP text or
another filter gets its own entry, and cached figures equal a computation without cache
(SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

import mno_workflow.directory.tables  # noqa: F401  (the dir_* tables exist in every migrated database)
from mno_workflow.indicators import cache, history, periods, service
from mno_workflow.indicators.compute import Computer
from mno_workflow.sop.loader import load_file

from ..conftest import BF_SOP
from ..engine.helpers import CW, referral, to_referrals

VT = "referral:vocational_training"
Q2 = periods.parse("2025Q2")


@pytest.fixture(scope="module")
def sop():
    return load_file(BF_SOP).model


@pytest.fixture(autouse=True)
def _fresh():
    cache.HISTORIES.clear()
    cache.RESULTS.clear()
    yield


def _figs(wf, sop, now=None, **filters):
    with wf.sessions() as s:
        f = service.figures(s, sop, Q2, now or wf.clock.now(), filters=filters, with_directory=False)
    return {r.indicator.code: r for r in f.results}


def _fresh_results(wf, sop, now, **filters):
    with wf.sessions() as s:
        return {r.indicator.code: r for r in Computer(sop, history.load(s), Q2, now, filters).all()}


def test_a_new_event_changes_the_figures_at_once(wf, sop):
    refs = [to_referrals(wf) for _ in range(3)]
    wf.fire(refs[0], "send", CW, referral("org-a"), instance=VT)
    assert _figs(wf, sop)["REFERRALS_MADE"].total == 1
    full = cache.HISTORIES.stats["full"]
    assert _figs(wf, sop)["REFERRALS_MADE"].total == 1  # nothing changed: served from the cache
    assert cache.RESULTS.stats["hit"] >= 1 and cache.HISTORIES.stats["full"] == full
    wf.fire(refs[1], "send", CW, referral("org-a"), instance=VT)
    assert _figs(wf, sop)["REFERRALS_MADE"].total == 2  # the very next request sees it
    assert cache.HISTORIES.stats["full"] == full and cache.HISTORIES.stats["incremental"] >= 1
    # other filters, another SOP object of another text: their own entries
    assert _figs(wf, sop, region="yaadga")["REFERRALS_MADE"].total == 0
    other = sop.model_copy(update={"version": "9999.1"})
    assert cache.sop_key(other) != cache.sop_key(sop)
    now = wf.clock.now()
    got = {c: (r.total, [t.cells for t in r.tables]) for c, r in _figs(wf, sop).items()}
    want = {c: (r.total, [t.cells for t in r.tables]) for c, r in _fresh_results(wf, sop, now).items()}
    assert got == want


def test_a_deadline_falling_due_changes_the_figure_without_any_event(wf, sop, clock):
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("org-a", "emergency"), instance=VT)  # due in 24 hours
    before = _figs(wf, sop)["REFERRALS_ANSWERED_IN_TIME"]
    assert before.total == (0, 0)  # pending, not due yet: not counted
    clock.advance(timedelta(hours=23))
    assert _figs(wf, sop)["REFERRALS_ANSWERED_IN_TIME"].total == (0, 0)
    hits = cache.RESULTS.stats["hit"]
    assert hits >= 1  # still valid before the due time
    clock.advance(timedelta(hours=2))  # past the due time, no new event
    after = _figs(wf, sop)["REFERRALS_ANSWERED_IN_TIME"]
    assert after.total == (0, 1)  # missed
    assert after.total == _fresh_results(wf, sop, clock.now())["REFERRALS_ANSWERED_IN_TIME"].total


def test_switched_off_cache_gives_the_same_figures(wf, sop, monkeypatch):
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("org-a"), instance=VT)
    cached = {c: r.total for c, r in _figs(wf, sop).items()}
    monkeypatch.setenv("MNO_INDICATOR_CACHE", "0")
    assert not cache.enabled()
    plain = {c: r.total for c, r in _figs(wf, sop).items()}
    assert cached == plain


def test_after_a_new_event_only_that_case_is_observed_again(wf, sop, monkeypatch):
    refs = [to_referrals(wf) for _ in range(3)]
    for ref in refs[:2]:
        wf.fire(ref, "send", CW, referral("org-a"), instance=VT)
    _figs(wf, sop)
    seen: list[int] = []
    real = Computer._case_obs

    def spy(self, ind, h):
        seen.append(h.case_id)
        return real(self, ind, h)

    monkeypatch.setattr(Computer, "_case_obs", spy)
    wf.fire(refs[2], "send", CW, referral("org-a"), instance=VT)
    got = _figs(wf, sop)
    assert got["REFERRALS_MADE"].total == 3
    with wf.sessions() as s:
        from mno_workflow.store import repository

        changed = repository.get_case(s, refs[2]).id
    assert seen and set(seen) == {changed}  # the two other cases' observations were reused
    monkeypatch.undo()
    fresh = _fresh_results(wf, sop, wf.clock.now())
    assert {c: r.total for c, r in got.items()} == {c: r.total for c, r in fresh.items()}


def test_dashboard_counts_cache_follows_events_and_due_times(wf, clock):
    """The operational counts of the dashboard and ``/api/v1/stats`` (cached in
    :func:`ops_stats.dashboard_counts`): a new event and a deadline falling due show at once."""
    import mno_workflow.web.models  # noqa: F401  (web tables)
    from mno_workflow.web import ops_stats, queries

    def counts():
        with wf.sessions() as s:
            return ops_stats.dashboard_counts(s, clock.now())

    ref = to_referrals(wf)
    first = counts()
    assert counts() is first  # nothing changed: the same answer, not read again
    wf.fire(ref, "send", CW, referral("org-a", "emergency"), instance=VT)  # due in 24 hours
    sent = counts()
    assert sent["per_state"][("referral", "sent")] == 1 and not sent["overdue"].get("referral")
    clock.advance(timedelta(hours=25))  # no event: the deadline fell due
    late = counts()
    assert late["overdue"]["referral"] == 1
    with wf.sessions() as s:
        assert late == queries.dashboard(s, clock.now())
