"""Keyboard only on every page of the touch-target check (issue 18), in Chromium on a phone
(390×844) and a laptop (1366×768): the first Tab stop is a visible « Aller au contenu » link
that moves the focus into the page's main content; from there Tab reaches the page's main
action; every stop shows its focus and Tab leaves the page (no trap); on a phone, the
collapsed header opens with Enter, its links are reached in order, Escape closes it and gives
the focus back to its button, and Tab goes on to the content (no trap in the menu)."""

from __future__ import annotations

from .test_web__browser import pytestmark, signed_in  # noqa: F401  (pytestmark: skipped without Chromium)
from .test_web__keyboard_network import FOCUS, Keys
from .test_web__tryout18_browser import LAPTOP, MORE, PHONE, _main_pages, _world

#: the main action of a page, reached by Tab from the content's start
MAIN_ACTION = {
    "/travail": "main table.data a[href^='/dossiers/']",
    "/dossiers": "main table.data a[href^='/dossiers/MNR']",
    "/prestataire": "main a[href^='/prestataire/MNR']",
    "/notifications": "main a.note-link",
    "/tableau-de-bord": "main a, main button, main select",
    "/dossiers/nouveau": "main input[name=first_name]",
    "/signalements/nouveau": "main input:not([type=hidden]), main select",
}

IN_MAIN = "() => !!(document.activeElement && document.activeElement.closest('main, #content'))"
MATCHES = "sel => !!(document.activeElement && document.activeElement.matches(sel))"
SKIP = """() => { const e = document.activeElement, r = e.getBoundingClientRect();
  return {href: e.getAttribute('href'), top: r.top, left: r.left, w: r.width, h: r.height,
          outline: getComputedStyle(e).outlineStyle}; }"""


def _action(url: str, ref: str) -> str | None:
    if url == f"/dossiers/{ref}":
        return "main a[data-action]"
    if url.startswith(f"/prestataire/{ref}/"):
        return "main a[data-action], main form button"
    return MAIN_ACTION.get(url.split("?")[0])


#: every element that should take the focus and has not (a radio group: one of its buttons)
UNVISITED = """seen => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary')]
  .filter(e => !e.disabled && e.tabIndex >= 0 && e.getClientRects().length
          && getComputedStyle(e).visibility !== 'hidden' && !e.closest('details:not([open]) > :not(summary)'))
  .filter(e => !window.__kb.has(e) && !(e.type === 'radio' && [...window.__kb].some(
          x => x.type === 'radio' && x.name === e.name && x.form === e.form)))
  .map(e => e.outerHTML.slice(0, 80))"""
TRACK = """() => { window.__kb = new Set();
  document.addEventListener('focusin', e => window.__kb.add(e.target)); }"""


def tab_through(page) -> list[str]:
    """Tab from the top of the page until the focus leaves it: every stop shows its focus, the
    walk ends (no trap) and every focusable element was a stop."""
    page.evaluate(TRACK)
    limit = 3 * page.evaluate("() => document.querySelectorAll('a, button, input, select, textarea, "
                              "summary, [tabindex]').length") + 20
    out = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        f = page.evaluate(FOCUS)
        if f is None:  # out of the document
            break
        if not (f["shown"] and f["visible"]):
            out.append(f"no visible focus on {f}")
    else:
        return [f"trap: the focus never left the page after {limit} Tabs ({page.evaluate(FOCUS)})"]
    missing = page.evaluate(UNVISITED, None)
    if missing:
        out.append(f"never reached by Tab: {missing[:4]}")
    return out[:4]


def keyboard_walk(page, url: str, action: str | None) -> list[str]:
    """The keyboard defects of ``url`` (empty: none). A page with blocks before its content (the
    application's header, the handbook's table of contents) starts with a skip link; a document
    without any (the quarterly report, the presentation: its links come after the slide) need
    not."""
    page.goto(url)
    out = tab_through(page)
    if not page.query_selector("header.top, body > header + nav"):
        return out
    page.goto(url)
    keys = Keys(page)
    page.keyboard.press("Tab")
    skip = page.evaluate(SKIP)
    if skip["href"] not in ("#main", "#content") or skip["left"] < 0 or skip["top"] < 0 \
            or skip["w"] == 0 or skip["outline"] == "none":
        return [*out, f"first Tab stop is not a visible skip link: {skip}"]
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # the next stop is in the content, not in the header
    if not page.evaluate(IN_MAIN):
        out.append(f"the skip link does not move the focus into the content: {page.evaluate(FOCUS)}")
    if action:
        try:
            keys.tab_to(lambda f: page.evaluate(MATCHES, action), limit=120)
        except AssertionError as e:
            out.append(f"main action {action!r}: {str(e)[:300]}")
    return out


def test_every_page_is_usable_by_keyboard_on_a_phone_and_a_laptop(live, browser):  # noqa: F811
    ref = _world(live)
    pages = _main_pages(ref)
    failures = {}
    for size in (PHONE, LAPTOP):
        for user, more in MORE.items():
            if size is LAPTOP and user not in pages:
                continue
            page = signed_in(browser, live, user, locale="fr-FR", **size)
            urls = [*pages.get(user, ()), *(more if size is PHONE else ())]
            for url in urls:
                found = keyboard_walk(page, live.url + url, _action(url, ref))
                if found:
                    failures[(size["viewport"]["width"], user, url)] = found
            page.context.close()
    assert failures == {}, "\n".join(f"{k}: {v}" for k, v in failures.items())


def test_the_collapsed_header_opens_and_closes_by_keyboard_without_a_trap(live, browser):  # noqa: F811
    page = signed_in(browser, live, "mariam.kabore", locale="fr-FR", **PHONE)
    page.goto(live.url + "/travail")
    keys = Keys(page)
    toggle = "header .menu-toggle"
    assert page.is_visible(toggle) and not page.is_visible("#main-nav")
    keys.tab_to(lambda f: page.evaluate(MATCHES, toggle), limit=6)
    page.keyboard.press("Enter")
    assert page.is_visible("#main-nav") and page.get_attribute(toggle, "aria-expanded") == "true"
    first = keys.tab_to(lambda f: True)
    assert page.evaluate(MATCHES, "#main-nav a"), first  # the menu's links come right after its button
    keys.tab_to(lambda f: page.evaluate(IN_MAIN), limit=40)  # and Tab goes on to the content
    keys.tab_to(lambda f: page.evaluate(MATCHES, toggle), limit=60, back=True)
    page.keyboard.press("Enter")
    assert not page.is_visible("#main-nav") and page.get_attribute(toggle, "aria-expanded") == "false"
    page.keyboard.press("Enter")
    keys.tab_to(lambda f: True)
    page.keyboard.press("Escape")  # from a link of the open menu
    assert not page.is_visible("#main-nav")
    assert page.evaluate(MATCHES, toggle) and page.get_attribute(toggle, "aria-expanded") == "false"
