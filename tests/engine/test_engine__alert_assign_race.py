"""Two alerts of one region filed at the same moment (issue 13, review): the least-loaded case
manager is chosen from loads read inside the creating transaction, under the region's lock
(PostgreSQL: ``pg_advisory_xact_lock``; SQLite: the write transaction), so with equal loads the
two alerts go to two different people. Real threads on both back ends.

The test makes the race certain: after reading the loads, each filing waits (at most a few
seconds) for the other one to have read its loads too. Without the lock both read "0 and 0" and
both pick the same person; with it, the second one cannot read before the first one commits."""

from __future__ import annotations

import threading

from sqlalchemy import select

from mno_workflow.engine import alerts
from mno_workflow.engine.engine import Actor
from mno_workflow.store.models import Alert, Case, User

from .test_engine__alerts import GOOD

FR = Actor("agent.dakola", "first_responder", "fds_poste_dakola")


def test_two_alerts_at_once_go_to_two_case_managers(wf, monkeypatch):
    with wf.sessions.begin() as s:
        for uid, role, region in (("aminata", "caseworker", "liptako"),
                                  ("boukary", "caseworker", "liptako"),
                                  ("agent.dakola", "first_responder", None)):
            s.add(User(id=uid, display_name=uid, role=role, region=region, active=True))
    both_read = threading.Barrier(2)
    reads: list[tuple[str, str] | None] = []
    real = alerts.choose_assignee

    def slow_choice(s, entry, region, sop_id=None):
        got = real(s, entry, region, sop_id)
        reads.append(got)
        try:
            both_read.wait(timeout=3)  # the other filing reads now, unless it must wait for us
        except threading.BrokenBarrierError:
            pass
        return got

    monkeypatch.setattr(alerts, "choose_assignee", slow_choice)
    results: list = [None, None]

    def file(i: int) -> None:
        try:
            results[i] = alerts.file_alert(wf, "mnr_bf", FR, GOOD)
        except Exception as e:  # noqa: BLE001 - shown by the assertion below
            results[i] = e

    threads = [threading.Thread(target=file, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(isinstance(r, alerts.Filed) for r in results), results
    assert sorted(r.assignee for r in results) == ["aminata", "boukary"]
    assert {r.assignment for r in results} == {"least_loaded"}
    assert sorted(x[0] for x in reads) == ["aminata", "boukary"]  # the second read saw the first case
    with wf.sessions() as s:
        rows = s.execute(select(Case.assignee, Alert.assignment)
                         .join(Alert, Alert.case_id == Case.id)).all()
    assert sorted(rows) == [("aminata", "least_loaded"), ("boukary", "least_loaded")]


def test_the_region_lock_is_taken_inside_the_transaction_on_postgresql(wf):
    """``lock_region`` holds until the transaction ends: a second session cannot take it meanwhile
    (PostgreSQL); on SQLite it is a no-op (the write transaction serialises)."""
    from sqlalchemy import func
    with wf.sessions.begin() as s:
        alerts.lock_region(s, "liptako")
        if s.get_bind().dialect.name != "postgresql":
            return
        import hashlib
        key = int.from_bytes(hashlib.blake2b(b"mno.alert_assign:liptako", digest_size=8).digest(),
                             "big", signed=True)
        with wf.sessions() as other:
            assert other.scalar(select(func.pg_try_advisory_xact_lock(key))) is False
            other_region = int.from_bytes(hashlib.blake2b(b"mno.alert_assign:sirba",
                                                          digest_size=8).digest(), "big", signed=True)
            assert other.scalar(select(func.pg_try_advisory_xact_lock(other_region))) is True
    with wf.sessions() as s:  # released at commit
        assert s.scalar(select(func.pg_try_advisory_xact_lock(key))) is True
