"""Issue 13 item 4: provider service levels. The directory's response time of the referral's
service (``service_referral.csv``: ``48 hours``, ``5 days``, ``15 working days``…) overrides the
BF SOP's default deadline of ``referral.sent`` for the referral's priority; no, unknown or
time-less service → the default with a visible note (in the reader's language, in words);
another provider's service → field error, nothing written. Table-tested with real calendar
dates (Tabaski, Friday 6 June 2025, is a public holiday), on the sample directory, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from mno_workflow import directory
from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.engine.errors import FormInvalid
from mno_workflow.engine.service_levels import describe, record_for
from mno_workflow.store import repository
from mno_workflow.store.base import Base, make_engine
from mno_workflow.store.models import AuditEvent
from mno_workflow.store.models import Deadline as DeadlineRow

from .helpers import CONSENT, CW, IDENT, SUP

START = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)  # Monday


@pytest.fixture
def dwf(db_url, bf_loaded):
    db = make_engine(db_url)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, SimulatedClock(START))  # the directory of the same database
    wf.load_sop(bf_loaded)
    with wf.sessions.begin() as s:
        directory.load_sample(s)
    yield wf
    db.dispose()


def _draft(wf) -> str:
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, IDENT)
    wf.fire(ref, "record_consent", CW,
            {**CONSENT, "share_with": ["government", "service_provider", "health"]})
    wf.fire(ref, "submit_assessment", CW, {"assessed_on": "2025-06-02", "risk_level": "low", "needs": [
        {"dimension": "economic", "need": "cash", "referral_needed": True}]})
    wf.fire(ref, "approve_plan", SUP)
    return ref


def _send(wf, ref, org, priority, service=None):
    data = {"provider": org, "priority": priority, "referral_date": "2025-06-02", "channel": "system"}
    if service:
        data["service_id"] = service
    return wf.fire(ref, "send", CW, data, instance="referral:cash")


# provider, directory service, priority → due (UTC = Ouagadougou), source, reason
ROWS = [
    ("org-masn", "svc-masn-liptako-social", "emergency", datetime(2025, 6, 4, 8, 0, tzinfo=UTC),
     "directory", None),                                   # 48 hours
    ("org-masn", "svc-masn-liptako-social", "urgent", datetime(2025, 6, 7, 8, 0, tzinfo=UTC),
     "directory", None),                                   # 5 days (calendar), Saturday
    ("org-masn", "svc-masn-liptako-social", "normal", datetime(2025, 6, 24, 23, 59, 59, 999999, tzinfo=UTC),
     "directory", None),                                   # 15 working days (Tabaski skipped), end of day
    ("org-masn", "svc-masn-kadiogo-cash", "urgent", datetime(2025, 6, 5, 8, 0, tzinfo=UTC),
     "directory", None),                                   # 72 hours from the directory
    ("org-masn", None, "urgent", datetime(2025, 6, 5, 8, 0, tzinfo=UTC), "default", "no_service"),
    ("org-masn", "svc-nope", "emergency", datetime(2025, 6, 3, 8, 0, tzinfo=UTC), "default",
     "unknown_service"),
    ("org-cfp", "svc-cfp-bobo", "emergency", datetime(2025, 6, 3, 8, 0, tzinfo=UTC), "default",
     "no_time"),                                           # the directory gives no emergency time
]


NOTES = {  # (service, priority) → the note in French and English (issue 18)
    ("svc-masn-liptako-social", "emergency"): (
        "Délai de réponse du service (annuaire), priorité Urgence vitale : 48 heures",
        "Service's response time (directory), priority Emergency: 48 hours"),
    ("svc-masn-liptako-social", "urgent"): (
        "Délai de réponse du service (annuaire), priorité Urgent : 5 jours",
        "Service's response time (directory), priority Urgent: 5 days"),
    ("svc-masn-liptako-social", "normal"): (
        "Délai de réponse du service (annuaire), priorité Normal : 15 jours ouvrables",
        "Service's response time (directory), priority Normal: 15 working days"),
    ("svc-masn-kadiogo-cash", "urgent"): (
        "Délai de réponse du service (annuaire), priorité Urgent : 72 heures",
        "Service's response time (directory), priority Urgent: 72 hours"),
    (None, "urgent"): (
        "Délai par défaut de la POS (72 heures) : le référencement ne nomme pas de service de l'annuaire",
        "SOP default deadline (72 hours): the referral names no directory service"),
    ("svc-nope", "emergency"): (
        "Délai par défaut de la POS (24 heures) : service inconnu de l'annuaire",
        "SOP default deadline (24 hours): service unknown to the directory"),
    ("svc-cfp-bobo", "emergency"): (
        "Délai par défaut de la POS (24 heures) : l'annuaire ne donne pas de délai de réponse pour cette "
        "priorité",
        "SOP default deadline (24 hours): the directory gives no response time for this priority"),
}


@pytest.mark.parametrize(("org", "service", "priority", "due", "source", "reason"), ROWS)
def test_directory_response_time_overrides_the_default(dwf, org, service, priority, due, source, reason):
    ref = _draft(dwf)
    _send(dwf, ref, org, priority, service)
    with dwf.sessions() as s:
        case = repository.get_case(s, ref)
        inst = next(i for i in case.instances if i.label_key == "referral:cash")
        row = s.scalars(select(DeadlineRow).where(DeadlineRow.instance_id == inst.id,
                                                  DeadlineRow.kind == "expiry",
                                                  DeadlineRow.status == "pending")).one()
        assert row.due_at.astimezone(UTC) == due
        record = record_for(s, dwf.registry.for_case(case).sop, case, inst)
        assert (record["source"], record["reason"]) == (source, reason)
        note_fr = describe(s, dwf.registry.for_case(case).sop, case, inst, "fr")
        note_en = describe(s, dwf.registry.for_case(case).sop, case, inst, "en")
        assert ("Délai de réponse du service" if source == "directory" else "Délai par défaut de la POS") \
            in note_fr
        assert ("response time" if source == "directory" else "SOP default deadline") in note_en
        # issue 18: in words in the reader's language — no English unit on a French page, no code
        assert (note_fr, note_en) == NOTES[(service, priority)]
        for code in (service or "svc-", priority, "days", "hours", "working"):
            assert code not in note_fr
        event = s.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                   AuditEvent.trigger == "send")).one()
        assert [e["service_level"]["source"] for e in event.effects if "service_level" in e] == [source]


def test_another_providers_service_is_a_field_error_and_nothing_is_written(dwf):
    ref = _draft(dwf)
    with dwf.sessions() as s:
        before = repository.get_case(s, ref).version
    with pytest.raises(FormInvalid) as e:
        _send(dwf, ref, "org-masn", "urgent", "svc-csps-soins")
    assert "service_id" in e.value.errors
    # by their directory names in the reader's language, never the ids (tryout 2, finding 2)
    for lang in ("fr", "en"):
        text = e.value.errors["service_id"].text(lang)
        assert "org-masn" not in text and "svc-" not in text, text
    assert "« Consultations et soins de santé primaires »" in e.value.errors["service_id"].text("fr")
    assert "'Primary health care consultations'" in e.value.errors["service_id"].text("en")
    with dwf.sessions() as s:
        case = repository.get_case(s, ref)
        assert case.version == before
        assert {i.label_key: i.state for i in case.instances}["referral:cash"] == "draft"


def test_the_old_service_field_still_works_as_free_text(dwf):
    ref = _draft(dwf)
    r = dwf.fire(ref, "send", CW, {"provider": "org-masn", "service": "Aide sociale", "priority": "urgent",
                                   "referral_date": "2025-06-02", "channel": "system"},
                 instance="referral:cash")
    assert r.to_state == "sent"
