"""``form: [a, b]``: a transition with two forms validates each (errors keyed by form), writes
nothing when one fails, stores each form's data under its id, and keeps the single-form payload."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, select

from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.engine.errors import FormInvalid, FormsInvalid
from mno_workflow.sop.loader import load_text
from mno_workflow.store.models import AuditEvent, Base, Case

from .multiform_sop import APPOINTMENT, CW, REFERRAL, sop_text, to_draft


@pytest.fixture
def mwf(db_url):
    db = create_engine(db_url)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, SimulatedClock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC)))
    wf.load_sop(load_text(sop_text(), "multiform.yaml"))
    yield wf
    db.dispose()


def _case(wf, ref):
    with wf.sessions() as s:
        case = s.scalars(select(Case).where(Case.reference == ref)).one()
        inst = next(i for i in case.instances if i.step == "referral")
        events = s.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)).all()
        return case.version, inst.state, dict(inst.data or {}), [e.trigger for e in events], \
            [e.data for e in events if e.trigger == "send"]


def test_two_forms_are_stored_each_under_its_id_and_audited(mwf):
    ref = to_draft(mwf)
    r = mwf.fire(ref, "send", CW, {"referral": REFERRAL, "appointment": APPOINTMENT})
    assert (r.from_state, r.to_state) == ("draft", "sent")
    _, state, data, _, sent = _case(mwf, ref)
    assert state == "sent"
    assert data == {"referral": {"provider": "ong_a"},
                    "appointment": {"appointment_date": "2025-06-10", "escort": True}}
    assert sent == [data]                                           # the audit event keeps both forms


@pytest.mark.parametrize("payload, by_form", [
    ({"referral": {}, "appointment": APPOINTMENT}, {"referral": {"provider"}}),
    ({"referral": REFERRAL, "appointment": {"appointment_date": "2025-13-01"}},
     {"appointment": {"appointment_date"}}),
    ({"referral": {}, "appointment": {}}, {"referral": {"provider"}, "appointment": {"appointment_date"}}),
    ({"referral": REFERRAL, "appointment": APPOINTMENT, "apointment": {}}, {"": {"apointment"}}),
    ({"referral": REFERRAL, "appointment": "2025-06-10"}, {"appointment": {""}}),
    ({"provider": "ong_a", "appointment_date": "2025-06-10"},                  # the flat shape is refused
     {"": {"provider", "appointment_date"}, "referral": {"provider"}, "appointment": {"appointment_date"}}),
])
def test_any_form_failing_writes_nothing_and_errors_are_keyed_by_form(mwf, payload, by_form):
    ref = to_draft(mwf)
    before = _case(mwf, ref)
    with pytest.raises(FormsInvalid) as info:
        mwf.fire(ref, "send", CW, payload)
    err = info.value
    assert {fid: set(errs) for fid, errs in err.by_form.items()} == by_form
    body = err.as_dict("en")
    assert body["code"] == "form_invalid" and set(body["forms"]) == set(by_form)
    assert all(isinstance(m, str) and m for errs in body["forms"].values() for m in errs.values())
    assert _case(mwf, ref) == before                                # nothing written, no event


def test_the_guard_reads_both_forms(mwf):
    ref = to_draft(mwf)
    mwf.fire(ref, "send", CW, {"referral": REFERRAL, "appointment": APPOINTMENT})
    assert _case(mwf, ref)[1] == "sent"


def test_single_form_transitions_keep_their_flat_payload(mwf):
    ref = mwf.create_case("exemple", CW)
    with pytest.raises(FormInvalid) as info:                        # flat, one form: as before
        mwf.fire(ref, "register", CW, {"name": "", "priority": "normal", "consent": True})
    assert not isinstance(info.value, FormsInvalid) and "name" in info.value.errors
    r = mwf.fire(ref, "register", CW, {"name": "Awa", "priority": "normal", "consent": True,
                                       "needs": [{"need": "housing", "refer": True}]})
    assert r.to_state == "done"


def test_kobo_intake_of_a_two_form_submission(mwf, tmp_path):
    """A submission of the XLSForm of ``mno xlsform --transition send`` (groups referral/ and
    appointment/) fills both forms; one missing required field is a row error, nothing written."""
    import json

    from mno_workflow.interop.intake import intake
    ref = to_draft(mwf)
    with mwf.sessions() as s:
        sop = mwf.registry.compiled(mwf.registry.latest(s, "exemple")).sop
    rows = [{"_uuid": "u-1", "case": ref, "referral/provider": "ong_a"},
            {"_uuid": "u-2", "case": ref, "referral/provider": "ong_a",
             "appointment/appointment_date": "2025-06-10", "appointment/escort": "true"}]
    path = tmp_path / "kobo.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    report = intake(mwf, sop, path, form="referral", actor=CW, trigger="send", case_column="case")
    assert [r[1] for r in report.updated] == ["u-2"]
    assert len(report.errors) == 1 and "appointment.appointment_date" in str(report.errors[0])
    _, state, data, _, _ = _case(mwf, ref)
    assert state == "sent" and data["appointment"] == {"appointment_date": "2025-06-10", "escort": True}
