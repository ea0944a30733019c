"""Keyboard only and slow network, in Chromium (issue 18).

Keyboard: a case manager signs in, opens a case from the list and records the consent; a
provider's focal point signs in, opens the referral from its inbox and accepts it — with Tab,
Shift+Tab, Enter, Space and arrow keys only. Every element that takes the focus shows it (an
outline), and Tab walks through each page and out of it (no trap).

Slow network: the same browser under CDP ``Network.emulateNetworkConditions`` (DevTools' « Slow
3G »: 2 s latency, 50 KB/s): after a submit the button says « Enregistrement… » and is disabled
until the answer comes; a form refused by the server comes back with every value typed kept, and
an htmx answer never replaces a form being filled in.

Screenshots under ``artifacts/screenshots/`` (prefix ``kb-`` and ``3g-``).
"""

from __future__ import annotations

from mno_workflow.store import repository

from .conftest import PASSWORD
from .helpers import CONSENT, IDENT, MARIAM, case_with_referrals
from .test_web__browser import (
    SHOTS,
    pytestmark,  # noqa: F401  (skipped without Chromium)
)

FOCUS = """() => { const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const shown = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none';
  const r = e.getBoundingClientRect();
  return {tag: e.tagName, id: e.id, name: e.getAttribute('name') || '',
          text: (e.innerText || e.value || '').trim().slice(0, 60),
          href: e.getAttribute('href') || '', shown, visible: r.width > 0 && r.height > 0}; }"""
FOCUSABLE = """() => [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
  .filter(e => !e.disabled && e.tabIndex >= 0 && e.type !== 'hidden' && e.offsetParent !== null
          && getComputedStyle(e).visibility !== 'hidden').length"""


class Shots:
    """Full-page screenshots under artifacts/screenshots/; the caret is left as it is (hiding it
    injects a style the page's CSP refuses, which would read as a console error)."""

    def __init__(self, prefix: str):
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.prefix, self.n = prefix, 0

    def take(self, page, name: str) -> None:
        self.n += 1
        path = SHOTS / f"{self.prefix}{self.n:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True, caret="initial")


class Keys:
    """Drives a page with the keyboard only and checks the focus ring of every stop."""

    def __init__(self, page):
        self.page = page
        self.stops: list[dict] = []

    def focused(self) -> dict | None:
        return self.page.evaluate(FOCUS)

    def tab_to(self, match, limit: int = 150, back: bool = False) -> dict:
        """Press Tab (Shift+Tab when ``back``) until ``match(focused)``; every stop on the way
        must show its focus. Fails if the target is never reached."""
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if back else "Tab")
            f = self.focused()
            if f is None:
                continue
            self.stops.append(f)
            assert f["shown"], f"no visible focus on {f}"
            assert f["visible"], f"focus on an invisible element {f}"
            if match(f):
                return f
        raise AssertionError(f"not reached by Tab in {limit} presses; last stops: {self.stops[-8:]}")

    def to_id(self, element_id: str) -> dict:
        return self.tab_to(lambda f: f["id"] == element_id)

    def choose(self, element_id: str, value: str) -> None:
        """Focus a select by Tab and move with the arrow keys until it holds ``value``."""
        self.to_id(element_id)
        sel = f"#{element_id}"
        for _ in range(40):
            if self.page.input_value(sel) == value:
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"{value!r} not reached with ArrowDown in {sel}")

    def check(self, name: str, value: str) -> None:
        self.tab_to(lambda f: f["name"] == name and f["tag"] == "INPUT"
                    and self.page.evaluate("() => document.activeElement.value") == value)
        self.page.keyboard.press("Space")
        assert self.page.evaluate("() => document.activeElement.checked")

    def no_trap(self) -> None:
        """From the top, Tab leaves the page after visiting at least every focusable element."""
        self.page.evaluate("() => { document.activeElement && document.activeElement.blur(); "
                           "window.scrollTo(0, 0); }")
        expected = self.page.evaluate(FOCUSABLE)
        seen = []
        for _ in range(expected + 10):
            self.page.keyboard.press("Tab")
            f = self.focused()
            if f is None:  # out of the document: the browser's own UI has the focus
                break
            seen.append((f["tag"], f["id"], f["name"], f["href"], f["text"]))
        else:
            raise AssertionError(f"focus never left the page after {expected + 10} Tabs: {seen[-10:]}")
        assert len(set(seen)) >= expected - 1, (len(set(seen)), expected)  # ±1: the skip link


