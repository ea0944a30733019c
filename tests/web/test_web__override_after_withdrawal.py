"""After a consent withdrawal, a supervisor's override for the person's vital interests lets a
referral go (tryout 6, I3; BF SOP 2026.7: ``override_consent`` also from ``withdrawn``): the send
refusal promises it, the override works only on that legal basis, the send then works and the
provider sees only the override's categories (page, API) — French and English."""

from __future__ import annotations

import httpx
import pytest

from mno_workflow.engine.errors import GuardNotMet

from .conftest import PASSWORD
from .helpers import IDENT, IDRISSA, MARIAM, NEEDS, referral

FULL = {"given": True, "given_by": "self", "consent_date": "2025-06-02", "channel": "written",
        "data_categories": ["identity", "contact", "needs", "health"],
        "share_with": ["government", "service_provider", "health"], "purposes": ["referral", "follow_up"]}
OVERRIDE = {"legal_basis": "vital_interests", "reason": "Hémorragie, transport au CSPS",
            "data_categories": ["identity", "needs"], "share_with": ["health"]}


def _withdrawn(wf) -> str:
    ref = wf.create_case("mnr_bf", MARIAM)
    wf.fire(ref, "register", MARIAM, IDENT)
    wf.fire(ref, "record_consent", MARIAM, FULL)
    wf.fire(ref, "submit_assessment", MARIAM, NEEDS)
    wf.fire(ref, "approve_plan", IDRISSA)
    wf.fire(ref, "withdraw_consent", MARIAM, {"withdrawn_on": "2025-06-02", "expressed_by": "self"})
    return ref


def test_withdrawal_then_vital_interests_override_lets_the_referral_go(live):
    ref = _withdrawn(live.wf)
    with pytest.raises(GuardNotMet) as refused:
        live.wf.fire(ref, "send", MARIAM, referral("org-csps"), instance="referral:medical")
    assert "Seule une dérogation motivée du superviseur" in refused.value.text("fr")
    assert "supervisor" in refused.value.text("en") and "override" in refused.value.text("en")

    # another legal basis is refused after a withdrawal, in words
    with pytest.raises(GuardNotMet) as other:
        live.wf.fire(ref, "override_consent", IDRISSA, {**OVERRIDE, "legal_basis": "legitimate_interests"})
    assert "retiré" in other.value.text("fr") and "withdrew" in other.value.text("en")

    # the supervisor's case page offers the override now
    sup = live.client("idrissa.sanou")
    assert f"/dossiers/{ref}/actions/consent:1/override_consent" in sup.get(f"/dossiers/{ref}").text

    live.wf.fire(ref, "override_consent", IDRISSA, OVERRIDE)
    live.wf.fire(ref, "send", MARIAM, referral("org-csps"), instance="referral:medical")

    c = live.client("focal.csps")
    pages = {"fr": c.get(f"/prestataire/{ref}/referral:medical").text}
    c.get("/langue/en")
    pages["en"] = c.get(f"/prestataire/{ref}/referral:medical").text
    for lang, page in pages.items():
        assert "Sawadogo" in page, lang                 # identity: the override lists it
        assert "+226 70 00 00 01" not in page, lang     # contact: consented before, not overridden
    token = httpx.post(f"{live.url}/api/v1/auth/token",
                       json={"username": "focal.csps", "password": PASSWORD}).json()["token"]
    api = httpx.get(f"{live.url}/api/v1/referrals", headers={"Authorization": f"Bearer {token}"}).text
    assert "Sawadogo" in api and "+226 70 00 00 01" not in api


@pytest.mark.parametrize(("lang", "again", "withdraw"), [
    ("fr", "Si la personne consent à nouveau : « Enregistrer le consentement »",
     "Enregistrer le retrait du consentement"),
    ("en", "If the person consents again: “Record consent”", "Record withdrawal of consent")])
def test_after_an_override_a_new_consent_is_recorded_directly(live, lang, again, withdraw):
    """Tryout 8, K7 (BF 2026.8): after an override, « Enregistrer le consentement » is offered
    (the override then ends), and the hint of a referral the override does not cover names it —
    never « Enregistrer le retrait du consentement », a withdrawal the person did not express."""
    ref = _withdrawn(live.wf)
    live.wf.fire(ref, "record_consent", MARIAM, FULL)
    live.wf.fire(ref, "send", MARIAM, referral("org-masn"), instance="referral:cash")  # a government service
    live.wf.fire(ref, "withdraw_consent", MARIAM, {"withdrawn_on": "2025-06-02", "expressed_by": "self"})
    live.wf.fire(ref, "override_consent", IDRISSA, OVERRIDE)  # health only: org-masn not covered
    c = live.client("mariam.kabore")
    c.get(f"/langue/{lang}")
    page = c.get(f"/dossiers/{ref}").text.replace("&#34;", '"').replace("&#39;", "'")
    assert f"/dossiers/{ref}/actions/consent:1/record_consent" in page
    assert again in page, page[page.find("step-referral-cash"):][:3000]
    hint = page[page.index(again.split(":")[0]):].split("</", 1)[0]
    assert withdraw not in hint, hint
    live.wf.fire(ref, "record_consent", MARIAM, FULL)
    with live.wf.sessions() as s:
        from mno_workflow.store import repository
        case = repository.get_case(s, ref)
        assert next(i.state for i in case.instances if i.step == "consent") == "given"
