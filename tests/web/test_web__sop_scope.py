"""Staff of one SOP never see, receive nor are given another SOP's cases (tryout 5, H24): a
Senegal supervisor without region, beside the Burkina Faso SOP, saw every BF case, got the BF
escalations and was given a BF alert. Users of SOP A and of SOP B × every path that decides a
case's scope: the case list, the case page, the API (one case, the list), « Mon travail », the
in-app messages, the escalation recipients, the alert assignment and its national fallback, and
the command line's ``--as``. Accounts without SOP (``users.sop_id`` NULL) keep every SOP."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from mno_workflow.cli import app as cli_app
from mno_workflow.engine.alerts import file_alert
from mno_workflow.engine.engine import Actor
from mno_workflow.engine.errors import RoleNotAllowed
from mno_workflow.reminders.digest import digest_items
from mno_workflow.reminders.sweeper import sweep
from mno_workflow.sop.loader import load_text
from mno_workflow.store.models import Case, OutboxMessage, User
from mno_workflow.web.security import hash_password

from ..second_sop import sn_text
from .conftest import PASSWORD
from .helpers import cash_referral_case

# (id, role, sop, region). The SN accounts sort before the BF ones: without the SOP rule the
# national fallback of a BF alert (first user id) is the Senegal supervisor, as in the tryout.
STAFF = [("sn.gest", "caseworker", "mnr_sn", "kadiogo"), ("sn.sup", "supervisor", "mnr_sn", None),
         ("sn.coord", "coordinator", "mnr_sn", None), ("sup.bf", "supervisor", "mnr_bf", None),
         ("coord.bf", "coordinator", "mnr_bf", None), ("gest.bf", "caseworker", "mnr_bf", "kadiogo")]
FOCAL_SN = "sn.focal"  # a provider focal point of the SN SOP, of the organisation both cases refer to
SOP_OF = {uid: sop for uid, _r, sop, _g in STAFF}


@pytest.fixture(scope="module")
def world(live_module):
    """Both SOPs, their staff, one case of each, 40 days later swept (escalations sent)."""
    live = live_module
    wf = live.wf
    wf.load_sop(load_text(sn_text(), "mnr_sn.yaml"))
    hashed = hash_password(PASSWORD)
    with wf.sessions.begin() as s:
        for uid, role, sop, region in STAFF:
            s.add(User(id=uid, display_name=f"{uid} ({sop})", role=role, sop_id=sop, region=region,
                       language="fr", password_hash=hashed, active=True))
        s.add(User(id=FOCAL_SN, display_name="Point focal (SN)", role="provider", organisation="org-masn",
                   sop_id="mnr_sn", language="fr", password_hash=hashed, active=True))
    refs = {sop: cash_referral_case(wf, sop, Actor(cw, "caseworker"), Actor(sup, "supervisor"))
            for sop, cw, sup in [("mnr_bf", "gest.bf", "sup.bf"), ("mnr_sn", "sn.gest", "sn.sup")]}
    live.clock.advance(timedelta(days=40))
    assert sweep(wf).escalations
    tokens = {}
    for uid in SOP_OF:
        asked = live.client().post("/api/v1/auth/token", json={"username": uid, "password": PASSWORD})
        tokens[uid] = asked.json()["token"]
    return live, refs, tokens


def other(sop: str) -> str:
    return "mnr_bf" if sop == "mnr_sn" else "mnr_sn"


@pytest.mark.parametrize("uid", list(SOP_OF))
def test_the_pages_and_the_api_show_nothing_of_the_other_sop(world, uid):
    live, refs, tokens = world
    own, foreign = refs[SOP_OF[uid]], refs[other(SOP_OF[uid])]
    c = live.client(uid)
    listed = c.get("/dossiers").text
    assert foreign not in listed and own in listed, listed
    assert c.get(f"/dossiers/{foreign}").status_code == 404
    assert c.get(f"/dossiers/{own}").status_code == 200
    work = c.get("/travail").text
    assert foreign not in work
    assert foreign not in c.get("/notifications").text
    auth = {"Authorization": f"Bearer {tokens[uid]}"}
    assert c.get(f"/api/v1/cases/{foreign}", headers=auth).status_code == 404
    assert c.get(f"/api/v1/cases/{own}", headers=auth).status_code == 200
    api_list = c.get("/api/v1/cases", headers=auth).text
    assert foreign not in api_list and own in api_list


@pytest.mark.parametrize("uid", ["sn.sup", "sup.bf"])
def test_escalations_go_to_the_supervisors_of_the_cases_sop(world, uid):
    """« Escalades » of « Mon travail » and the escalation messages: the own SOP's case only."""
    live, refs, _tokens = world
    own, foreign = refs[SOP_OF[uid]], refs[other(SOP_OF[uid])]
    c = live.client(uid)
    assert own in c.get("/travail").text  # its escalation is listed
    mine, theirs = ("sn.gest", "gest.bf") if SOP_OF[uid] == "mnr_sn" else ("gest.bf", "sn.gest")
    for page in (c.get(f"/dossiers/{own}").text, c.get("/dossiers").text):  # reassignment targets
        assert f'value="{mine}"' in page and f'value="{theirs}"' not in page
    with live.wf.sessions() as s:
        told = set(s.scalars(select(Case.reference).join(OutboxMessage, OutboxMessage.case_id == Case.id)
                             .where(OutboxMessage.recipient_user == uid)))
    assert own in told and foreign not in told, told


