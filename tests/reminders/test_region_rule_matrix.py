"""Issue 18: one region rule on every path that tells someone about a case (web/access/region.py
``region_admits``): role × case region (the supervisor's, none, another) × path (notification list,
e-mail and in-app digest, escalation, the link of each message, « Mon travail »). A receiver can
always open what they receive; nobody gets a case they cannot open; when nobody is left the
coordinators are told, and without coordinator a log row names the role. SQLite and PostgreSQL
(``wf`` runs on both)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from mno_workflow.reminders.digest import build_digests
from mno_workflow.reminders.sweeper import sweep
from mno_workflow.store.models import Case, OutboxMessage, User
from mno_workflow.web import access, notif_view, triage
from mno_workflow.web.presenters import notification
from tests.engine.helpers import CONSENT, CW, IDENT, NEEDS

from .conftest import add_users

THU = datetime(2025, 6, 5, 12, 0, tzinfo=UTC)  # the plans' review is due today (Thu 23:59)
LATER = datetime(2025, 6, 16, 9, 0, tzinfo=UTC)  # past it: escalated to the coordinator
TZ = "Africa/Ouagadougou"

PEOPLE = [  # id, role, organisation, region, email, language
    ("mariam.kabore", "caseworker", None, "kadiogo", "mariam@mnr.example.bf", "fr"),
    ("sup.kadiogo", "supervisor", None, "kadiogo", "sup.kadiogo@mnr.example.bf", "fr"),
    ("sup.national", "supervisor", None, None, "sup.national@mnr.example.bf", "en"),
    ("coord", "coordinator", None, None, "coord@mnr.example.bf", "fr"),
    ("focal.anpe", "provider", "anpe", None, "focal@anpe.example.bf", "fr"),
]
REGIONS = {"set": "kadiogo", "empty": None, "other": "guiriko"}


def plan_awaiting_review(wf, region: str | None) -> str:
    """A case of Mariam in ``region`` whose plan waits for a supervisor (pending_review)."""
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, IDENT)
    with wf.sessions.begin() as s:  # the region as an alert or an import may leave it
        s.execute(update(Case).where(Case.reference == ref).values(region=region))
    wf.fire(ref, "record_consent", CW, CONSENT)
    wf.fire(ref, "submit_assessment", CW, NEEDS)
    return ref


@pytest.fixture
def cases(wf, clock):
    add_users(wf, PEOPLE)
    refs = {name: plan_awaiting_review(wf, region) for name, region in REGIONS.items()}
    build_digests(wf, THU, timezone=TZ)
    sweep(wf, now=LATER)
    return refs


def received(s, uid: str) -> dict[str, set[str]]:
    """The references each path gives ``uid``: path → references."""
    user = s.get(User, uid)
    out: dict[str, set[str]] = {}
    rows = list(s.scalars(select(OutboxMessage).where(OutboxMessage.recipient_user == uid)))
    for m in rows:
        ctx = m.context or {}
        if m.template == "digest":
            refs = {i["reference"] for g in ("overdue", "due_today") for i in ctx.get(g, [])}
            out.setdefault(f"digest:{m.channel}", set()).update(refs)
        elif ctx.get("reference"):
            out.setdefault(f"{m.kind}:{m.channel}", set()).add(ctx["reference"])
    listed, _, _ = notif_view.page_of(s, user, LATER)
    for m, group in listed:
        href = notif_view.link_of(m, user, group == "done")
        if href and href.startswith("/dossiers/"):
            out.setdefault("link", set()).add(href.split("/")[2].split("#")[0])
    work = triage.my_work(s, user, LATER, TZ)
    for g in ("escalated", "overdue", "due_today", "upcoming", "escalations"):
        out.setdefault("work", set()).update(i.reference for i in work[g])
    out["work"].update(c.reference for c in work["recent"])
    return out


def opens(s, uid: str, ref: str) -> bool:
    """Whether ``uid`` may open the case page of ``ref`` (the route's check: 404 otherwise)."""
    case = s.scalars(select(Case).where(Case.reference == ref)).one()
    try:
        access.require_case(s.get(User, uid), case)
    except access.NotVisible:
        return False
    return True


# who receives which case, by case region: the supervisor with a region only their region's, the
# supervisor without region and the coordinator every case (the coordinator the escalations)
EXPECTED = {
    "sup.kadiogo": {"set"},
    "sup.national": {"set", "empty", "other"},
}


@pytest.mark.parametrize("uid", [p[0] for p in PEOPLE])
def test_a_receiver_can_open_every_case_they_receive(cases, wf, uid):
    with wf.sessions() as s:
        got = received(s, uid)
        every = set().union(*got.values())
        assert all(opens(s, uid, ref) for ref in every), (uid, got)
        if uid in EXPECTED:
            want = {cases[name] for name in EXPECTED[uid]}
            for path in ("task:inapp", "task:email", "digest:inapp", "digest:email", "link", "work"):
                assert got.get(path, set()) == want, (uid, path, got)
        if uid == "coord":  # the escalation of every case's review
            assert got["escalation:inapp"] == got["escalation:email"] == set(cases.values())
            assert set(cases.values()) <= got["link"] and set(cases.values()) <= got["work"]
        if uid == "focal.anpe":
            assert every == set()


def test_no_supervisor_left_goes_to_the_coordinators(wf, clock, bf_loaded):
    """A case without region and only regional supervisors: the supervisors' task goes to the
    coordinator (who may open it), naming the role; none to a regional supervisor."""
    add_users(wf, [p for p in PEOPLE if p[0] != "sup.national"])
    ref = plan_awaiting_review(wf, None)
    with wf.sessions() as s:
        tasks = list(s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "task",
                                                           OutboxMessage.context["state"].as_string()
                                                           == "pending_review")))
    assert {(m.recipient_user, m.recipient_role, m.channel) for m in tasks} == {
        ("coord", "coordinator", "inapp"), ("coord", "coordinator", "email")}
    assert all(m.context["instead_of"] == "supervisor" and m.context["reference"] == ref for m in tasks)
    sop = bf_loaded.model
    with wf.sessions() as s:  # the coordinator's notification says whose work it is
        fr, en = (notification(s, sop, tasks[0], lang)["text"] for lang in ("fr", "en"))
    assert "à la place : Superviseur (personne pour ce dossier)" in fr
    assert "instead: Supervisor (nobody for this case)" in en


