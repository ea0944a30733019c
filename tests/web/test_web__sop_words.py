"""Lists that may mix cases of several SOPs word each row in its own case's SOP, and the pages of
an account of one SOP speak that SOP (tryout 5 leftovers of H16/H24): « Mon travail », the case
list (rows and filters), the notifications, « Mes signalements » (page and API), the provider's
inbox (page and API), ``/api/v1/me`` and ``createCase`` without ``sop``. Before, every one of them
took its labels from the server's first SOP (Burkina Faso), and the provider's inbox and API
only looked for the first SOP's referral steps.

The second SOP is the BF text with other words for a referral sent, an alert received and the
Kadiogo region, and the time zone of Niamey (UTC+1, Ouagadougou is UTC+0), so a row in the wrong
SOP's words or hours is seen."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select
from typer.testing import CliRunner

from mno_workflow.cli import app as cli_app
from mno_workflow.engine.alerts import file_alert
from mno_workflow.engine.engine import Actor
from mno_workflow.reminders.sweeper import sweep
from mno_workflow.sop.loader import load_text
from mno_workflow.store.models import Case, HolidayOverride, User
from mno_workflow.web.security import hash_password

from ..second_sop import sn_text
from .conftest import PASSWORD
from .helpers import CONSENT, IDENT, NEEDS, cash_referral_case, referral

SENT = {"mnr_bf": {"fr": "Envoyé au prestataire", "en": "Sent to provider"},
        "mnr_sn": {"fr": "Transmis au partenaire SN", "en": "Passed to the SN partner"}}
RECEIVED = {"mnr_bf": {"fr": "Reçu", "en": "Received"},
            "mnr_sn": {"fr": "Reçu au Sénégal", "en": "Received in Senegal"}}
KADIOGO = {"mnr_bf": "Kadiogo (Ouagadougou)", "mnr_sn": "Kadiogo (SN)"}


def worded_sn() -> str:
    text = sn_text().replace("  timezone: Africa/Ouagadougou", "  timezone: Africa/Niamey", 1)  # UTC+1
    text = text.replace("  holidays: BF\n", "  holidays: NE\n", 1)  # a Niger calendar: another country
    text = text.replace("label: {fr: Envoyé au prestataire, en: Sent to provider}",
                        "label: {fr: Transmis au partenaire SN, en: Passed to the SN partner}", 1)
    text = text.replace("    kadiogo: {fr: Kadiogo (Ouagadougou), en: Kadiogo (Ouagadougou)}",
                        "    kadiogo: {fr: Kadiogo (SN), en: Kadiogo (SN)}", 1)
    head, _, alert = text.partition("      received:\n        owner: caseworker\n")
    assert alert, "the BF SOP's alert step changed: adapt this test"
    return (head + "      received:\n        owner: caseworker\n"
            + alert.replace("label: {fr: Reçu, en: Received}",
                            "label: {fr: Reçu au Sénégal, en: Received in Senegal}", 1))


ALERT = {"first_name": "Issa", "last_name": "Kaboré", "sex": "male", "estimated_age": 30,
         "region": "kadiogo", "province": "Kadiogo", "place": "Tanghin", "met_on": "2025-06-02",
         "urgency": ["shelter_tonight"], "contact_way": ["phone"], "phone": "+226 70 11 22 44",
         "contact_agreed": True}


@pytest.fixture(scope="module")
def world(live_module):
    """Both SOPs, SN staff (caseworker, supervisor) and BF staff, one referral to ``org-masn`` in
    each SOP, an alert of each SOP filed by the same agent, 40 days later swept (escalations)."""
    live = live_module
    wf = live.wf
    wf.load_sop(load_text(worded_sn(), "mnr_sn.yaml"))
    hashed = hash_password(PASSWORD)
    with wf.sessions.begin() as s:
        for uid, role, sop, region in [("sw.gest", "caseworker", "mnr_sn", "kadiogo"),
                                       ("sw.sup", "supervisor", "mnr_sn", None),
                                       ("bw.gest", "caseworker", "mnr_bf", "kadiogo"),
                                       ("bw.sup", "supervisor", "mnr_bf", None),
                                       ("nw.sup", "supervisor", None, None)]:  # national, every SOP
            s.add(User(id=uid, display_name=uid, role=role, sop_id=sop, region=region, language="fr",
                       password_hash=hashed, active=True))
        s.add(User(id="sw.focal", display_name="Point focal (toutes POS)", role="provider",
                   organisation="org-masn", language="fr", password_hash=hashed, active=True))
        s.add(User(id="sw.agent", display_name="Agent", role="first_responder", organisation="poste-w",
                   language="fr", password_hash=hashed, active=True))
    refs = {sop: cash_referral_case(wf, sop, Actor(cw, "caseworker"), Actor(sup, "supervisor"))
            for sop, cw, sup in [("mnr_bf", "bw.gest", "bw.sup"), ("mnr_sn", "sw.gest", "sw.sup")]}
    alerts = {sop: file_alert(wf, sop, Actor("sw.agent", "first_responder", "poste-w"), ALERT).reference
              for sop in ("mnr_bf", "mnr_sn")}
    live.clock.advance(timedelta(days=40))
    assert sweep(wf).escalations
    return live, refs, alerts


def token(live, uid: str) -> dict[str, str]:
    asked = live.client().post("/api/v1/auth/token", json={"username": uid, "password": PASSWORD})
    return {"Authorization": f"Bearer {asked.json()['token']}"}


def row_of(page: str, reference: str) -> str:
    """Every table row of ``reference`` on a page, joined."""
    rows, at = [], page.find(reference)
    while at >= 0:
        start, end = page.rfind("<tr", 0, at), page.find("</tr>", at)
        rows.append(page[start:end])
        at = page.find(reference, end)
    assert rows, reference
    return "\n".join(rows)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_supervisors_work_and_notifications_speak_the_cases_sop(world, lang):
    live, refs, _alerts = world
    for uid, sop in (("sw.sup", "mnr_sn"), ("bw.sup", "mnr_bf")):
        c = live.client(uid)
        c.get(f"/langue/{lang}?next=/travail")
        work = html.unescape(c.get("/travail").text)
        mine = row_of(work, refs[sop])
        assert SENT[sop][lang] in mine and SENT[other(sop)][lang] not in mine, mine
        notes = html.unescape(c.get("/notifications").text)
        assert SENT[sop][lang] in notes and SENT[other(sop)][lang] not in notes


def other(sop: str) -> str:
    return "mnr_bf" if sop == "mnr_sn" else "mnr_sn"


def test_the_case_list_words_each_row_in_its_sop_and_filters_in_the_users(world):
    live, refs, _alerts = world
    sn = html.unescape(live.client("sw.gest").get("/dossiers").text)
    mine = row_of(sn, refs["mnr_sn"])
    assert SENT["mnr_sn"]["fr"] in mine and KADIOGO["mnr_sn"] in mine, mine
    assert f">{SENT['mnr_sn']['fr']}</option>" in sn  # the state filter: the SN SOP's states
    assert f">{KADIOGO['mnr_sn']}</option>" in sn  # the region filter
    every = html.unescape(live.client("coord.mnr").get("/dossiers").text)  # an account of every SOP
    for sop, ref in refs.items():
        row = row_of(every, ref)
        assert SENT[sop]["fr"] in row and SENT[other(sop)]["fr"] not in row, row


def test_the_provider_of_both_sops_has_both_referrals_in_their_own_words(world):
    live, refs, _alerts = world
    inbox = html.unescape(live.client("sw.focal").get("/prestataire").text)
    for sop, ref in refs.items():
        assert ref in inbox
        assert SENT[sop]["fr"] in row_of(inbox, ref) or SENT[sop]["fr"] in inbox[inbox.index(ref):][:1500]
    listed = live.client().get("/api/v1/referrals", headers=token(live, "sw.focal")).json()
    assert {r["reference"] for r in listed["items"]} >= set(refs.values()), listed


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_my_alerts_say_each_alerts_status_in_its_sop(world, lang):
    live, _refs, alerts = world
    c = live.client("sw.agent")
    c.get(f"/langue/{lang}?next=/signalements")
    page = html.unescape(c.get("/signalements").text)
    api = live.client().get("/api/v1/alerts", headers={**token(live, "sw.agent"), "Accept-Language": lang})
    labels = {i["reference"]: i["status_label"] for i in api.json()["items"]}
    for sop, ref in alerts.items():
        assert RECEIVED[sop][lang] in row_of(page, ref), row_of(page, ref)
        assert labels[ref] == RECEIVED[sop][lang], labels


def test_me_names_the_accounts_sop_and_create_case_defaults_to_it(world):
    live, _refs, _alerts = world
    auth = token(live, "sw.gest")
    assert live.client().get("/api/v1/me", headers=auth).json()["sop"] == "mnr_sn"
    assert live.client().get("/api/v1/me", headers=token(live, "coord.mnr")).json()["sop"] is None
    made = live.client().post("/api/v1/cases", headers=auth, json={"identification": IDENT})
    assert made.status_code in (200, 201), made.text
    with live.wf.sessions() as s:
        case = s.scalar(select(Case).where(Case.reference == made.json()["reference"]))
        assert case.sop_version.sop_id == "mnr_sn"


def case_count(live) -> int:
    with live.wf.sessions() as s:
        return s.scalar(select(func.count()).select_from(Case))


@pytest.mark.parametrize("lang, words", [("fr", "Votre compte travaille sur une autre POS"),
                                         ("en", "Your account works in another SOP")])
def test_an_account_of_one_sop_opens_no_case_of_another(world, lang, words):
    """Tryout 6, I1: a Senegal caseworker opened Burkina Faso cases (API, CLI, web) it was then
    assigned and could not read. Refused on every path, nothing written; its own SOP still opens."""
    live, _refs, _alerts = world
    before = case_count(live)
    api = live.client().post("/api/v1/cases", json={"sop": "mnr_bf", "identification": IDENT},
                             headers={**token(live, "sw.gest"), "Accept-Language": lang})
    assert api.status_code == 403 and words in api.text, api.text
    r = CliRunner().invoke(cli_app, ["--db", str(live.wf.db.url), "--lang", lang, "case", "create",
                                     "--sop", "mnr_bf", "--as", "sw.gest:caseworker"])
    assert r.exit_code != 0 and words in r.output and "Traceback" not in r.output, r.output
    web = live.client("sw.gest")
    assert web.get("/dossiers/nouveau?sop=mnr_bf").status_code == 404
    page = web.get("/dossiers/nouveau").text
    assert 'value="mnr_bf"' not in page and "Burkina Faso" not in html.unescape(page), page
    assert case_count(live) == before
    # the SN account's own SOP still opens
    ok = live.client().post("/api/v1/cases", json={"sop": "mnr_sn", "identification": IDENT},
                            headers=token(live, "sw.gest"))
    assert ok.status_code in (200, 201), ok.text


@pytest.mark.parametrize("lang, words", [("fr", "votre compte travaille sur la POS mnr_sn"),
                                         ("en", "your account works in the SOP mnr_sn")])
def test_a_supervisor_of_one_sop_changes_no_holiday_of_another(world, lang, words):
    """Tryout 6, I8: a Senegal supervisor added a Burkina Faso holiday (moving BF deadlines)."""
    live, _refs, _alerts = world
    url = str(live.wf.db.url)
    r = CliRunner().invoke(cli_app, ["--db", url, "--lang", lang, "calendar", "set", "2025-12-16",
                                     "--name", "X", "--sop", "mnr_bf", "--as", "sw.sup:supervisor"])
    assert r.exit_code != 0 and words in r.output and "Traceback" not in r.output, r.output
    with live.wf.sessions() as s:
        assert s.scalar(select(func.count()).select_from(HolidayOverride)) == 0
    own = CliRunner().invoke(cli_app, ["--db", url, "--lang", lang, "calendar", "set", "2025-12-16",
                                       "--name", "X", "--sop", "mnr_sn", "--as", "sw.sup:supervisor"])
    assert own.exit_code == 0, own.output
    with live.wf.sessions.begin() as s:  # leave the calendar as it was for the other tests
        s.execute(delete(HolidayOverride))
    from mno_workflow.engine.timers import forget_overrides
    forget_overrides()


def test_my_work_says_each_rows_due_time_in_its_sops_time_zone(world):
    """Tryout 6, I6: a Niger case's due time was shown an hour early (Ouagadougou's clock) in
    « Mon travail » while its case page said it in Niamey time."""
    from zoneinfo import ZoneInfo

    from mno_workflow.store.models import Deadline
    live, refs, _alerts = world
    work = html.unescape(live.client("nw.sup").get("/travail").text)  # a supervisor of every SOP
    mine = row_of(work, refs["mnr_sn"])
    with live.wf.sessions() as s:
        dues = s.scalars(select(Deadline.due_at).join(Case, Case.id == Deadline.case_id)
                         .where(Case.reference == refs["mnr_sn"])).all()
    niamey = {d.astimezone(ZoneInfo("Africa/Niamey")).strftime("%d/%m/%Y %H:%M") for d in dues}
    ouaga = {d.astimezone(ZoneInfo("Africa/Ouagadougou")).strftime("%d/%m/%Y %H:%M") for d in dues}
    assert any(t in mine for t in niamey), (niamey, mine)
    assert not any(t in mine for t in ouaga - niamey), (ouaga, mine)


@pytest.mark.parametrize("lang, words", [("fr", "hors du pays de la POS (BF, pas NE)"),
                                         ("en", "outside the SOP's country (BF, not NE)")])
def test_a_referral_sent_abroad_is_said_on_every_path(world, lang, words):
    """Tryout 6, I4: a Niger case sent to a Burkina Faso NGO without a word. The send goes through
    (the case manager may have the authorisation) with a warning naming the countries, on the
    API (and the page and the command line, which share ``warnings_after_fire``); a referral in
    the organisation's own country says nothing of it."""
    live, _refs, _alerts = world
    wf = live.wf
    said = {}
    for sop, cw, sup in (("mnr_sn", "sw.gest", "sw.sup"), ("mnr_bf", "bw.gest", "bw.sup")):
        ref = wf.create_case(sop, Actor(cw, "caseworker"))
        wf.fire(ref, "register", Actor(cw, "caseworker"), IDENT)
        wf.fire(ref, "record_consent", Actor(cw, "caseworker"), CONSENT)
        wf.fire(ref, "submit_assessment", Actor(cw, "caseworker"), NEEDS)
        wf.fire(ref, "approve_plan", Actor(sup, "supervisor"))
        sent = live.client().post(f"/api/v1/cases/{ref}/fire", json={
            "trigger": "send", "instance": "referral:cash", "payload": referral("org-masn")},
            headers={**token(live, cw), "Accept-Language": lang})
        assert sent.status_code == 200, sent.text
        said[sop] = " ".join(sent.json()["warnings"])
    assert words in said["mnr_sn"], said
    assert words not in said["mnr_bf"] and "BF" not in said["mnr_bf"], said
