"""``cases.next_due_at`` (issue 15) equals, after every kind of write, the earliest due instant of
the case's running expiry deadlines computed from the rows in Python — on SQLite and PostgreSQL.

The writes: create, fire (deadlines armed and cancelled), parallel referrals, the sweeper (overdue
rows fired, escalations), extension, pause and resume, a closure, a reopening. The Alembic
revision's backfill is checked by clearing the column and filling it again.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from mno_workflow.reminders.sweeper import sweep
from mno_workflow.store import next_due
from mno_workflow.store.models import Case, Deadline, StepInstance, User

from ..engine.helpers import CW, SUP, provider, referral, refuse_and_close, to_referrals


def expected(s) -> dict[int, object]:
    """{case id: earliest due of its running expiry deadlines, or None}, from the rows."""
    inst = {i.id: i for i in s.scalars(select(StepInstance))}
    out: dict[int, object] = {c: None for c in s.scalars(select(Case.id))}
    for d in s.scalars(select(Deadline).where(Deadline.kind == "expiry")):
        i = inst[d.instance_id]
        if (
            d.status in next_due.RUNNING
            and not i.final
            and i.state == d.state
            and i.entered_at == d.entered_at
        ):
            out[d.case_id] = d.due_at if out[d.case_id] is None else min(out[d.case_id], d.due_at)
    return out


def stored(s) -> dict[int, object]:
    return dict(s.execute(select(Case.id, Case.next_due_at)).all())


def check(wf, what: str) -> dict[int, object]:
    """Assert ``next_due_at`` of every case and ``assignee`` and ``region`` of every expiry
    deadline row (NULL on reminder rows)."""
    with wf.sessions() as s:
        want, got = expected(s), stored(s)
        owners = {c: (a, r) for c, a, r in s.execute(select(Case.id, Case.assignee, Case.region))}
        rows = s.execute(select(Deadline.case_id, Deadline.assignee, Deadline.region)
                         .where(Deadline.kind == "expiry")).all()
        others = s.execute(select(Deadline.assignee, Deadline.region).where(Deadline.kind != "expiry")).all()
    assert got == want, what
    assert rows and [(a, r) for _c, a, r in rows] == [owners[c] for c, _a, _r in rows], what
    assert {tuple(x) for x in others} <= {(None, None)}, what
    return got


def test_next_due_follows_every_write(wf, clock):
    refs = [to_referrals(wf) for _ in range(3)]
    got = check(wf, "created, plan approved")
    assert all(v is not None for v in got.values())  # referrals in draft have a deadline
    wf.fire(refs[0], "send", CW, referral("ong_a"), instance="psychosocial")
    wf.fire(refs[0], "send", CW, referral("ong_b"), instance="vocational_training")
    check(wf, "parallel referrals sent")
    wf.fire(refs[0], "accept", provider("ong_a"), instance="psychosocial")
    check(wf, "one referral accepted")
    wf.fire(refs[1], "send", CW, referral("ong_a"), instance="psychosocial")
    wf.pause_deadline(refs[1], "referral:psychosocial", "Hospitalisée", SUP)
    check(wf, "paused")
    clock.advance(timedelta(days=40))
    sweep(wf)
    check(wf, "swept 40 days later (fired, escalated)")
    due = wf.extend_deadline(refs[0], "referral:vocational_training", "5 working days", "attente", SUP)
    got = check(wf, "extended")
    assert got[_id(wf, refs[0])] <= due
    wf.resume_deadline(refs[1], "referral:psychosocial", SUP)
    check(wf, "resumed")
    closed = refuse_and_close(wf)
    got = check(wf, "a case closed")
    assert got[_id(wf, closed)] is None  # a closed case has no running deadline
    wf.reopen(closed, SUP, "Nouvelle demande")
    got = check(wf, "reopened")
    assert got[_id(wf, closed)] is not None  # the reopening step's deadline is armed
    with wf.sessions.begin() as s:  # a case manager of the cases' region (tryout 8, K2)
        s.add(User(id="awa.ouedraogo", display_name="Awa Ouédraogo", role="caseworker", region="kadiogo"))
    wf.reassign([refs[0], refs[2]], "awa.ouedraogo", SUP, "Congé")
    check(wf, "reassigned")
    with wf.sessions() as s:
        assert {a for (a,) in s.execute(select(Deadline.assignee).where(
            Deadline.case_id == _id(wf, refs[0]), Deadline.kind == "expiry"))} == {"awa.ouedraogo"}


def test_region_follows_the_case(wf, clock):
    """``deadlines.region`` (revision 0032) is the case's region on its expiry rows: copied on
    insert, changed with the case's region (a correction, a transfer, any tool), and filled by the
    backfill after being cleared."""
    refs = [to_referrals(wf) for _ in range(2)]
    with wf.sessions() as s:
        regions = {r for (r,) in s.execute(select(Deadline.region).where(Deadline.kind == "expiry"))}
    assert regions == {"kadiogo"}
    with wf.sessions.begin() as s:
        s.execute(update(Case).where(Case.id == _id(wf, refs[0])).values(region="yaadga"))
    check(wf, "region of one case changed")
    wf.fire(refs[0], "send", CW, referral("ong_a"), instance="psychosocial")
    check(wf, "a deadline armed after the change")
    with wf.sessions() as s:
        assert "yaadga" in {r for (r,) in s.execute(select(Deadline.region).where(
            Deadline.case_id == _id(wf, refs[0]), Deadline.kind == "expiry"))}
    with wf.sessions.begin() as s:
        s.execute(update(Case).where(Case.id == _id(wf, refs[1])).values(region=None))
    check(wf, "region removed")
    with wf.db.begin() as conn:
        next_due.uninstall(conn)
    with wf.sessions.begin() as s:
        s.execute(update(Deadline).where(Deadline.kind == "expiry").values(region="nowhere"))
    with wf.db.begin() as conn:
        next_due.install(conn, fill=True)
    check(wf, "backfilled")


def _id(wf, ref: str) -> int:
    with wf.sessions() as s:
        return s.scalar(select(Case.id).where(Case.reference == ref))


def test_the_backfill_fills_every_case(wf, clock):
    """What revision 0025 runs on an existing database: the column cleared, then filled."""
    for _ in range(2):
        to_referrals(wf)
    with wf.sessions.begin() as s:
        s.execute(update(Case).values(next_due_at=None))
        assert set(stored(s).values()) == {None}
    with wf.db.begin() as conn:
        next_due.install(conn, fill=True)
    got = check(wf, "backfilled")
    assert any(v is not None for v in got.values())


def test_the_check_sees_a_wrong_value(wf, clock):
    """The comparison itself fails on a stale value (triggers dropped, a deadline moved)."""
    ref = to_referrals(wf)
    with wf.db.begin() as conn:
        next_due.uninstall(conn)
    with wf.sessions.begin() as s:
        s.execute(
            update(Deadline).where(Deadline.kind == "expiry").values(due_at=clock.now() - timedelta(days=9))
        )
    with wf.sessions() as s:
        assert stored(s)[_id(wf, ref)] != expected(s)[_id(wf, ref)]
    with wf.db.begin() as conn:
        next_due.install(conn, fill=True)
    check(wf, "installed again")


def test_each_trigger_alone(wf, clock):
    """One table changed at a time, as any tool could (a deadline moved, cancelled, deleted; an
    instance ended): the case's value follows each."""
    ref = to_referrals(wf)
    cid = _id(wf, ref)
    with wf.sessions() as s:
        due = stored(s)[cid]
        first = s.scalars(
            select(Deadline).where(
                Deadline.case_id == cid,
                Deadline.kind == "expiry",
                Deadline.due_at == due,
                Deadline.status == "pending",
            )
        ).first()
        did, iid = first.id, first.instance_id
    steps = [
        (
            "moved earlier",
            update(Deadline).where(Deadline.id == did).values(due_at=clock.now() - timedelta(days=3)),
        ),
        ("cancelled", update(Deadline).where(Deadline.id == did).values(status="cancelled")),
        ("running again", update(Deadline).where(Deadline.id == did).values(status="pending")),
        ("instance ended", update(StepInstance).where(StepInstance.id == iid).values(final=True)),
        ("instance running again", update(StepInstance).where(StepInstance.id == iid).values(final=False)),
        ("deleted", Deadline.__table__.delete().where(Deadline.id == did)),
    ]
    seen = set()
    for what, stmt in steps:
        with wf.sessions.begin() as s:
            s.execute(stmt)
        seen.add(check(wf, what)[cid])
    assert clock.now() - timedelta(days=3) in seen and len(seen) >= 2  # the value did move


