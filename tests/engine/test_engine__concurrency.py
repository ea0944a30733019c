"""Concurrent fires on one case, from threads and from processes, on SQLite and PostgreSQL.

The case row is locked for the whole transaction (``BEGIN IMMEDIATE`` on SQLite, ``SELECT ... FOR
UPDATE`` on PostgreSQL), so N identical fires started together make exactly one transition; the
others get a typed error (UnknownTrigger once the state has moved on, StaleVersion when they
said which version they saw). Nothing is lost, nothing is doubled.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import func, select

from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import Actor, WorkflowEngine
from mno_workflow.engine.errors import EngineError
from mno_workflow.store import repository
from mno_workflow.store.audit import verify_all
from mno_workflow.store.base import make_engine
from mno_workflow.store.models import AuditEvent

from .helpers import CW, IDENT, referral, to_referrals

N_THREADS = 8
N_PROCESSES = 4


def outcome(wf: WorkflowEngine, ref: str, trigger: str, actor: Actor, payload: dict | None,
            instance: str | None, expected_version: int | None) -> tuple[str, int | None]:
    try:
        r = wf.fire(ref, trigger, actor, payload, instance=instance, expected_version=expected_version)
        return "ok", r.version
    except EngineError as e:
        return type(e).__name__, None
    except Exception as e:  # noqa: BLE001 - reported, so the assertion shows what went wrong
        return f"unexpected {type(e).__name__}: {str(e).splitlines()[0]}", None


def run_threads(calls: list[dict], wf: WorkflowEngine) -> list[tuple[str, int | None]]:
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def work(i: int) -> None:
        barrier.wait()
        results[i] = outcome(wf, **calls[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _process_worker(url: str, now: datetime, call: dict, barrier, queue) -> None:
    db = make_engine(url)
    wf = WorkflowEngine(db, SimulatedClock(now))
    try:
        barrier.wait(60)
        queue.put((call["expected_version"], *outcome(wf, **call)))
    finally:
        db.dispose()


def run_processes(calls: list[dict], url: str, now: datetime) -> list[tuple[str, int | None]]:
    ctx = multiprocessing.get_context("spawn")
    barrier, queue = ctx.Barrier(len(calls)), ctx.Queue()
    procs = [ctx.Process(target=_process_worker, args=(url, now, c, barrier, queue)) for c in calls]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    # A loser that said which version it saw gets StaleVersion, never UnknownTrigger.
    assert all(kind != "UnknownTrigger" for v, kind, _ in results if v is not None), results
    return [(kind, version) for _, kind, version in results]


def trail_summary(wf: WorkflowEngine, ref: str):
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        events = repository.trail(s, case)
        assert verify_all(s) == (1, [])
        n_rows = s.scalar(select(func.count(AuditEvent.id)))
        return case.version, [(e.action, e.trigger, e.instance_key) for e in events], n_rows, {
            i.label_key: i.state for i in case.instances}


def assert_one_registration(wf: WorkflowEngine, ref: str) -> None:
    version, events, n_rows, states = trail_summary(wf, ref)
    assert version == 2
    assert events == [("create", None, None), ("fire", "register", "1")]
    assert n_rows == 2
    # issue 13: registration also opens the immediate-referral step (emergency needs at first contact)
    assert states == {"identification:1": "identified", "consent:1": "pending", "immediate:1": "available"}


@pytest.mark.parametrize("expected_version,losers", [(None, "UnknownTrigger"), (1, "StaleVersion")])
def test_same_trigger_from_threads_makes_one_transition(wf, expected_version, losers):
    ref = wf.create_case("mnr_bf", CW)
    call = dict(ref=ref, trigger="register", actor=CW, payload=IDENT, instance=None,
                expected_version=expected_version)
    results = run_threads([call] * N_THREADS, wf)
    assert Counter(r[0] for r in results) == {"ok": 1, losers: N_THREADS - 1}, results
    assert [v for kind, v in results if kind == "ok"] == [2]
    assert_one_registration(wf, ref)


def test_same_trigger_from_processes_makes_one_transition(wf, db_url, clock):
    """Half the processes say which version they saw (1), half do not: the losers of the first
    kind get StaleVersion, of the second UnknownTrigger (the case has moved on)."""
    ref = wf.create_case("mnr_bf", CW)
    calls = [dict(ref=ref, trigger="register", actor=CW, payload=IDENT, instance=None,
                  expected_version=v) for v in [None, 1] * (N_PROCESSES // 2)]
    results = run_processes(calls, db_url, clock.now())
    assert [kind for kind, _ in results].count("ok") == 1, results
    assert [v for kind, v in results if kind == "ok"] == [2]
    losers = Counter(kind for kind, _ in results if kind != "ok")
    assert set(losers) <= {"UnknownTrigger", "StaleVersion"} and sum(losers.values()) == N_PROCESSES - 1
    assert losers["StaleVersion"] in (N_PROCESSES // 2 - 1, N_PROCESSES // 2), results
    assert_one_registration(wf, ref)


@pytest.mark.parametrize("runner", ["threads", "processes"])
def test_two_referrals_of_one_case_advance_together(wf, db_url, clock, runner):
    ref = to_referrals(wf)
    calls = [dict(ref=ref, trigger="send", actor=CW, payload=referral("cfp"),
                  instance="referral:vocational_training", expected_version=None),
             dict(ref=ref, trigger="send", actor=CW, payload=referral("ong_a"),
                  instance="referral:psychosocial", expected_version=None)]
    if runner == "threads":
        results = run_threads(calls, wf)
    else:
        results = run_processes(calls, db_url, clock.now())
    assert sorted(results) == [("ok", 6), ("ok", 7)], results
    version, events, n_rows, states = trail_summary(wf, ref)
    assert version == 7 and n_rows == 7
    assert sorted(e[2] for e in events[5:]) == ["psychosocial", "vocational_training"]
    assert states["referral:vocational_training"] == states["referral:psychosocial"] == "sent"


def test_many_cases_many_threads_each_case_moves_once(wf):
    """Threads racing on several cases at once: each case still moves exactly once."""
    refs = [wf.create_case("mnr_bf", CW) for _ in range(4)]
    calls = [dict(ref=r, trigger="register", actor=CW, payload=IDENT, instance=None,
                  expected_version=None) for r in refs for _ in range(3)]
    results = run_threads(calls, wf)
    assert Counter(r[0] for r in results) == {"ok": 4, "UnknownTrigger": 8}, results
    with wf.sessions() as s:
        assert verify_all(s) == (4, [])
        for r in refs:
            assert repository.get_case(s, r).version == 2