def keyboard_login(browser, live, user: str):
    ctx = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 768})
    page = ctx.new_page()
    page.goto(live.url + "/login")
    keys = Keys(page)
    keys.to_id("username")
    page.keyboard.type(user)
    keys.to_id("password")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return page, keys


def test_keyboard_only__case_manager_records_consent(live, browser):
    shots = Shots("kb-")
    ref = live.wf.create_case("mnr_bf", MARIAM)
    live.wf.fire(ref, "register", MARIAM, IDENT)
    page, keys = keyboard_login(browser, live, "mariam.kabore")
    assert page.url.endswith("/travail")
    keys.no_trap()
    keys.tab_to(lambda f: f["href"] == "/dossiers")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    keys.tab_to(lambda f: f["href"] == f"/dossiers/{ref}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    keys.no_trap()
    keys.tab_to(lambda f: f["href"].endswith("/record_consent"))
    page.keyboard.press("Enter")  # htmx loads the form into the action panel
    page.wait_for_selector("#action-panel form")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'f-given'")
    shots.take(page, "consentement-clavier")
    keys.choose("f-given", "true")
    keys.choose("f-given_by", "self")
    keys.choose("f-channel", "written")
    for name, values in (("data_categories", ["identity", "needs"]),
                         ("share_with", ["service_provider"]), ("purposes", ["referral", "follow_up"])):
        for v in values:
            keys.check(name, v)
    keys.tab_to(lambda f: f["tag"] == "BUTTON" and "consentement" in f["text"].lower())
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Enregistré" in page.inner_text(".flash")
    shots.take(page, "consentement-enregistre")
    with live.wf.sessions() as s:
        consent = repository.get_case(s, ref).data["consent"]
    assert consent["given"] is True and consent["share_with"] == ["service_provider"]
    assert len(keys.stops) > 20


def test_keyboard_only__provider_accepts_a_referral(live, browser):
    shots = Shots("kb-")
    ref = case_with_referrals(live.wf)
    page, keys = keyboard_login(browser, live, "focal.masn")
    assert page.url.endswith("/prestataire")
    keys.no_trap()
    keys.tab_to(lambda f: f["href"] == f"/prestataire/{ref}/referral:cash")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    keys.no_trap()
    keys.tab_to(lambda f: f["href"].endswith("/accept"))
    page.keyboard.press("Enter")
    page.wait_for_selector("#action-panel form")
    keys.tab_to(lambda f: f["tag"] == "BUTTON" and "ccepter" in f["text"])
    shots.take(page, "prestataire-accepter-clavier")
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert "Enregistré" in page.inner_text(".flash")
    with live.wf.sessions() as s:
        case = repository.get_case(s, ref)
        assert {i.label_key: i.state for i in case.instances}["referral:cash"] == "accepted"
    assert CONSENT  # the referral's consent (helpers) covers org-masn


SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 50 * 1024,
           "uploadThroughput": 50 * 1024}  # DevTools' « Slow 3G »: 2 s, 400 kbit/s each way


def slow(page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)


def saving_shown(page, button: str) -> None:
    """While the request is on its way: the button is disabled and « Enregistrement… » shows."""
    page.wait_for_function(
        """(sel) => { const b = document.querySelector(sel); if (!b || !b.disabled) return false;
             const f = b.closest('form');
             const ind = f && f.querySelector('.htmx-indicator');
             const shown = ind && getComputedStyle(ind).display !== 'none'
                           && ind.textContent.includes('Enregistrement');
             return shown || b.textContent.includes('Enregistrement'); }""",
        arg=button, timeout=10_000)


