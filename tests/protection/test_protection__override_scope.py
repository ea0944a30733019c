"""A supervisor's override covers only the recipients it names (tryout 7, J4; BF SOP 2026.8,
``consent_override.share_with``): an override « pour les intérêts vitaux » made for a health
centre does not let a later referral go to an NGO, nor its focal point see the person; an override
recorded without ``share_with`` (before 2026.8) still covers every recipient. French and English."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from mno_workflow import directory
from mno_workflow.engine.errors import GuardNotMet
from mno_workflow.protection import agreement_in_force, consent_in_force, may_disclose, provider_view
from mno_workflow.sop.loader import load_file

from ..conftest import BF_SOP, snapshot
from ..engine.helpers import CONSENT, CW, SUP, referral, to_referrals

SOP = load_file(BF_SOP).model
AT = datetime(2025, 6, 2, 10, tzinfo=UTC)
OVERRIDE = {"legal_basis": "vital_interests", "reason": "Risque VIH, PEP indispensable",
            "data_categories": ["identity", "health"]}


def overridden(record: dict):
    inst = [SimpleNamespace(step="identification", state="identified"),
            SimpleNamespace(step="consent", state="overridden")]
    return SimpleNamespace(instances=inst, data={"consent": CONSENT, "consent_override": record},
                           status="open", closed_at=None)


@pytest.mark.parametrize("share_with, org_type, allowed, reason", [
    (["health"], "health_facility", True, "consent.overridden"),
    (["health"], "ngo", False, "recipient.type_not_covered"),
    (["health"], "government", False, "recipient.type_not_covered"),
    (["health"], "", False, "recipient.type_unknown"),
    (["health"], None, True, "consent.overridden"),          # no directory to ask: not checked
    (["health", "service_provider"], "ngo", True, "consent.overridden"),
    (None, "ngo", True, "consent.overridden"),               # recorded before 2026.8: every recipient
    (None, "government", True, "consent.overridden"),
])
def test_an_override_covers_only_the_recipients_it_names(share_with, org_type, allowed, reason):
    record = {**OVERRIDE, **({"share_with": share_with} if share_with is not None else {})}
    consent = consent_in_force(SOP, overridden(record), AT)
    d = may_disclose(consent, org_type, None, "referral")
    assert (d.allowed, d.reason) == (allowed, reason)
    assert consent.recipient_kinds == frozenset(share_with or ())


def test_the_refusal_says_it_is_the_override_in_both_languages():
    d = may_disclose(consent_in_force(SOP, overridden({**OVERRIDE, "share_with": ["health"]}), AT),
                     "ngo", None, "referral")
    assert d.message.fr == ("La dérogation ne couvre pas le partage avec une organisation de type "
                            "« ONG ou association ».")
    assert d.message.en == ("The override does not cover sharing with an organisation of type "
                            "“NGO or association”.")
    assert d.params == {"org_type": "ngo"}


def test_the_categories_still_hold_under_a_named_recipient():
    consent = consent_in_force(SOP, overridden({**OVERRIDE, "share_with": ["health"]}), AT)
    assert may_disclose(consent, "health_facility", "identity", "referral").allowed
    assert may_disclose(consent, "health_facility", "contact", "referral").reason == "category.not_covered"


def test_an_ngo_focal_point_sees_nothing_under_a_health_only_override():
    inst = SimpleNamespace(step="referral", state="sent")
    health_only = overridden({**OVERRIDE, "share_with": ["health"]})
    ngo = provider_view(SOP, health_only, inst, "ngo", AT)
    assert not ngo.personal and ngo.categories == frozenset()
    assert "dérogation" in ngo.decision.message.fr and "override" in ngo.decision.message.en
    assert provider_view(SOP, health_only, inst, "health_facility", AT).categories == {"identity", "health"}
    older = provider_view(SOP, overridden(OVERRIDE), inst, "ngo", AT)  # before 2026.8: as it was
    assert older.personal and older.categories == {"identity", "health"}


@pytest.fixture
def dwf(wf):
    """The engine asking the real sample directory (org-csps a health centre, org-ecoute an NGO)."""
    wf.recipient_type = directory.organisation_type
    wf.recipient_agreement = agreement_in_force
    with wf.sessions.begin() as s:
        directory.load_sample(s)
    return wf


def test_the_engine_refuses_a_referral_outside_the_override_and_writes_nothing(dwf):
    ref = to_referrals(dwf, consent={**CONSENT, "share_with": ["service_provider", "health"]})
    dwf.fire(ref, "withdraw_consent", CW, {"withdrawn_on": "2025-06-02", "expressed_by": "self"})
    dwf.fire(ref, "override_consent", SUP, {**OVERRIDE, "share_with": ["health"]})
    before = snapshot(dwf)
    with pytest.raises(GuardNotMet) as err:
        dwf.fire(ref, "send", CW, referral("org-ecoute"), instance="psychosocial")
    assert snapshot(dwf) == before
    assert "La dérogation ne couvre pas le partage" in err.value.text("fr")
    assert "ONG ou association" in err.value.text("fr")
    assert "The override does not cover sharing" in err.value.text("en")
    assert err.value.details["condition"] == "data_protection: recipient.type_not_covered"
    assert dwf.fire(ref, "send", CW, referral("org-csps"), instance="psychosocial").to_state == "sent"
