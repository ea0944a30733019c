"""« Mon travail » shows at most ``triage.SHOW`` rows a group, the most urgent, with the group's
count and a link « Voir les N autres » to the group by itself (``/travail/<group>``), paged by key
from the row after the last shown (issue 15: the page's cost was per shown row, 281 rows for the
busiest caseworker at 1,000,000 cases). On both back ends:

- the rows of a group read page by page (any page size) are the group's rows once each, in the
  order of « Mon travail » (soonest due first, ties by deadline id), equal to a brute force from
  every deadline, for a caseworker, supervisors of two regions, a supervisor without region and a
  coordinator; « Mon travail »'s rows and the pages after its link make the same list;
- « Escalades » of a supervisor holds their region's escalations only (the region rule of
  ``web/access.region_admits_clause`` on the deadline's copy of the case's region);
- over HTTP: the link's words in French and English (« Voir l’autre », « Voir les 3 autres »,
  capped « Voir plus de … autres »), the pages followed to the end, each role's access (a provider
  has no « Mon travail », a caseworker no « Escalades »), a position of another user's list.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from mno_workflow.reminders.sweeper import sweep
from mno_workflow.store.models import Case, Deadline, StepInstance, User
from mno_workflow.web import access, triage
from mno_workflow.web.i18n import t

from ..engine.helpers import CONSENT, CW, IDENT, NEEDS, SUP, referral, to_referrals
from .helpers import AWA, IDRISSA, SALIF, case_with_referrals
from .test_web__query_plans import USERS
from .test_web__worklists_bounded import _brute

TZ = "Africa/Ouagadougou"
WHO = {**USERS, "supervisor_yaadga": User(id="salif.zongo", display_name="sup", role="supervisor",
                                          region="yaadga")}
ROLES = ("caseworker", "supervisor_region", "supervisor_yaadga", "supervisor_all", "coordinator")


@pytest.fixture
def world(wf, clock):
    """Five cases in Kadiogo and two in Yaadga with referrals sent, 40 days later, swept
    (escalations to the supervisors); four more, 20 days later, not swept (overdue); three new
    (coming up)."""
    refs = []
    for i in range(7):
        ref = to_referrals(wf) if i < 5 else _yaadga(wf)
        wf.fire(ref, "send", CW, referral("ong_a"), instance="psychosocial")
        refs.append(ref)
        clock.advance(timedelta(hours=3))
    clock.advance(timedelta(days=40))
    assert sweep(wf).escalations
    for i in range(4):  # overdue, not swept
        refs.append(to_referrals(wf) if i % 2 else _yaadga(wf))
        if i < 2:
            wf.fire(refs[-1], "send", CW, referral("ong_a"), instance="psychosocial")
        clock.advance(timedelta(hours=1))
    clock.advance(timedelta(days=20))
    refs += [to_referrals(wf) for _ in range(3)]  # coming up
    return refs


def _yaadga(wf) -> str:
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, dict(IDENT, region="yaadga"))
    wf.fire(ref, "record_consent", CW, CONSENT)
    wf.fire(ref, "submit_assessment", CW, NEEDS)
    wf.fire(ref, "approve_plan", SUP)
    return ref


def _key(it) -> tuple:
    return (it.reference, it.instance, it.due_at)


def _escalations_brute(s, user) -> list:
    """The escalated deadlines addressed to ``user``'s role that « Escalades » must list, from
    every row (no SQL condition but the status): the state not left, the case open, the case one
    ``user`` may open (:func:`.access.can_view_case`), soonest due first, ties by id."""
    now = datetime.now(UTC)
    out = []
    for d in s.scalars(select(Deadline).where(Deadline.status == "done")):
        inst, case = s.get(StepInstance, d.instance_id), s.get(Case, d.case_id)
        if (d.kind == "expiry" and d.escalate_to == user.role and not inst.final and inst.state == d.state
                and inst.entered_at == d.entered_at and case.status == "open"
                and access.can_view_case(user, case)):
            out.append((d.due_at, d.id, triage._item(d, case, inst, now, ZoneInfo(TZ))))
    return [it for _due, _id, it in sorted(out, key=lambda x: (x[0], x[1]))]


def _pages(s, user, group, now, size: int, after=None) -> list:
    got, seen = [], 0
    while True:
        page = triage.group_page(s, user, group, now, TZ, after=after, limit=size)
        got += page["items"]
        seen += 1
        assert seen < 100, "the pages never end"
        if page["next"] is None:
            return got
        assert page["next"] == page["items"][-1].id
        after = page["next"]


def test_group_pages_in_order_once_each_equal_the_brute_force(wf, clock, world):
    now = clock.now()
    seen = {g: 0 for g in triage.LISTS}
    for name in ROLES:
        user = WHO[name]
        with wf.sessions() as s:
            brute = _brute(s, user, now, TZ)
            brute["escalations"] = _escalations_brute(s, user) if access.can(user, "reassign") else []
            for g in triage.LISTS:
                whole = triage.group_page(s, user, g, now, TZ, limit=10_000)
                assert whole["next"] is None
                assert [_key(i) for i in whole["items"]] == [_key(i) for i in brute[g]] or (
                    # rows due at the same instant: the page breaks ties by id, the brute force
                    # of the groups by read order
                    [i.due_at for i in whole["items"]] == [i.due_at for i in brute[g]]
                    and sorted(map(_key, whole["items"])) == sorted(map(_key, brute[g]))), (name, g)
                order = [(i.due_at, i.id) for i in whole["items"]]
                assert order == sorted(order) and len(set(order)) == len(order), (name, g)
                assert whole["count"] == len(brute[g]), (name, g)
                seen[g] += len(brute[g])
                for size in (1, 2, 3):
                    paged = _pages(s, user, g, now, size)
                    assert [i.id for i in paged] == [i.id for i in whole["items"]], (name, g, size)
    # the world has something in each list the test is about, or it proves nothing
    assert seen["escalations"] >= 4 and seen["overdue"] >= 4 and seen["upcoming"] >= 2, seen


@pytest.mark.parametrize("show", [1, 2, 3])
def test_my_work_then_its_link_make_the_whole_group(wf, clock, world, monkeypatch, show):
    monkeypatch.setattr(triage, "SHOW", show)
    now = clock.now()
    more = 0
    for name in ROLES:
        user = WHO[name]
        with wf.sessions() as s:
            work = triage.my_work(s, user, now, TZ)
            for g in triage.LISTS:
                whole = [i.id for i in triage.group_page(s, user, g, now, TZ, limit=10_000)["items"]]
                shown = [i.id for i in work[g]]
                assert shown == whole[:show], (name, g)
                assert work["counts"][g] == len(whole), (name, g)
                if len(whole) > show:
                    more += 1
                    assert work["more"][g] == shown[-1], (name, g)
                    rest = _pages(s, user, g, now, 2, after=work["more"][g])
                    assert shown + [i.id for i in rest] == whole, (name, g)
                else:
                    assert work["more"][g] is None, (name, g)
    assert more >= 4


def test_escalations_of_a_region_only_and_a_position_of_another_list(wf, clock, world):
    now = clock.now()
    with wf.sessions() as s:
        refs = {n: [i.reference
                    for i in triage.group_page(s, WHO[n], "escalations", now, TZ, limit=1000)["items"]]
                for n in ("supervisor_region", "supervisor_yaadga", "supervisor_all")}
        region = {c.reference: c.region for c in s.scalars(select(Case))}
        kadiogo = triage.group_page(s, WHO["supervisor_region"], "escalations", now, TZ, limit=1)
        # a position from Kadiogo's list in Yaadga's: not theirs, the list starts from the top
        other = triage.group_page(s, WHO["supervisor_yaadga"], "escalations", now, TZ, after=kadiogo["next"],
                                  limit=1000)
        # a caseworker has no « Escalades »
        assert triage.group_page(s, WHO["caseworker"], "escalations", now, TZ)["items"] == []
    assert refs["supervisor_region"] and refs["supervisor_yaadga"]
    assert {region[r] for r in refs["supervisor_region"]} == {"kadiogo"}
    assert {region[r] for r in refs["supervisor_yaadga"]} == {"yaadga"}
    assert sorted(refs["supervisor_region"] + refs["supervisor_yaadga"]) == sorted(refs["supervisor_all"])
    assert [i.reference for i in other["items"]] == refs["supervisor_yaadga"]


# -- over HTTP ---------------------------------------------------------------------------------------
@pytest.fixture
def live(live_any):
    return live_any


def _http_world(live) -> dict[str, list[str]]:
    """Kadiogo: four cases of Mariam with two referrals sent; Yaadga: two of Awa; 16 days later,
    swept: referrals escalated to each region's supervisor; then two cases of Mariam whose referrals
    are not sent, a week later (overdue, not swept)."""
    out = {"kadiogo": [], "yaadga": []}
    for _ in range(4):
        out["kadiogo"].append(case_with_referrals(live.wf))
        live.clock.advance(timedelta(hours=2))
    for _ in range(2):
        out["yaadga"].append(case_with_referrals(live.wf, ident=dict(IDENT, region="yaadga"), cw=AWA,
                                                 sup=SALIF))
    assert IDRISSA  # the Kadiogo supervisor approves the plans of case_with_referrals
    live.clock.set(datetime(2025, 6, 18, 9, 0, tzinfo=UTC))
    assert sweep(live.wf).escalations
    for _ in range(2):  # referrals to send, due two days later: overdue a week later (not swept)
        out["kadiogo"].append(case_with_referrals(live.wf, send=False))
    live.clock.set(datetime(2025, 6, 26, 9, 0, tzinfo=UTC))
    return out


def _section(html: str, key: str) -> str:
    part = html[html.index(f'id="work-{key}"'):]
    return part[: part.index("</section>")]


def _refs(html: str) -> list[str]:
    return re.findall(r'<td data-label="[^"]+"><a href="/dossiers/([A-Z0-9-]+)#', html)


def _expected(live, user_id: str, group: str) -> list[str]:
    with live.wf.sessions() as s:
        user = s.get(User, user_id)
        page = triage.group_page(s, user, group, live.clock.now(), TZ, limit=10_000)
    return [i.reference for i in page["items"]]


def _follow(c, html: str, key: str, slug: str) -> list[str]:
    """The references of the group's rows: those of « Mon travail », then the pages from its link."""
    got = _refs(_section(html, key))
    m = re.search(rf'href="(/travail/{slug}\?suite=\d+)" data-more="{key}"', html)
    url = m.group(1) if m else None
    while url:
        r = c.get(url)
        assert r.status_code == 200, (url, r.text[:300])
        got += _refs(_section(r.text, key))
        m = re.search(rf'href="(/travail/{slug}\?suite=\d+)" rel="next"', r.text)
        url = m.group(1) if m else None
        assert 'rel="first"' in r.text  # back to the top of the group's own list
    return got


