"""The scripted demo: one invented returnee driven through every step of the Burkina Faso SOP.

All people and organisations here are invented (données fictives).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .directory import load_sample, match
from .engine.clock import SimulatedClock
from .engine.engine import Actor, WorkflowEngine
from .i18n import N_, colon, gettext, ngettext
from .resources import bf_sop
from .sop.loader import load_file
from .store import repository
from .views import audit_lines, case_lines, names_for

SOP_PATH = bf_sop()  # shipped in the package (importlib.resources)

CASEWORKER = Actor("mariam.kabore", "caseworker")
SUPERVISOR = Actor("idrissa.sanou", "supervisor")


def run_demo(engine: WorkflowEngine, lang: str = "fr", sop_path: Path = SOP_PATH) -> Iterator[str]:
    """Run the demo on ``engine`` (its clock is replaced by a simulated one); yields output lines."""
    clock = SimulatedClock(datetime(2025, 6, 2, 8, 30, tzinfo=UTC))  # Monday 2 June 2025, Ouagadougou
    engine.clock = clock
    loaded = load_file(sop_path)
    engine.load_sop(loaded)
    sop = loaded.model
    yield gettext("POS chargée : {title} (version {version})", lang, title=sop.label(sop.title, lang),
                  version=sop.version)
    with engine.sessions.begin() as s:
        report = load_sample(s)
    yield gettext("Répertoire des prestataires (données fictives) : {services}", lang,
                  services=ngettext("{n} service importé", "{n} services importés",
                                    report.counts()["service"]["added"], lang))

    def providers(need: str, region: str) -> list:
        """Services ranked by the directory's matching for a need in a region."""
        with engine.sessions() as s:
            return match(s, need=need, region=region, age=24, sex="f")

    def as_provider(candidate) -> Actor:
        return Actor(candidate.focal_point_user_id or f"focal.{candidate.organization_id}", "provider",
                     candidate.organization_id)

    ref = engine.create_case(sop.sop, CASEWORKER)
    yield gettext("Dossier ouvert : {reference}", lang, reference=ref)

    def fire(trigger: str, actor: Actor, data: dict | None = None, instance: str | None = None,
             **advance: Any) -> None:
        clock.advance(timedelta(**(advance or {"hours": 2})))
        today = clock.now().date()  # Ouagadougou is UTC+0
        payload = {k: (today + timedelta(days=v.days)).isoformat() if isinstance(v, timedelta) else v
                   for k, v in (data or {}).items()}
        engine.fire(ref, trigger, actor, payload, instance=instance)

    today = timedelta(0)  # "the day of the action"; timedelta(days=n) is n days later
    fire("register", CASEWORKER, {
        "first_name": "Aminata", "last_name": "Sawadogo", "sex": "female", "birth_date": "2001-03-14",
        "nationality": "burkinabè", "phone": "+226 70 00 00 01", "preferred_language": "moore",
        "return_date": "2025-05-29", "return_from": "Libye", "return_mode": "assisted_voluntary",
        "region": "kadiogo", "province": "Kadiogo", "commune": "Ouagadougou", "household_size": 3,
        "vulnerabilities": ["single_headed_household"]}, hours=1)
    fire("record_consent", CASEWORKER, {
        "given": True, "given_by": "self", "consent_date": today, "channel": "written",
        "data_categories": ["identity", "contact", "needs"],
        "share_with": ["government", "un_agency", "service_provider", "health"],
        "purposes": ["services", "referral", "follow_up", "statistics"],
        "expires_on": timedelta(days=365)}, minutes=40)
    fire("submit_assessment", CASEWORKER, {
        "assessed_on": today, "risk_level": "moderate", "needs": [
            {"dimension": "economic", "need": "vocational_training", "referral_needed": True,
             "description": "Formation en couture souhaitée"},
            {"dimension": "psychosocial", "need": "psychosocial", "referral_needed": True,
             "description": "Détresse après le parcours migratoire"},
            {"dimension": "social", "need": "documentation", "referral_needed": False,
             "description": "Acte de naissance à reconstituer (fait par le gestionnaire)"}],
        "summary": "Mère seule de deux enfants, souhaite une activité à Ouagadougou."}, days=1)
    fire("approve_plan", SUPERVISOR, days=1)
    yield gettext("Plan validé : deux référencements en parallèle (formation, soutien psychosocial) ; le "
                  "suivi commence aussitôt (premier suivi sous 5 jours ouvrables, risque modéré).", lang)

    training = providers("vocational_training", "kadiogo")[0]
    psy_first, psy_second = providers("psychosocial", "kadiogo")[:2]
    yield gettext("Appariement : formation → {training} ({service}) ; soutien psychosocial → {first}, puis "
                  "{second}", lang, training=training.organization_name, service=training.service_name,
                  first=psy_first.organization_name, second=psy_second.organization_name)
    fire("send", CASEWORKER, {"provider": training.organization_id, "service": training.service_name,
                              "service_id": training.service_id,
                              "priority": "normal", "referral_date": today, "channel": "system"},
         instance="referral:vocational_training", hours=1)
    fire("send", CASEWORKER, {"provider": psy_first.organization_id, "service": psy_first.service_name,
                              "service_id": psy_first.service_id,
                              "priority": "urgent", "referral_date": today, "channel": "phone"},
         instance="referral:psychosocial", minutes=20)
    fire("decline", as_provider(psy_first), {"reason": "no_capacity"}, instance="referral:psychosocial",
         hours=20)
    yield gettext("{first} refuse (capacité atteinte) : nouveau référencement vers {second}, le prestataire "
                  "suivant proposé par l'appariement.", lang, first=psy_first.organization_name,
                  second=psy_second.organization_name)
    fire("re_refer", CASEWORKER, {"provider": psy_second.organization_id, "service": psy_second.service_name,
                                  "service_id": psy_second.service_id,
                                  "priority": "urgent", "referral_date": today,
                                  "channel": "phone"}, instance="referral:psychosocial", hours=2)
    wendpanga = as_provider(psy_second)
    cfp = as_provider(training)
    fire("accept", wendpanga, instance="referral:psychosocial", hours=5)
    fire("record_visit", CASEWORKER, {
        "visit_date": today, "contact_mode": "home_visit", "services_received": False,
        "not_received_reason": "Services en cours", "risk_level": "moderate", "ready_to_close": False},
        days=1)
    yield gettext("Premier suivi pendant que les services courent (suivi et référencements en parallèle).",
                  lang)
    fire("accept", cfp, instance="referral:vocational_training", days=1)
    fire("complete", wendpanga, {"delivered_on": today, "note": "4 séances individuelles"},
         instance="referral:psychosocial", days=12)
    fire("complete", cfp, {"delivered_on": today, "note": "Inscrite, formation commencée"},
         instance="referral:vocational_training", days=10)
    yield gettext("Les deux référencements sont terminés ; la clôture sera proposée quand la dernière visite "
                  "dira que l'accompagnement est fini.", lang)

    fire("record_visit", CASEWORKER, {
        "visit_date": today, "contact_mode": "home_visit", "services_received": True,
        "risk_level": "low", "needs_met": True, "satisfaction": "satisfied",
        "next_visit": timedelta(days=30)}, days=3)
    fire("record_visit", CASEWORKER, {
        "visit_date": today, "contact_mode": "phone", "services_received": True,
        "risk_level": "low", "needs_met": True, "satisfaction": "satisfied"}, days=31)
    fire("end_follow_up", CASEWORKER, minutes=30)
    fire("propose_closure", CASEWORKER, {"reason": "goals_met", "closed_on": today,
                                         "summary": "Formation en cours, soutien psychosocial reçu."},
         days=1)
    fire("approve_closure", SUPERVISOR, days=1)

    # Every referral names the directory service (``service_id``) the matching proposed: its
    # deadline is the provider's response time from the directory, not the SOP's default.
    # A second returnee whose referral is still waiting: `mno remind --once` has work to do.
    second = engine.create_case(sop.sop, CASEWORKER)
    clock.advance(timedelta(hours=1))
    engine.fire(second, "register", CASEWORKER, {
        "first_name": "Issa", "last_name": "Ouédraogo", "sex": "male", "estimated_age": 19,
        "return_date": clock.now().date().isoformat(), "return_from": "Niger", "region": "yaadga"})
    engine.fire(second, "record_consent", CASEWORKER, {
        "given": True, "given_by": "self", "consent_date": clock.now().date().isoformat(),
        "channel": "verbal", "data_categories": ["identity", "needs"],
        "share_with": ["service_provider", "health"], "purposes": ["referral"]})
    engine.fire(second, "submit_assessment", CASEWORKER, {
        "assessed_on": clock.now().date().isoformat(), "risk_level": "high", "needs": [
            {"dimension": "social", "need": "medical", "referral_needed": True}]})
    engine.fire(second, "approve_plan", SUPERVISOR)
    clinic = providers("medical", "yaadga")[0]
    engine.fire(second, "send", CASEWORKER, {"provider": clinic.organization_id,
                                             "service_id": clinic.service_id, "priority": "emergency",
                                             "referral_date": clock.now().date().isoformat(),
                                             "channel": "phone"})
    yield gettext("Dossier {reference} : référencement d'urgence envoyé, sans réponse du prestataire — "
                  "« mno remind --once » enverra les rappels et l'escalade.", lang, reference=second)

    yield from _practice(engine, clock, sop, lang)

    with engine.sessions() as s:
        case = repository.get_case(s, ref)
        assert case is not None
        yield ""
        events = repository.trail(s, case)
        names = names_for(s, case, events)  # people and organisations by name, not ids
        from .web.demo_data import demo_users  # the demo's people have no account in this database
        names.users = {**{u.id: u.name for u in demo_users()}, **names.users}
        yield from case_lines(case, sop, lang, names)
        yield ""
        yield from audit_lines(events, sop, lang, names)


