"""A separated child's case whose free texts are copied into the items of its referrals (tryout 4,
G7): the best-interests findings into the child-protection referral it spawns, an immediate need's
reasons into its referral, a needs row's description into the plan's referral, a revision row's
description into the referral the revision spawns. Shared by the engine, CLI and web tests."""

from __future__ import annotations

from mno_workflow.engine.engine import Actor, WorkflowEngine

#: the free texts typed in the case, each found in a referral's item before erasure
SECRETS = ("SECRET-FINDINGS", "SECRET-URGENCY", "SECRET-IMMEDIATE-DESC", "SECRET-NEED-DESC",
           "SECRET-REVISION-DESC")

CHILD = {"first_name": "Awa", "last_name": "Zongo", "sex": "female", "birth_date": "2014-03-14",
         "return_date": "2025-05-29", "region": "kadiogo", "vulnerabilities": ["separated_child"],
         "caregiver_name": "Salimata Zongo"}
CONSENT = {"given": True, "given_by": "caregiver", "representative_name": "Salimata Zongo",
           "representative_relationship": "Tante", "representative_contact": "+226 70 00 00 09",
           "child_assent": "given", "consent_date": "2025-06-02", "channel": "written",
           "data_categories": ["identity", "needs", "protection"],
           "share_with": ["government", "service_provider"], "purposes": ["referral", "follow_up"]}
BEST_INTERESTS = {"assessed_on": "2025-06-02", "recommendation": "family_reunification",
                  "findings": "Enfant séparée SECRET-FINDINGS, mère retrouvée à Ouaga",
                  "dimension": "social", "need": "child_protection"}
IMMEDIATE = {"dimension": "social", "need": "medical", "urgency": "Fièvre SECRET-URGENCY",
             "description": "Blessure SECRET-IMMEDIATE-DESC"}
NEEDS = {"assessed_on": "2025-06-02", "risk_level": "high", "needs": [
    {"dimension": "social", "need": "medical", "referral_needed": True},
    {"dimension": "economic", "need": "vocational_training", "referral_needed": True,
     "description": "Couture SECRET-NEED-DESC"}]}
REVISION = {"revised_on": "2025-06-02", "reason": "Nouveau besoin",
            "needs": [{"dimension": "social", "need": "documentation", "referral_needed": True,
                       "description": "Acte de naissance SECRET-REVISION-DESC"}]}


def child_case(wf: WorkflowEngine, cw: Actor, sup: Actor) -> str:
    """Registered separated child, consent by her aunt, an immediate referral, the best-interests
    assessment (child-protection referral spawned), the plan approved and revised."""
    ref = wf.create_case("mnr_bf", cw)
    wf.fire(ref, "register", cw, CHILD)
    wf.fire(ref, "record_consent", cw, CONSENT)
    wf.fire(ref, "refer_immediately", cw, IMMEDIATE)
    wf.fire(ref, "record_best_interests", cw, BEST_INTERESTS)
    wf.fire(ref, "submit_assessment", cw, NEEDS)
    wf.fire(ref, "approve_plan", sup)
    wf.fire(ref, "record_visit", cw, {"visit_date": "2025-06-02", "contact_mode": "phone",
                                      "services_received": False,
                                      "not_received_reason": "Services en cours", "risk_level": "high"})
    wf.fire(ref, "revise_plan", cw, REVISION)
    wf.fire(ref, "approve_revision", sup)
    return ref


def items_of(wf: WorkflowEngine, ref: str) -> dict[str, dict]:
    """``{instance: item}`` of the case's instances that hold an item."""
    from mno_workflow.store import repository
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        return {i.label_key: dict(i.item) for i in case.instances if i.item}
