"""Migration keeps history and time (issue 14): deadlines keep their start, due date, extensions
and pauses when the rule is the same; keep / recompute / restart when it changed; the flow runs
after mapping; a mistyped map is refused with the closest name; replay accepts migrations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from mno_workflow.engine.engine import Actor
from mno_workflow.engine.replay import replay_all
from mno_workflow.engine.versions import MigrationRefused, migrate_cases
from mno_workflow.store import repository
from mno_workflow.store.audit import verify_all
from mno_workflow.store.models import AuditEvent, Deadline
from mno_workflow.views import audit_lines

from ..conftest import BF_SOP, BF_VERSION, snapshot
from .helpers import CW, SUP, provider, referral, to_referrals
from .sop_variants import rename_state, set_deadline, variant

COORD = Actor("coord.mnr", "coordinator")
V1, V2 = f"mnr_bf@{BF_VERSION}", "mnr_bf@2025.2"


def v1_version() -> str:
    from .sop_variants import parse
    return str(parse(BF_SOP.read_text(encoding="utf-8"))["version"])


def load_v2(wf, *edits):
    text = BF_SOP.read_text(encoding="utf-8")
    loaded = variant(text, "2099.9", *edits)
    wf.load_sop(loaded)
    return f"mnr_bf@{v1_version()}", "mnr_bf@2099.9"


def renamed(doc):
    rename_state(doc, "referral", "sent", "transmitted")


def expiry(s, case, inst_key):
    inst = next(i for i in case.instances if i.label_key == inst_key)
    return s.scalars(select(Deadline).where(Deadline.instance_id == inst.id, Deadline.kind == "expiry")
                     .order_by(Deadline.id)).all()[-1]


def clean_audit(wf):
    with wf.sessions() as s:
        assert verify_all(s)[1] == []
        assert replay_all(wf, s) == []


def sent_case(wf, clock):
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("ong_a", "normal"), instance="psychosocial")
    return ref


def test_renamed_state_keeps_start_due_and_extension_of_an_overdue_deadline(wf, clock):
    ref = sent_case(wf, clock)
    clock.advance(timedelta(days=20))  # overdue (10 working days)
    due = wf.extend_deadline(ref, "referral:psychosocial", "2 working days", "provider on leave", SUP)
    with wf.sessions() as s:
        before = expiry(s, repository.get_case(s, ref), "referral:psychosocial")
        start, entered = before.start_at, before.entered_at
    clock.advance(timedelta(days=300))
    old, new = load_v2(wf, renamed)
    migrate_cases(wf, old, new, {"referral.sent": "transmitted"}, COORD)
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        row = expiry(s, case, "referral:psychosocial")
        # Not restarted from the migration instant: the same start, the extended due date.
        assert (row.state, row.due_at, row.start_at, row.entered_at, row.status) == (
            "transmitted", due, start, entered, "pending")
        ev = repository.trail(s, case)[-1]
        assert {d["rule"] for d in ev.data["deadlines"]} == {"same"}
        assert ev.sop_version_id == case.sop_version_id
    clean_audit(wf)
    # The deadline can still be extended under its new state name.
    wf.extend_deadline(ref, "referral:psychosocial", "1 working day", "still waiting", SUP)
    clean_audit(wf)


def test_paused_deadline_stays_paused_across_a_rename(wf, clock):
    ref = sent_case(wf, clock)
    wf.pause_deadline(ref, "referral:psychosocial", "in hospital", SUP)
    old, new = load_v2(wf, renamed)
    migrate_cases(wf, old, new, {"referral.sent": "transmitted"}, COORD)
    with wf.sessions() as s:
        assert expiry(s, repository.get_case(s, ref), "referral:psychosocial").status == "paused"
    wf.resume_deadline(ref, "referral:psychosocial", SUP)
    clean_audit(wf)


@pytest.mark.parametrize("rule", ["keep", "recompute", "restart"])
def test_changed_rule_follows_the_plan(wf, clock, rule):
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("ong_a", "normal"), instance="psychosocial")
    wf.fire(ref, "accept", provider("ong_a"))  # accepted: 30 days
    with wf.sessions() as s:
        before = expiry(s, repository.get_case(s, ref), "referral:psychosocial")
        entered, old_due = before.entered_at, before.due_at
    clock.advance(timedelta(days=3))
    now = clock.now()
    old, new = load_v2(wf, lambda d: set_deadline(d, "referral", "accepted", "10 days"))
    plan = migrate_cases(wf, old, new, {}, COORD, rule=rule)
    with wf.sessions() as s:
        row = expiry(s, repository.get_case(s, ref), "referral:psychosocial")
        expected = {"keep": old_due, "recompute": entered + timedelta(days=10),
                    "restart": now + timedelta(days=10)}[rule]
        assert row.due_at == expected and row.status == "pending" and row.state == "accepted"
        reminders = s.scalars(select(Deadline).where(Deadline.instance_id == row.instance_id,
                                                     Deadline.kind == "reminder",
                                                     Deadline.status == "pending")).all()
        assert all(r.fire_at > now for r in reminders)  # no reminder planned in the past
    mine = [d for d in plan.cases[ref].deadlines if d["instance"] == "referral:psychosocial"]
    assert [d["rule"] for d in mine] == [rule]
    assert {d["rule"] for d in plan.cases[ref].deadlines if d is not mine[0]} <= {"same"}
    clean_audit(wf)


def test_per_state_rule_overrides_the_default(wf, clock):
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("ong_a", "normal"), instance="psychosocial")
    wf.fire(ref, "accept", provider("ong_a"))
    with wf.sessions() as s:
        old_due = expiry(s, repository.get_case(s, ref), "referral:psychosocial").due_at
    old, new = load_v2(wf, lambda d: set_deadline(d, "referral", "accepted", "10 days"))
    migrate_cases(wf, old, new, {}, COORD, rule="restart", deadline_rules={"referral.accepted": "keep"})
    with wf.sessions() as s:
        assert expiry(s, repository.get_case(s, ref), "referral:psychosocial").due_at == old_due


def test_mapping_into_a_final_state_runs_the_flow(wf, clock):
    ref = to_referrals(wf)
    for need in ("psychosocial", "vocational_training"):
        wf.fire(ref, "send", CW, referral("ong_a", "normal"), instance=need)
    old, new = load_v2(wf, renamed)
    # issue 13: the follow-up already runs beside the referrals (started with the plan); mapping
    # it into its final state must run the flow rule after it (the closure step starts)
    plan = migrate_cases(wf, old, new, {"referral.sent": "completed", "follow_up.scheduled": "completed"},
                         COORD)
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        steps = {i.step: i for i in case.instances}
        assert "closure" in steps and not steps["closure"].final  # the flow moved on
        assert {"started": f"closure:{steps['closure'].key}"} in repository.trail(s, case)[-1].effects
        pending = s.scalars(select(Deadline).where(Deadline.case_id == case.id, Deadline.status == "pending",
                                                   Deadline.step == "referral")).all()
        assert pending == []  # the referrals' deadlines ended with them
    assert "closure:" + steps["closure"].key in plan.cases[ref].next_actions
    clean_audit(wf)


def test_mapping_into_a_closing_state_closes_the_case(wf, clock):
    ref = wf.create_case("mnr_bf", CW)
    with wf.sessions() as s:
        initial = repository.get_case(s, ref).instances[0].state
    old, new = load_v2(wf, renamed)
    plan = migrate_cases(wf, old, new, {f"identification.{initial}": "not_eligible"}, COORD)
    assert plan.cases[ref].closed
    with wf.sessions() as s:
        assert repository.get_case(s, ref).status == "closed"
    clean_audit(wf)


@pytest.mark.parametrize("mapping, hint", [
    ({"intake.opne": "done"}, "unknown step 'intake'"),
    ({"referal.sent": "transmitted"}, "did you mean 'referral'"),
    ({"referral.snet": "transmitted"}, "did you mean 'sent'"),
    ({"referral.sent": "transmited"}, "did you mean 'transmitted'"),
])
def test_mistyped_map_is_refused_with_the_closest_name(wf, clock, mapping, hint):
    sent_case(wf, clock)
    old, new = load_v2(wf, renamed)
    before = snapshot(wf)
    with pytest.raises(MigrationRefused) as info:
        migrate_cases(wf, old, new, mapping, COORD)
    said = info.value.as_dict("en")["problems"]
    assert any(hint in p for p in said), said
    assert snapshot(wf) == before


def test_dry_run_tells_everything_and_writes_nothing(wf, clock):
    ref = sent_case(wf, clock)
    old, new = load_v2(wf, renamed)
    before = snapshot(wf)
    plan = migrate_cases(wf, old, new, {"referral.sent": "completed"}, COORD, dry_run=True)
    assert snapshot(wf) == before
    change = plan.cases[ref]
    assert ("referral:psychosocial", "sent", "completed") in change.states
    assert any(d["instance"] == "referral:psychosocial" and d["rule"] == "removed" for d in change.deadlines)
    assert change.next_actions  # what can be done next, per open step


def test_old_events_keep_their_labels_in_case_show(wf, clock):
    ref = sent_case(wf, clock)
    old, new = load_v2(wf, renamed, lambda d: d["steps"]["referral"]["states"]["transmitted"].update(
        label={"fr": "Transmis", "en": "Transmitted"}))
    migrate_cases(wf, old, new, {"referral.sent": "transmitted"}, COORD)
    import mno_workflow.web.models  # noqa: F401 - the access log the person export reads
    from mno_workflow.store.base import Base
    Base.metadata.create_all(wf.db)
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        sop = wf.registry.for_case(case).sop
        lines = audit_lines(repository.trail(s, case), sop, "fr")
        from mno_workflow.person_export import person_record
        trail = person_record(s, case, sop, "fr", clock.now())["trail"]
        assert any("Envoyé au prestataire" in e["what"] for e in trail)  # access request: old words
        assert s.scalar(select(AuditEvent.sop_version_id).where(AuditEvent.case_id == case.id,
                                                                AuditEvent.seq == 1)) != case.sop_version_id
    text = "\n".join(lines)
    assert "À envoyer → Envoyé au prestataire" in text  # the send event, in the old version's words
    migrate_line = next(line for line in lines if "Migré de" in line)
    assert "Envoyé au prestataire → Transmis" in migrate_line and "None" not in text