def test_no_coordinator_either_is_a_log_row_naming_the_role(wf, clock):
    add_users(wf, [p for p in PEOPLE if p[0] not in ("sup.national", "coord")])
    plan_awaiting_review(wf, None)
    with wf.sessions() as s:
        tasks = list(s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "task",
                                                           OutboxMessage.context["state"].as_string()
                                                           == "pending_review")))
    assert [(m.recipient_user, m.recipient_role, m.channel) for m in tasks] == [(None, "supervisor", "log")]


def test_escalation_sweep_in_bulk_follows_the_rule(wf, clock):
    """The sweeper's escalations (its batch path caches people per region): a regional coordinator
    is not told about a case of no region or of another region; the national one is."""
    add_users(wf, PEOPLE + [("coord.kadiogo", "coordinator", None, "kadiogo", None, "fr")])
    refs = {name: plan_awaiting_review(wf, region) for name, region in REGIONS.items()}
    report = sweep(wf, now=LATER)
    assert len(report.escalations) == 3
    with wf.sessions() as s:
        esc = {(m.recipient_user, m.context["reference"]) for m in s.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "escalation", OutboxMessage.channel == "inapp"))}
    assert esc == {("coord", r) for r in refs.values()} | {("coord.kadiogo", refs["set"])}


def test_region_rule_is_one_function():
    assert access.region_admits(None, None) and access.region_admits(None, "kadiogo")
    assert access.region_admits("kadiogo", "kadiogo")
    assert not access.region_admits("kadiogo", None) and not access.region_admits("kadiogo", "guiriko")
    sup = User(id="s", role="supervisor", region="kadiogo")
    assert not access.can_view_case(sup, Case(region=None))


def test_unassigned_cases_work_goes_to_the_coordinator_of_each_region(wf, clock):
    """The caseworker's reminders and escalations of cases nobody is assigned to go to the
    coordinators the region rule admits — per case, also within one sweep (its people cache)."""
    add_users(wf, [("coord.kadiogo", "coordinator", None, "kadiogo", None, "fr"),
                   ("coord.guiriko", "coordinator", None, "guiriko", None, "fr")])
    refs = {}
    for region in ("kadiogo", "guiriko"):
        ref = wf.create_case("mnr_bf", CW)
        with wf.sessions.begin() as s:
            s.execute(update(Case).where(Case.reference == ref).values(region=region, assignee=None))
        refs[ref] = region
    sweep(wf, now=LATER)
    with wf.sessions() as s:
        told = [(m.context["reference"], m.recipient_user) for m in s.scalars(select(OutboxMessage))
                if (m.context or {}).get("instead_of") == "caseworker"]
    assert told and {ref for ref, _ in told} == set(refs)
    assert all(uid == f"coord.{refs[ref]}" for ref, uid in told), told


def test_a_message_written_before_the_rule_is_not_shown(cases, wf):
    """An in-app message about a case the reader may not open (written before the rule, or before
    the case moved region) is neither listed nor counted: no link to a 404."""
    from mno_workflow.web.queries import unread_count
    with wf.sessions.begin() as s:
        case = s.scalars(select(Case).where(Case.reference == cases["empty"])).one()
        s.add(OutboxMessage(case_id=case.id, kind="task", recipient_role="supervisor", template="task",
                            context={"reference": case.reference, "step": "needs_assessment", "instance": "1",
                                     "state": "pending_review"}, status="sent", attempts=0,
                            next_attempt_at=LATER, created_at=LATER, channel="inapp",
                            recipient_user="sup.kadiogo", lang="fr"))
    with wf.sessions() as s:
        user = s.get(User, "sup.kadiogo")
        listed, _, _ = notif_view.page_of(s, user, LATER)
        assert cases["empty"] not in {(m.context or {}).get("reference") for m, _ in listed}
        assert unread_count(s, user) == len([m for m, _ in listed if m.read_at is None])
