"""Two SOPs of two countries share one directory (the Burkina Faso SOP, and a second on a Niger
calendar, ``holidays: NE``): what the send form, the directory listing (API and CLI) and the
focal-point rule say of an organisation depends on the SOP of the case (tryout 6 leftovers).

- An organisation established in Burkina Faso only (org-masn) is marked « à l'étranger :
  Burkina Faso » / "abroad: Burkina Faso" for a Niger case before the send — each option titled
  with the data protection authority's authorisation — on the plan the supervisor approves, on
  ``GET /api/v1/directory``, the « Répertoire » search page and ``mno directory search``; never
  for a Burkina Faso case (I4: before, only the send's warning said it, after the send).
- An account tied to the Niger SOP (``users.sop_id``) is no focal point of its organisation
  (org-chr, ``uses_platform: yes``) for a Burkina Faso referral: the organisation is off the
  platform for that referral — the send form's mark, the send's warning, the case page and API
  ``off_platform``, ``mno case show`` — and the reminders chasing it go to the case manager, never
  to nobody; that account neither sees nor is told of the referral. For a Niger referral it is."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from mno_workflow.cli import app as cli_app
from mno_workflow.directory import organisations_off_platform, organisations_without_focal_point
from mno_workflow.engine.engine import Actor
from mno_workflow.reminders.sweeper import sweep
from mno_workflow.sop.loader import load_text
from mno_workflow.store.models import Case, OutboxMessage, User
from mno_workflow.web.security import hash_password

from .conftest import PASSWORD
from .helpers import CONSENT, IDENT, NEEDS, referral
from .test_web__sop_words import token, worded_sn

ABROAD = {"fr": "à l'étranger : Burkina Faso", "en": "abroad: Burkina Faso"}
WHY = {"fr": "Transmettre des données personnelles à l'étranger demande l'autorisation de l'autorité "
             "de protection des données.",
       "en": "Transferring personal data abroad requires the authorisation of the data protection "
             "authority."}
NO_FOCAL = {"fr": "aucun point focal actif sur la plateforme", "en": "no active focal point on the platform"}
WARN = {"fr": "n'a aucun point focal actif sur la plateforme",
        "en": "has no active focal point on the platform"}
STAFF = {"mnr_sn": (Actor("sw.gest", "caseworker"), Actor("sw.sup", "supervisor")),
         "mnr_bf": (Actor("bw.gest", "caseworker"), Actor("bw.sup", "supervisor"))}


@pytest.fixture(scope="module")
def two(live_module):
    live = live_module
    live.wf.load_sop(load_text(worded_sn(), "mnr_sn.yaml"))
    hashed = hash_password(PASSWORD)
    with live.wf.sessions.begin() as s:
        for uid, role, sop, org in [("sw.gest", "caseworker", "mnr_sn", None),
                                    ("sw.sup", "supervisor", "mnr_sn", None),
                                    ("bw.gest", "caseworker", "mnr_bf", None),
                                    ("bw.sup", "supervisor", "mnr_bf", None),
                                    ("sn.chr", "provider", "mnr_sn", "org-chr")]:  # Niger SOP only
            s.add(User(id=uid, display_name=uid, role=role, sop_id=sop, organisation=org,
                       region="kadiogo" if role == "caseworker" else None, language="fr",
                       password_hash=hashed, active=True))
    return live


def planned(wf, sop: str, approved: bool = True) -> str:
    """A case of ``sop`` with its plan approved (its referrals in draft), or waiting for approval."""
    cw, sup = STAFF[sop]
    ref = wf.create_case(sop, cw)
    wf.fire(ref, "register", cw, IDENT)
    wf.fire(ref, "record_consent", cw, CONSENT)
    wf.fire(ref, "submit_assessment", cw, NEEDS)
    if approved:
        wf.fire(ref, "approve_plan", sup)
    return ref


def option(form: str, org: str) -> str:
    m = re.search(rf'<option value="{org}"([^>]*)>([^<]*)<', form)
    assert m, org
    return html.unescape(m[1] + ">" + m[2])


def send_form(live, ref: str, uid: str, lang: str) -> str:
    c = live.client(uid)
    c.get(f"/langue/{lang}")
    r = c.get(f"/dossiers/{ref}/actions/referral:medical/send")
    assert r.status_code == 200, r.text[:2000]
    return r.text


# -- I4: an organisation abroad, before the send ----------------------------------------------------
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_send_form_marks_an_organisation_abroad_with_the_authorisation(two, lang):
    sn, bf = planned(two.wf, "mnr_sn"), planned(two.wf, "mnr_bf")
    form = send_form(two, sn, "sw.gest", lang)
    masn = option(form, "org-masn")
    assert ABROAD[lang] in masn and f'title="{WHY[lang]}"' in masn, masn
    assert WHY[lang] in html.unescape(form)  # the field's help says it too (not only a tooltip)
    services = re.findall(r'<option value="[^"]*" data-allowed="org-masn" ([^>]*)>([^<]*)<', form)
    assert services and all(ABROAD[lang] in html.unescape(label) and WHY[lang] in html.unescape(attrs)
                            for attrs, label in services), services  # its services, in the service select
    form = send_form(two, bf, "bw.gest", lang)
    assert ABROAD[lang] not in option(form, "org-masn") and WHY[lang] not in html.unescape(form)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_plan_in_view_marks_a_proposed_organisation_abroad(two, lang):
    """The supervisor approving the plan sees the providers proposed per need: abroad said there too."""
    shown = {}
    for sop in ("mnr_sn", "mnr_bf"):
        ref, c = planned(two.wf, sop, approved=False), two.client(STAFF[sop][1].user)
        c.get(f"/langue/{lang}")
        link = re.search(r'href="(/dossiers/[^"]+/approve_plan)"', c.get(f"/dossiers/{ref}").text)
        assert link, sop
        page = html.unescape(c.get(link[1]).text)
        shown[sop] = page[:page.index('class="sop-form"')]
    assert f"({ABROAD[lang]})" in shown["mnr_sn"], shown["mnr_sn"][-3000:]
    assert ABROAD[lang] not in shown["mnr_bf"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_directory_listing_says_abroad_on_the_api_and_the_cli(two, lang):
    def listed(headers, **q):
        r = two.client().get("/api/v1/directory", params={"need": "cash", "region": "kadiogo", **q},
                             headers={**headers, "Accept-Language": lang})
        assert r.status_code == 200, r.text
        return {i["organization_id"]: i["abroad"] for i in r.json()["items"]}

    sn = listed(token(two, "sw.gest"))  # the account's SOP: Niger
    assert sn["org-masn"] == {"countries": ["BF"], "label": ABROAD[lang], "help": WHY[lang]}, sn
    assert set(listed(token(two, "sw.gest"), sop="mnr_bf").values()) == {None}
    assert set(listed(token(two, "bw.gest")).values()) == {None}
    bad = two.client().get("/api/v1/directory", params={"need": "cash", "region": "kadiogo", "sop": "xx"},
                           headers=token(two, "sw.gest"))
    assert bad.status_code == 422 and "sop_unknown" in bad.text, bad.text

    for uid, marked in (("sw.gest", True), ("bw.gest", False)):  # the « Répertoire » search page too
        c = two.client(uid)
        c.get(f"/langue/{lang}")
        page = html.unescape(c.get("/repertoire", params={"need": "cash", "region": "kadiogo"}).text)
        assert '<table class="data">' in page, page[:2000]  # services found
        assert (f"{ABROAD[lang]}</span>" in page and f'title="{WHY[lang]}"' in page) is marked, uid
        assert (f'<p class="help">{WHY[lang]}</p>' in page) is marked, uid

    url = str(two.wf.db.url)
    base = ["--db", url, "--lang", lang, "directory", "search", "--need", "cash", "--region", "kadiogo"]
    out = CliRunner().invoke(cli_app, [*base, "--sop", "mnr_sn"])
    assert out.exit_code == 0 and f"{ABROAD[lang]} — {WHY[lang]}" in out.output, out.output
    out = CliRunner().invoke(cli_app, [*base, "--sop", "mnr_sn", "--format", "json"])
    assert {i["organization_id"]: i["abroad"] for i in json.loads(out.stdout)}["org-masn"]["label"] \
        == ABROAD[lang]
    out = CliRunner().invoke(cli_app, [*base, "--sop", "mnr_bf"])
    assert out.exit_code == 0 and ABROAD[lang] not in out.output, out.output
    out = CliRunner().invoke(cli_app, base)  # two SOPs and no --sop: which one is asked, no guess (K6)
    assert out.exit_code == 1 and "--sop ID" in out.output and "(mnr_sn)" in out.output, out.output
    out = CliRunner().invoke(cli_app, [*base, "--sop", "xx"])
    assert out.exit_code == 1 and "(mnr_bf)" in out.output and "(mnr_sn)" in out.output \
        and "Traceback" not in out.output, out.output


# -- an account of another SOP is no focal point ----------------------------------------------------
def test_the_focal_point_rule_counts_the_accounts_of_the_referrals_sop_only(two):
    with two.wf.sessions() as s:
        assert organisations_without_focal_point(s, ["org-chr"], sop_id="mnr_bf") == {"org-chr"}
        assert organisations_without_focal_point(s, ["org-chr"], sop_id="mnr_sn") == set()
        assert organisations_off_platform(s, ["org-chr"], sop_id="mnr_bf") == {"org-chr"}
        assert organisations_off_platform(s, ["org-chr"], sop_id="mnr_sn") == set()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_another_sops_account_does_not_answer_for_its_organisation(two, lang):
    refs = {sop: planned(two.wf, sop) for sop in ("mnr_bf", "mnr_sn")}
    assert NO_FOCAL[lang] in option(send_form(two, refs["mnr_bf"], "bw.gest", lang), "org-chr")
    assert NO_FOCAL[lang] not in option(send_form(two, refs["mnr_sn"], "sw.gest", lang), "org-chr")
    warned, off = {}, {}
    for sop, ref in refs.items():
        auth = {**token(two, STAFF[sop][0].user), "Accept-Language": lang}
        sent = two.client().post(f"/api/v1/cases/{ref}/fire", headers=auth, json={
            "trigger": "send", "instance": "referral:medical", "payload": referral("org-chr")})
        assert sent.status_code == 200, sent.text
        warned[sop] = " ".join(sent.json()["warnings"])
        steps = two.client().get(f"/api/v1/cases/{ref}", headers=auth).json()["steps"]
        off[sop] = next(x["off_platform"] for x in steps if x["recipient"] == "org-chr")
    assert WARN[lang] in warned["mnr_bf"] and WARN[lang] not in warned["mnr_sn"], warned
    assert off == {"mnr_bf": True, "mnr_sn": False}

    shown = CliRunner().invoke(cli_app, ["--db", str(two.wf.db.url), "case", "show", refs["mnr_bf"],
                                         "--format", "json"])
    assert shown.exit_code == 0, shown.output
    steps = json.loads(shown.output)["steps"]
    assert [x["off_platform"] for x in steps if x["recipient"] == "org-chr"] == [True]
    # the Niger account sees and is told only of its own SOP's referral
    inbox = two.client("sn.chr").get("/prestataire").text
    assert refs["mnr_sn"] in inbox and refs["mnr_bf"] not in inbox
    with two.wf.sessions() as s:
        told = set(s.scalars(select(Case.reference).join(OutboxMessage, OutboxMessage.case_id == Case.id)
                             .where(OutboxMessage.recipient_user == "sn.chr")))
    assert refs["mnr_bf"] not in told


def test_the_reminders_of_the_referral_go_to_its_case_manager_not_to_nobody(two):
    ref = planned(two.wf, "mnr_bf")
    cw = STAFF["mnr_bf"][0]
    two.wf.fire(ref, "send", cw, referral("org-chr"), instance="referral:medical")
    two.clock.advance(timedelta(days=30))
    sweep(two.wf)
    with two.wf.sessions() as s:
        case_id = s.scalar(select(Case.id).where(Case.reference == ref))
        chased = [(m.recipient_user, m.recipient_role) for m in s.scalars(select(OutboxMessage).where(
            OutboxMessage.case_id == case_id, OutboxMessage.kind.in_(["reminder", "escalation"])))
            if (m.context or {}).get("chase") == "org-chr"]
        lost = [m for m in s.scalars(select(OutboxMessage).where(
            OutboxMessage.case_id == case_id, OutboxMessage.channel == "log",
            OutboxMessage.kind.in_(["reminder", "escalation"]), OutboxMessage.recipient_role == "provider"))]
    assert ("bw.gest", "caseworker") in chased, chased
    assert not lost
