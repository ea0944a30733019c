"""Demo cases of the Burkina Faso mechanism as practised (issue 13), added after the standard
cycle of :mod:`mno_workflow.web.demo_data`: an emergency referral on the day of registration under
a vital-interests override, a provider without an account answered by phone (recorded on its
behalf), a long training reviewed every 30 days, a new need found at a follow-up visit and
referred inside the case, a 10-year-old unaccompanied child (guardian's consent, the child's
assent, best-interests assessment and mandatory child-protection referral), and a person who
refused data sharing, assisted directly without referral. Fictitious data;
every step goes through the engine."""

from __future__ import annotations

from datetime import timedelta

from ..engine.clock import SimulatedClock
from ..engine.engine import Actor, WorkflowEngine

CW = Actor("mariam.kabore", "caseworker")
SUP = Actor("idrissa.sanou", "supervisor")
CFP = Actor("focal.cfp", "provider", "org-cfp")
CONSENT = {"given": True, "given_by": "self", "channel": "written",
           "data_categories": ["identity", "needs"],
           "share_with": ["government", "un_agency", "service_provider", "health"],
           "purposes": ["services", "referral", "follow_up", "statistics"]}


def practice_cases(wf: WorkflowEngine, clock: SimulatedClock) -> list[str]:
    """Create the five issue-13 demo cases (six paths: the emergency case is also the one answered
    by phone), starting at ``clock``'s instant; returns their references."""
    refs: list[str] = []

    def day() -> str:
        return clock.now().date().isoformat()

    def new(first: str, last: str, sex: str, born: str) -> str:
        ref = wf.create_case("mnr_bf", CW)
        wf.fire(ref, "register", CW, {"first_name": first, "last_name": last, "sex": sex,
                                       "birth_date": born, "return_date": day(), "region": "kadiogo",
                                       "return_from": "Niger"})
        refs.append(ref)
        return ref

    # 1. Emergency referral on day 0, before consent: a supervisor's vital-interests override.
    ref = new("Rasmata", "Kiemtoré", "female", "1998-01-09")
    wf.fire(ref, "refer_immediately", CW, {"dimension": "social", "need": "medical",
                                           "urgency": "Blessure ouverte, fièvre (fictif)"})
    wf.fire(ref, "override_consent", SUP, {"legal_basis": "vital_interests",
                                           "reason": "Soins vitaux, personne incapable de consentir.",
                                           "data_categories": ["identity", "contact", "needs", "health"],
                                           "share_with": ["health"]})
    wf.fire(ref, "send", CW, {"provider": "org-csps", "service_id": "svc-csps-soins",
                              "priority": "emergency", "referral_date": day(),
                              "channel": "phone"}, instance="referral:medical")
    # 2. Provider without an account (org-csps: uses_platform no): answers recorded on its behalf.
    clock.advance(timedelta(hours=2))
    answer = {"answer_channel": "phone", "provider_contact": "Major Kaboré (fictif)",
              "answered_at": clock.now().isoformat()}
    wf.fire(ref, "record_acceptance", CW, answer, instance="referral:medical")
    clock.advance(timedelta(hours=4))
    wf.fire(ref, "record_delivery", CW, dict(answer, answered_at=clock.now().isoformat(),
                                             delivered_on=day(), note="Plaie suturée"),
            instance="referral:medical")
    # 3. Long training: in progress, reviewed every 30 days instead of escalating.
    ref = new("Adjara", "Compaoré", "female", "2000-02-02")
    wf.fire(ref, "record_consent", CW, dict(CONSENT, consent_date=day()))
    wf.fire(ref, "submit_assessment", CW, {"assessed_on": day(), "risk_level": "low", "needs": [
        {"dimension": "economic", "need": "vocational_training", "referral_needed": True}]})
    wf.fire(ref, "approve_plan", SUP)
    wf.fire(ref, "send", CW, {"provider": "org-cfp", "service_id": "svc-cfp-koudougou",
                              "priority": "normal", "referral_date": day(),
                              "channel": "system"})
    wf.fire(ref, "accept", CFP)
    wf.fire(ref, "report_in_progress", CFP, {"reviewed_on": day(), "note": "Formation de 6 mois"})
    # 4. A new need found at a follow-up visit, approved and referred inside the case.
    ref = new("Boureima", "Sana", "male", "1995-05-05")
    wf.fire(ref, "record_consent", CW, dict(CONSENT, consent_date=day()))
    wf.fire(ref, "submit_assessment", CW, {"assessed_on": day(), "risk_level": "moderate", "needs": [
        {"dimension": "social", "need": "documentation", "referral_needed": False}]})
    wf.fire(ref, "approve_plan", SUP)  # nothing to refer: the follow-up starts
    clock.advance(timedelta(days=1))
    wf.fire(ref, "record_visit", CW, {"visit_date": day(), "contact_mode": "home_visit",
                                      "services_received": True, "risk_level": "moderate"})
    wf.fire(ref, "revise_plan", CW, {"revised_on": day(), "reason": "Expulsion du logement annoncée",
                                     "needs": [{"dimension": "social", "need": "housing",
                                                "referral_needed": True}]})
    wf.fire(ref, "approve_revision", SUP)
    # 5. A 10-year-old unaccompanied child: guardian's consent, child's assent, best interests.
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, {"first_name": "Ousmane", "last_name": "Tiendrébéogo", "sex": "male",
                                   "birth_date": f"{clock.now().year - 10}-03-01", "return_date": day(),
                                   "region": "kadiogo", "return_from": "Mali",
                                   "vulnerabilities": ["unaccompanied_child"]})
    refs.append(ref)
    wf.fire(ref, "record_consent", CW, dict(
        CONSENT, consent_date=day(), given_by="guardian", representative_name="Mme Sawadogo (fictif)",
        representative_relationship="Tutrice désignée", representative_contact="+226 70 11 22 33",
        child_assent="given", guardianship="social_action_decision", share_with=["government"]))
    wf.fire(ref, "record_best_interests", CW, {
        "assessed_on": day(), "recommendation": "family_reunification", "dimension": "social",
        "need": "child_protection", "findings": "Famille à Kaya, recherche familiale à lancer (fictif)"})
    wf.fire(ref, "send", CW, {"provider": "org-masn", "service_id": "svc-masn-kadiogo-cash",  # child prot.
                              "priority": "urgent", "referral_date": day(),
                              "channel": "system"}, instance="referral:child_protection")
    # 6. Data sharing refused: the case goes on with direct assistance only (no referral).
    ref = new("Salif", "Zoungrana", "male", "1990-04-04")
    wf.fire(ref, "record_refusal", CW, {"refused_on": day(), "given_by": "self",
                                        "note": "Ne souhaite aucun partage (fictif)"})
    wf.fire(ref, "submit_assessment", CW, {"assessed_on": day(), "risk_level": "moderate", "needs": [
        {"dimension": "economic", "need": "cash", "referral_needed": False,
         "description": "Aide en espèces versée par l'agence qui l'a identifié"}]})
    wf.fire(ref, "approve_plan", SUP)  # the follow-up starts with the approved plan
    wf.fire(ref, "record_visit", CW, {"visit_date": day(), "contact_mode": "home_visit",
                                      "services_received": True, "risk_level": "moderate",
                                      "ready_to_close": False})
    return refs