def test_the_daily_digest_lists_the_own_sops_deadlines_only(world):
    """The provider's answer is overdue on both referrals to org-masn: the SN focal point's digest
    names the SN case only; the demo focal point (every SOP) both."""
    live, refs, _tokens = world
    with live.wf.sessions() as s:
        listed = {uid: {i["reference"] for group in digest_items(
            s, s.get(User, uid), live.clock.now(), "Africa/Ouagadougou").values() for i in group}
            for uid in (FOCAL_SN, "focal.masn")}
    assert listed[FOCAL_SN] == {refs["mnr_sn"]}, listed
    assert listed["focal.masn"] == {refs["mnr_sn"], refs["mnr_bf"]}, listed


def test_a_providers_inbox_holds_its_sops_referrals_only(world):
    """Both cases refer to org-masn: its SN focal point sees the SN referral, never the BF one."""
    live, refs, _tokens = world
    c = live.client(FOCAL_SN)
    inbox = c.get("/prestataire").text
    assert refs["mnr_sn"] in inbox and refs["mnr_bf"] not in inbox, inbox
    assert c.get(f"/prestataire/{refs['mnr_bf']}/referral:cash").status_code == 404
    assert c.get(f"/prestataire/{refs['mnr_sn']}/referral:cash").status_code == 200
    both = live.client("focal.masn").get("/prestataire").text  # demo focal point: every SOP
    assert refs["mnr_sn"] in both and refs["mnr_bf"] in both
    with live.wf.sessions() as s:  # « new referral » and the reminders: the own SOP's only
        told = set(s.scalars(select(Case.reference).join(OutboxMessage, OutboxMessage.case_id == Case.id)
                             .where(OutboxMessage.recipient_user == FOCAL_SN)))
    assert told == {refs["mnr_sn"]}, told


def test_an_account_without_sop_still_sees_every_sop(world):
    live, refs, _tokens = world
    coord = live.client("coord.mnr")  # demo coordinator: sop_id NULL
    listed = coord.get("/dossiers").text
    assert refs["mnr_bf"] in listed and refs["mnr_sn"] in listed
    admin = html.unescape(coord.get("/admin/acces").text)  # each account's SOP, by its title
    row = admin[admin.index('id="user-sn.sup"'):]
    assert "Mécanisme national de référencement — Sénégal" in row[:row.index("</tr>")]
    row = admin[admin.index('id="user-coord.mnr"'):]
    assert "toutes les POS" in row[:row.index("</tr>")]


def test_a_bf_alert_is_never_given_to_the_senegal_supervisor(world):
    """Tapoa has no BF staff: the national fallback is a BF supervisor, never ``sn.sup``."""
    live, _refs, _tokens = world
    payload = {"first_name": "Issa", "last_name": "Kaboré", "sex": "male", "estimated_age": 30,
               "region": "tapoa", "province": "Tapoa", "place": "Diapaga", "met_on": "2025-06-02",
               "urgency": ["shelter_tonight"], "contact_way": ["phone"], "phone": "+226 70 11 22 44",
               "contact_agreed": True}
    filed = file_alert(live.wf, "mnr_bf", Actor("agent.fds", "first_responder", "fds-poste-seytenga"),
                       payload)
    assert (filed.assignee, filed.assignment) == ("sup.bf", "fallback_national")
    sn = file_alert(live.wf, "mnr_sn", Actor("agent.fds", "first_responder", "fds-poste-seytenga"),
                    dict(payload, region="dakar"))
    assert SOP_OF.get(sn.assignee) == "mnr_sn", sn


@pytest.mark.parametrize("lang, words", [("fr", "Votre compte travaille sur une autre POS"),
                                         ("en", "Your account works in another SOP")])
def test_a_first_responder_of_one_sop_files_no_alert_in_another(world, lang, words):
    live, _refs, _tokens = world
    with live.wf.sessions.begin() as s:
        if s.get(User, "agent.sn") is None:
            s.add(User(id="agent.sn", display_name="Agent (SN)", role="first_responder",
                       organisation="poste-sn", sop_id="mnr_sn", language="fr", active=True))
    with pytest.raises(RoleNotAllowed) as refused:
        file_alert(live.wf, "mnr_bf", Actor("agent.sn", "first_responder", "poste-sn"),
                   {"region": "tapoa"})
    assert words in refused.value.message.text(lang) and "Burkina Faso" in refused.value.message.text(lang)


