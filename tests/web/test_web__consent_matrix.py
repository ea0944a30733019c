"""Issue 11: role × path × consent state → exactly which personal fields each user sees, on SQLite
and PostgreSQL. Consent states: given to NGOs only, given to health facilities only, withdrawn,
expired, overridden, refused — and a referral declined then re-referred. Paths: provider inbox,
referral page, action form, 409 page, provider API, case page and API for case roles."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.errors import GuardNotMet

from .conftest import PASSWORD, csrf_of, start_server, stop_server
from .helpers import AWA, CONSENT, IDENT, IDRISSA, MARIAM, NEEDS, provider, referral

# The personal fields of the test case, as pages (fr) and the API show them.
FIELDS = {
    "name": ("Sawadogo",),
    "phone": ("70 00 00 01",),
    "birth": ("2001-03-14", "14/03/2001"),
    "need": ("Besoin urgent d", "Suivi de grossesse"),  # (the apostrophe is escaped in pages)
    "reason": ("Motif détaillé",),
}
ALL = set(FIELDS)
IDENTITY_NEEDS = {"name", "birth", "need", "reason"}
FULL = {**CONSENT, "data_categories": ["identity", "contact", "needs"],
        "share_with": ["government", "un_agency", "service_provider", "health"]}


#: staff of the sample directory whose names share a word with the person's (shown to roles with
#: directory_contacts on the directory pages: not the person's data)
STAFF = ("Issa Sawadogo",)


def seen(text: str) -> set[str]:
    for name in STAFF:
        text = text.replace(name, "")
    return {k for k, needles in FIELDS.items() if any(n in text for n in needles)}


def assessed(wf, consent: dict | None, *, override: bool = False) -> str:
    ref = wf.create_case("mnr_bf", MARIAM)
    wf.fire(ref, "register", MARIAM, IDENT)
    if override:
        wf.fire(ref, "override_consent", IDRISSA, {"legal_basis": "vital_interests",
                                                    "reason": "Urgence vitale, personne inconsciente",
                                                    "data_categories": ["identity", "contact", "needs"],
                                                    "share_with": ["government", "un_agency",
                                                                   "service_provider", "health"]})
    else:
        wf.fire(ref, "record_consent", MARIAM, consent)
    wf.fire(ref, "submit_assessment", MARIAM, NEEDS)
    wf.fire(ref, "approve_plan", IDRISSA)
    return ref


def send(wf, ref, need, org):
    wf.fire(ref, "send", MARIAM, referral(org), instance=f"referral:{need}")


def build(wf) -> dict[str, str]:
    cases = {}
    ref = cases["ngo_only"] = assessed(wf, {**CONSENT, "share_with": ["service_provider"]})
    send(wf, ref, "cash", "org-ecoute")
    with pytest.raises(GuardNotMet, match="structure de santé"):
        send(wf, ref, "medical", "org-csps")
    send(wf, ref, "medical", "org-droits")

    ref = cases["health_only"] = assessed(wf, {**FULL, "share_with": ["health"]})
    send(wf, ref, "medical", "org-csps")
    with pytest.raises(GuardNotMet, match="service de l'État"):
        send(wf, ref, "cash", "org-masn")

    ref = cases["withdrawn"] = assessed(wf, FULL)
    send(wf, ref, "cash", "org-masn")
    send(wf, ref, "medical", "org-csps")
    wf.fire(ref, "withdraw_consent", MARIAM, {"withdrawn_on": "2025-06-02", "expressed_by": "self"})

    ref = cases["expired"] = assessed(wf, {**FULL, "expires_on": "2025-06-05"})
    send(wf, ref, "cash", "org-masn")
    send(wf, ref, "medical", "org-csps")

    ref = cases["overridden"] = assessed(wf, None, override=True)
    send(wf, ref, "cash", "org-masn")
    send(wf, ref, "medical", "org-csps")

    ref = cases["declined"] = assessed(wf, FULL)
    send(wf, ref, "cash", "org-masn")
    wf.fire(ref, "decline", provider("org-masn"), {"reason": "no_capacity"}, instance="referral:cash")
    send(wf, ref, "medical", "org-csps")
    wf.fire(ref, "decline", provider("org-csps"), {"reason": "no_capacity"}, instance="referral:medical")
    wf.fire(ref, "re_refer", MARIAM, referral("org-oim"), instance="referral:medical")

    ref = cases["refused"] = wf.create_case("mnr_bf", MARIAM)
    wf.fire(ref, "register", MARIAM, IDENT)
    wf.fire(ref, "record_refusal", MARIAM, {"refused_on": "2025-06-02", "given_by": "self"})
    return cases


# (state, provider user, instance) -> personal fields seen; None: the referral is not theirs (404).
PROVIDER_VIEW = {
    ("ngo_only", "focal.ecoute", "referral:cash"): IDENTITY_NEEDS,
    ("ngo_only", "focal.droits", "referral:medical"): IDENTITY_NEEDS,
    ("ngo_only", "focal.csps", "referral:medical"): None,
    ("health_only", "focal.csps", "referral:medical"): ALL,
    ("health_only", "focal.masn", "referral:cash"): None,
    ("withdrawn", "focal.masn", "referral:cash"): set(),
    ("withdrawn", "focal.csps", "referral:medical"): set(),
    ("expired", "focal.masn", "referral:cash"): set(),
    ("expired", "focal.csps", "referral:medical"): set(),
    ("overridden", "focal.masn", "referral:cash"): ALL,
    ("overridden", "focal.csps", "referral:medical"): ALL,
    ("declined", "focal.masn", "referral:cash"): set(),
    ("declined", "focal.csps", "referral:medical"): None,  # re-referred: no longer theirs
    ("declined", "focal.oim", "referral:medical"): ALL,
    ("refused", "focal.masn", "referral:cash"): None,
}
PROVIDERS = sorted({u for _, u, _ in PROVIDER_VIEW})
# Case roles: the case page and the case API. Kadiogo caseworker/supervisor see everything.
CASE_ROLES = {"mariam.kabore": 200, "awa.ouedraogo": 404, "salif.zongo": 404,
              "suivi.evaluation": 403, "formateur": 403}


@pytest.fixture
def world(db_url):
    clock = SimulatedClock(datetime(2025, 6, 2, 10, 0, tzinfo=UTC))
    live = start_server(db_url, clock)
    cases = build(live.wf)
    clock.advance(timedelta(days=4))  # 6 June: the "expired" consent (valid until 5 June) has lapsed
    clients = {u: live.client(u) for u in [*PROVIDERS, *CASE_ROLES]}
    tokens = {}
    for u in PROVIDERS:
        r = clients[u].post("/api/v1/auth/token", json={"username": u, "password": PASSWORD})
        tokens[u] = r.json()["token"]
    yield {"cases": cases, "clients": clients, "tokens": tokens, "live": live}
    for c in clients.values():
        c.close()
    stop_server(live)


def test_consent_state_matrix(world):
    cases, clients = world["cases"], world["clients"]
    problems = []
    for (state, user, inst), expected in PROVIDER_VIEW.items():
        ref = cases[state]
        c = clients[user]
        page = c.get(f"/prestataire/{ref}/{inst}")
        inbox = c.get("/prestataire").text
        api = c.get("/api/v1/referrals", headers={"Authorization": f"Bearer {world['tokens'][user]}"}).json()
        items = [i for i in api["items"] if i["reference"] == ref and i["instance"] == inst]
        form = c.get(f"/dossiers/{ref}/actions/{inst}/accept")
        row = re.search(rf"<tr><td>{ref}</td>.*?</tr>", inbox, re.S)
        if expected is None:
            got = (page.status_code, items, row is None)
            if got != (404, [], True):
                problems.append((state, user, inst, "should not see the referral", got))
            continue
        got_page, got_api = seen(page.text), seen(str(items))
        got_inbox = seen(row.group(0)) if row else None
        if page.status_code != 200 or got_page != expected:
            problems.append((state, user, inst, "page", page.status_code, sorted(got_page)))
        if len(items) != 1 or got_api != expected:
            problems.append((state, user, inst, "api", sorted(got_api)))
        if got_inbox != (expected & {"name"}):
            problems.append((state, user, inst, "inbox", got_inbox))
        # issue 18: who referred (name, organisation, phone) under the same consent rule
        referrer_page = 'class="referrer"' in page.text and "Mariam Kaboré" in page.text
        referrer_inbox = bool(row) and "Mariam Kaboré" in row.group(0)
        if (referrer_page, referrer_inbox) != (bool(expected), bool(expected)):
            problems.append((state, user, inst, "referrer", referrer_page, referrer_inbox))
        if not expected:  # withheld: reference and state only, no action
            if items and set(items[0]) != {"reference", "instance", "state", "withheld"}:
                problems.append((state, user, inst, "api keys", sorted(items[0])))
            if "data-action=" in page.text or form.status_code != 403:
                problems.append((state, user, inst, "actions offered", form.status_code))
            if 'class="flash error withheld"' not in page.text:
                problems.append((state, user, inst, "no withheld notice"))
    for state, ref in cases.items():
        for user, status in CASE_ROLES.items():
            r = clients[user].get(f"/dossiers/{ref}")
            if r.status_code != status or (status == 200) != ("Sawadogo" in r.text):
                problems.append((state, user, "case page", r.status_code))
    assert problems == [], "\n".join(map(str, problems))


def test_withdrawn_notice_is_in_the_user_language(world):
    ref = world["cases"]["withdrawn"]
    page = world["clients"]["focal.masn"].get(f"/prestataire/{ref}/referral:cash")
    assert "La personne a retiré son consentement." in page.text
    api = world["clients"]["focal.masn"].get(
        "/api/v1/referrals", headers={"Authorization": f"Bearer {world['tokens']['focal.masn']}"}).json()
    item = next(i for i in api["items"] if i["reference"] == ref)
    assert item["withheld"]["reason"] == "consent.withdrawn"
    assert item["withheld"]["en"] == "The person withdrew consent."


def test_409_page_shows_a_provider_only_its_own_referral(world):
    """A stale post on its own referral: the changes listed are those of that referral only,
    without the names of other organisations' staff or other steps' free text."""
    live, cases = world["live"], world["cases"]
    ref = cases["overridden"]
    c = world["clients"]["focal.masn"]
    form = c.get(f"/dossiers/{ref}/actions/referral:cash/accept")
    assert form.status_code == 200
    old = int(re.search(r'name="version" value="(\d+)"', form.text).group(1))
    live.wf.fire(ref, "accept", provider("org-csps"), instance="referral:medical")  # someone else moves
    r = c.post(f"/dossiers/{ref}/actions/referral:cash/accept",
               data={"csrftoken": csrf_of(form.text), "version": str(old - 3)})
    assert r.status_code == 409
    assert "mariam.kabore" not in r.text and "idrissa.sanou" not in r.text
    assert "Urgence vitale, personne inconsciente" not in r.text  # the override's free text
    assert "Soins médicaux" not in r.text  # the other referral (CSPS, medical)
    assert "Envoyer le référencement" in r.text  # its own referral's events are listed


def test_other_caseworker_cannot_read_through_the_api(world):
    ref = world["cases"]["ngo_only"]
    c = world["clients"][AWA.user]
    token = c.post("/api/v1/auth/token", json={"username": AWA.user, "password": PASSWORD}).json()["token"]
    r = c.get(f"/api/v1/cases/{ref}", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 404 and "Sawadogo" not in r.text


def test_a_re_referred_referral_shows_its_new_provider_none_of_the_earlier_decline(world):
    """Tryout 4, G9: medical declined by org-csps (« Capacité atteinte ») then re-referred to
    org-oim: org-oim's page and API item carry its referral, not org-csps's decline (SQLite and
    PostgreSQL: the API reads the trail of the whole list in one statement)."""
    ref = world["cases"]["declined"]
    c = world["clients"]["focal.oim"]
    page = c.get(f"/prestataire/{ref}/referral:medical")
    assert page.status_code == 200 and "Suivi de grossesse" in page.text
    assert "Capacité atteinte" not in page.text and "Motif du refus" not in page.text
    bearer = {"Authorization": f"Bearer {world['tokens']['focal.oim']}"}
    api = c.get("/api/v1/referrals", headers=bearer).json()
    item = next(i for i in api["items"] if i["reference"] == ref)
    assert set(item["data"]) == {"referral"}, item["data"]
    html = world["clients"]["mariam.kabore"].get(f"/dossiers/{ref}").text
    assert "Capacité atteinte" in html and "Réponse de" in html  # the case manager: csps's, labelled
