"""Payloads of the Burkina Faso SOP's forms, and a helper that drives a case to a given point."""

from __future__ import annotations

from mno_workflow.engine.engine import Actor, WorkflowEngine

IDENT = {"first_name": "Aminata", "last_name": "Sawadogo", "sex": "female", "birth_date": "2001-03-14",
         "return_date": "2025-05-29", "region": "kadiogo"}
CONSENT = {"given": True, "given_by": "self", "consent_date": "2025-06-02", "channel": "written",
           "data_categories": ["identity", "needs"], "share_with": ["service_provider"],
           "purposes": ["referral", "follow_up"]}
NEEDS = {"assessed_on": "2025-06-02", "risk_level": "high", "needs": [
    {"dimension": "economic", "need": "vocational_training", "referral_needed": True},
    {"dimension": "psychosocial", "need": "psychosocial", "referral_needed": True},
    {"dimension": "social", "need": "documentation", "referral_needed": False}]}


def referral(provider: str, priority: str = "normal") -> dict:
    return {"provider": provider, "priority": priority, "referral_date": "2025-06-02", "channel": "system"}


CW = Actor("mariam.kabore", "caseworker")
SUP = Actor("idrissa.sanou", "supervisor")


def provider(org: str) -> Actor:
    return Actor(f"focal.{org}", "provider", org)


def to_referrals(wf: WorkflowEngine, consent: dict | None = None, needs: dict | None = None) -> str:
    """A new case with identification, consent and an approved plan: referrals in draft."""
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, IDENT)
    wf.fire(ref, "record_consent", CW, consent or CONSENT)
    wf.fire(ref, "submit_assessment", CW, needs or NEEDS)
    wf.fire(ref, "approve_plan", SUP)
    return ref
