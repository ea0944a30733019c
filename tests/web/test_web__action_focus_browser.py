"""Keyboard only, in Chromium on a phone (390×844): an action opened in place (htmx into the
action panel) takes the focus, on every page that has one — its first field, or, for a
confirmation without field, its submit button — so that the next key acts on it, never left on
the link that opened it (tryout 9, L8: « Accepter » on the provider's referral page left the focus
on the link; the next Tab went to « Refuser »)."""

from __future__ import annotations

from .helpers import IDENT, MARIAM, case_with_referrals, provider
from .test_web__browser import pytestmark  # noqa: F401  (skipped without Chromium)
from .test_web__tryout_fixes_browser import phone_page

ACTIVE = """() => { const e = document.activeElement;
  return {in_panel: !!e.closest('#action-panel'), tag: e.tagName, type: e.type || '', name: e.name || '',
          text: (e.innerText || '').trim()}; }"""


def open_by_keyboard(page, trigger: str, shown: str = "#action-panel form") -> dict:
    """Focus the action's link as Tab would, press Enter, and say where the focus is once the
    action is in the panel (``shown``)."""
    page.focus(f'a[data-action="{trigger}"]')
    page.keyboard.press("Enter")
    page.wait_for_selector(shown)
    return page.evaluate(ACTIVE)


def test_the_providers_accept_confirmation_takes_the_focus(live, browser):
    ref = case_with_referrals(live.wf)
    page = phone_page(browser, live, "focal.masn")
    page.goto(f"{live.url}/prestataire/{ref}/referral:cash")
    focus = open_by_keyboard(page, "accept")
    assert focus["in_panel"] and focus["tag"] == "BUTTON" and focus["type"] == "submit", focus
    assert focus["text"] == "Accepter"
    with page.expect_navigation():  # the next key acts on the confirmation
        page.keyboard.press("Enter")
    assert "Accepté" in page.inner_text("main")


def test_the_providers_decline_form_takes_the_focus_on_its_first_field(live, browser):
    ref = case_with_referrals(live.wf)
    page = phone_page(browser, live, "focal.masn")
    page.goto(f"{live.url}/prestataire/{ref}/referral:cash")
    focus = open_by_keyboard(page, "decline")
    assert focus["in_panel"] and focus["tag"] in ("SELECT", "INPUT", "TEXTAREA"), focus


def test_on_the_case_page_a_confirmation_and_a_form_take_the_focus(live, browser):
    ref = live.wf.create_case("mnr_bf", MARIAM)
    live.wf.fire(ref, "register", MARIAM, IDENT)
    page = phone_page(browser, live, "mariam.kabore")
    page.goto(f"{live.url}/dossiers/{ref}")
    focus = open_by_keyboard(page, "end_immediate")  # no field: its button
    assert focus["in_panel"] and focus["tag"] == "BUTTON" and focus["type"] == "submit", focus
    page.goto(f"{live.url}/dossiers/{ref}")
    focus = open_by_keyboard(page, "record_consent")  # a form: its first field
    assert focus["in_panel"] and focus["tag"] in ("SELECT", "INPUT", "TEXTAREA"), focus


def test_an_action_no_longer_possible_takes_the_focus_on_its_link(live, browser):
    """The referral was accepted meanwhile (another tab, a colleague): the panel says so and the
    focus is on its link, not left on the page's stale « Accepter »."""
    ref = case_with_referrals(live.wf)
    page = phone_page(browser, live, "focal.masn")
    page.goto(f"{live.url}/prestataire/{ref}/referral:cash")
    live.wf.fire(ref, "accept", provider("org-masn"), instance="referral:cash")
    focus = open_by_keyboard(page, "accept", "#action-panel .stale")
    assert focus["in_panel"] and focus["tag"] == "A", focus
