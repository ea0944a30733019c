"""Tryout 2 finding 1 in Chromium on a phone (390×844), French and English: the case manager
records a withdrawal of consent from the standing states line (its form opens in the action panel
through htmx and is sent), then the line offers « Enregistrer le consentement » and the referral
says the provider no longer sees it; nothing overflows the screen."""

from __future__ import annotations

import pytest

from .helpers import case_with_referrals
from .test_web__browser import pytestmark, signed_in  # noqa: F401  (pytestmark: skipped without Chromium)
from .test_web__tryout_fixes_browser import WIDTH

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SAID = {"fr": ("Consentement retiré", "Consentement retiré : le prestataire ne voit plus"),
        "en": ("Consent withdrawn", "Consent withdrawn: the provider no longer sees")}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_withdraw_consent_from_the_standing_line(live, browser, lang):  # noqa: F811
    ref = case_with_referrals(live.wf)
    page = signed_in(browser, live, "mariam.kabore", locale="fr-FR" if lang == "fr" else "en-GB", **PHONE)
    page.goto(f"{live.url}/langue/{lang}")
    page.goto(f"{live.url}/dossiers/{ref}")
    line = page.locator("#standing-steps")
    link = line.locator("a[data-action='withdraw_consent']")
    assert link.count() == 1 and link.is_visible()
    box = link.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44  # a touch target
    scroll, inner = page.evaluate(WIDTH)
    assert scroll <= inner == 390
    link.click()
    form = page.locator("#action-panel form")
    form.wait_for()
    form.locator("[name='expressed_by']").select_option("self")
    if not form.locator("[name='withdrawn_on']").input_value():
        form.locator("[name='withdrawn_on']").fill("2025-06-02")
    with page.expect_navigation():
        form.locator("button[type=submit]").first.click()
    page.goto(f"{live.url}/dossiers/{ref}")
    item = page.locator("#step-consent-1")
    assert SAID[lang][0] in item.inner_text()
    assert item.locator("a[data-action='record_consent']").count() == 1
    assert SAID[lang][1] in page.locator("#step-referral-cash").inner_text()
    page.context.close()
