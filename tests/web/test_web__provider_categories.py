"""What a provider sees is what the consent (or the supervisor's override) **and** its
organisation's sharing agreement in force both cover (tryout 5, H27), on the referral page, the
inbox and the provider API, French and English: a GBV survivor's vulnerability (category
``protection``) is not shown to a health centre whose agreement covers ``identity contact needs
health``, nor to any provider under an override that lists only identity and needs."""

from __future__ import annotations

import httpx
import pytest

from .conftest import PASSWORD
from .helpers import CONSENT, IDENT, IDRISSA, MARIAM, NEEDS, referral

GBV = {"fr": "Survivant·e de VBG", "en": "Survivor of gender-based violence"}
FULL = {**CONSENT, "data_categories": ["identity", "contact", "needs", "health", "protection"],
        "share_with": ["government", "un_agency", "service_provider", "health"]}


def _case(wf, *, override: list[str] | None = None) -> str:
    ref = wf.create_case("mnr_bf", MARIAM)
    wf.fire(ref, "register", MARIAM, {**IDENT, "vulnerabilities": ["gbv_survivor"]})
    if override is None:
        wf.fire(ref, "record_consent", MARIAM, FULL)
    else:
        wf.fire(ref, "override_consent", IDRISSA, {"legal_basis": "vital_interests", "reason": "Sans abri",
                                                   "data_categories": override,
                                                   "share_with": ["health", "government"]})
    wf.fire(ref, "submit_assessment", MARIAM, NEEDS)
    wf.fire(ref, "approve_plan", IDRISSA)
    wf.fire(ref, "send", MARIAM, referral("org-csps"), instance="referral:medical")  # health, no protection
    wf.fire(ref, "send", MARIAM, referral("org-masn"), instance="referral:cash")  # protection agreed
    return ref


def _pages(live, user: str, ref: str, inst: str) -> dict[str, str]:
    c = live.client(user)
    out = {"fr": c.get(f"/prestataire/{ref}/{inst}").text}
    c.get("/langue/en")
    out["en"] = c.get(f"/prestataire/{ref}/{inst}").text
    r = httpx.post(f"{live.url}/api/v1/auth/token", json={"username": user, "password": PASSWORD})
    api = httpx.get(f"{live.url}/api/v1/referrals", headers={"Authorization": f"Bearer {r.json()['token']}"})
    out["api"] = api.text
    return out


@pytest.mark.parametrize(("override", "user", "inst", "sees"), [
    (None, "focal.csps", "referral:medical", False),   # consent covers it, the agreement does not
    (None, "focal.masn", "referral:cash", True),       # both cover it
    (["identity", "needs"], "focal.masn", "referral:cash", False),  # the override does not
    (["identity", "needs", "protection"], "focal.masn", "referral:cash", True),
])
def test_provider_sees_what_consent_and_agreement_both_cover(live, override, user, inst, sees):
    ref = _case(live.wf, override=override)
    pages = _pages(live, user, ref, inst)
    assert "Sawadogo" in pages["fr"] and "Sawadogo" in pages["en"]  # identity: always agreed
    for lang in ("fr", "en"):
        assert (GBV[lang] in pages[lang]) is sees, (lang, user, override)
    assert ("gbv_survivor" in pages["api"]) is sees, pages["api"][:1500]