# The paths of the mechanism as practised (issue 13), one line each, in the order of
# :func:`mno_workflow.web.demo_practice.practice_cases` (the web demo data shows the same cases).
PRACTICE_PATHS = [
    N_("référencement d'urgence le jour de l'accueil (dérogation pour intérêts vitaux), réponses du "
       "prestataire sans compte enregistrées pour lui par téléphone"),
    N_("formation longue « en cours », revue tous les 30 jours au lieu d'une escalade"),
    N_("nouveau besoin trouvé à une visite de suivi, validé puis référé dans le même dossier"),
    N_("enfant non accompagné de 10 ans : consentement de la tutrice, assentiment, intérêt supérieur, "
       "référencement à la protection de l'enfance"),
    N_("partage des données refusé : assistance directe, sans référencement, le suivi continue"),
]


def _practice(engine: WorkflowEngine, clock: SimulatedClock, sop: Any, lang: str) -> Iterator[str]:
    """Run the issue-13 demo cases and yield one line per path with the case's open steps."""
    from .protection.view_words import instance_words
    from .web.demo_practice import practice_cases
    clock.advance(timedelta(hours=1))
    refs = practice_cases(engine, clock)
    yield ""
    yield gettext("Parcours de terrain (données fictives) :", lang)
    with engine.sessions() as s:
        for ref, path in zip(refs, PRACTICE_PATHS, strict=True):
            case = repository.get_case(s, ref)
            assert case is not None
            steps = ", ".join(f"{instance_words(sop, i.step, i.key, lang)}{colon(lang)}"
                              f"{sop.label(sop.steps[i.step].states[i.state].label, lang)}"
                              for i in case.instances if not i.final)
            yield "  " + gettext("{reference} — {path}. En cours : {steps}", lang, reference=ref,
                                 path=gettext(path, lang), steps=steps or "—")
