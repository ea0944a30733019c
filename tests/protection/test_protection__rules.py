"""consent_in_force and may_disclose: table-tested with real calendar dates, and property-tested."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mno_workflow.protection import consent_in_force, field_categories, may_disclose
from mno_workflow.sop.loader import load_file

from ..conftest import BF_SOP

SOP = load_file(BF_SOP).model
CONSENT = {"given": True, "given_by": "self", "consent_date": "2025-06-02", "channel": "written",
           "data_categories": ["identity", "needs"], "share_with": ["service_provider"],
           "purposes": ["referral"]}


def case(state: str | None, consent: dict | None = None):
    inst = [SimpleNamespace(step="identification", state="identified")]
    if state:
        inst.append(SimpleNamespace(step="consent", state=state))
    return SimpleNamespace(instances=inst, data={"consent": consent or CONSENT}, status="open",
                           closed_at=None)


def test_field_categories_come_from_the_sop():
    assert field_categories(SOP) == {
        "identification.first_name": "identity", "identification.last_name": "identity",
        "identification.birth_date": "identity", "identification.caregiver_name": "identity",
        "identification.phone": "contact", "identification.vulnerabilities": "protection",
        "needs_assessment.needs.description": "needs", "needs_assessment.summary": "needs",
        "referral.reason": "needs", "follow_up.notes": "health",
        # issue 13: the child's representative, the immediate need, the plan revision, best interests
        "consent.representative_name": "identity", "consent.representative_contact": "contact",
        "immediate_referral.urgency": "needs", "immediate_referral.incident_at": "protection",
        "immediate_referral.description": "needs", "plan_revision.needs.description": "needs",
        "plan_revision.reason": "needs", "best_interests.findings": "protection",
        # issue 13 item 5: a first responder's alert (name or description, how to reach, needs)
        "alert.first_name": "identity", "alert.last_name": "identity", "alert.description": "identity",
        "alert.phone": "contact", "alert.contact_details": "contact", "alert.urgency": "protection",
        # 2026.9 (tryout 9, L5): the reason of a rectification of identification
        "rectification.reason": "identity"}


# Ouagadougou is UTC+0; 31 December 2025 is the last day of validity.
@pytest.mark.parametrize("at, status", [
    (datetime(2025, 12, 31, 23, 59, tzinfo=UTC), "given"),
    (datetime(2026, 1, 1, 0, 0, tzinfo=UTC), "expired"),
    (datetime(2024, 2, 29, 12, 0, tzinfo=UTC), "given"),
])
def test_expiry_is_the_last_day_in_the_sop_time_zone(at, status):
    c = consent_in_force(SOP, case("given", {**CONSENT, "expires_on": "2025-12-31"}), at)
    assert c.status == status
    d = may_disclose(c, "ngo", "identity", "referral")
    assert d.allowed is (status == "given")
    if status == "expired":
        assert d.reason == "consent.expired" and "31/12/2025" in d.message.en  # issue 18: not ISO
        assert d.params == {"expires_on": "2025-12-31"}  # the API detail stays ISO


def test_expiry_follows_the_sop_time_zone_not_utc():
    paris = SOP.model_copy(update={"calendar": SOP.calendar.model_copy(update={"timezone": "Europe/Paris"})})
    late_evening = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)  # already 1 January in Paris
    c = consent_in_force(paris, case("given", {**CONSENT, "expires_on": "2025-12-31"}), late_evening)
    assert c.status == "expired" and c.today == date(2026, 1, 1)


AT = datetime(2025, 6, 2, 10, tzinfo=UTC)
HEALTH = {**CONSENT, "share_with": ["health"]}


@pytest.mark.parametrize("state, consent, org_type, category, purpose, allowed, reason", [
    ("given", CONSENT, "ngo", "identity", "referral", True, "consent.given"),
    ("given", CONSENT, "government", None, "referral", False, "recipient.type_not_covered"),
    ("given", CONSENT, "health_facility", None, "referral", False, "recipient.type_not_covered"),
    ("given", HEALTH, "health_facility", None, "referral", True, "consent.given"),
    ("given", HEALTH, "ngo", None, "referral", False, "recipient.type_not_covered"),
    ("given", CONSENT, "", None, "referral", False, "recipient.type_unknown"),
    ("given", CONSENT, None, None, "referral", True, "consent.given"),
    ("given", CONSENT, "ngo", "contact", "referral", False, "category.not_covered"),
    ("given", CONSENT, "ngo", None, "statistics", False, "purpose.not_covered"),
    ("withdrawn", CONSENT, "ngo", "identity", "referral", False, "consent.withdrawn"),
    ("refused", CONSENT, "ngo", None, None, False, "consent.refused"),
    ("pending", CONSENT, "ngo", None, None, False, "consent.none"),
    (None, CONSENT, "ngo", None, None, False, "consent.none"),
    # an override recorded before 2026.6 lists no categories: the SOP's override_categories
    # (identity, contact, needs), never protection or health (tryout 5, H27)
    ("overridden", {}, "government", "protection", "referral", False, "category.not_covered"),
    ("overridden", {}, "government", "needs", "referral", True, "consent.overridden"),
    ("overridden", {}, "government", None, "referral", True, "consent.overridden"),
])
def test_may_disclose_table(state, consent, org_type, category, purpose, allowed, reason):
    d = may_disclose(consent_in_force(SOP, case(state, consent), AT), org_type, category, purpose)
    assert (d.allowed, d.reason) == (allowed, reason)
    assert d.message.fr and d.message.en


def test_refusal_names_the_type_in_both_languages():
    d = may_disclose(consent_in_force(SOP, case("given"), AT), "government", None, "referral")
    assert "service de l'État" in d.message.fr and "government service" in d.message.en


KINDS = sorted(SOP.data_protection.recipient_kinds)
TYPES = ["government", "un_agency", "ngo", "health_facility", "private", "community"]
CATS = ["identity", "contact", "health", "protection", "needs"]


@given(kinds=st.sets(st.sampled_from(KINDS)), cats=st.sets(st.sampled_from(CATS)),
       state=st.sampled_from(["given", "withdrawn", "overridden", "refused", "pending"]),
       expires=st.one_of(st.none(), st.integers(-400, 400)),
       org_type=st.sampled_from(TYPES), cat=st.sampled_from(CATS))
def test_disclosure_never_exceeds_the_consent(kinds, cats, state, expires, org_type, cat):
    consent = {**CONSENT, "share_with": sorted(kinds), "data_categories": sorted(cats)}
    if expires is not None:
        consent["expires_on"] = (AT.date() + timedelta(days=expires)).isoformat()
    d = may_disclose(consent_in_force(SOP, case(state, consent), AT), org_type, cat, "referral")
    covered = any(org_type in SOP.data_protection.recipient_kinds[k] for k in kinds)
    in_force = state == "given" and (expires is None or expires >= 0)
    overridden = state == "overridden" and cat in SOP.data_protection.override_categories
    assert d.allowed == (overridden or (in_force and covered and cat in cats))


@pytest.mark.parametrize(("listed", "agreed", "shown"), [
    (["identity", "needs", "health"], None, {"identity", "needs", "health"}),
    (["identity", "needs", "health"], frozenset({"identity", "contact", "needs", "protection"}),
     {"identity", "needs"}),
    ([], None, {"identity", "contact", "needs"}),  # recorded before the override listed them
    ([], frozenset({"identity"}), {"identity"}),
])
def test_an_override_shows_what_it_lists_and_the_agreement_covers(listed, agreed, shown):
    """A supervisor's override discloses the categories it lists (or the SOP's
    ``override_categories``), and a provider sees only those its sharing agreement in force covers
    too, whatever the consent (tryout 5, H27)."""
    from mno_workflow.protection import provider_view

    c = case("overridden", CONSENT)
    c.data["consent_override"] = {"legal_basis": "vital_interests", "reason": "x", "data_categories": listed}
    inst = SimpleNamespace(step="referral", state="sent")
    view = provider_view(SOP, c, inst, "ngo", AT, agreed)
    assert view.personal and view.categories == frozenset(shown)
    given = provider_view(SOP, case("given", {**CONSENT, "share_with": ["service_provider"],
                                              "data_categories": ["identity", "health"]}), inst, "ngo", AT,
                          agreed)
    assert given.categories == frozenset({"identity", "health"}) & (agreed or {"identity", "health"})


@pytest.mark.parametrize("days_after_closure, personal", [(0, True), (29, True), (30, False), (400, False)])
def test_provider_access_ends_30_days_after_closure(days_after_closure, personal):
    from mno_workflow.protection import provider_view

    closed = datetime(2025, 6, 2, 10, tzinfo=UTC)
    c = case("given", {**CONSENT, "share_with": ["service_provider"]})
    c.status, c.closed_at = "closed", closed
    inst = SimpleNamespace(step="referral", state="completed")
    view = provider_view(SOP, c, inst, "ngo", closed + timedelta(days=days_after_closure))
    assert view.personal is personal
    assert view.categories == (frozenset({"identity", "needs"}) if personal else frozenset())
    if not personal:
        assert view.decision.reason == "case.closed" and "30 jours" in view.decision.message.fr


def test_declined_referral_is_withheld_from_the_decliner():
    from mno_workflow.protection import provider_view

    inst = SimpleNamespace(step="referral", state="declined")
    view = provider_view(SOP, case("given"), inst, "ngo", AT)
    assert not view.personal and not view.actions and view.decision.reason == "referral.declined"
    # its own decline, said as such (tryout 6, I12), not « no longer your organisation's »
    said = view.decision.message.text("fr")
    assert said == "Vous avez refusé ce référencement : données personnelles retirées."
    assert view.decision.message.text("en") == "You declined this referral: personal data removed."


def test_a_state_withheld_that_the_provider_did_not_answer_keeps_the_other_words():
    from mno_workflow.protection import provider_view

    dp = SOP.data_protection.model_copy(update={"withhold_in_states": ["declined", "revoked"]})
    sop = SOP.model_copy(update={"data_protection": dp})  # revoked: by the case manager, not the provider
    view = provider_view(sop, case("given"), SimpleNamespace(step="referral", state="revoked"), "ngo", AT)
    assert view.decision.reason == "referral.withheld"
    assert "n'est plus à votre organisation" in view.decision.message.text("fr")