@pytest.mark.parametrize("lang, words", [("fr", ("POS", "Sénégal", "Burkina Faso")),
                                         ("en", ("SOP", "Senegal", "Burkina Faso"))])
def test_the_command_line_as_refuses_the_other_sops_case(world, lang, words):
    live, refs, _tokens = world
    url = str(live.wf.db.url)
    r = CliRunner().invoke(cli_app, ["--db", url, "--lang", lang, "case", "show", refs["mnr_bf"],
                                     "--as", "sn.sup:supervisor"])
    assert r.exit_code != 0 and "Traceback" not in r.output
    assert all(w in r.output for w in words), r.output
    ok = CliRunner().invoke(cli_app, ["--db", url, "--lang", lang, "case", "show", refs["mnr_sn"],
                                      "--as", "sn.sup:supervisor"])
    assert ok.exit_code == 0, ok.output


@pytest.mark.parametrize("uid", ["sn.coord", "coord.bf"])
def test_a_coordinators_registers_and_figures_hold_its_sops_cases_only(world, uid):
    """Tryout 7, J9: the access log, the messages not sent and the dashboard of a coordinator tied
    to one SOP — its own SOP's cases only; the other SOP's dashboard (``?sop=``) is 404."""
    from datetime import UTC, datetime

    live, refs, _tokens = world
    own, foreign = refs[SOP_OF[uid]], refs[other(SOP_OF[uid])]
    now = datetime.now(UTC)
    with live.wf.sessions.begin() as s:
        for ref in refs.values():
            case = s.scalar(select(Case).where(Case.reference == ref))
            s.add(OutboxMessage(case_id=case.id, kind="reminder", channel="inapp", recipient_user="sup.bf",
                                template="reminder", context={"reference": ref}, status="cancelled",
                                reason="test", next_attempt_at=now, created_at=now))
    for viewer in ("coord.bf", "sn.coord"):  # each reads its own case: a row of the access log
        assert live.client(viewer).get(f"/dossiers/{refs[SOP_OF[viewer]]}").status_code == 200
    c = live.client(uid)
    log = c.get("/journal-acces")
    assert log.status_code == 200 and own in log.text and foreign not in log.text
    cancelled = c.get("/messages-annules")
    assert cancelled.status_code == 200 and own in cancelled.text and foreign not in cancelled.text
    assert c.get("/tableau-de-bord").status_code == 200
    assert c.get(f"/tableau-de-bord?sop={other(SOP_OF[uid])}").status_code == 404
    assert c.get(f"/tableau-de-bord?sop={SOP_OF[uid]}").status_code == 200


@pytest.mark.parametrize("uid", ["sn.coord", "coord.bf"])
def test_the_dashboard_exports_and_stats_hold_the_sops_cases_only(world, uid):
    """Tryout 8, K4: « Exporter avec les noms » of a coordinator tied to one SOP handed over the
    other SOP's people (the rows took every case), and ``getStats`` the other SOP's totals. Named
    and pseudonymised rows, and the API, hold the own SOP's cases only; the other SOP is 404."""
    live, refs, tokens = world
    own, foreign = refs[SOP_OF[uid]], refs[other(SOP_OF[uid])]
    c = live.client(uid)
    named = c.get("/tableau-de-bord/export.csv?noms=1")
    assert named.status_code == 200 and own in named.text and foreign not in named.text
    plain = c.get("/tableau-de-bord/export.csv").text
    assert len(plain.strip().splitlines()) == 2  # the header and the own SOP's one case
    assert c.get(f"/tableau-de-bord/export.csv?sop={other(SOP_OF[uid])}").status_code == 404
    auth = {"Authorization": f"Bearer {tokens[uid]}"}
    assert c.get(f"/api/v1/stats?sop={other(SOP_OF[uid])}", headers=auth).status_code == 404
    stats = c.get("/api/v1/stats", headers=auth)
    assert stats.status_code == 200, stats.text
    assert stats.json() == c.get(f"/api/v1/stats?sop={SOP_OF[uid]}", headers=auth).json()


def test_an_account_of_every_sop_exports_the_sop_it_chose(world):
    """The dashboard of another SOP (``?sop=``) exports that SOP's cases, its links carry it."""
    live, refs, _tokens = world
    c = live.client("coord.mnr")
    page = c.get("/tableau-de-bord?sop=mnr_sn").text
    assert 'href="/tableau-de-bord/export.csv?noms=1&amp;sop=mnr_sn"' in page
    named = c.get("/tableau-de-bord/export.csv?noms=1&sop=mnr_sn").text
    assert refs["mnr_sn"] in named and refs["mnr_bf"] not in named
