"""Cases driven through the engine for the web tests (Burkina Faso SOP, 2 June 2025)."""

from __future__ import annotations

from mno_workflow.engine.engine import Actor, WorkflowEngine

from ..engine.helpers import refuse_and_close

MARIAM = Actor("mariam.kabore", "caseworker")
AWA = Actor("awa.ouedraogo", "caseworker")
IDRISSA = Actor("idrissa.sanou", "supervisor")
SALIF = Actor("salif.zongo", "supervisor")

IDENT = {
    "first_name": "Aminata",
    "last_name": "Sawadogo",
    "sex": "female",
    "birth_date": "2001-03-14",
    "phone": "+226 70 00 00 01",
    "return_date": "2025-05-29",
    "region": "kadiogo",
    "vulnerabilities": ["single_headed_household"],
}
CONSENT = {
    "given": True,
    "given_by": "self",
    "consent_date": "2025-06-02",
    "channel": "written",
    "data_categories": ["identity", "needs"],
    "share_with": ["government", "service_provider", "health"],
    "purposes": ["referral", "follow_up", "statistics"],  # a row of the exports (tryout 4, G19)
}
NEEDS = {
    "assessed_on": "2025-06-02",
    "risk_level": "high",
    "needs": [
        {
            "dimension": "economic",
            "need": "cash",
            "referral_needed": True,
            "description": "Besoin urgent d'argent",
        },
        {
            "dimension": "social",
            "need": "medical",
            "referral_needed": True,
            "description": "Suivi de grossesse",
        },
    ],
    "summary": "Synthèse sensible",
}


def provider(org: str) -> Actor:
    return Actor(f"focal.{org[4:]}", "provider", org)


def referral(org: str, priority: str = "normal") -> dict:
    return {
        "provider": org,
        "priority": priority,
        "referral_date": "2025-06-02",
        "channel": "system",
        "reason": "Motif détaillé",
    }


def case_with_referrals(
    wf: WorkflowEngine,
    ident: dict | None = None,
    consent: dict | None = None,
    cw: Actor = MARIAM,
    sup: Actor = IDRISSA,
    send: bool = True,
) -> str:
    """Registered, consented, plan approved; cash sent to org-masn, medical to org-csps."""
    ref = wf.create_case("mnr_bf", cw)
    wf.fire(ref, "register", cw, ident or IDENT)
    wf.fire(ref, "record_consent", cw, consent or CONSENT)
    wf.fire(ref, "submit_assessment", cw, NEEDS)
    wf.fire(ref, "approve_plan", sup)
    if send:
        wf.fire(ref, "send", cw, referral("org-masn"), instance="referral:cash")
        wf.fire(ref, "send", cw, referral("org-csps"), instance="referral:medical")
    return ref


def cash_referral_case(wf: WorkflowEngine, sop_id: str, cw: Actor, sup: Actor) -> str:
    """A case of ``sop_id`` registered in Kadiogo (a region code of the BF SOP and its copies in
    tests/second_sop.py), consented, plan approved, cash referral sent to ``org-masn``."""
    ref = wf.create_case(sop_id, cw)
    wf.fire(ref, "register", cw, IDENT)
    wf.fire(ref, "record_consent", cw, CONSENT)
    wf.fire(ref, "submit_assessment", cw, NEEDS)
    wf.fire(ref, "approve_plan", sup)
    wf.fire(ref, "send", cw, referral("org-masn"), instance="referral:cash")
    return ref


def yaadga_case(wf: WorkflowEngine) -> str:
    ref = wf.create_case("mnr_bf", AWA)
    wf.fire(
        ref,
        "register",
        AWA,
        dict(IDENT, first_name="Issa", last_name="Ouédraogo", sex="male", region="yaadga"),
    )
    return ref


def closed_case(wf: WorkflowEngine, cw: Actor = MARIAM, sup: Actor = IDRISSA) -> str:
    """Registered in Kadiogo (this module's identification), consent refused, then closed by the
    normal path of a case assisted directly: :func:`tests.engine.helpers.refuse_and_close`."""
    return refuse_and_close(wf, cw, sup, ident=IDENT)


def events_of(wf: WorkflowEngine, reference: str, action: str) -> list:
    """Audit events of one action on one case, oldest first."""
    from sqlalchemy import select

    from mno_workflow.store import repository
    from mno_workflow.store.models import AuditEvent

    with wf.sessions() as s:
        case = repository.get_case(s, reference)
        q = select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.action == action)
        return list(s.scalars(q.order_by(AuditEvent.seq)))


def fully_closed_case(wf: WorkflowEngine, cw: Actor = MARIAM, sup: Actor = IDRISSA) -> str:
    """Consent given, both referrals completed, follow-up ended and closure approved (the consent
    instance stays in its non-final state « Consentement donné »)."""
    ref = case_with_referrals(wf, cw=cw, sup=sup)
    for org, need in (("org-masn", "cash"), ("org-csps", "medical")):
        wf.fire(ref, "accept", provider(org), instance=f"referral:{need}")
        wf.fire(
            ref,
            "complete",
            provider(org),
            {"delivered_on": "2025-06-02", "note": "Service fourni"},
            instance=f"referral:{need}",
        )
    wf.fire(
        ref,
        "record_visit",
        cw,
        {
            "visit_date": "2025-06-02",
            "contact_mode": "home_visit",
            "services_received": True,
            "risk_level": "low",
            "needs_met": True,
            "satisfaction": "satisfied",
        },
    )
    wf.fire(ref, "end_follow_up", cw)
    wf.fire(ref, "propose_closure", cw, {"reason": "goals_met", "closed_on": "2025-06-02", "summary": "Fin."})
    wf.fire(ref, "approve_closure", sup)
    return ref
