"""First responders' alerts (issue 13, item 5) in the engine, on SQLite and PostgreSQL: who
receives an alert (least loaded case manager of the region, else the region's supervisor, else a
national one), bad input refused per field in French and English with nothing written, the
first responder limited to its entry, the alert becoming the case (same reference, history kept,
identification pre-filled) or closed with a reason, deadline of one working day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from mno_workflow.engine.alerts import alerts_of, choose_assignee, file_alert, prefill
from mno_workflow.engine.engine import Actor
from mno_workflow.engine.errors import FormInvalid, RoleNotAllowed, UnknownTrigger
from mno_workflow.store.models import Alert, AuditEvent, Case, Deadline, OutboxMessage, User
from tests.conftest import snapshot

FR = Actor("agent.dakola", "first_responder", "fds_poste_dakola")
GOOD = {"first_name": "Salimata", "last_name": "Diallo", "sex": "female", "estimated_age": 24,
        "region": "liptako", "province": "Séno", "place": "Seytenga", "met_on": "2025-06-02",
        "urgency": ["shelter_tonight"], "contact_way": ["phone"], "phone": "+226 70 11 22 33",
        "contact_agreed": True}


def users(wf, *rows):
    with wf.sessions.begin() as s:
        for uid, role, region in rows:
            s.add(User(id=uid, display_name=uid, role=role, region=region, active=True))


@pytest.fixture
def region(wf):
    users(wf, ("aminata", "caseworker", "liptako"), ("boukary", "caseworker", "liptako"),
          ("hamidou", "supervisor", "liptako"), ("mariam", "caseworker", "kadiogo"),
          ("agent.dakola", "first_responder", None))
    return wf


def test_alerts_go_to_the_least_loaded_case_manager_of_the_region(region):
    wf = region
    # boukary already has two open cases, aminata one closed and none open
    for who in ("boukary", "boukary"):
        wf.create_case("mnr_bf", Actor(who, "caseworker"))
    with wf.sessions.begin() as s:
        closed = Case(sop_version_id=1, status="closed", assignee="aminata", data={},
                      created_at=wf._now(), updated_at=wf._now())
        s.add(closed)
    got = [file_alert(wf, "mnr_bf", FR, GOOD) for _ in range(3)]
    assert [(f.assignee, f.assignment) for f in got] == [
        ("aminata", "least_loaded"), ("aminata", "least_loaded"), ("aminata", "least_loaded")]
    fourth = file_alert(wf, "mnr_bf", FR, GOOD)  # 3 open for aminata, 2 for boukary
    assert (fourth.assignee, fourth.assignment) == ("boukary", "least_loaded")
    with wf.sessions() as s:
        case = s.scalar(select(Case).where(Case.reference == got[0].reference))
        assert (case.region, case.assignee, case.display_name) == ("liptako", "aminata", "Salimata Diallo")
        assert [(i.step, i.state) for i in case.instances] == [("alert", "received")]
        assert case.data["alert"]["urgency"] == ["shelter_tonight"]
        row = s.get(Alert, case.id)
        assert (row.reporter, row.organisation, row.entry) == ("agent.dakola", "fds_poste_dakola", "alert")


def test_no_case_manager_goes_to_the_regions_supervisor_then_a_national_one(wf):
    users(wf, ("fatimata", "supervisor", "kuilse"), ("national", "supervisor", None),
          ("inactive", "caseworker", "kuilse"))
    with wf.sessions.begin() as s:
        s.get(User, "inactive").active = False
    f = file_alert(wf, "mnr_bf", FR, {**GOOD, "region": "kuilse"})
    assert (f.assignee, f.assignment) == ("fatimata", "fallback_region")
    f = file_alert(wf, "mnr_bf", FR, {**GOOD, "region": "sirba"})
    assert (f.assignee, f.assignment) == ("national", "fallback_national")
    with wf.sessions() as s:
        msgs = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "task")).all()
        assert sorted(m.recipient_user for m in msgs) == ["fatimata", "national"]


def test_nobody_to_receive_it_is_a_region_error_and_nothing_is_written(wf):
    users(wf, ("mariam", "caseworker", "kadiogo"))
    before = snapshot(wf)
    with pytest.raises(FormInvalid) as e:
        file_alert(wf, "mnr_bf", FR, {**GOOD, "region": "tapoa"})
    assert set(e.value.errors) == {"region"}
    assert "Aucun gestionnaire" in e.value.errors["region"].fr
    assert "No active case manager" in e.value.errors["region"].en
    with pytest.raises(FormInvalid) as e:  # together with the other field errors
        file_alert(wf, "mnr_bf", FR, {**GOOD, "region": "tapoa", "met_on": "2025-06-09"})
    assert set(e.value.errors) == {"region", "met_on"}
    assert snapshot(wf) == before


@pytest.mark.parametrize("change, field, fr, en", [
    ({"region": None}, "region", "obligatoire", "required"),
    ({"region": "atlantis"}, "region", "", ""),
    ({"contact_way": []}, "contact_way", "obligatoire", "required"),
    ({"contact_way": None, "phone": None}, "contact_way", "obligatoire", "required"),
    ({"phone": None}, "phone", "obligatoire", "required"),          # way "phone" without a number
    ({"met_on": "2025-06-03"}, "met_on", "futur", "future"),        # tomorrow
    ({"met_on": "2025-02-30"}, "met_on", "", ""),
    ({"sex": None}, "sex", "obligatoire", "required"),
    ({"estimated_age": 140}, "estimated_age", "", ""),
    ({"first_name": None, "last_name": None}, "description", "nom ou", "name or"),
    ({"contact_agreed": False}, "contact_agreed", "accord", "agreement"),
    ({"contact_agreed": None}, "contact_agreed", "obligatoire", "required"),
])
def test_bad_alerts_are_refused_per_field_in_both_languages_nothing_written(region, change, field, fr, en):
    payload = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    before = snapshot(region)
    with pytest.raises(FormInvalid) as e:
        file_alert(region, "mnr_bf", FR, payload)
    assert field in e.value.errors, e.value.errors
    assert fr in e.value.errors[field].fr.lower() and en in e.value.errors[field].en.lower()
    assert snapshot(region) == before


def test_a_description_without_a_name_is_enough(region):
    data = {k: v for k, v in GOOD.items() if k not in ("first_name", "last_name")}
    f = file_alert(region, "mnr_bf", FR, {**data, "description": "Jeune femme, pagne vert, gare routière"})
    with region.sessions() as s:
        assert s.scalar(select(Case.display_name).where(Case.reference == f.reference)) == \
            "Jeune femme, pagne vert, gare routière"


def test_a_first_responder_opens_cases_only_through_its_entry_and_acts_on_nothing_else(region):
    wf = region
    before = snapshot(wf)
    with pytest.raises(RoleNotAllowed):
        wf.create_case("mnr_bf", FR)
    from mno_workflow.engine.opening import open_case
    with pytest.raises(RoleNotAllowed):
        open_case(wf, "mnr_bf", FR, {})
    assert snapshot(wf) == before
    f = file_alert(wf, "mnr_bf", FR, GOOD)
    for trigger, data in (("take_up", {"contacted_on": "2025-06-02", "mode": "phone"}),
                          ("close_alert", {"reason": "unreachable"}), ("file", GOOD)):
        with pytest.raises((RoleNotAllowed, UnknownTrigger)):
            wf.fire(f.reference, trigger, FR, data)
    with pytest.raises(RoleNotAllowed):  # a case manager has no alert entry
        file_alert(wf, "mnr_bf", Actor("aminata", "caseworker"), GOOD)


def test_an_alert_with_an_immediate_need_is_due_within_hours_weekend_included(region, clock):
    """« Sans abri cette nuit » (any immediate need ticked): taken up within 4 hours, also on a
    Friday night, not at the end of the next working day (tryout 5, H23)."""
    wf = region
    f = file_alert(wf, "mnr_bf", FR, GOOD)  # Monday 2 June 2025 08:00
    clock.set(datetime(2025, 6, 6, 22, 30, tzinfo=UTC))  # Friday night
    g = file_alert(wf, "mnr_bf", FR, {**GOOD, "urgency": ["gbv_recent", "child_alone"]})
    with wf.sessions() as s:
        due = dict(s.execute(select(Case.reference, Deadline.due_at).join(Case, Case.id == Deadline.case_id)
                             .where(Deadline.status == "pending", Deadline.kind == "expiry")).all())
    assert due[f.reference] == datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
    assert due[g.reference] == datetime(2025, 6, 7, 2, 30, tzinfo=UTC)  # Saturday 02:30, not Monday


def test_the_alert_becomes_the_case_same_reference_history_kept_form_prefilled(region, clock):
    wf = region
    f = file_alert(wf, "mnr_bf", FR, {**GOOD, "urgency": []})
    cw = Actor(f.assignee, "caseworker")
    with wf.sessions() as s:
        due = s.scalar(select(Deadline.due_at).where(Deadline.status == "pending",
                                                      Deadline.kind == "expiry"))
    # Monday 08:00 + 1 working day: the end of Tuesday in Ouagadougou (UTC+0)
    assert due == datetime(2025, 6, 3, 23, 59, 59, 999999, tzinfo=UTC)
    with pytest.raises(RoleNotAllowed):  # the other case manager of the region
        wf.fire(f.reference, "take_up", Actor("boukary", "caseworker"), {"contacted_on": "2025-06-02",
                                                                         "mode": "phone"})
    with pytest.raises(FormInvalid) as e:  # a contact date in the future
        wf.fire(f.reference, "take_up", cw, {"contacted_on": "2025-06-05", "mode": "phone"})
    assert set(e.value.errors) == {"contacted_on"}
    clock.advance(timedelta(hours=2))
    wf.fire(f.reference, "take_up", cw, {"contacted_on": "2025-06-02", "mode": "phone"})
    with wf.sessions() as s:
        case = s.scalar(select(Case).where(Case.reference == f.reference))
        assert {(i.step, i.state) for i in case.instances} == {("alert", "taken_up"),
                                                               ("identification", "screening")}
        pending = s.scalars(select(Deadline).where(Deadline.status == "pending")).all()
        assert {d.step for d in pending} == {"identification"}  # the alert's deadline is cancelled
        sop = wf.registry.for_case(case).sop
        assert prefill(sop, case, "identification") == {
            "first_name": "Salimata", "last_name": "Diallo", "sex": "female", "estimated_age": 24,
            "region": "liptako", "province": "Séno", "commune": "Seytenga", "phone": "+226 70 11 22 33"}
        assert prefill(sop, case, "consent") == {}
        assert [r.status for r in alerts_of(wf, s, "agent.dakola")] == ["taken_up"]
    wf.fire(f.reference, "register", cw, {"first_name": "Salimata", "last_name": "Diallo", "sex": "female",
                                          "estimated_age": 24, "return_date": "2025-06-01",
                                          "region": "liptako"})
    with wf.sessions() as s:
        case = s.scalar(select(Case).where(Case.reference == f.reference))
        actions = [(e.action, e.trigger, e.actor) for e in s.scalars(
            select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.seq))]
        assert actions == [("create", None, "agent.dakola"), ("fire", "file", "agent.dakola"),
                           ("fire", "take_up", f.assignee), ("fire", "register", f.assignee)]
        assert case.status == "open" and {"consent", "identification"} <= {i.step for i in case.instances}


def test_closing_an_alert_closes_the_case_with_its_reason(region):
    wf = region
    f = file_alert(wf, "mnr_bf", FR, GOOD)
    sup = Actor("hamidou", "supervisor")
    with pytest.raises(FormInvalid) as e:
        wf.fire(f.reference, "close_alert", sup, {"reason": "duplicate"})
    assert set(e.value.errors) == {"duplicate_of"}
    wf.fire(f.reference, "close_alert", sup, {"reason": "duplicate", "duplicate_of": "MNR-BF-000001"})
    with wf.sessions() as s:
        case = s.scalar(select(Case).where(Case.reference == f.reference))
        assert case.status == "closed" and case.data["alert_closure"]["reason"] == "duplicate"
        assert s.scalar(select(Deadline).where(Deadline.status == "pending")) is None
        (row,) = alerts_of(wf, s, "agent.dakola")
        assert row.status == "closed" and row.status_at == case.closed_at


def test_idempotency_key_files_one_alert(region):
    a = file_alert(region, "mnr_bf", FR, GOOD, idempotency_key="tap-1")
    b = file_alert(region, "mnr_bf", FR, GOOD, idempotency_key="tap-1")
    assert a.reference == b.reference and b.replayed and not a.replayed
    assert b.assignee == a.assignee and b.assignment == "least_loaded"
    with region.sessions() as s:
        assert len(alerts_of(region, s, "agent.dakola")) == 1


def test_a_reporter_lists_only_its_own_alerts(region):
    users(region, ("relais.kaya", "first_responder", None))
    mine = file_alert(region, "mnr_bf", FR, GOOD)
    file_alert(region, "mnr_bf", Actor("relais.kaya", "first_responder", "relais_kaya"), GOOD)
    with region.sessions() as s:
        rows = alerts_of(region, s, "agent.dakola")
    assert [r.reference for r in rows] == [mine.reference]
    assert set(rows[0].as_dict()) == {"reference", "filed_at", "region", "status", "status_at",
                                      "organisation"}


def test_choose_assignee_ties_go_to_the_first_user_id(region):
    from mno_workflow.engine.alerts import entry_for
    with region.sessions() as s:
        sop = region.registry.compiled(region.registry.latest(s, "mnr_bf")).sop
        _eid, entry = entry_for(sop, "first_responder")
        assert choose_assignee(s, entry, "liptako") == ("aminata", "least_loaded")
        assert choose_assignee(s, entry, "kadiogo") == ("mariam", "least_loaded")
        assert choose_assignee(s, entry, "tapoa") is None