def test_slow_3g__saving_state_shows_and_no_form_is_lost(live, browser):
    from .test_web__browser import open_as

    shots = Shots("3g-")
    ref = live.wf.create_case("mnr_bf", MARIAM)
    live.wf.fire(ref, "register", MARIAM, IDENT)
    page = open_as(browser, live, "mariam.kabore")
    slow(page)
    rtt = page.evaluate("""async () => { const t = performance.now(); await fetch('/travail');
                            return performance.now() - t; }""")
    assert rtt >= 2000, rtt  # the throttling is in force (a round trip takes the latency at least)
    page.goto(f"{live.url}/dossiers/{ref}", timeout=120_000)
    page.click('a[data-action="record_consent"]')
    page.wait_for_selector("#action-panel form", timeout=60_000)
    # a form missing fields: saving state while it travels, then every value typed comes back
    page.select_option("#f-given", "true")
    page.select_option("#f-given_by", "self")
    page.select_option("#f-channel", "written")
    page.check('input[name="data_categories"][value="identity"]')
    page.click("#action-panel button.primary", no_wait_after=True)
    saving_shown(page, "#action-panel button.primary")
    shots.take(page, "consentement-enregistrement")
    page.wait_for_selector("#action-panel .error-summary", timeout=60_000)
    assert page.input_value("#f-given") == "true" and page.input_value("#f-channel") == "written"
    assert page.is_checked('input[name="data_categories"][value="identity"]')
    assert not page.is_disabled("#action-panel button.primary")  # usable again
    shots.take(page, "consentement-erreurs-gardees")
    # another action's form asked for while this one is being filled in: kept, with a message
    page.check('input[name="share_with"][value="service_provider"]')
    other = page.locator('a[data-action]:not([data-action="record_consent"])').first
    other.click(no_wait_after=True)
    page.wait_for_selector("#kept-note", timeout=60_000)
    assert "n'a pas été perdue" in page.inner_text("#kept-note")
    assert page.is_checked('input[name="share_with"][value="service_provider"]')
    assert page.input_value("#f-channel") == "written"
    # completed and saved: the saving state again, then the case page
    for v in ("referral", "follow_up"):
        page.check(f'input[name="purposes"][value="{v}"]')
    page.check('input[name="data_categories"][value="needs"]')
    with page.expect_navigation(timeout=120_000):
        page.click("#action-panel button.primary", no_wait_after=True)
        saving_shown(page, "#action-panel button.primary")
    assert "Enregistré" in page.inner_text(".flash")
    with live.wf.sessions() as s:
        assert repository.get_case(s, ref).data["consent"]["share_with"] == ["service_provider"]
    # a whole-page form (no htmx): the new case form says « Enregistrement… » too; the page is
    # replaced by the answer, so what the button showed meanwhile is noted in sessionStorage
    page.goto(f"{live.url}/dossiers/nouveau", timeout=120_000)
    page.evaluate("""() => { const b = document.querySelector('main button.primary');
        new MutationObserver(() => sessionStorage.setItem('saw', JSON.stringify(
            {disabled: b.disabled, text: b.textContent})))
          .observe(b, {attributes: true, childList: true}); }""")
    page.fill("#f-first_name", "Rasmata")
    page.fill("#f-last_name", "Zongo")
    with page.expect_navigation(timeout=120_000):
        page.click("main button.primary", no_wait_after=True)
    page.wait_for_selector("#f-first_name", timeout=120_000)
    shots.take(page, "nouveau-dossier-garde")
    saw = page.evaluate("() => JSON.parse(sessionStorage.getItem('saw'))")
    assert saw == {"disabled": True, "text": "Enregistrement…"}, saw
    assert page.input_value("#f-first_name") == "Rasmata"  # refused (missing fields), input kept
    assert not [e for e in page.console_errors if "Failed to load resource" not in e]
