"""Why an alert was closed, as its reporter sees it (issue 13 review), on SQLite and PostgreSQL:
reason, date and role of who closed it (never a name, never the note) in ``alerts_of`` (page, API,
CLI) and in the ``alert_status`` message sent to the reporter — and to nobody else holding the
role (``scope: reporter`` outbox recipients). A screened-out alert says « non éligible » with its
reason; an alert that became a case and is still open has no closure; a case without alert tells
no first responder."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from mno_workflow.engine.alert_outcome import sentence
from mno_workflow.engine.alerts import alerts_of, file_alert
from mno_workflow.engine.engine import Actor
from mno_workflow.reminders.outbox import render
from mno_workflow.reminders.recheck import why_not_send
from mno_workflow.store.models import AuditEvent, Case, OutboxMessage, User

from .test_engine__alerts import FR, GOOD, users

SUP = Actor("hamidou", "supervisor")


def _setup(wf):
    users(wf, ("aminata", "caseworker", "liptako"), ("hamidou", "supervisor", "liptako"),
          ("agent.dakola", "first_responder", None), ("relais.dori", "first_responder", "liptako"),
          ("relais.kaya", "first_responder", None))
    with wf.sessions.begin() as s:
        s.get(User, "agent.dakola").email = "agent@example.org"


def _to_reporters(wf, ref):
    with wf.sessions() as s:
        case_id = s.scalar(select(Case.id).where(Case.reference == ref))
        return s.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case_id,
                                                     OutboxMessage.recipient_role == "first_responder")
                         .order_by(OutboxMessage.id)).all()


def test_a_closed_alert_tells_its_reporter_why_when_and_by_which_role(wf, clock):
    _setup(wf)
    f = file_alert(wf, "mnr_bf", FR, GOOD)
    clock.advance(timedelta(days=1))
    wf.fire(f.reference, "close_alert", SUP, {"reason": "duplicate", "duplicate_of": "MNR-BF-000001",
                                              "note": "Même personne que Salimata D. (note interne)"})
    with wf.sessions() as s:
        (row,) = alerts_of(wf, s, "agent.dakola")
        sop = wf.registry.for_case(s.scalar(select(Case).where(Case.reference == f.reference))).sop
    c = row.closure
    assert (c.kind, c.reason, c.by_role, c.at) == ("closed", "duplicate", "supervisor", clock.now())
    assert sentence(sop, c, "fr") == ("Clos le 03/06/2025 par : Superviseur. "
                                      "Motif : Doublon d'un dossier existant.")
    assert set(row.as_dict()) == {"reference", "filed_at", "region", "status", "status_at", "organisation"}
    assert c.as_dict(sop, "en")["reason_label"] == "Duplicate of an existing case"
    msgs = _to_reporters(wf, f.reference)
    closing = [m for m in msgs if m.context.get("trigger") == "close_alert"]
    # only the reporter (in-app and e-mail), never the other first responders of the role
    assert {m.recipient_user for m in msgs} == {"agent.dakola"}
    assert sorted(m.channel for m in closing) == ["email", "inapp"]
    with wf.sessions() as s:
        m = s.get(OutboxMessage, closing[0].id)
        assert why_not_send(s, m, sop, clock.now()) is None  # the case is closed: the reporter is told
        text = render(s, m)
    body = text.subject + "\n" + text.text
    assert "Votre signalement" in body and "Clos" in body and "Doublon d'un dossier existant" in body
    assert "03/06/2025" in body and "Superviseur" in body
    for private in ("hamidou", "Salimata", "note interne", "Diallo"):
        assert private not in body
    with wf.sessions() as s:
        effects = s.scalars(select(AuditEvent.effects).where(AuditEvent.trigger == "close_alert")).one()
    assert {"notified": "first_responder", "role": "first_responder", "messages": 2} in effects


def test_a_screened_out_alert_says_not_eligible_with_its_reason(wf, clock):
    _setup(wf)
    f = file_alert(wf, "mnr_bf", FR, GOOD)
    cw = Actor(f.assignee, "caseworker")
    wf.fire(f.reference, "take_up", cw, {"contacted_on": "2025-06-02", "mode": "phone"})
    with wf.sessions() as s:
        (row,) = alerts_of(wf, s, "agent.dakola")
    assert row.status == "taken_up" and row.closure is None
    clock.advance(timedelta(hours=3))
    wf.fire(f.reference, "screen_out", cw, {"reason": "already_assisted"})
    with wf.sessions() as s:
        (row,) = alerts_of(wf, s, "agent.dakola")
        sop = wf.registry.for_case(s.scalar(select(Case).where(Case.reference == f.reference))).sop
    assert (row.closure.kind, row.closure.reason, row.closure.by_role) == \
        ("screened_out", "already_assisted", "caseworker")
    assert sentence(sop, row.closure, "fr") == ("Déclaré non éligible le 02/06/2025 par : Gestionnaire de "
                                                "cas. Motif : Déjà pris en charge ailleurs.")
    msgs = _to_reporters(wf, f.reference)
    assert [m.context["trigger"] for m in msgs if m.channel == "inapp"] == ["take_up", "screen_out"]
    assert {m.recipient_user for m in msgs} == {"agent.dakola"}


def test_a_case_without_alert_tells_no_first_responder(wf):
    _setup(wf)
    cw = Actor("aminata", "caseworker")
    ref = wf.create_case("mnr_bf", cw)
    wf.fire(ref, "screen_out", cw, {"reason": "not_a_migrant"})
    assert _to_reporters(wf, ref) == []
    with wf.sessions() as s:
        effects = s.scalars(select(AuditEvent.effects).where(AuditEvent.trigger == "screen_out")).one()
    assert {"notified": "first_responder", "role": "first_responder", "messages": 0,
            "no_reporter": True} in effects


def test_an_alert_that_became_a_case_shows_no_closure_to_its_reporter(wf):
    """Taken up and registered: the person's case is not the reporter's business."""
    _setup(wf)
    f = file_alert(wf, "mnr_bf", FR, GOOD)
    cw = Actor(f.assignee, "caseworker")
    wf.fire(f.reference, "take_up", cw, {"contacted_on": "2025-06-02", "mode": "phone"})
    wf.fire(f.reference, "register", cw, {"first_name": "Salimata", "last_name": "Diallo", "sex": "female",
                                          "estimated_age": 24, "return_date": "2025-06-01",
                                          "region": "liptako"})
    with wf.sessions() as s:
        (row,) = alerts_of(wf, s, "agent.dakola")
    assert row.status == "taken_up" and row.closure is None


def test_reporter_scope_recipients_are_the_reporter_only(wf):
    """store/outbox.recipients: ``scope: reporter`` → the user who filed the case's alert (active,
    holding the role), never every first responder of the region or of the country."""
    from mno_workflow.store.outbox import recipients
    _setup(wf)
    f = file_alert(wf, "mnr_bf", FR, GOOD)
    cw = Actor("aminata", "caseworker")
    plain = wf.create_case("mnr_bf", cw)
    with wf.sessions() as s:
        case = s.scalar(select(Case).where(Case.reference == f.reference))
        assert [u for u, _ in recipients(s, "reporter", "first_responder", case, None)] == ["agent.dakola"]
        other = s.scalar(select(Case).where(Case.reference == plain))
        assert recipients(s, "reporter", "first_responder", other, None) == []
    with wf.sessions.begin() as s:
        s.get(User, "agent.dakola").active = False
    with wf.sessions() as s:
        case = s.scalar(select(Case).where(Case.reference == f.reference))
        assert recipients(s, "reporter", "first_responder", case, None) == []
