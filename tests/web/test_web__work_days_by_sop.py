"""« Mon travail » of an account of every SOP, with two SOPs of time zones 14 hours apart (Burkina
Faso, Africa/Ouagadougou, UTC+0; a second SOP on Pacific/Kiritimati, UTC+14): each row goes to « À
faire aujourd'hui » / "Due today" or « Prochains délais » / "Coming up" by the day of its own
case's SOP, as its due time is shown in that zone — not by the account's SOP's day (tryout 6
leftover of I6). On Monday 2 June 2025 at 22:00 UTC it is 22:00 on Monday in Ouagadougou and 12:00
on Tuesday 3 June in Kiritimati: a deadline at 09:59 UTC on Tuesday is due tomorrow morning for
the Burkina Faso case, tonight (23:59) for the Kiritimati one. Same on each group's own page."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from mno_workflow.engine.engine import Actor
from mno_workflow.sop.loader import load_text
from mno_workflow.store.models import Case, Deadline, User
from mno_workflow.web.security import hash_password

from ..second_sop import sn_text
from .conftest import PASSWORD
from .helpers import CONSENT, IDENT, NEEDS

NOW = datetime(2025, 6, 2, 22, 0, tzinfo=UTC)  # Monday 22:00 in Ouagadougou, Tuesday 12:00 in Kiritimati
DUE = datetime(2025, 6, 3, 9, 59, tzinfo=UTC)  # Tuesday 09:59 in Ouagadougou, Tuesday 23:59 in Kiritimati
HEADS = {"fr": {"due_today": "À faire aujourd'hui", "upcoming": "Prochains délais"},
         "en": {"due_today": "Due today", "upcoming": "Coming up"}}


def kiritimati() -> str:
    text = sn_text().replace("  timezone: Africa/Ouagadougou", "  timezone: Pacific/Kiritimati", 1)
    assert "Pacific/Kiritimati" in text
    return text.replace("  holidays: BF\n", "  holidays: KI\n", 1)


@pytest.fixture(scope="module")
def two(live_module):
    live = live_module
    live.wf.load_sop(load_text(kiritimati(), "mnr_sn.yaml"))
    hashed = hash_password(PASSWORD)
    with live.wf.sessions.begin() as s:
        for uid, role, sop in [("bf.gest", "caseworker", "mnr_bf"), ("ki.gest", "caseworker", "mnr_sn"),
                               ("all.sup", "supervisor", None)]:  # a supervisor of every SOP
            s.add(User(id=uid, display_name=uid, role=role, sop_id=sop, language="fr",
                       region="kadiogo" if role == "caseworker" else None, password_hash=hashed, active=True))
    refs = {}
    for sop, cw in (("mnr_bf", "bf.gest"), ("mnr_sn", "ki.gest")):
        actor = Actor(cw, "caseworker")
        ref = live.wf.create_case(sop, actor)
        live.wf.fire(ref, "register", actor, IDENT)
        live.wf.fire(ref, "record_consent", actor, CONSENT)
        live.wf.fire(ref, "submit_assessment", actor, NEEDS)  # the plan awaits the supervisor
        refs[sop] = ref
    with live.wf.sessions.begin() as s:
        for ref in refs.values():
            case_id = s.scalar(select(Case.id).where(Case.reference == ref))
            done = s.execute(update(Deadline).where(
                Deadline.case_id == case_id, Deadline.kind == "expiry", Deadline.owner_role == "supervisor",
                Deadline.status == "pending").values(due_at=DUE))
            assert done.rowcount == 1, ref
    live.clock.advance(NOW - live.clock.now())
    return live, refs


def section(page: str, key: str) -> str:
    start = page.index(f'id="work-{key}"')
    return page[start:page.index("</section>", start)]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_my_work_puts_each_row_in_the_day_of_its_own_sop(two, lang):
    live, refs = two
    c = live.client("all.sup")
    c.get(f"/langue/{lang}?next=/travail")
    page = html.unescape(c.get("/travail").text)
    today, upcoming = section(page, "due_today"), section(page, "upcoming")
    assert HEADS[lang]["due_today"] in today and HEADS[lang]["upcoming"] in upcoming
    assert refs["mnr_sn"] in today and refs["mnr_sn"] not in upcoming, (today, upcoming)
    assert refs["mnr_bf"] in upcoming and refs["mnr_bf"] not in today, (today, upcoming)
    assert "03/06/2025 23:59" in today and "03/06/2025 09:59" in upcoming  # each in its own zone
    # each group by itself says the same
    own = {slug: html.unescape(c.get(f"/travail/{slug}").text) for slug in ("aujourd-hui", "a-venir")}
    assert refs["mnr_sn"] in own["aujourd-hui"] and refs["mnr_bf"] not in own["aujourd-hui"]
    assert refs["mnr_bf"] in own["a-venir"] and refs["mnr_sn"] not in own["a-venir"]
