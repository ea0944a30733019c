"""``instance_keys`` in CEL (issue 18, F18): the keys of every instance, open or final, of each
``for_each`` step, read by the BF SOP's follow-up rule « Ce besoin n'a pas été référé pour ce
dossier » on the engine's path (the one the page, the API, the CLI and ``mno test`` all take)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from mno_workflow.engine.errors import FormInvalid
from mno_workflow.engine.instances import instance_keys
from mno_workflow.store import repository
from tests.conftest import snapshot

from .helpers import CW, provider, referral, to_referrals

VISIT = {"visit_date": "2025-06-02", "contact_mode": "phone", "services_received": True,
         "risk_level": "low"}


def line(need: str, received: bool = True) -> dict:
    return {"need": need, "service_received": received}


def test_a_need_never_referred_is_refused_in_words(wf):
    ref = to_referrals(wf)  # vocational_training and psychosocial referred; documentation not
    before = snapshot(wf)
    with pytest.raises(FormInvalid) as err:
        wf.fire(ref, "record_visit", CW, {**VISIT, "referral_lines": [line("vocational_training"),
                                                                      line("documentation")]})
    message = err.value.errors["referral_lines"]
    assert message.text("fr") == "Ce besoin n'a pas été référé pour ce dossier."
    assert message.text("en") == "This need was not referred for this case."
    assert snapshot(wf) == before  # nothing written


def test_referred_needs_and_no_lines_are_accepted(wf):
    ref = to_referrals(wf)
    wf.fire(ref, "record_visit", CW, {**VISIT, "referral_lines": [line("vocational_training"),
                                                                  line("psychosocial", False)]})
    wf.fire(ref, "record_visit", CW, VISIT)  # the group is optional: leaving it out is fine
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        sop = wf.registry.for_case(case).sop
        ctx = wf.context(case, None, sop, wf.clock.now())
    assert ctx["instance_keys"]["referral"] == ["vocational_training", "psychosocial"]
    assert "follow_up" not in ctx["instance_keys"]  # a single-instance step has no keys


def test_a_completed_referral_still_counts(wf):
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("cfp"), instance="referral:vocational_training")
    wf.fire(ref, "accept", provider("cfp"), instance="referral:vocational_training")
    wf.fire(ref, "complete", provider("cfp"), {"delivered_on": "2025-06-02"},
            instance="referral:vocational_training")
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        done = next(i for i in case.instances if i.label_key == "referral:vocational_training")
        assert done.final and done.state == "completed"
    wf.fire(ref, "record_visit", CW, {**VISIT, "referral_lines": [line("vocational_training")]})


def test_instance_keys_are_the_items_keys_once_each():
    """A second referral of the same need (instance key ``medical-2``) is still ``medical``; a
    step without ``key`` gives its instance keys; steps not started give ``[]``."""
    sop = SimpleNamespace(steps={
        "referral": SimpleNamespace(instances=SimpleNamespace(key="need")),
        "visit": SimpleNamespace(instances=SimpleNamespace(key=None)),
        "intake": SimpleNamespace(instances="single"),
        "other": SimpleNamespace(instances=SimpleNamespace(key="need"))})
    insts = [SimpleNamespace(step="referral", key="medical", item={"need": "medical"}),
             SimpleNamespace(step="referral", key="cash", item={"need": "cash"}),
             SimpleNamespace(step="referral", key="medical-2", item={"need": "medical"}),
             SimpleNamespace(step="visit", key="1", item={}),
             SimpleNamespace(step="intake", key="1", item=None)]
    assert instance_keys(sop, insts) == {"referral": ["medical", "cash"], "visit": ["1"], "other": []}


def test_opening_rows_for_the_page_only(bf_loaded):
    """The rows a ``rows_from`` group opens with (engine/prefill.py), in :func:`opening_values`'
    shape: flat for one form, by form for several; a value already there is kept; nothing for a
    case without referrals or a form without ``rows_from``."""
    from mno_workflow.engine.prefill import opening_rows, rows
    sop = bf_loaded.model
    case = SimpleNamespace(instances=[
        SimpleNamespace(step="referral", key="cash", item={"need": "cash"}),
        SimpleNamespace(step="referral", key="medical", item={"need": "medical"}),
        SimpleNamespace(step="referral", key="cash-2", item={"need": "cash"})])
    lines = [{"need": "cash"}, {"need": "medical"}]
    assert rows(sop, case, "follow_up") == {"referral_lines": lines}
    assert opening_rows(sop, case, ["follow_up"], None) == {"referral_lines": lines}
    assert opening_rows(sop, case, ["follow_up"], {"referral_lines": []}) == {"referral_lines": []}
    assert opening_rows(sop, case, ["closure", "follow_up"], {"closure": {"reason": "x"}}) == {
        "closure": {"reason": "x"}, "follow_up": {"referral_lines": lines}}
    assert opening_rows(sop, SimpleNamespace(instances=[]), ["follow_up"], None) is None
    assert opening_rows(sop, case, ["closure"], None) is None
