"""``mno case show`` and ``mno case list`` take ``--as USER:ROLE`` and apply the web's and the
API's rule, as ``export-person`` and ``erase`` do (tryout 5, G8): a case manager sees the cases
assigned to them, a supervisor their region's, a coordinator every case, a provider focal point
only the referrals addressed to its organisation (the data the consent covers), a first responder
no case; without ``--as`` the administrator's view is unchanged. ``case list --region`` names an
unknown region with the known ones, and ``case fire`` by a provider on a referral addressed to
another organisation answers « introuvable », as the API (tryout 5, G18)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import insert, update
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.directory.tables import TABLES
from mno_workflow.engine.engine import Actor
from mno_workflow.store.base import make_engine
from mno_workflow.store.models import User

from ..engine.helpers import CW, IDENT, referral, to_referrals
from .users import PEOPLE, add_users

runner = CliRunner()
pytestmark = pytest.mark.migrated
EXTRA = [("salif.zongo", "supervisor", None, "yaadga"), ("focal.autre", "provider", "org-autre", None),
         ("agent.fds", "first_responder", "fds-poste-seytenga", None)]
REFUSED = {"fr": "hors de votre portée", "en": "out of your reach"}


def mno(db_url, *args, lang="fr"):
    r = runner.invoke(app, ["--db", db_url, "--lang", lang, *args])
    assert "Traceback" not in r.output
    return r


@pytest.fixture
def cases(wf, db_url):
    """A Kadiogo case of Mariam Kaboré: training referred to org-cfp, psychosocial support to
    org-autre; a Yaadga case of Awa, referred nowhere."""
    kadiogo = to_referrals(wf)
    wf.fire(kadiogo, "send", CW, referral("org-cfp"), instance="referral:vocational_training")
    wf.fire(kadiogo, "send", CW, referral("org-autre"), instance="referral:psychosocial")
    awa = Actor("awa", "caseworker")
    yaadga = wf.create_case("mnr_bf", awa)
    wf.fire(yaadga, "register", awa, {**IDENT, "first_name": "Rasmata", "region": "yaadga"})
    add_users(db_url, PEOPLE + EXTRA)
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(update(User).where(User.id == "mariam.kabore").values(display_name="Mariam Kaboré"))
        # the provider's organisation in the directory: named, never its key
        conn.execute(insert(TABLES["organization"]).values(id="org-cfp", name="Centre de formation",
                                                           description="CFP", organization_type="ngo"))
    engine.dispose()
    return db_url, kadiogo, yaadga


def test_without_as_the_administrators_view_is_kept(cases):
    db_url, kadiogo, yaadga = cases
    assert mno(db_url, "case", "show", kadiogo).exit_code == 0
    listed = mno(db_url, "case", "list").output
    assert kadiogo in listed and yaadga in listed
    assert mno(db_url, "case", "show", kadiogo, "--as", "system").exit_code == 0


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_case_roles_see_what_the_web_shows_them(cases, lang):
    db_url, kadiogo, yaadga = cases
    for actor, seen, unseen in (("mariam.kabore:caseworker", kadiogo, yaadga),
                                ("awa:caseworker", yaadga, kadiogo),
                                ("idrissa.sanou:supervisor", kadiogo, yaadga),
                                ("salif.zongo:supervisor", yaadga, kadiogo)):
        r = mno(db_url, "case", "show", seen, "--as", actor, lang=lang)
        person = "Aminata" if seen == kadiogo else "Rasmata"
        assert r.exit_code == 0 and person in r.output, (actor, r.output)
        r = mno(db_url, "case", "show", unseen, "--as", actor, lang=lang)
        assert r.exit_code == 1 and REFUSED[lang] in r.output and unseen in r.output, (actor, r.output)
        assert "rien n'a été fait" not in r.output and "nothing was done" not in r.output, r.output
        listed = mno(db_url, "case", "list", "--as", actor, lang=lang).output
        assert seen in listed and unseen not in listed, (actor, listed)
        rows = json.loads(mno(db_url, "case", "list", "--format", "json", "--as", actor).output)
        assert [row["reference"] for row in rows] == [seen], actor
    listed = mno(db_url, "case", "list", "--as", "coord:coordinator", lang=lang).output
    assert kadiogo in listed and yaadga in listed
    r = mno(db_url, "case", "show", kadiogo, "--as", "salif.zongo:supervisor", lang=lang)
    # the region by its SOP label, never its code
    assert ("Kadiogo (Ouagadougou)" in r.output and "« kadiogo »" not in r.output), r.output


@pytest.mark.parametrize("lang, words", [
    ("fr", ("Référencement — Formation professionnelle : Envoyé", "Nom : Aminata Sawadogo",
            "Prestataire de services : Centre de formation")),
    ("en", ("Referral — Vocational training: Sent", "Name: Aminata Sawadogo",
            "Service provider: Centre de formation")),
])
def test_a_provider_sees_only_its_own_referrals(cases, lang, words):
    db_url, kadiogo, yaadga = cases
    r = mno(db_url, "case", "show", kadiogo, "--as", "focal.cfp:provider", lang=lang)
    assert r.exit_code == 0, r.output
    for w in words:
        assert w in r.output, (w, r.output)
    # the other organisation's referral, the trail, the assignee: not for this provider
    for hidden in ("sychosoci", "org-autre", "Mariam Kaboré", "Journal d'audit", "Audit trail",
                   "referral:voc", "vocational_training",
                   "org-cfp"):
        assert hidden not in r.output, (hidden, r.output)
    items = json.loads(mno(db_url, "case", "show", kadiogo, "--format", "json", "--as",
                           "focal.cfp:provider").output)
    assert [i["instance"] for i in items] == ["referral:vocational_training"]
    r = mno(db_url, "case", "show", yaadga, "--as", "focal.cfp:provider", lang=lang)
    assert r.exit_code == 1 and REFUSED[lang] in r.output, r.output
    listed = mno(db_url, "case", "list", "--as", "focal.cfp:provider", lang=lang).output
    assert kadiogo in listed and yaadga not in listed and "sychosoci" not in listed, listed
    listed = mno(db_url, "case", "list", "--as", "focal.autre:provider", lang=lang).output
    assert kadiogo in listed and "sychosoci" in listed and "Formation" not in listed, listed


@pytest.mark.parametrize("lang, words", [("fr", "n'ouvre pas de dossier"), ("en", "opens no case")])
def test_a_first_responder_opens_no_case(cases, lang, words):
    db_url, kadiogo, _yaadga = cases
    for args in (("case", "show", kadiogo), ("case", "list")):
        r = mno(db_url, *args, "--as", "agent.fds:first_responder", lang=lang)
        assert r.exit_code == 1 and words in r.output and "Aminata" not in r.output, r.output


@pytest.mark.parametrize("lang, words", [
    ("fr", ("Région inconnue « nowhere »", "kadiogo", "yaadga")),
    ("en", ("Unknown region “nowhere”", "kadiogo", "yaadga")),
])
def test_case_list_names_an_unknown_region(cases, lang, words):
    db_url, kadiogo, _yaadga = cases
    r = mno(db_url, "case", "list", "--region", "nowhere", lang=lang)
    assert r.exit_code == 1 and all(w in r.output for w in words), r.output
    assert "Aucun dossier" not in r.output and "No case" not in r.output
    r = mno(db_url, "case", "list", "--region", "kadigo", lang=lang)
    assert r.exit_code == 1 and "kadiogo" in r.output, r.output
    assert kadiogo in mno(db_url, "case", "list", "--region", "kadiogo", lang=lang).output


@pytest.mark.parametrize("lang, words", [
    ("fr", "référencement « Référencement — Soutien psychosocial et santé mentale » introuvable pour votre "
           "organisation"),
    ("en", "referral “Referral — Mental health and psychosocial support” not found for your organisation"),
])
def test_a_provider_firing_on_another_organisations_referral_is_told_not_found(cases, lang, words):
    db_url, kadiogo, _yaadga = cases
    for instance in ("psychosocial", "referral:psychosocial"):
        r = mno(db_url, "case", "fire", kadiogo, "accept", "--instance", instance, "--as",
                "focal.cfp:provider", lang=lang)
        assert r.exit_code == 1 and words in r.output, r.output
        for other in ("Accepter", "Accept ", "Vous pouvez", "You can", "Envoyé", "Sent"):
            assert other not in r.output, (other, r.output)
    r = mno(db_url, "case", "fire", kadiogo, "accept", "--instance", "vocational_training", "--as",
            "focal.cfp:provider", lang=lang)
    assert r.exit_code == 0, r.output


def test_a_providers_search_matches_references_not_names(cases):
    """A name the consent might withhold is never confirmed by a match of a provider's search."""
    db_url, kadiogo, _yaadga = cases
    def found(search: str, actor: str) -> str:
        return mno(db_url, "case", "list", "--search", search, "--as", actor).output

    assert kadiogo not in found("sawadogo", "focal.cfp:provider")
    assert kadiogo in found(kadiogo[-3:], "focal.cfp:provider")
    assert kadiogo in found("sawadogo", "mariam.kabore:caseworker")


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", ("Pourquoi cela ne peut pas attendre l'évaluation : Agression hier, PEP",
            "Date et heure de l'incident : masqué (non couvert par le consentement)")),
    ("en", ("Why this cannot wait for the assessment: Agression hier, PEP",
            "Date and time of the incident: hidden (not covered by consent)")),
])
def test_a_provider_reads_an_immediate_referral_as_the_web_shows_it(cases, wf, lang, words):
    """Tryout 8, K1: the immediate need's urgency (category needs, covered) is printed, the
    incident date (protection, not in the consent) listed as masked with why; JSON as the API."""
    from datetime import timedelta
    db_url, kadiogo, _yaadga = cases
    incident = (wf.clock.now() - timedelta(hours=5)).isoformat()
    wf.fire(kadiogo, "refer_immediately", CW, {"dimension": "social", "need": "gbv_services",
                                               "urgency": "Agression hier, PEP", "incident_at": incident})
    wf.fire(kadiogo, "send", CW, referral("org-cfp"), instance="referral:gbv_services")
    out = mno(db_url, "case", "show", kadiogo, "--as", "focal.cfp:provider", lang=lang).output
    for w in words:
        assert w in out, out
    shown = json.loads(mno(db_url, "case", "show", kadiogo, "--as", "focal.cfp:provider",
                           "--format", "json").output)
    gbv = next(d for d in shown if d["instance"] == "referral:gbv_services")
    assert gbv["item"]["urgency"] == "Agression hier, PEP" and "incident_at" not in gbv["item"]
    # named by definition, with or without a value (tryout 9, L4): the incident date, and the
    # identification fields the consent does not cover (phone, vulnerabilities) though empty here
    masked = [m["field"] for m in gbv["masked"]]
    assert "item.incident_at" in masked and "item.urgency" not in masked, masked
    assert set(masked) - {"item.incident_at"} <= {"identification.phone", "identification.vulnerabilities",
                                                 "identification.caregiver_name"}, masked