def test_the_link_and_the_pages_for_each_role_in_both_languages(live, monkeypatch):
    monkeypatch.setattr(triage, "SHOW", 2)
    monkeypatch.setattr(triage, "PAGE", 2)
    world = _http_world(live)
    cases = {  # user: (group, its address, its references in the region)
        "mariam.kabore": ("overdue", "en-retard", world["kadiogo"]),
        "idrissa.sanou": ("escalations", "escalades", world["kadiogo"]),
        "salif.zongo": ("escalations", "escalades", world["yaadga"]),
    }
    for user, (key, slug, region_refs) in cases.items():
        c = live.client(user)
        want = _expected(live, user, key)
        assert len(want) >= 3, (user, want)
        html = c.get("/travail").text
        assert len(_refs(_section(html, key))) == 2
        n = len(want) - 2
        words = "Voir l’autre" if n == 1 else f"Voir les {n} autres"
        assert words in _section(html, key), (user, _section(html, key)[-600:])
        assert _follow(c, html, key, slug) == want, user
        assert set(want) <= set(region_refs), user  # a supervisor sees their region's only
        c.get("/langue/en")
        html = c.get("/travail").text
        words = "See the other one" if n == 1 else f"See the {n} others"
        assert words in _section(html, key), (user, _section(html, key)[-600:])
        assert _follow(c, html, key, slug) == want, user
        page = c.get(f"/travail/{slug}").text
        assert "My work" in page
        c.get("/langue/fr")  # the choice is the user's (tryout 5, H2): back to French for what follows
    # the escalations' own pages keep the supervisor's tools
    page = live.client("idrissa.sanou").get("/travail/escalades").text
    assert 'data-action="remind"' in page and 'data-action="extend-5"' in page
    # a count past its cap: « plus de »
    monkeypatch.setattr(triage, "COUNT_CAP", 4)
    c = live.client("idrissa.sanou")
    assert len(_expected(live, "idrissa.sanou", "escalations")) > 4
    html = _section(c.get("/travail").text, "escalations")
    assert "Voir plus de 2 autres" in html and '<span class="count">4+</span>' in html, html
    c.get("/langue/en")
    assert "See more than 2 others" in _section(c.get("/travail").text, "escalations")


def test_group_pages_access_by_role(live):
    _http_world(live)
    coord = live.client("coord.mnr")
    for slug in ("escalades", "escaladees", "en-retard", "aujourd-hui", "a-venir"):
        assert coord.get(f"/travail/{slug}").status_code == 200, slug
    assert live.client("mariam.kabore").get("/travail/a-venir").status_code == 200
    # a provider has no « Mon travail », a caseworker no « Escalades », no other address exists
    assert live.client("focal.masn").get("/travail/en-retard").status_code == 403
    assert live.client("mariam.kabore").get("/travail/escalades").status_code == 404
    assert live.client("mariam.kabore").get("/travail/tout").status_code == 404
    # a position that is not a number: the application's « page not found » for a bad parameter,
    # in the user's words, no traceback
    r = live.client("mariam.kabore").get("/travail/en-retard?suite=abc")
    assert r.status_code == 404 and t("not_found", "fr") in r.text and "Traceback" not in r.text
