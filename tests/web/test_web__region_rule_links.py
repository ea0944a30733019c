"""Issue 18, end to end: every link a user is given to a case — notifications (tasks, escalations,
the in-app digest's cases) and « Mon travail » — opens (200), for a case of the user's region,
of no region and of another region, on SQLite and PostgreSQL; and the case a user is not
concerned by is given to nobody who would get a 404."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from mno_workflow.reminders.digest import build_digests
from mno_workflow.reminders.sweeper import sweep
from mno_workflow.store.models import Case
from mno_workflow.web.demo_data import DemoUser, create_users

from .helpers import CONSENT, IDENT, MARIAM, NEEDS


@pytest.fixture
def live(live_any):
    return live_any


USERS = ("mariam.kabore", "idrissa.sanou", "salif.zongo", "sup.national", "coord.mnr", "focal.masn")
THU = datetime(2025, 6, 5, 12, 0, tzinfo=UTC)  # the plans' review is due today
LATER = datetime(2025, 6, 16, 9, 0, tzinfo=UTC)  # past it: escalated


def links(html: str) -> set[str]:
    return {m.split("#")[0] for m in re.findall(r'href="(/dossiers/MNR-[^"]+)"', html)}


def test_every_case_link_given_opens(live):
    wf = live.wf
    with wf.sessions.begin() as s:
        create_users(s, [DemoUser("sup.national", "Superviseur national", "supervisor")])
    refs = {}
    for name, region in (("kadiogo", "kadiogo"), ("none", None), ("yaadga", "yaadga")):
        ref = wf.create_case("mnr_bf", MARIAM)
        wf.fire(ref, "register", MARIAM, IDENT)
        with wf.sessions.begin() as s:
            s.execute(update(Case).where(Case.reference == ref).values(region=region))
        wf.fire(ref, "record_consent", MARIAM, CONSENT)
        wf.fire(ref, "submit_assessment", MARIAM, NEEDS)
        refs[name] = ref
    build_digests(wf, THU)
    sweep(wf, now=LATER)
    live.clock.set(LATER)
    given = {}
    for uid in USERS:
        c = live.client(uid)
        pages = [c.get("/notifications").text]
        if uid != "focal.masn":
            pages.append(c.get("/travail").text)
        given[uid] = set().union(*(links(p) for p in pages))
        for href in sorted(given[uid]):
            assert c.get(href).status_code == 200, (uid, href)
    path = {name: f"/dossiers/{ref}" for name, ref in refs.items()}
    assert path["kadiogo"] in given["idrissa.sanou"] and path["none"] not in given["idrissa.sanou"]
    assert path["yaadga"] in given["salif.zongo"] and path["none"] not in given["salif.zongo"]
    assert set(path.values()) <= given["sup.national"] and set(path.values()) <= given["coord.mnr"]
    assert not given["focal.masn"]
