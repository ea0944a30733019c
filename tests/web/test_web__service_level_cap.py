"""A directory's response time and an immediate need's cap (tryout 6, I9): when the BF SOP's
24-hour cap for an immediate need brings a referral's due date nearer than the directory's
service level (« priorité Urgent : 72 heures »), the line beside the due date names that cap too
— on the case page, the provider's referral page and inbox, and the API's service level words —
in French and English, as the case page already says it for the SOP's own default deadline."""

from __future__ import annotations

import html as markup
import re
from datetime import UTC, datetime, timedelta

import httpx

from .helpers import CONSENT, IDENT, IDRISSA, MARIAM, NEEDS, referral
from .test_web__api_files import token
from .test_web__case_page_consent import box, page
from .test_web__service_level_words import notes

NOW = datetime(2026, 12, 4, 21, 14, tzinfo=UTC)  # Fri 4 Dec 2026 at Ouagadougou (UTC+0)
HOUSING = {"dimension": "social", "need": "housing", "urgency": "Pas d'abri ce soir"}
WANT = {"fr": "Délai de réponse du service (annuaire), priorité Urgent : 72 heures, au plus tard 24 heures "
              "si besoin immédiat",
        "en": "Service's response time (directory), priority Urgent: 72 hours, no later than 24 hours if "
              "immediate need"}


def _sent(live, need: dict) -> str:
    live.clock.set(NOW)
    wf = live.wf
    ref = wf.create_case("mnr_bf", MARIAM)
    wf.fire(ref, "register", MARIAM, IDENT)
    wf.fire(ref, "record_consent", MARIAM, {**CONSENT, "consent_date": "2026-12-04"})
    wf.fire(ref, "refer_immediately", MARIAM, need)
    live.clock.advance(timedelta(minutes=5))
    wf.fire(ref, "send", MARIAM, {**referral("org-masn", "urgent"), "referral_date": "2026-12-04",
                                  "service_id": "svc-masn-kadiogo-cash"}, instance="housing")
    return ref


def _said(html: str) -> list[str]:
    return [" ".join(markup.unescape(n).split()) for n in notes(html)]


def test_the_cap_that_decided_is_said_beside_the_directory_time(live):
    ref = _sent(live, HOUSING)
    for lang in ("fr", "en"):
        html = page(live, ref, lang)
        housing = box(html, "step-referral-housing")
        assert "05/12/2026 21:19" in re.search(r'<p class="due">(.*?)</p>', housing, re.S).group(1)
        assert _said(housing) == [WANT[lang]], (lang, _said(housing))
    focal = live.client("focal.masn")
    for lang in ("fr", "en"):
        focal.get(f"/langue/{lang}")
        for url in (f"/prestataire/{ref}/referral:housing", "/prestataire"):
            shown = _said(focal.get(url).text)
            assert WANT[lang] in shown, (lang, url, shown)
    focal.get("/langue/fr")
    r = httpx.get(f"{live.url}/api/v1/referrals", headers=token(live, "focal.masn", "read"), timeout=60)
    assert r.status_code == 200, r.text
    levels = [x["service_level"] for x in r.json()["items"] if x["reference"] == ref]
    assert [(x["fr"], x["en"]) for x in levels] == [(WANT["fr"], WANT["en"])], levels


def test_no_cap_said_when_the_referral_is_not_immediate(live):
    """A referral without an immediate need meets no cap: the directory's time alone."""
    live.clock.set(NOW)
    wf = live.wf
    ref = wf.create_case("mnr_bf", MARIAM)
    wf.fire(ref, "register", MARIAM, IDENT)
    wf.fire(ref, "record_consent", MARIAM, {**CONSENT, "consent_date": "2026-12-04"})
    wf.fire(ref, "submit_assessment", MARIAM, NEEDS)
    wf.fire(ref, "approve_plan", IDRISSA)
    wf.fire(ref, "send", MARIAM, {**referral("org-masn", "urgent"), "service_id": "svc-masn-kadiogo-cash"},
            instance="referral:cash")
    shown = _said(box(page(live, ref, "fr"), "step-referral-cash"))
    assert shown == ["Délai de réponse du service (annuaire), priorité Urgent : 72 heures"], shown