def test_sqlite_triggers_read_the_case_own_deadlines(wf, clock):
    """SQLite: the triggers' ``min`` reads the case's rows through ``ix_deadlines_case_expiry``,
    never the every-case index in due order (min/max shortcut, revision 0036); install replaces
    triggers of an older form (a database migrated before 0036)."""
    import pytest

    if wf.db.dialect.name != "sqlite":
        pytest.skip("SQLite's min/max shortcut; PostgreSQL plans the case's rows by itself")
    to_referrals(wf)
    with wf.db.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER cases_next_due_dl_insert")
        old = next_due.min_due_sql("NEW.case_id")  # the form before 0036
        conn.exec_driver_sql(
            "CREATE TRIGGER cases_next_due_dl_insert AFTER INSERT ON deadlines FOR EACH ROW WHEN "
            f"NEW.kind = 'expiry' BEGIN UPDATE cases SET next_due_at = {old} WHERE id = NEW.case_id; END")
        next_due.install(conn)
        sql = {n: s for n, s in conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")}
        for name in next_due.SQLITE_TRIGGERS:
            assert "min(+d.due_at)" in sql[name], name
        plan = "\n".join(row[-1] for row in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT " + next_due.min_due_sql("1", "sqlite")))
        old_plan = "\n".join(row[-1] for row in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT " + next_due.min_due_sql("1")))
    # the case's own rows (the expiry index, or the case index with the reminders too: a tie the
    # planner breaks without statistics), never the every-case index in due order
    assert re.search(r"SEARCH d USING INDEX ix_deadlines_case_(expiry|id) \(case_id=\?\)", plan), plan
    assert "ix_deadlines_kind_status_due_at" not in plan, plan
    # the check can fail: the plain column takes the every-case index
    assert "ix_deadlines_kind_status_due_at" in old_plan, old_plan
    check(wf, "after the triggers were made again")
