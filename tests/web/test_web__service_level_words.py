"""Issue 18: the referral's deadline note (service level: the directory's response time or the
SOP's default) in words in the reader's language on the case page and on the provider's inbox
and referral page — « 5 jours », never « 5 days » on a French page, no service id, no code."""

from __future__ import annotations

import re

from .helpers import MARIAM, case_with_referrals

ENGLISH_DURATION = re.compile(r"\b\d+ (minutes?|hours?|days?|working days?|weeks?|months?)\b")


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def notes(html: str) -> list[str]:
    return [_text(m) for m in re.findall(r"data-service-level>(.*?)</", html)]


def test_service_level_note_in_french_words_on_every_page(live):
    ref = case_with_referrals(live.wf, send=False)
    data = {"provider": "org-masn", "priority": "urgent", "referral_date": "2025-06-02", "channel": "system",
            "service_id": "svc-masn-liptako-social"}  # the directory: 5 days when urgent
    live.wf.fire(ref, "send", MARIAM, data, instance="referral:cash")
    want = "Délai de réponse du service (annuaire), priorité Urgent : 5 jours"
    case_page = live.client("mariam.kabore").get(f"/dossiers/{ref}")
    assert case_page.status_code == 200
    focal = live.client("focal.masn")
    inbox = focal.get("/prestataire")
    referral = focal.get(f"/prestataire/{ref}/referral:cash")
    assert referral.status_code == 200
    for page in (case_page.text, inbox.text, referral.text):
        shown = notes(page)
        assert shown and all(want in n for n in shown), shown
        assert not any(w in n for n in shown for w in ("days", "hours", "svc-", "urgent)")), shown
        assert not ENGLISH_DURATION.search(_text(page)), ENGLISH_DURATION.search(_text(page))
