"""The reminder sweeper on real databases: exactly once, late after downtime, nothing for what moved on."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.engine.errors import FormInvalid, RoleNotAllowed
from mno_workflow.reminders.sweeper import sweep
from mno_workflow.sop.diagnostics import SOPError
from mno_workflow.sop.loader import load_text
from mno_workflow.store.base import Base, make_engine
from mno_workflow.store.models import AuditEvent, Deadline, OutboxMessage

from ..conftest import BF_SOP, BF_VERSION
from ..engine.helpers import CONSENT, CW, IDENT, SUP, first_visit, provider, referral, to_referrals


def outbox(wf, kind=None):
    with wf.sessions() as s:
        q = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind:
            q = q.where(OutboxMessage.kind == kind)
        return list(s.scalars(q))


def pending(wf):
    with wf.sessions() as s:
        return list(s.scalars(select(Deadline).where(Deadline.status == "pending").order_by(Deadline.id)))


def test_reminders_then_escalation_each_exactly_once(wf, clock):
    ref = to_referrals(wf)
    first_visit(wf, ref)  # issue 13: the follow-up runs alongside; only the referral's reminders
    wf.fire(ref, "send", CW, referral("ong_a", "urgent"), instance="psychosocial")  # 72 hours, Mon 08:00
    due = datetime(2025, 6, 5, 8, 0, tzinfo=UTC)
    rows = {(r.kind, r.offset): r for r in pending(wf) if r.instance_id and r.state == "sent"}
    assert rows[("expiry", "")].due_at == due
    assert rows[("reminder", "50%")].fire_at == datetime(2025, 6, 3, 20, 0, tzinfo=UTC)
    # 1 working day before Thursday 08:00 is Wednesday 08:00 (no holiday that week).
    assert rows[("reminder", "1 working day before")].fire_at == datetime(2025, 6, 4, 8, 0, tzinfo=UTC)

    clock.set(datetime(2025, 6, 3, 20, 0, tzinfo=UTC))
    r = sweep(wf)
    assert [x[3] for x in r.reminders] == ["50%"] and not r.late
    assert sweep(wf).claimed == 0
    clock.set(datetime(2025, 6, 5, 8, 1, tzinfo=UTC))
    r = sweep(wf)
    assert [x[3] for x in r.reminders] == ["1 working day before"]
    assert ("MNR-BF-000001", "referral:psychosocial", "sent", "expiry") in r.escalations
    reminders = outbox(wf, "reminder")
    assert [(m.recipient_role, m.channel, m.context["offset"]) for m in reminders] == [
        ("provider", "log", "50%"), ("provider", "log", "1 working day before")]
    esc = [m for m in outbox(wf, "escalation") if m.context["instance"] == "psychosocial"]
    assert [(m.recipient_role, m.context["owner_role"]) for m in esc] == [("supervisor", "provider")]
    assert sweep(wf).claimed == 0


def test_missed_while_down_are_sent_once_and_marked_late(wf, clock):
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("ong_a", "urgent"), instance="psychosocial")
    clock.advance(timedelta(days=10))  # the sweeper was stopped for ten days
    r = sweep(wf)
    assert r.late == len(r.reminders) + len(r.escalations) > 0
    assert {m.late for m in outbox(wf, "reminder")} == {True}
    assert sweep(wf).claimed == 0


def test_nothing_for_a_state_left_or_a_closed_case(wf, clock):
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("ong_a", "urgent"), instance="psychosocial")
    wf.fire(ref, "accept", provider("ong_a"))
    other = wf.create_case("mnr_bf", CW)
    wf.fire(other, "screen_out", SUP, {"reason": "duplicate"})  # closed at once
    clock.advance(timedelta(days=4))
    r = sweep(wf)
    assert not [x for x in r.reminders + r.escalations if x[2] in ("sent", "screening")]
    assert all(m.context["state"] != "sent" for m in outbox(wf, "reminder"))
    with wf.sessions() as s:
        left = s.scalars(select(Deadline).where(Deadline.state == "sent")).all()
        assert {d.status for d in left} == {"cancelled"}
        assert {d.status for d in s.scalars(select(Deadline).where(Deadline.state == "screening"))} == {
            "cancelled"}


def test_an_extended_deadline_reminds_for_the_new_date_only(wf, clock):
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("ong_a", "urgent"), instance="psychosocial")
    with pytest.raises(RoleNotAllowed):
        wf.extend_deadline(ref, "referral:psychosocial", "5 working days", "attente", CW)
    with pytest.raises(FormInvalid):
        wf.extend_deadline(ref, "referral:psychosocial", "5 workdays", "attente", SUP)
    with pytest.raises(FormInvalid):
        wf.extend_deadline(ref, "referral:psychosocial", "5 working days", "  ", SUP)
    new_due = wf.extend_deadline(ref, "referral:psychosocial", "5 working days",
                                 "Le prestataire attend un interprète", SUP)
    # Thursday 5 June 08:00 + 5 working days (Friday 6 June is Tabaski, estimated) = end of 13 June.
    assert new_due == datetime(2025, 6, 13, 23, 59, 59, 999999, tzinfo=UTC)
    clock.set(datetime(2025, 6, 6, 0, 0, tzinfo=UTC))
    r = sweep(wf)
    assert not [x for x in r.escalations if x[1] == "referral:psychosocial"]
    clock.set(datetime(2025, 6, 14, 0, 0, tzinfo=UTC))
    r = sweep(wf)
    assert ("MNR-BF-000001", "referral:psychosocial", "sent", "expiry") in r.escalations
    with wf.sessions() as s:
        ev = s.scalar(select(AuditEvent).where(AuditEvent.action == "extend_deadline"))
        assert ev.data["reason"] == "Le prestataire attend un interprète"
        assert ev.actor == SUP.user and ev.data["new_due_at"].startswith("2025-06-13T23:59:59")


def test_rescheduled_follow_up_reminds_only_for_the_new_date(wf, clock):
    needs = {"assessed_on": "2025-06-02", "risk_level": "low",
             "needs": [{"dimension": "social", "need": "documentation", "referral_needed": False}]}
    ref = to_referrals(wf, needs=needs)
    visit = {"visit_date": "2025-06-02", "contact_mode": "phone", "services_received": True,
             "risk_level": "low"}
    wf.fire(ref, "record_visit", CW, visit)
    first = [r for r in pending(wf) if r.state == "monitoring"]
    clock.advance(timedelta(days=20))
    wf.fire(ref, "record_visit", CW, {**visit, "visit_date": "2025-06-22"})
    second = [r for r in pending(wf) if r.state == "monitoring"]
    assert {r.id for r in first}.isdisjoint({r.id for r in second})
    assert min(r.due_at for r in second) == datetime(2025, 7, 22, 8, 0, tzinfo=UTC)
    clock.set(datetime(2025, 7, 3, 0, 0, tzinfo=UTC))  # past the first visit's due date only
    r = sweep(wf)
    assert not [x for x in r.reminders + r.escalations if x[2] == "monitoring"]


def _auto_sop(text: str) -> str:
    return (text.replace(f'version: "{BF_VERSION}"', 'version: "2026.2-auto"')
            .replace("""          within: 30 days
          remind: [3 days before]
          on_expiry: {escalate: supervisor}""", """          within: 30 days
          remind: [3 days before]
          on_expiry: {escalate: supervisor, fire: end_follow_up}""")
            .replace("""          within: 30 days
          remind: [1 week before]
          on_expiry: {escalate: supervisor}""", """          within: 30 days
          remind: [1 week before]
          on_expiry: {escalate: supervisor, fire: close_unmet}"""))


def test_automatic_trigger_on_expiry_and_a_refused_one(db_url, clock):
    db = make_engine(db_url)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, clock)
    wf.load_sop(load_text(_auto_sop(BF_SOP.read_text(encoding="utf-8")), "auto.yaml"))
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("ong_a"), instance="psychosocial")
    wf.fire(ref, "accept", provider("ong_a"))
    clock.advance(timedelta(days=31))
    r = sweep(wf)
    # close_unmet needs the referral_closure form: the automatic trigger is refused, reported, and
    # the supervisor is still told.
    assert ("MNR-BF-000001", "referral:psychosocial", "accepted", "expiry") in r.failed
    assert ("MNR-BF-000001", "referral:psychosocial", "accepted", "expiry") in r.escalations
    with wf.sessions() as s:
        row = s.scalar(select(Deadline).where(Deadline.state == "accepted", Deadline.kind == "expiry"))
        assert row.status == "done" and "close_unmet" in row.note

    ref2 = wf.create_case("mnr_bf", CW)
    wf.fire(ref2, "register", CW, IDENT)
    wf.fire(ref2, "record_consent", CW, CONSENT)
    wf.fire(ref2, "submit_assessment", CW, {"assessed_on": "2025-06-02", "risk_level": "low", "needs": [
        {"dimension": "social", "need": "documentation", "referral_needed": False}]})
    wf.fire(ref2, "approve_plan", SUP)
    wf.fire(ref2, "record_visit", CW, {"visit_date": "2025-07-03", "contact_mode": "phone",
                                       "services_received": True, "risk_level": "low"})
    clock.advance(timedelta(days=31))
    r = sweep(wf)
    assert (ref2, "follow_up:1", "monitoring", "expiry") in r.auto_fired
    with wf.sessions() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.trigger == "end_follow_up")).one()
        assert (ev.actor, ev.role, ev.from_state, ev.to_state) == (
            "mno.sweeper", "system", "monitoring", "completed")
        assert any(e.get("started") == "closure:1" for e in ev.effects)
    db.dispose()


def _paris_sop() -> str:
    text = BF_SOP.read_text(encoding="utf-8")
    text = text.replace("timezone: Africa/Ouagadougou\n  holidays: BF",
                        "timezone: Europe/Paris\n  holidays: FR")
    return text.replace(f'version: "{BF_VERSION}"', 'version: "2026.2-paris"').replace(
        """        deadline:
          within: 2 working days
          remind: [1 working day before]
          on_expiry: {escalate: supervisor}
      identified:""", """        deadline:
          within: 1 days
          remind: [2 hours before, 30 minutes before]
          on_expiry: {escalate: supervisor}
      identified:""")


@pytest.mark.parametrize("entered_local,expected_due_utc", [
    # Spring forward: 30 March 2025, 02:00 → 03:00 in Paris. 1 day after 29 March 02:30 CET is
    # 30 March 02:30, which does not exist: it moves forward to 03:30 CEST (01:30 UTC).
    ("2025-03-29T01:30:00+00:00", datetime(2025, 3, 30, 1, 30, tzinfo=UTC)),
    # Fall back: 26 October 2025, 03:00 → 02:00. 1 day after 25 October 02:30 CEST is 26 October
    # 02:30, which happens twice: the first one (CEST, 00:30 UTC).
    ("2025-10-25T00:30:00+00:00", datetime(2025, 10, 26, 0, 30, tzinfo=UTC)),
])
def test_dst_neither_skips_nor_doubles(tmp_path, entered_local, expected_due_utc):
    clock = SimulatedClock(datetime.fromisoformat(entered_local))
    db = make_engine(f"sqlite:///{tmp_path / 'paris.db'}")
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, clock)
    wf.load_sop(load_text(_paris_sop(), "paris.yaml"))
    wf.create_case("mnr_bf", CW)
    expiry = next(r for r in pending(wf) if r.kind == "expiry")
    assert expiry.due_at == expected_due_utc
    sent = []
    for _ in range(4 * 36):  # every 15 minutes for 36 hours
        clock.advance(timedelta(minutes=15))
        r = sweep(wf)
        sent += [(x[3], clock.now()) for x in r.reminders + r.escalations]
    assert [s[0] for s in sent] == ["2 hours before", "30 minutes before", "expiry"]
    assert sent[0][1] - timedelta(minutes=15) < expected_due_utc - timedelta(hours=2) <= sent[0][1]
    assert sent[2][1] - timedelta(minutes=15) < expected_due_utc <= sent[2][1]
    db.dispose()


def _sweep_until_empty(url: str, now_iso: str, out) -> None:
    db = make_engine(url)
    wf = WorkflowEngine(db, SimulatedClock(datetime.fromisoformat(now_iso)))
    done = 0
    while True:
        r = sweep(wf, limit=7)
        if r.claimed == 0:
            break
        done += len(r.reminders) + len(r.escalations)
    out.put(done)
    db.dispose()


def test_three_sweeper_processes_send_every_reminder_exactly_once(wf, clock, db_url):
    refs = [to_referrals(wf) for _ in range(6)]
    for ref in refs:
        wf.fire(ref, "send", CW, referral("ong_a", "urgent"), instance="psychosocial")
        wf.fire(ref, "send", CW, referral("ong_b", "emergency"), instance="vocational_training")
    now = clock.now() + timedelta(days=30)
    with wf.sessions() as s:
        due = s.scalar(select(func.count(Deadline.id)).where(Deadline.status == "pending",
                                                             Deadline.fire_at <= now))
    ctx = multiprocessing.get_context("spawn")
    q = ctx.Queue()
    procs = [ctx.Process(target=_sweep_until_empty, args=(db_url, now.isoformat(), q)) for _ in range(3)]
    for p in procs:
        p.start()
    counts = [q.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert sum(counts) == due > 0
    with wf.sessions() as s:
        per_row = s.execute(select(OutboxMessage.deadline_id, func.count()).where(
            OutboxMessage.deadline_id.is_not(None)).group_by(OutboxMessage.deadline_id)).all()
        assert per_row and all(n == 1 for _, n in per_row)
        assert s.scalar(select(func.count(Deadline.id)).where(Deadline.status == "pending",
                                                              Deadline.fire_at <= now)) == 0


def test_extension_does_not_send_a_percentage_reminder_twice(wf, clock):
    ref = to_referrals(wf)
    first_visit(wf, ref)  # issue 13: the follow-up runs alongside; only the referral's reminders
    wf.fire(ref, "send", CW, referral("ong_a", "urgent"), instance="psychosocial")  # due Thu 08:00
    clock.set(datetime(2025, 6, 3, 21, 0, tzinfo=UTC))
    assert [x[3] for x in sweep(wf).reminders] == ["50%"]
    wf.extend_deadline(ref, "referral:psychosocial", "5 working days", "Interprète attendu", SUP)
    sent = []
    for day in range(4, 16):
        clock.set(datetime(2025, 6, day, 12, 0, tzinfo=UTC))
        r = sweep(wf)
        sent += [x[3] for x in r.reminders + r.escalations if x[1] == "referral:psychosocial"]
    # The new due date (end of Friday 13 June) gets its "1 working day before" and its expiry.
    assert sent == ["1 working day before", "expiry"]


def test_a_paused_deadline_sends_nothing_and_resumes_shifted_by_the_pause(wf, clock):
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("ong_a"), instance="psychosocial")  # 10 working days: 17 June
    with pytest.raises(RoleNotAllowed):
        wf.pause_deadline(ref, "referral:psychosocial", "Hospitalisée", CW)
    with pytest.raises(FormInvalid):
        wf.pause_deadline(ref, "referral:psychosocial", "", SUP)
    wf.pause_deadline(ref, "referral:psychosocial", "Hospitalisée", SUP)
    clock.set(datetime(2025, 6, 25, 9, 0, tzinfo=UTC))  # past the original due date
    r = sweep(wf)
    assert not [x for x in r.reminders + r.escalations if x[1] == "referral:psychosocial"]
    new_due = wf.resume_deadline(ref, "referral:psychosocial", SUP)
    # Paused Monday 2 June, resumed Wednesday 25 June: 16 working days (Tabaski on 6 June is
    # not one), so the end of 17 June moves to the end of Wednesday 9 July.
    assert new_due == datetime(2025, 7, 9, 23, 59, 59, 999999, tzinfo=UTC)
    with wf.sessions() as s:
        actions = [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))][-2:]
        assert actions == ["pause_deadline", "resume_deadline"]
    clock.set(datetime(2025, 7, 9, 23, 0, tzinfo=UTC))
    assert not [x for x in sweep(wf).escalations if x[1] == "referral:psychosocial"]
    clock.set(datetime(2025, 7, 10, 0, 0, tzinfo=UTC))
    r = sweep(wf)
    assert ("MNR-BF-000001", "referral:psychosocial", "sent", "expiry") in r.escalations


def test_a_minimum_period_also_waits_for_its_event(db_url, clock):
    text = BF_SOP.read_text(encoding="utf-8").replace(f'version: "{BF_VERSION}"', 'version: "2026.2-wait"')
    text = text.replace("""          within: 30 days
          remind: [3 days before]
          on_expiry: {escalate: supervisor}""", """          within: 30 days
          wait_for: "steps.consent == 'withdrawn'"
          on_expiry: {fire: end_follow_up}""")
    db = make_engine(db_url)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, clock)
    wf.load_sop(load_text(text, "wait.yaml"))
    needs = {"assessed_on": "2025-06-02", "risk_level": "low",
             "needs": [{"dimension": "social", "need": "documentation", "referral_needed": False}]}
    ref = to_referrals(wf, needs=needs)
    wf.fire(ref, "record_visit", CW, {"visit_date": "2025-06-02", "contact_mode": "phone",
                                      "services_received": True, "risk_level": "low"})
    clock.advance(timedelta(days=31))
    r = sweep(wf)
    assert r.waiting and not r.auto_fired  # the period is over, the event has not happened
    assert sweep(wf).claimed == 0  # looked at again only an hour later
    wf.fire(ref, "withdraw_consent", CW, {"withdrawn_on": "2025-07-03", "expressed_by": "self"})
    clock.advance(timedelta(hours=1, minutes=1))
    r = sweep(wf)
    assert (ref, "follow_up:1", "monitoring", "expiry") in r.auto_fired
    db.dispose()


def test_repeated_reminders_after_the_due_time_stop_when_the_state_is_left(db_url, clock):
    text = BF_SOP.read_text(encoding="utf-8").replace(f'version: "{BF_VERSION}"', 'version: "2026.2-repeat"')
    old = "          remind: [50%, 1 working day before]\n          on_expiry: {escalate: supervisor}"
    text = text.replace(old, old.replace("[50%, 1 working day before]", "[every 2 days after]"))
    assert "every 2 days after" in text
    with pytest.raises(SOPError):
        load_text(text.replace("every 2 days after", "every 2 days before"), "bad.yaml")
    db = make_engine(db_url)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, clock)
    wf.load_sop(load_text(text, "repeat.yaml"))
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("ong_a", "urgent"), instance="psychosocial")  # due Thu 5 June 08:00
    sent = []
    for day, hour in [(5, 9), (6, 9), (7, 9), (8, 9), (9, 9), (10, 9)]:
        clock.set(datetime(2025, 6, day, hour, 0, tzinfo=UTC))
        r = sweep(wf)
        sent += [(x[3], day) for x in r.reminders if x[1] == "referral:psychosocial"]
    assert sent == [("every 2 days after", 7), ("every 2 days after", 9)]
    wf.fire(ref, "accept", provider("ong_a"))
    for day in (11, 12, 13, 14):
        clock.set(datetime(2025, 6, day, 9, 0, tzinfo=UTC))
        assert not [x for x in sweep(wf).reminders if x[1] == "referral:psychosocial"]
    db.dispose()
