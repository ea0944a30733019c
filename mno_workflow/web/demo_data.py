"""Demo data for ``serve(demo=True)``: the Burkina Faso SOP, the sample directory, one user per role
and a few dozen invented cases in every step, driven through ``wf.fire`` (deterministic).

Everything here is invented (données fictives): names are common Burkinabè family names drawn
by a seeded generator, organisations come from the illustrative sample directory. Cases are
driven on a simulated clock set back from the day they are loaded (:func:`older_start`): closed
cases over the last months, open ones in the last weeks, a few of them overdue by days; the last
few are driven in the last days so that "due today" and "coming up" have content; the engine's
clock is left as it was.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..engine.clock import SimulatedClock, SystemClock
from ..engine.engine import Actor, WorkflowEngine
from ..sop.loader import load_file
from ..store.models import User
from .demo_directory import agreements_in_force, directory_service
from .security import hash_password

DEMO_PASSWORD = "demo-mno-2025"


@dataclass(frozen=True)
class DemoUser:
    id: str
    name: str
    role: str
    organisation: str | None = None
    region: str | None = None
    language: str = "fr"
    phone: str | None = None  # shown to the providers a case-side user refers to (issue 18)


DEMO_USERS = [
    DemoUser("mariam.kabore", "Mariam Kaboré", "caseworker", region="kadiogo", phone="+22670102031"),
    DemoUser("awa.ouedraogo", "Awa Ouédraogo", "caseworker", region="yaadga", phone="+22670102032"),
    DemoUser("idrissa.sanou", "Idrissa Sanou", "supervisor", region="kadiogo", phone="+22670102033"),
    DemoUser("salif.zongo", "Salif Zongo", "supervisor", region="yaadga", phone="+22670102034"),
    DemoUser("coord.mnr", "Coordination MNR", "coordinator"),
    DemoUser("focal.masn", "Point focal DRSAH", "provider", organisation="org-masn"),
    DemoUser("focal.oim", "Point focal OIM", "provider", organisation="org-oim"),
    DemoUser("focal.csps", "Point focal CSPS Tanghin", "provider", organisation="org-csps"),
    DemoUser("focal.ecoute", "Point focal Écoute", "provider", organisation="org-ecoute"),
    DemoUser("focal.droits", "Point focal Droits pour tous", "provider", organisation="org-droits"),
    DemoUser("focal.cfp", "Point focal CFP Bobo", "provider", organisation="org-cfp"),
    DemoUser("focal.mairie", "Point focal état civil", "provider", organisation="org-mairie"),
    DemoUser("formateur", "Aïcha Traoré (formatrice)", "trainer"),
    DemoUser("suivi.evaluation", "Boukary Nikiéma (S&E)", "me_officer"),
    DemoUser("agent.fds", "Agent FDS, poste de Seytenga", "first_responder",
             organisation="fds-poste-seytenga"),
    # the FDS post is in Liptako: its region has a case manager and a supervisor (tryout 8)
    DemoUser("hamidou.diallo", "Hamidou Diallo", "caseworker", region="liptako", phone="+22670102035"),
    DemoUser("fatimata.barry", "Fatimata Barry", "supervisor", region="liptako", phone="+22670102036"),
]

#: Accounts the demo has on top of :data:`DEMO_USERS` (the accounts of every web test server too,
#: where all alerts of Kadiogo go to mariam.kabore): a second case manager in Kadiogo, so that a
#: case can be reassigned in the demo (tryout 9). :func:`load_demo` and ``mno serve --demo`` make them.
DEMO_MORE_USERS = [
    DemoUser("rasmata.compaore", "Rasmata Compaoré", "caseworker", region="kadiogo", phone="+22670102037"),
]


def demo_users() -> list[DemoUser]:
    """Every demo account (what ``mno serve --demo`` creates, lists and gives passwords to)."""
    return DEMO_USERS + DEMO_MORE_USERS

FIRST = {
    "female": ["Aminata", "Mariam", "Fatimata", "Salimata", "Awa", "Rasmata", "Zénabo", "Aïssata"],
    "male": ["Issa", "Boukary", "Seydou", "Moussa", "Adama", "Hamidou", "Karim", "Souleymane"],
}
LAST = [
    "Ouédraogo",
    "Sawadogo",
    "Compaoré",
    "Kaboré",
    "Traoré",
    "Zongo",
    "Ilboudo",
    "Sanou",
    "Coulibaly",
    "Diallo",
    "Barry",
    "Kiemtoré",
    "Zoungrana",
    "Nikiéma",
    "Tapsoba",
]
COUNTRIES = ["Libye", "Niger", "Algérie", "Côte d'Ivoire", "Mali", "Tunisie"]

# (need, dimension, provider org in Kadiogo, provider org in Yaadga)
NEEDS = [
    ("cash", "economic", "org-masn", "org-oim"),
    ("medical", "social", "org-csps", "org-csps"),
    ("psychosocial", "psychosocial", "org-ecoute", "org-ecoute"),
    ("legal", "social", "org-droits", "org-droits"),
    ("vocational_training", "economic", "org-cfp", "org-cfp"),
    ("documentation", "social", "org-mairie", "org-mairie"),
]

# How far each demo case goes (cycled): every step and most states have cases.
STAGES = [
    "screening",
    "screened_out",
    "consent",
    "consent_refused",
    "assessment",
    "review",
    "draft",
    "sent",
    "accepted",
    "declined",
    "follow_up",
    "monitoring",
    "closure",
    "closure_pending",
    "closed",
]


#: Hours the drive of a case to each stage of :data:`STAGES` takes at most with ``step_h`` 20
#: (:func:`_drive`: every ``tick`` advances ``hours`` × 0.5–1.5, so 1.5 × the sum of its ticks)
DRIVE_HOURS = dict(zip(STAGES, (0, 20, 20, 40, 40, 60, 80, 86, 106, 126, 166, 214, 234, 254, 274),
                       strict=True))
#: Stages a case ends its drive in without a running deadline of its own
ENDED = ("screened_out", "closed")


def older_start(now: datetime, stage: str, i: int, hour: int) -> datetime:
    """When demo case ``i`` (not one of the last few) driven to ``stage`` starts, relative to
    ``now`` (the day the demo is loaded, never a fixed year: the demo does not age). An ended case
    starts up to about five months back (3 days apart); an open one so that its drive ends before
    ``now`` and its last state has waited 0 to 5 days more: its deadline, if short, is at most a
    few days past, never hundreds."""
    drive = timedelta(hours=1.5 * DRIVE_HOURS[stage] + hour)
    wait = timedelta(days=(40 + i * 3) if stage in ENDED else i % 6)
    return now - drive - wait


def create_users(
    session, users: list[DemoUser] = DEMO_USERS, password: str = DEMO_PASSWORD
) -> list[DemoUser]:
    """Add the demo users (one argon2 hash shared by all: same password) unless they exist."""
    hashed = hash_password(password)
    made = []
    for u in users:
        if session.get(User, u.id) is None:
            session.add(
                User(
                    id=u.id,
                    display_name=u.name,
                    role=u.role,
                    organisation=u.organisation,
                    region=u.region,
                    language=u.language,
                    phone=u.phone,
                    password_hash=hashed,
                    active=True,
                )
            )
            made.append(u)
    return made


def load_demo(wf: WorkflowEngine, n_cases: int = 45, seed: int = 2025, setup: bool = True) -> dict[str, Any]:
    """Load SOP, directory, users and ``n_cases`` cases (``setup`` False: the cases only, on a
    database that has the rest, e.g. a sandbox being reset). Returns a summary."""
    from .. import directory
    from ..demo import SOP_PATH

    saved_clock = wf.clock
    real_now = (saved_clock if not isinstance(saved_clock, SimulatedClock) else SystemClock()).now()
    clock = SimulatedClock(real_now - timedelta(days=200))  # before the oldest case
    wf.clock = clock
    try:
        if setup:
            wf.load_sop(load_file(SOP_PATH))
            with wf.sessions.begin() as s:
                directory.load_sample(s)
                agreements_in_force(s, real_now.date())
                create_users(s, demo_users())
        rng = random.Random(seed)
        refs = []
        services: dict[tuple[str, str, str], tuple[str, str]] = {}  # (need, region, org) → service
        for i in range(n_cases):
            recent = i >= n_cases - 8
            if recent:  # the last cases happen in the last days before now
                clock.set(real_now - timedelta(days=(n_cases - i) * 2 + 1, hours=rng.randint(0, 5)))
            else:
                clock.set(older_start(real_now, STAGES[i % len(STAGES)], i, rng.randint(0, 6)))
            refs.append(_drive(wf, clock, rng, STAGES[i % len(STAGES)], i, recent, services))
        from .demo_practice import practice_cases  # issue 13: one case per field path
        clock.set(real_now - timedelta(days=3))
        refs += practice_cases(wf, clock)
        from .demo_alerts import alert_cases  # issue 13 item 5: first responders' alerts
        refs += alert_cases(wf, clock, real_now)
    finally:
        wf.clock = saved_clock
    return {"cases": refs, "users": demo_users(), "password": DEMO_PASSWORD}


def _not_staff(first: str, last: str) -> str:
    """``last``, or the next name of :data:`LAST` when « first last » is a demo account's name (a
    person called « Mariam Kaboré » beside the case manager Mariam Kaboré confuses a training
    room; tryout 2, finding 18). No random draw: the rest of the demo is unchanged."""
    staff = {u.name for u in demo_users()}
    k = LAST.index(last)
    while f"{first} {LAST[k]}" in staff:
        k = (k + 1) % len(LAST)
    return LAST[k]


def _drive(
    wf: WorkflowEngine, clock: SimulatedClock, rng: random.Random, stage: str, i: int, recent: bool,
    services: dict[tuple[str, str, str], tuple[str, str]] | None = None,
) -> str:
    services = {} if services is None else services
    yaadga = i % 3 == 2
    region = "yaadga" if yaadga else "kadiogo"
    cw = Actor("awa.ouedraogo" if yaadga else "mariam.kabore", "caseworker")
    sup = Actor("salif.zongo" if yaadga else "idrissa.sanou", "supervisor")
    step_h = 2 if recent else 20

    def tick(hours: float = step_h) -> str:
        clock.advance(timedelta(hours=hours * (0.5 + rng.random())))
        return clock.now().date().isoformat()

    def fire(trigger: str, actor: Actor, data: dict | None = None, instance: str | None = None) -> None:
        wf.fire(ref, trigger, actor, data or {}, instance=instance)

    ref = wf.create_case("mnr_bf", cw)
    if stage == "screening":
        return ref
    sex = rng.choice(["female", "male"])
    today = tick()
    if stage == "screened_out":
        fire("screen_out", cw, {"reason": rng.choice(["not_a_migrant", "duplicate"])})
        return ref
    first, last = rng.choice(FIRST[sex]), rng.choice(LAST)
    ident = {
        "first_name": first,
        "last_name": _not_staff(first, last),
        "sex": sex,
        "return_date": (clock.now() - timedelta(days=rng.randint(2, 20))).date().isoformat(),
        "return_from": rng.choice(COUNTRIES),
        "region": region,
        "preferred_language": "moore",
        "return_mode": rng.choice(["assisted_voluntary", "forced", "spontaneous"]),
        "household_size": rng.randint(1, 9),
    }
    if rng.random() < 0.7:
        ident["birth_date"] = f"{rng.randint(1960, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    else:
        ident["estimated_age"] = rng.randint(18, 60)  # adults: a child needs a representative (issue 13)
    if rng.random() < 0.6:
        ident["phone"] = (
            f"+226 7{rng.randint(0, 9)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
        )
    fire("register", cw, ident)
    if stage == "consent":
        return ref
    today = tick()
    if stage == "consent_refused":
        fire("record_refusal", cw, {"refused_on": today, "given_by": "self"})
        return ref
    cats = ["identity", "needs"] + (["contact"] if rng.random() < 0.5 else [])
    fire(
        "record_consent",
        cw,
        {
            "given": True,
            "given_by": "self",
            "consent_date": today,
            "channel": "written",
            "data_categories": cats,
            "share_with": ["government", "un_agency", "service_provider", "health"],
            "purposes": ["services", "referral", "follow_up", "statistics"],
        },
    )
    if stage == "assessment":
        return ref
    today = tick()
    picks = rng.sample(NEEDS, 2)
    needs = [
        {
            "dimension": d,
            "need": n,
            "referral_needed": True,
            "description": "Besoin exprimé lors de l'entretien",
        }
        for n, d, _, _ in picks
    ]
    fire(
        "submit_assessment",
        cw,
        {
            "assessed_on": today,
            "risk_level": rng.choice(["high", "moderate", "low"]),
            "needs": needs,
            "summary": "Plan de réintégration discuté avec la personne.",
        },
    )
    if stage == "review":
        return ref
    tick()
    fire("approve_plan", sup)
    if stage == "draft":
        return ref
    for n, _d, org_k, org_y in picks:
        today = tick(3)
        org = org_y if yaadga else org_k
        service_id, service_name = directory_service(wf, n, region, org, services)
        fire(
            "send",
            cw,
            {
                "provider": org,
                "service_id": service_id,  # its deadline is the directory's service level, as `mno demo`
                "priority": rng.choice(["urgent", "normal"]),
                "referral_date": today,
                "channel": "system",
                "service": service_name,
            },
            instance=f"referral:{n}",
        )
    if stage == "sent":
        return ref
    first, second = picks
    org1 = first[3] if yaadga else first[2]
    org2 = second[3] if yaadga else second[2]
    tick()
    fire("accept", Actor(f"focal.{org1[4:]}", "provider", org1), instance=f"referral:{first[0]}")
    if stage == "accepted":
        return ref
    tick()
    fire(
        "decline",
        Actor(f"focal.{org2[4:]}", "provider", org2),
        {"reason": "no_capacity"},
        instance=f"referral:{second[0]}",
    )
    if stage == "declined":
        return ref
    today = tick()
    fire(
        "complete",
        Actor(f"focal.{org1[4:]}", "provider", org1),
        {"delivered_on": today, "note": "Service fourni"},
        instance=f"referral:{first[0]}",
    )
    tick()
    fire("close_unmet", cw, {"outcome": "no_capacity"}, instance=f"referral:{second[0]}")
    if stage == "follow_up":
        return ref
    today = tick(4 if recent else 48)
    fire(
        "record_visit",
        cw,
        {
            "visit_date": today,
            "contact_mode": "home_visit",
            "services_received": True,
            "risk_level": "low",
            "needs_met": True,
            "satisfaction": "satisfied",
        },
    )
    if stage == "monitoring":
        return ref
    tick()
    fire("end_follow_up", cw)
    if stage == "closure":
        return ref
    today = tick()
    fire("propose_closure", cw, {"reason": "goals_met", "closed_on": today, "summary": "Objectifs atteints."})
    if stage == "closure_pending":
        return ref
    tick()
    fire("approve_closure", sup)
    return ref
