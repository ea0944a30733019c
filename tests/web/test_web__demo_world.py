"""The demo is a coherent world (tryout findings 8 and 9): the demo first responder's own region
(Liptako, Seytenga border post) has a case manager and a supervisor, so his alert there is given
to someone; Kadiogo has two case managers, so a case can be reassigned; the README lists the
accounts. And the alert form says, before anything is typed, which regions nobody can receive an
alert in (shown, marked and not selectable, with whom to call)."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from mno_workflow.engine.alerts import file_alert
from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import Actor, WorkflowEngine
from mno_workflow.store.base import Base, make_engine
from mno_workflow.store.models import User
from mno_workflow.web.demo_accounts import demo_account_lines
from mno_workflow.web.demo_alerts import FDS
from mno_workflow.web.demo_data import demo_users, load_demo

README = Path(__file__).resolve().parents[2] / "README.md"
ALERT = {"first_name": "Salimata", "last_name": "Diallo", "sex": "female", "estimated_age": 19,
         "region": "liptako", "place": "Seytenga", "met_on": "2025-06-02", "contact_way": ["phone"],
         "phone": "+226 70 00 00 09", "contact_agreed": True}


def test_the_demo_agent_can_report_in_his_region_and_kadiogo_cases_can_be_reassigned(tmp_path):
    db = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    Base.metadata.create_all(db)
    try:
        wf = WorkflowEngine(db, SimulatedClock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC)))
        summary = load_demo(wf, n_cases=3)
        filed = file_alert(wf, "mnr_bf", FDS, ALERT)  # the agent's own region: given to someone
        with wf.sessions() as s:
            staff = {(u.role, u.region): u.id for u in s.scalars(select(User).where(User.active.is_(True)))}
            kadiogo = list(s.scalars(select(User.id).where(
                User.role == "caseworker", User.region == "kadiogo", User.active.is_(True))))
        assert filed.assignee == staff[("caseworker", "liptako")] == "hamidou.diallo"
        assert staff[("supervisor", "liptako")] == "fatimata.barry"
        assert sorted(kadiogo) == ["mariam.kabore", "rasmata.compaore"]
        ref = next(r for r in summary["cases"] if _assignee(wf, r) == "mariam.kabore")
        assert wf.reassign([ref], "rasmata.compaore", Actor("idrissa.sanou", "supervisor"), "Congé") == [ref]
        lines = "\n".join(demo_account_lines(wf, {u.id: "pw" for u in demo_users()}, "pw", "fr"))
    finally:
        db.dispose()
    readme = README.read_text(encoding="utf-8")
    for u in demo_users():  # every demo account is printed at start, the staff are in the README
        assert f"  {u.id} " in lines
        if u.role in ("caseworker", "supervisor"):
            assert f"`{u.id}`" in readme, u.id


def _assignee(wf, ref: str) -> str | None:
    from mno_workflow.store import repository
    with wf.sessions() as s:
        return repository.get_case(s, ref).assignee


def test_the_alert_form_marks_the_regions_nobody_can_receive(live_module):
    page = live_module.client("agent.fds").get("/signalements/nouveau").text
    select_ = re.search(r'<select id="f-region".*?</select>', page, re.S)[0]
    options = {code: (attrs, html.unescape(label)) for code, attrs, label in
               re.findall(r'<option value="(\w+)"([^>]*)>([^<]*)</option>', select_)}
    for staffed in ("kadiogo", "yaadga", "liptako"):
        assert "disabled" not in options[staffed][0] and "aucun agent" not in options[staffed][1]
    assert "disabled" in options["tapoa"][0]
    # « aucun agent », not « personne » (read as « someone »: tryout 2, finding 23)
    assert options["tapoa"][1] == "Tapoa (Diapaga) — aucun agent pour recevoir un signalement"
    assert "appelez la coordination du mécanisme" in html.unescape(page)
    en = live_module.client("agent.fds")
    en.get("/langue/en", params={"next": "/"})
    page_en = html.unescape(en.get("/signalements/nouveau").text)
    assert "Tapoa (Diapaga) — nobody to receive an alert" in page_en


def test_no_demo_person_bears_a_demo_account_s_name(tmp_path):
    """Tryout 2, finding 18: a person « Mariam Kaboré » beside the case manager Mariam Kaboré
    confuses a training room. Every registered person of the whole demo (the sampled cases, the
    practice cases and the alerts) has a name no demo account has."""
    from mno_workflow.store.models import Case
    db = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    Base.metadata.create_all(db)
    try:
        wf = WorkflowEngine(db, SimulatedClock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC)))
        load_demo(wf, n_cases=60)
        staff = {u.name for u in demo_users()}
        with wf.sessions() as s:
            people = {f"{(c.data or {}).get('identification', {}).get('first_name', '')} "
                      f"{(c.data or {}).get('identification', {}).get('last_name', '')}".strip()
                      for c in s.scalars(select(Case))}
        assert len(people) > 20
        assert people & staff == set()
    finally:
        db.dispose()
