"""Demo alerts (*signalements*) of first responders (issue 13, item 5), added after the other demo
cases: an FDS agent at a border post files three alerts through the SOP's ``alert`` entry — one
taken up by the case manager and registered (same case), one closed as a duplicate, and one
filed an hour before now and still waiting for contact (it shows in « Mon travail » of the case
manager it was given to). Fictitious data; every step goes through the engine."""

from __future__ import annotations

from datetime import timedelta

from ..engine.alerts import file_alert
from ..engine.clock import SimulatedClock
from ..engine.engine import Actor, WorkflowEngine

FDS = Actor("agent.fds", "first_responder", "fds-poste-seytenga")


def alert_cases(wf: WorkflowEngine, clock: SimulatedClock, now) -> list[str]:
    """File the three demo alerts (the last one at ``now`` minus one hour); returns their references."""
    def day() -> str:
        return clock.now().date().isoformat()

    def alert(first: str, last: str, sex: str, age: int, region: str, place: str, **extra) -> str:
        data = {"first_name": first, "last_name": last, "sex": sex, "estimated_age": age,
                "region": region, "place": place, "met_on": day(), "contact_agreed": True,
                "contact_way": ["phone", "through_reporter"], "phone": "+226 70 00 00 00", **extra}
        return file_alert(wf, "mnr_bf", FDS, data).reference

    def assignee(ref: str) -> Actor:
        from ..store import repository
        from ..store.models import User
        with wf.sessions() as s:
            who = repository.get_case(s, ref).assignee
            return Actor(who, s.get(User, who).role)

    refs = []
    clock.set(now - timedelta(days=2))
    ref = alert("Adama", "Tapsoba", "male", 27, "kadiogo", "Gare routière de Ouagadougou",
                urgency=["shelter_tonight"])
    clock.advance(timedelta(hours=3))
    cw = assignee(ref)
    wf.fire(ref, "take_up", cw, {"contacted_on": day(), "mode": "phone"})
    clock.advance(timedelta(hours=1))
    wf.fire(ref, "register", cw, {"first_name": "Adama", "last_name": "Tapsoba", "sex": "male",
                                  "estimated_age": 27, "return_date": day(), "return_from": "Niger",
                                  "region": "kadiogo", "phone": "+226 70 00 00 00"})
    refs.append(ref)
    clock.advance(timedelta(hours=20))
    ref = alert("Adama", "Tapsoba", "male", 27, "kadiogo", "Ouagadougou, secteur 12")
    clock.advance(timedelta(hours=2))
    wf.fire(ref, "close_alert", assignee(ref), {"reason": "duplicate", "duplicate_of": refs[0]})
    refs.append(ref)
    clock.set(now - timedelta(hours=1))
    refs.append(alert("Salimata", "Diallo", "female", 19, "yaadga", "Ouahigouya, centre de transit",
                      urgency=["medical"], contact_details="Joignable au centre de transit jusqu'à 18 h"))
    return refs
