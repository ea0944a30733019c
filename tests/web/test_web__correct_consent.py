"""Tryout 2 #17 on the case page and the API: (a) the coordination cannot « correct » a refused
consent into « Consentement donné » (or an override) without the form that records it — refused in
words naming the missing data and the action; (b) a guard that reads data the case lacks (a case
left in « donné » without its consent form, as such a correction did before) is said as missing
data, never as the CEL expression and « une erreur de la POS »."""

from __future__ import annotations

import re

import httpx

from mno_workflow.store import repository

from ..conftest import snapshot
from .conftest import PASSWORD
from .helpers import IDENT, MARIAM, case_with_referrals
from .test_web__case_tools import events, post, version

EXPRESSION = "consent.purposes"


def _token(live, user: str, lang: str = "fr") -> dict[str, str]:
    r = httpx.post(f"{live.url}/api/v1/auth/token", json={"username": user, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['token']}", "Accept-Language": lang}


def refused_case(wf) -> str:
    ref = wf.create_case("mnr_bf", MARIAM)
    wf.fire(ref, "register", MARIAM, IDENT)
    wf.fire(ref, "record_refusal", MARIAM, {"refused_on": "2025-06-02", "given_by": "self"})
    return ref


def test_a_refused_consent_is_not_corrected_into_given_on_the_page_nor_the_api(live):
    ref = refused_case(live.wf)
    coord = live.client("coord.mnr")
    before = {k: v for k, v in snapshot(live.wf).items() if k not in ("web_sessions", "web_api_tokens")}
    r = post(coord, f"/dossiers/{ref}/corriger", target="consent:1|given", reason="Erreur de saisie",
             version=str(version(live.wf, ref)))
    assert r.status_code == 422
    # (posted by hand: the list offers it disabled, see the next test)
    assert 'id="correct-target-error"' in r.text and 'value="consent:1|given" disabled' in r.text
    page = r.text.replace("&#39;", "'")
    assert "Correction impossible vers « Consentement donné » (Consentement éclairé)" in page
    assert "« Enregistrer le consentement »" in page and "« Consentement éclairé »" in page

    url = f"{live.url}/api/v1/cases/{ref}/correct"
    r = httpx.post(url, json={"instance": "consent", "state": "overridden", "reason": "x"},
                   headers=_token(live, "coord.mnr", "en"))
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "state_needs_data"
    assert body["missing"] == [{"trigger": "override_consent", "forms": ["consent_override"]}]
    assert body["message"].startswith("Cannot correct to 'Overridden (without consent)' (Informed consent)")
    assert "'Override consent (with reason)'" in body["message"]
    assert body["errors"]["state"] == body["message"]
    assert events(live.wf, ref, "correct") == []
    assert {k: v for k, v in snapshot(live.wf).items()
            if k not in ("web_sessions", "web_api_tokens")} == before


def test_the_correction_list_offers_states_the_case_lacks_data_for_disabled_with_the_reason(live):
    """The states a correction would be refused into (engine/state_needs.py) are in the list, but
    disabled, each saying the data the case lacks, French and English; the others stay choosable."""
    ref = refused_case(live.wf)
    coord = live.client("coord.mnr")

    def options(page: str) -> dict[str, str]:
        box = page[page.index('<select id="correct-target"'):]
        box = box[: box.index("</select>")].replace("&#39;", "'")
        return {v: (rest + label) for v, rest, label in re.findall(
            r'<option value="(consent:1\|[a-z_]+)"( disabled)?>([^<]*)</option>', box)}

    fr = options(coord.get(f"/dossiers/{ref}").text)
    assert fr["consent:1|given"] == " disabledConsentement donné — données absentes : Consentement éclairé"
    overridden = fr["consent:1|overridden"]
    assert overridden.startswith(" disabled") and "données absentes" in overridden
    assert not fr["consent:1|pending"].startswith(" disabled")  # the initial state needs nothing
    coord.get("/langue/en")
    en = options(coord.get(f"/dossiers/{ref}").text)
    assert en["consent:1|given"] == " disabledConsent given — missing data: Informed consent", en


def lost_consent_case(wf) -> str:
    """A case whose consent step says « donné » without the consent form's data (what a correction
    did before the fix, MNR-BF-000056 of the tryout), with its referrals still to send."""
    ref = case_with_referrals(wf, send=False)
    with wf.sessions.begin() as s:
        case = repository.get_case(s, ref)
        case.data = {k: v for k, v in case.data.items() if k != "consent"}
    return ref


def test_sending_without_consent_data_says_so_in_words_on_the_page_and_the_api(live):
    ref = lost_consent_case(live.wf)
    c = live.client("mariam.kabore")
    url = f"/dossiers/{ref}/actions/referral:cash/send"
    assert c.get(url).status_code == 200
    r = post(c, url, version=str(version(live.wf, ref)), provider="org-masn", priority="normal",
             referral_date="2025-06-02", channel="system", reason="Motif")
    assert r.status_code == 422, r.text[:500]
    text = r.text.replace("&#39;", "'")
    assert "Le consentement ne couvre pas le partage avec un prestataire pour un référencement." in text
    assert "Une donnée nécessaire manque au dossier" in text and "(Consentement éclairé)" in text
    assert EXPRESSION not in text and "erreur de la POS" not in text and "steps.consent" not in text

    fire = f"{live.url}/api/v1/cases/{ref}/fire"
    r = httpx.post(fire, headers=_token(live, "mariam.kabore", "en"), json={
        "trigger": "send", "instance": "referral:cash", "payload": {
            "provider": "org-masn", "priority": "normal", "referral_date": "2025-06-02",
            "channel": "system", "reason": "Motif"}})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "guard_not_met" and "condition" not in body
    said = body["message"]
    assert said.startswith("Consent does not cover sharing with a service provider for a referral.")
    assert "Data needed is missing from the case" in said and "(Informed consent)" in said
    assert EXPRESSION not in r.text and "SOP" not in body["message"]
    with live.wf.sessions() as s:
        case = repository.get_case(s, ref)
        assert next(i for i in case.instances if i.label_key == "referral:cash").state == "draft"
