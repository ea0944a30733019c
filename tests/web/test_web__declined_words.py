"""A referral the provider declined is explained to it as its own decline, « Vous avez refusé ce
référencement : données personnelles retirées » / "You declined this referral: personal data
removed", in the inbox history and on the referral page — not « n'est plus à votre organisation »,
which suggests it was taken away (tryout 6, I12); also when the case manager recorded that decline
for it."""

from __future__ import annotations

import html

import pytest

from .helpers import MARIAM, case_with_referrals, provider

SAID = {"fr": "Vous avez refusé ce référencement : données personnelles retirées.",
        "en": "You declined this referral: personal data removed."}
OTHER = {"fr": "n'est plus à votre organisation", "en": "no longer with your organisation"}


@pytest.mark.parametrize("on_behalf", [False, True])
def test_a_declined_referral_is_said_declined_by_the_provider(live, on_behalf):
    ref = case_with_referrals(live.wf)  # cash → org-masn
    if on_behalf:
        live.wf.fire(ref, "record_decline", MARIAM, {
            "reason": "no_capacity", "answer_channel": "phone", "provider_contact": "M. Zongo",
            "answered_at": "2025-06-02T08:00:00Z"}, instance="referral:cash")
    else:
        live.wf.fire(ref, "decline", provider("org-masn"), {"reason": "no_capacity"},
                     instance="referral:cash")
    c = live.client("focal.masn")
    for lang in ("fr", "en"):
        c.get(f"/langue/{lang}")
        inbox = html.unescape(c.get("/prestataire").text)
        row = inbox[inbox.index(ref):][:1500]
        assert SAID[lang] in row and OTHER[lang] not in row, (lang, row)
        page = html.unescape(c.get(f"/prestataire/{ref}/referral:cash").text)
        assert SAID[lang] in page and OTHER[lang] not in page, lang
        assert "Sawadogo" not in page
