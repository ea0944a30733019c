"""Reassignment and the case list on a server with two SOPs (tryout 8, K2, K3, K5).

K2: a case manager without region (an account made before the second SOP, « toutes les POS ») is
not « of the region » of a Kadiogo case: refused like any other out-of-region case manager, with
words that say why, on every path (API, case page, bulk form, command line), and never offered in
the drop-downs; a case without region still goes to them.
K3: the role is checked first (the Burkina Faso coordination fires no transition: it may not
reassign, told so before any region, and offered no form, checkbox nor « Réattribuer » on its
escalation rows), then the SOP, then the region.
K5: the filters of a list that mixes cases of both SOPs offer both SOPs' values, grouped under the
SOP's title and each selecting its own SOP's cases; an account of one SOP sees its SOP's only."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from mno_workflow.cli import app as cli_app
from mno_workflow.engine.engine import Actor
from mno_workflow.engine.errors import FormInvalid
from mno_workflow.sop.loader import load_text
from mno_workflow.store import repository
from mno_workflow.store.models import AuditEvent, User
from mno_workflow.web.security import hash_password

from ..second_sop import SN_TITLE, sn_text
from .conftest import PASSWORD
from .helpers import IDENT, MARIAM

NOREGION = Actor("old.noregion", "caseworker")
WORDS = {"fr": "Ancien sans région n'a pas de région : le dossier {ref} relève d'une région",
         "en": "Ancien sans région has no region: case {ref} belongs to a region"}


@pytest.fixture(scope="module")
def world(live_module):
    """Both SOPs; ``old.noregion`` (case manager, no region, every SOP) holding a Kadiogo BF case
    and a Dakar SN case; mariam's Kadiogo case; a BF case without region; an SN case manager of
    Dakar and one tied to the BF SOP."""
    live = live_module
    wf = live.wf
    wf.load_sop(load_text(sn_text(), "mnr_sn.yaml"))
    hashed = hash_password(PASSWORD)
    with wf.sessions.begin() as s:
        s.add(User(id="old.noregion", display_name="Ancien sans région", role="caseworker",
                   language="fr", password_hash=hashed, active=True))
        s.add(User(id="sn.dakar", display_name="Gestionnaire Dakar", role="caseworker", sop_id="mnr_sn",
                   region="dakar", language="fr", password_hash=hashed, active=True))
        s.add(User(id="bf.only", display_name="Gestionnaire BF", role="caseworker", sop_id="mnr_bf",
                   region="kadiogo", language="fr", password_hash=hashed, active=True))
    refs = {}
    refs["held_bf"] = wf.create_case("mnr_bf", NOREGION)
    wf.fire(refs["held_bf"], "register", NOREGION, IDENT)
    refs["held_sn"] = wf.create_case("mnr_sn", NOREGION)
    wf.fire(refs["held_sn"], "register", NOREGION, {**IDENT, "region": "dakar"})
    refs["kadiogo"] = wf.create_case("mnr_bf", MARIAM)
    wf.fire(refs["kadiogo"], "register", MARIAM, IDENT)
    refs["no_region"] = wf.create_case("mnr_bf", MARIAM)  # registered later: no region yet
    refs["mine_bf"] = wf.create_case("mnr_bf", Actor("bf.only", "caseworker"))
    return live, refs


def token(live, uid: str, lang: str = "fr") -> dict[str, str]:
    with live.client() as c:
        got = c.post("/api/v1/auth/token", json={"username": uid, "password": PASSWORD}).json()["token"]
    return {"Authorization": f"Bearer {got}", "Accept-Language": lang}


def post(c, url: str, **data):
    return c.post(url, data={"csrftoken": c.cookies.get("csrftoken"), **data})


def assignee(live, ref: str) -> str:
    with live.wf.sessions() as s:
        return repository.get_case(s, ref).assignee


def language(live, uid: str, lang: str) -> None:
    with live.wf.sessions.begin() as s:
        s.get(User, uid).language = lang


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_case_manager_without_region_is_refused_a_regional_case_on_every_path(world, lang):
    live, refs = world
    ref = refs["kadiogo"]
    said = WORDS[lang].format(ref=ref)
    language(live, "idrissa.sanou", lang)
    with live.client() as c:  # the API
        r = c.post("/api/v1/cases/reassign", headers=token(live, "idrissa.sanou", lang),
                   json={"references": [ref], "assignee": "old.noregion", "reason": "Congé"})
    assert r.status_code == 422 and said in r.json()["errors"]["assignee"], r.text
    sup = live.client("idrissa.sanou")
    page = sup.get(f"/dossiers/{ref}").text  # the case page: not offered, refused when forced
    assert 'id="tool-reassign"' in page and 'value="old.noregion"' not in page
    r = post(sup, f"/dossiers/{ref}/reattribuer", assignee="old.noregion", reason="Congé")
    assert r.status_code == 422 and said in html.unescape(r.text)
    listed = sup.get("/dossiers").text  # the bulk form: not offered, refused when forced
    assert 'id="bulk-form"' in listed and 'value="old.noregion"' not in listed
    r = post(sup, "/dossiers/reattribuer", ref=[ref], assignee="old.noregion", reason="Congé")
    assert r.status_code == 422 and said in html.unescape(r.text)
    cli = CliRunner().invoke(cli_app, ["--db", str(live.wf.db.url), "--lang", lang, "case", "reassign", ref,
                                       "--to", "old.noregion", "--reason", "Congé",
                                       "--as", "idrissa.sanou:supervisor"])
    assert cli.exit_code == 1 and said in cli.output, cli.output
    with pytest.raises(FormInvalid) as refused:  # the engine itself, for any other caller
        live.wf.reassign([ref], "old.noregion", Actor("idrissa.sanou", "supervisor"), "Congé")
    assert said in refused.value.errors["assignee"].text(lang)
    assert assignee(live, ref) == "mariam.kabore"
    with live.wf.sessions() as s:
        case = repository.get_case(s, ref)
        assert s.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                  AuditEvent.action == "reassign")).all() == []


def test_a_case_without_region_still_goes_to_a_case_manager_without_region(world):
    live, refs = world
    ref = refs["no_region"]
    sup = Actor("idrissa.sanou", "supervisor")
    assert live.wf.reassign([ref], "old.noregion", sup, "Équilibrage") == [ref]
    assert assignee(live, ref) == "old.noregion"
    assert live.wf.reassign([ref], "mariam.kabore", sup, "Retour") == [ref]


@pytest.mark.parametrize("lang, role_words, sop_words", [
    ("fr", "ne peut pas réattribuer des dossiers", "travaille sur une autre POS"),
    ("en", "may not reassign cases", "works in another SOP")])
def test_the_role_is_checked_first_then_the_sop_then_the_region(world, lang, role_words, sop_words):
    live, refs = world
    ref = refs["kadiogo"]
    language(live, "coord.mnr", lang)
    language(live, "idrissa.sanou", lang)
    with live.client() as c:
        # the BF coordination fires no transition: its role, not the region of awa (Yaadga)
        r = c.post("/api/v1/cases/reassign", json={"references": [ref], "assignee": "awa.ouedraogo",
                                                   "reason": ""}, headers=token(live, "coord.mnr", lang))
        assert r.status_code == 403 and role_words in r.text and "awa" not in r.text.lower(), r.text
        # a Senegal case manager of Dakar: their SOP, not the region
        r = c.post("/api/v1/cases/reassign", headers=token(live, "idrissa.sanou", lang),
                   json={"references": [ref], "assignee": "sn.dakar", "reason": "Congé"})
        assert r.status_code == 422 and sop_words in r.text, r.text
    cli = CliRunner().invoke(cli_app, ["--db", str(live.wf.db.url), "--lang", lang, "case", "reassign", ref,
                                       "--to", "awa.ouedraogo", "--reason", "x",
                                       "--as", "coord.mnr:coordinator"])
    assert cli.exit_code == 1 and role_words in cli.output and "Awa" not in cli.output, cli.output
    coord = live.client("coord.mnr")  # and it is offered no form to try
    assert 'id="tool-reassign"' not in coord.get(f"/dossiers/{ref}").text
    listed = coord.get("/dossiers").text
    assert 'id="bulk-form"' not in listed and f'id="pick-{ref}"' not in listed
    assert assignee(live, ref) == "mariam.kabore"


def test_the_filters_of_a_mixed_list_offer_both_sops_grouped_and_select_per_sop(world):
    live, refs = world
    c = live.client("old.noregion")
    page = html.unescape(c.get("/dossiers").text)
    assert refs["held_bf"] in page and refs["held_sn"] in page
    assert f'<optgroup label="{SN_TITLE["fr"]}">' in page
    assert '<optgroup label="Mécanisme national de référencement — Burkina Faso">' in page
    assert '<option value="mnr_sn:dakar" >Dakar</option>' in page
    assert 'value="mnr_bf:kadiogo"' in page and 'value="mnr_sn:identification"' in page
    assert f'<optgroup label="{SN_TITLE["fr"]} — ' in page  # the states: per SOP and step
    # a step id both SOPs have: each value selects its own SOP's cases
    for sop, mine, other in [("mnr_sn", "held_sn", "held_bf"), ("mnr_bf", "held_bf", "held_sn")]:
        got = c.get(f"/dossiers?step={sop}:consent").text
        assert refs[mine] in got and refs[other] not in got, sop
        assert f'<option value="{sop}:consent" selected>' in got
    got = c.get("/dossiers?region=mnr_sn:kadiogo").text  # a code of both SOPs: the SN cases only
    assert refs["held_bf"] not in got
    assert refs["held_bf"] in c.get("/dossiers?region=kadiogo").text  # typed by hand: every SOP
    language(live, "old.noregion", "en")  # English titles for an English reader
    english = html.unescape(live.client("old.noregion").get("/dossiers").text)
    assert f'<optgroup label="{SN_TITLE["en"]}">' in english
    language(live, "old.noregion", "fr")


@pytest.mark.parametrize("uid", ["bf.only", "mariam.kabore"])
def test_an_account_of_one_sop_keeps_its_sops_values_only(world, uid):
    live, _refs = world
    page = html.unescape(live.client(uid).get("/dossiers").text)
    assert "optgroup label=\"Mécanisme" not in page and SN_TITLE["fr"] not in page
    assert '<option value="kadiogo" >' in page and "dakar" not in page and "mnr_bf:" not in page


def test_an_escalation_row_offers_reassign_only_to_a_role_that_may(live):
    """The BF coordination gets the escalation of a plan left awaiting approval, with « Prolonger »
    and « Relancer » but no « Réattribuer » (it may not reassign: K3); the supervisor's rows keep it."""
    from datetime import timedelta

    from mno_workflow.reminders.sweeper import sweep

    from .helpers import CONSENT, NEEDS
    wf = live.wf
    other = wf.create_case("mnr_bf", MARIAM)  # its consent, overdue, escalates to the supervisor
    wf.fire(other, "register", MARIAM, IDENT)
    ref = wf.create_case("mnr_bf", MARIAM)
    wf.fire(ref, "register", MARIAM, IDENT)
    wf.fire(ref, "record_consent", MARIAM, CONSENT)
    wf.fire(ref, "submit_assessment", MARIAM, NEEDS)  # awaiting approval: 3 working days
    live.clock.advance(timedelta(days=10))
    assert sweep(wf).escalations
    work = live.client("coord.mnr").get("/travail").text
    assert f'href="/dossiers/{ref}#step-' in work and 'data-action="remind"' in work
    assert f'href="/dossiers/{ref}#tool-reassign"' not in work
    group = live.client("coord.mnr").get("/travail/escalades").text
    assert ref in group and f'href="/dossiers/{ref}#tool-reassign"' not in group
    sup = live.client("idrissa.sanou").get("/travail").text
    assert f'href="/dossiers/{other}#tool-reassign"' in sup
