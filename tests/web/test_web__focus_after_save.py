"""F20: after an action form is saved (the page redirects back to the case page), keyboard focus
lands on the confirmation message, not the top of the page, so that a keyboard or screen-reader
user hears what happened (Chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import CHROMIUM
from .helpers import IDENT, MARIAM
from .test_web__browser import action, open_as

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium not installed")


def test_focus_lands_on_the_confirmation_after_a_save(live, browser):
    ref = live.wf.create_case("mnr_bf", MARIAM)
    live.wf.fire(ref, "register", MARIAM, IDENT)
    page = open_as(browser, live, "mariam.kabore")
    page.goto(f"{live.url}/dossiers/{ref}")
    assert page.evaluate("document.activeElement === document.body")  # no message: nothing moved
    action(page, "record_consent")
    page.select_option("#f-given", "true")
    page.select_option("#f-given_by", "self")
    page.fill("#f-consent_date", "2025-06-02")
    page.select_option("#f-channel", "written")
    for v in ("identity", "needs"):
        page.check(f'input[name="data_categories"][value="{v}"]')
    for v in ("government", "service_provider"):
        page.check(f'input[name="share_with"][value="{v}"]')
    for v in ("referral", "follow_up"):
        page.check(f'input[name="purposes"][value="{v}"]')
    page.focus("#action-panel button.primary")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # as a keyboard user saves
    assert page.url.endswith(f"/dossiers/{ref}")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.textContent]")
    assert focused[0] == "flash" and focused[1].startswith("Enregistré"), focused
    assert page.evaluate("document.activeElement.getAttribute('role')") == "status"
    box = page.locator("[data-flash]").bounding_box()
    assert box and 0 <= box["y"] < page.viewport_size["height"]  # in view
    page.reload()  # the message is shown once: nothing to focus then
    assert page.evaluate("document.querySelector('[data-flash]') === null")
