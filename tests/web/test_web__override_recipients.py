"""Tryout 7, J4: a supervisor's override « pour les intérêts vitaux » made for an immediate referral
to a health centre covers only the recipients it names (BF SOP 2026.8, ``share_with``). After the
person withdrew consent, the send form of a later referral marks an NGO « non couvert par la
dérogation » and says that the referral goes out only under the override (who, when, basis,
categories, recipients); the send to the NGO is refused on the page and the API with the same
words, nothing written; an NGO that had the case before the withdrawal no longer sees the
person; the case page shows the override's recipients. French and English."""

from __future__ import annotations

import re
from html import unescape

import pytest

from mno_workflow.store import repository

from .conftest import PASSWORD, csrf_of
from .helpers import IDENT, IDRISSA, MARIAM, referral

CONSENT = {"given": True, "given_by": "self", "consent_date": "2025-06-02", "channel": "written",
           "data_categories": ["identity", "contact", "needs", "health"],
           "share_with": ["government", "service_provider", "health"], "purposes": ["referral", "follow_up"]}
OVERRIDE = {"legal_basis": "vital_interests", "reason": "Risque VIH, PEP indispensable",
            "data_categories": ["identity", "health"], "share_with": ["health"]}
NEEDS = {"assessed_on": "2025-06-02", "risk_level": "high", "needs": [
    {"dimension": "psychosocial", "need": "psychosocial", "referral_needed": True},
    {"dimension": "social", "need": "housing", "referral_needed": True}]}
SEND = {"provider": "org-ecoute", "priority": "normal", "referral_date": "2025-06-02", "channel": "system"}
NOTICE = {
    "fr": ("La personne a retiré son consentement : ce référencement part seulement sous la "
           "dérogation de Idrissa Sanou du 02/06/2025 (Intérêts vitaux de la personne), qui couvre "
           "Identité, Santé vers Structures de santé."),
    "en": ("The person withdrew consent: this referral goes out only under the override by Idrissa "
           "Sanou of 02/06/2025 (Vital interests of the person), which covers Identity, Health to "
           "Health facilities."),
}
REFUSAL = {
    "fr": "La dérogation ne couvre pas le partage avec une organisation de type « ONG ou association ».",
    "en": "The override does not cover sharing with an organisation of type “NGO or association”."}
MARK = {"fr": "non couvert par la dérogation", "en": "not covered by the override"}


def j4_case(wf, *, ngo_first: bool = False) -> str:
    """Consent given, an immediate referral sent to the health centre, consent withdrawn, the
    supervisor's override for health facilities, the plan approved (psychosocial, housing).
    ``ngo_first``: the psychosocial referral went to Association Écoute before the withdrawal."""
    ref = wf.create_case("mnr_bf", MARIAM)
    wf.fire(ref, "register", MARIAM, {**IDENT, "vulnerabilities": ["gbv_survivor"]})
    wf.fire(ref, "record_consent", MARIAM, CONSENT)
    wf.fire(ref, "refer_immediately", MARIAM, {"dimension": "social", "need": "medical",
                                               "urgency": "Violence sexuelle (fictif)"})
    wf.fire(ref, "send", MARIAM, referral("org-csps", "emergency"), instance="referral:medical")
    if ngo_first:
        wf.fire(ref, "submit_assessment", MARIAM, NEEDS)
        wf.fire(ref, "approve_plan", IDRISSA)
        wf.fire(ref, "send", MARIAM, referral("org-ecoute"), instance="referral:psychosocial")
    wf.fire(ref, "withdraw_consent", MARIAM, {"withdrawn_on": "2025-06-02", "expressed_by": "self"})
    wf.fire(ref, "override_consent", IDRISSA, OVERRIDE)
    if not ngo_first:
        wf.fire(ref, "submit_assessment", MARIAM, NEEDS)
        wf.fire(ref, "approve_plan", IDRISSA)
    return ref


def _options(page: str) -> dict[str, tuple[str, bool]]:
    select = re.search(r'<select id="f-[\w-]*provider" name="[\w.]*provider".*?</select>',
                       page, re.S).group(0)
    return {m.group(1): (unescape(m.group(3)).strip(), "disabled" in m.group(2))
            for m in re.finditer(r'<option value="([\w-]+)"([^>]*)>([^<]*)</option>', select)}


def _notice(page: str) -> str:
    found = re.search(r"<p [^>]*data-override-notice[^>]*>(.*?)</p>", page, re.S)
    text = re.sub(r"<[^>]+>", "", found.group(1)) if found else ""  # nobreak's date spans
    return unescape(text).replace("\u202f", " ").replace("\u00a0", " ")


def _state(wf, ref):
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        return case.version, {i.label_key: (i.state, i.recipient) for i in case.instances}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_send_form_says_the_override_and_marks_what_it_does_not_cover(live, lang):
    ref = j4_case(live.wf)
    c = live.client("mariam.kabore")
    c.get(f"/langue/{lang}")
    page = c.get(f"/dossiers/{ref}/actions/referral:psychosocial/send").text
    assert _notice(page) == NOTICE[lang]
    opts = _options(page)
    assert opts["org-csps"][1] is False and not opts["org-csps"][0].endswith(MARK[lang]), opts["org-csps"]
    for ngo in ("org-ecoute", "org-droits"):
        assert opts[ngo][1] and opts[ngo][0].endswith(MARK[lang]), opts[ngo]
    assert "non couvert par le consentement" not in page and "not covered by the consent" not in page
    # the case page's consent box: the override's recipients
    case_page = unescape(c.get(f"/dossiers/{ref}").text)
    label, value = {"fr": ("Destinataires (seulement ceux que le besoin vital exige)", "Structures de santé"),
                    "en": ("Recipients (only those the vital need requires)", "Health facilities")}[lang]
    assert f"<dt>{label}</dt><dd>{value}</dd>" in case_page


