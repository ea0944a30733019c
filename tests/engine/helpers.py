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


def refuse_and_close(wf, cw=None, sup=None, *, ident: dict | None = None) -> str:
    """A case whose person refused data sharing, closed by the normal path of a case assisted
    directly (issue 13: a refusal no longer closes the case): assessment without referral, plan
    approved, a follow-up visit saying support is finished, closure proposed and approved."""
    cw, sup = cw or CW, sup or SUP
    ref = wf.create_case("mnr_bf", cw)
    wf.fire(ref, "register", cw, ident or IDENT)
    wf.fire(ref, "record_refusal", cw, {"refused_on": "2025-06-02", "given_by": "self"})
    wf.fire(ref, "submit_assessment", cw, {
        "assessed_on": "2025-06-02", "risk_level": "low",
        "needs": [{"dimension": "economic", "need": "cash", "referral_needed": False}]})
    wf.fire(ref, "approve_plan", sup)
    wf.fire(ref, "record_visit", cw, {"visit_date": "2025-06-02", "contact_mode": "phone",
                                      "services_received": True, "risk_level": "low",
                                      "ready_to_close": True})
    wf.fire(ref, "end_follow_up", cw)
    wf.fire(ref, "propose_closure", cw, {"reason": "consent_refused", "closed_on": "2025-06-02"})
    wf.fire(ref, "approve_closure", sup)
    return ref


def first_visit(wf, ref: str, cw=None) -> None:
    """Record the first follow-up visit: since issue 13 the follow-up runs from the plan's
    approval, alongside the referrals; tests about referral deadlines record it so that only the
    referral's reminders are due in their time window."""
    wf.fire(ref, "record_visit", cw or CW, {"visit_date": "2025-06-02", "contact_mode": "phone",
                                            "services_received": False,
                                            "not_received_reason": "Services en cours",
                                            "risk_level": "high"})


def close_now(wf: WorkflowEngine, ref: str) -> str:
    """Close the open case ``ref`` at once, as a flow rule's ``close_case`` does (its deadlines
    cancelled): erasure at the person's request needs a closed case (tryout 9, L9), and these
    tests are about what the erasure replaces, not about the SOP's way to close."""
    from mno_workflow.store.audit import append_event
    with wf.sessions.begin() as s:
        case = wf._load_case(s, ref, lock=True)
        sop = wf.registry.for_case(case).sop
        effects: list[dict] = []
        wf._close_case(s, case, wf._now(), effects)
        case.version += 1  # one audited change, as the replay of mno audit verify reads it
        append_event(s, case, at=wf._now(), actor="system", role="system", organisation=None,
                     action="correct", sop_version=f"{sop.sop}@{sop.version}", effects=effects)
    return ref


def erase_while_open(wf: WorkflowEngine, ref: str, actor: Actor, reason: str) -> int:
    """What ``mno case erase`` did to an open case before tryout 9 (L9): the person's data erased,
    the case left open — the state of cases already in older databases."""
    from mno_workflow.engine.retention import purge_case
    with wf.sessions.begin() as s:
        case = wf._load_case(s, ref, lock=True)
        sop = wf.registry.for_case(case).sop
        return purge_case(s, case, sop, wf._now(), "erasure", actor, reason, wf._trace(actor))
