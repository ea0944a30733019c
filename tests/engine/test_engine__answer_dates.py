"""Dates recorded for a provider cannot precede what they answer (tryout 5, H21, H22; BF SOP
2026.6): an answer given for the provider (accepted, declined, delivered) is not dated before the
referral, and a long service's expected end is not before its review — refused per field in
French and English, nothing written."""

from __future__ import annotations

import pytest

from mno_workflow.engine.errors import FormInvalid

from .helpers import CW, provider, referral, to_referrals


def _sent(wf) -> str:
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("anpe", "urgent"), instance="psychosocial")  # dated 2025-06-02
    return ref


@pytest.mark.parametrize("trigger", ["record_acceptance", "record_decline", "record_delivery"])
def test_an_answer_recorded_for_the_provider_is_not_before_the_referral(wf, trigger):
    ref = _sent(wf)
    if trigger == "record_delivery":  # from accepted
        answer = {"answer_channel": "phone", "provider_contact": "Dr Kaboré",
                  "answered_at": "2025-06-02T07:30:00Z"}
        wf.fire(ref, "record_acceptance", CW, answer, instance="psychosocial")
    data = {"answer_channel": "phone", "provider_contact": "Dr Kaboré", "answered_at": "2025-06-01T10:00:00Z",
            "reason": "no_capacity", "delivered_on": "2025-06-02"}
    with pytest.raises(FormInvalid) as info:
        wf.fire(ref, trigger, CW, data, instance="psychosocial")
    said = info.value.errors["answered_at"]
    assert "ne peut pas précéder" in said.fr and "01/06/2025" not in said.fr and "02/06/2025" in said.fr
    assert "cannot be before" in said.en or "before" in said.en


def test_a_long_service_does_not_end_before_its_review(wf):
    ref = _sent(wf)
    wf.fire(ref, "accept", provider("anpe"), instance="psychosocial")
    with pytest.raises(FormInvalid) as info:
        wf.fire(ref, "report_in_progress", provider("anpe"),
                {"reviewed_on": "2025-06-02", "expected_end": "2020-01-01"}, instance="psychosocial")
    assert "ne peut pas précéder" in info.value.errors["expected_end"].fr
    wf.fire(ref, "report_in_progress", provider("anpe"),
            {"reviewed_on": "2025-06-02", "expected_end": "2025-12-19"}, instance="psychosocial")