def test_a_send_form_under_consent_has_no_override_notice(live):
    ref = live.wf.create_case("mnr_bf", MARIAM)
    live.wf.fire(ref, "register", MARIAM, IDENT)
    live.wf.fire(ref, "record_consent", MARIAM, {**CONSENT, "share_with": ["health"]})
    live.wf.fire(ref, "submit_assessment", MARIAM, NEEDS)
    live.wf.fire(ref, "approve_plan", IDRISSA)
    page = live.client("mariam.kabore").get(f"/dossiers/{ref}/actions/referral:psychosocial/send").text
    assert "data-override-notice" not in page
    assert _options(page)["org-ecoute"][0].endswith("non couvert par le consentement")


def test_page_and_api_refuse_the_ngo_with_the_override_words_and_write_nothing(live):
    wf = live.wf
    ref = j4_case(wf)
    version, states = _state(wf, ref)
    c = live.client("mariam.kabore")
    page = c.get(f"/dossiers/{ref}/actions/referral:psychosocial/send")
    r = c.post(f"/dossiers/{ref}/actions/referral:psychosocial/send",
               data={"csrftoken": csrf_of(page.text), "version": str(version), **SEND})
    assert r.status_code == 422 and REFUSAL["fr"] in unescape(r.text).replace("\u202f", " ")
    tok = live.client().post("/api/v1/auth/token",
                             json={"username": "mariam.kabore", "password": PASSWORD}).json()["token"]
    h = {"Authorization": f"Bearer {tok}"}
    api = live.client()
    for lang in ("fr", "en"):
        r = api.post(f"/api/v1/cases/{ref}/fire", headers=h | {"Accept-Language": lang},
                     json={"trigger": "send", "instance": "referral:psychosocial", "payload": SEND})
        assert r.status_code == 422 and r.json()["code"] == "guard_not_met", r.text
        assert r.json()["message"] == REFUSAL[lang]
    assert _state(wf, ref) == (version, states)  # nothing written
    # the health centre the override names: sent
    wf.fire(ref, "send", MARIAM, referral("org-csps"), instance="referral:psychosocial")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_ngo_that_had_the_case_no_longer_sees_the_person(live, lang):
    ref = j4_case(live.wf, ngo_first=True)
    c = live.client("focal.ecoute")
    c.get(f"/langue/{lang}")
    page = unescape(c.get(f"/prestataire/{ref}/referral:psychosocial").text).replace("\u202f", " ")
    assert "Sawadogo" not in page and "Aminata" not in page
    assert REFUSAL[lang] in page
    tok = live.client().post("/api/v1/auth/token",
                             json={"username": "focal.ecoute", "password": PASSWORD}).json()["token"]
    api = live.client().get("/api/v1/referrals", headers={"Authorization": f"Bearer {tok}"}).text
    assert "Sawadogo" not in api and "Aminata" not in api
    csps = live.client("focal.csps").get(f"/prestataire/{ref}/referral:medical").text
    assert "Sawadogo" in csps  # identity: the override names health facilities and identity


def test_an_override_recorded_without_recipients_says_every_recipient(live):
    """An override recorded before 2026.8 (no ``share_with``) still covers every recipient: the
    notice says so, and no organisation is greyed out."""
    ref = j4_case(live.wf)
    with live.wf.sessions.begin() as s:
        case = repository.get_case(s, ref)
        record = {k: v for k, v in case.data["consent_override"].items() if k != "share_with"}
        case.data = {**case.data, "consent_override": record}
    c = live.client("mariam.kabore")
    page = c.get(f"/dossiers/{ref}/actions/referral:psychosocial/send").text
    assert _notice(page).endswith("qui couvre Identité, Santé vers tous les destinataires.")
    assert not _options(page)["org-ecoute"][1]
    c.get("/langue/en")
    page = c.get(f"/dossiers/{ref}/actions/referral:psychosocial/send").text
    assert _notice(page).endswith("which covers Identity, Health to every recipient.")
    # the case page's consent box says what the override in force covers (J4 rest)
    scope = {"fr": "Dérogation en vigueur : elle couvre Identité, Santé vers tous les destinataires.",
             "en": "Override in force: it covers Identity, Health to every recipient."}
    for lang in ("en", "fr"):
        c.get(f"/langue/{lang}")
        case_page = unescape(c.get(f"/dossiers/{ref}").text)
        line = re.search(r'<[a-z]+ class="[a-z]+" data-override-scope>([^<]*)</[a-z]+>', case_page)
        assert line and line.group(1) == scope[lang], lang


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_case_page_says_what_the_override_in_force_covers(live, lang):
    ref = j4_case(live.wf)
    c = live.client("mariam.kabore")
    c.get(f"/langue/{lang}")
    page = unescape(c.get(f"/dossiers/{ref}").text)
    line = re.search(r'<[a-z]+ class="[a-z]+" data-override-scope>([^<]*)</[a-z]+>', page)
    assert line and line.group(1) == {
        "fr": "Dérogation en vigueur : elle couvre Identité, Santé vers Structures de santé.",
        "en": "Override in force: it covers Identity, Health to Health facilities."}[lang]
    assert page.count("data-override-scope") == 1  # the consent step's box only
