"""The new-user tryout of issue 18 in Chromium at 390×844 (a phone), French and English: every
printed document fits the screen (tables as card rows), case references and dates never break
mid-way on the main pages, and every button and link-button is a touch target of 44 px at least."""

from __future__ import annotations

import re

import pytest

from .helpers import case_with_referrals, provider
from .test_web__browser import pytestmark, signed_in  # noqa: F401  (pytestmark: skipped without Chromium)
from .test_web__tryout_fixes_browser import SPLIT_WORDS, WIDTH

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def phone(browser, live, user: str, lang: str):
    page = signed_in(browser, live, user, locale="fr-FR" if lang == "fr" else "en-GB", **PHONE)
    page.goto(f"{live.url}/langue/{lang}")
    return page


def _world(live) -> str:
    ref = case_with_referrals(live.wf)  # cash → org-masn, medical → org-csps
    live.wf.fire(ref, "accept", provider("org-masn"), instance="referral:cash")
    return ref


def test_every_printed_document_fits_a_phone(live, browser):  # noqa: F811
    ref = _world(live)
    for user, lang in (("coord.mnr", "fr"), ("formateur", "en")):
        page = phone(browser, live, user, lang)
        page.goto(live.url + "/pos/documents")
        links = page.eval_on_selector_all("main a[href^='/pos/documents/']",
                                          "els => els.map(e => e.getAttribute('href'))")
        links = sorted({x for x in links if not x.endswith(".pdf") and "format=" not in x})
        assert len(links) > 20, links
        links += ["/pos/manuel", "/pos/presentation"]
        if user == "coord.mnr":
            links += [f"/dossiers/{ref}/imprimer/referencement/referral:cash",
                      f"/dossiers/{ref}/imprimer/consentement"]
        wide = {}
        for url in links:
            response = page.goto(live.url + url)
            assert response.status == 200, (user, url, response.status)
            scroll, inner = page.evaluate(WIDTH)
            if not (inner == 390 and scroll <= inner):
                wide[url] = scroll
        assert wide == {}, (user, lang, wide)
        page.context.close()


#: a case reference or a date, as the pages print them
KEPT_WHOLE = re.compile(r"MNR-BF-\d+|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}")


def _main_pages(ref: str) -> dict[str, tuple[str, ...]]:
    return {
        "mariam.kabore": (f"/dossiers/{ref}", "/travail", "/notifications", "/dossiers"),
        "idrissa.sanou": (f"/dossiers/{ref}", "/travail", "/notifications", "/tableau-de-bord"),
        "focal.masn": ("/prestataire", f"/prestataire/{ref}/referral:cash", "/notifications"),
        "coord.mnr": ("/tableau-de-bord", "/repertoire/services", "/repertoire/accords", "/journal-acces"),
    }


LAPTOP = {"viewport": {"width": 1366, "height": 768}}


def test_references_and_dates_never_break_on_a_phone_or_a_laptop(live, browser):  # noqa: F811
    ref = _world(live)
    for lang, size in (("fr", PHONE), ("en", PHONE), ("fr", LAPTOP)):
        broken = {}
        for user, urls in _main_pages(ref).items():
            page = signed_in(browser, live, user, locale="fr-FR" if lang == "fr" else "en-GB", **size)
            page.goto(f"{live.url}/langue/{lang}")
            for url in urls:
                page.goto(live.url + url)
                split = [w for w in page.evaluate(SPLIT_WORDS, "main") if KEPT_WHOLE.search(w)]
                if split:
                    broken[(user, url)] = split[:4]
            page.context.close()
        assert broken == {}, (lang, size["viewport"]["width"], broken)


#: Every interactive element shown (links, buttons, check boxes and radio buttons with their label,
#: selects, other inputs, <summary>) smaller than a 44 × 44 px touch target (WCAG 2.5.5). A check
#: box's target is its label (the label's box, the box itself inside it). The one exception
#: (WCAG 2.5.8 "inline"): a link inside running text of the main content, i.e. displayed inline
#: with a word of text right before or after it in the same element — never in a header, a
#: footer, a navigation, a table of data or a list of notifications.
SMALL_TARGETS = """() => {
  const shown = e => {
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && !e.classList.contains('skip')
      && !e.closest('.sr-only');
  };
  const word = n => n && n.nodeType === 3 && /[A-Za-zÀ-ÿ]{2,}/.test(n.textContent);
  const inline = e => e.tagName === 'A' && getComputedStyle(e).display === 'inline'
    && !e.closest('header, footer, nav, table.data, ul.notes, .buttons, .actions')
    && (word(e.previousSibling) || word(e.nextSibling));
  const box = e => {
    const r = e.getBoundingClientRect();
    if (e.type !== 'checkbox' && e.type !== 'radio') return r;
    const label = e.closest('label') || (e.id && document.querySelector(`label[for="${e.id}"]`));
    if (!label) return r;
    const l = label.getBoundingClientRect();
    return {width: Math.max(r.right, l.right) - Math.min(r.left, l.left),
            height: Math.max(r.bottom, l.bottom) - Math.min(r.top, l.top)};
  };
  return [...document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, summary')]
    .filter(e => shown(e) && !inline(e)).map(e => {
      const b = box(e);
      return [e.outerHTML.slice(0, 90), Math.round(b.width), Math.round(b.height)];
    }).filter(([, w, h]) => h < 44 || w < 44);
}"""


#: more pages of each role, with buttons (forms, filters, tools)
MORE = {
    "mariam.kabore": ("/", "/repertoire?need=cash&region=kadiogo", "/dossiers/nouveau", "/mon-compte/acces",
                      "/mon-compte/notifications", "/pos", "/pos/documents"),
    "idrissa.sanou": ("/dossiers", "/repertoire/services/svc-masn-kadiogo-cash", "/notifications?page=1"),
    "focal.masn": ("/mon-compte/acces",),
    "coord.mnr": ("/repertoire/services/svc-masn-kadiogo-cash", "/admin/acces", "/messages-annules",
                  "/pos/atelier", "/pos", "/repertoire"),
    "agent.fds": ("/signalements", "/signalements/nouveau"),
    "suivi.evaluation": ("/tableau-de-bord", "/rapport"),
    "formateur": ("/pos", "/pos/documents", "/pos/bac-a-sable", "/pos/manuel", "/pos/presentation"),
}


def _targets(page) -> list:
    for details in page.query_selector_all("details:not([open])"):  # the case tools, the menus
        details.evaluate("d => d.open = true")
    found = page.evaluate(SMALL_TARGETS)
    toggle = page.query_selector("header .menu-toggle")
    if toggle and toggle.is_visible():  # the collapsed header, opened
        toggle.click()
        found += [x for x in page.evaluate(SMALL_TARGETS) if x not in found]
    return found


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_interactive_element_is_a_44px_touch_target_on_a_phone(live, browser, lang):  # noqa: F811
    """Issue 18 (tryout at 390×844): the header's brand link, the footer's link, « ← Retour au
    dossier », notifications (42 px), the handbook's table of contents, check boxes (24 px),
    « Ouvrir en grand », « Suivant → » were too small. In both languages: English words are of
    other lengths (a button's label wraps or not, a link shrinks under 44 px)."""
    ref = _world(live)
    for _ in range(25):  # more than a page of notifications (« Suivant »)
        case_with_referrals(live.wf, send=False)
    small = {}
    pages = _main_pages(ref)
    for user, more in MORE.items():
        page = phone(browser, live, user, lang)
        urls = [*pages.get(user, ()), *more]
        if user == "mariam.kabore":
            page.goto(f"{live.url}/dossiers/{ref}")
            urls.append(page.eval_on_selector("a[data-action]", "a => a.getAttribute('href')"))  # « Retour »
            urls += [f"/dossiers/{ref}/imprimer/consentement"]
        for url in urls:
            page.goto(live.url + url)
            if url == "/notifications?page=1":  # « Suivant » is measured
                assert page.locator("nav.pager a").count() >= 1, url
            found = _targets(page)
            if found:
                small[(lang, user, url)] = found[:6]
        page.context.close()
    assert small == {}, "\n".join(f"{k}: {v}" for k, v in small.items())


def test_dashboard_filters_one_per_line_on_a_phone(live, browser):  # noqa: F811
    """Tryout 2, finding 13: on a phone each filter of the M&E dashboard has its own line, its
    label above it (the period's help ran into « Région », two selects shared a line)."""
    page = phone(browser, live, "suivi.evaluation", "fr")
    page.goto(f"{live.url}/tableau-de-bord")
    boxes = page.eval_on_selector_all(".me-filters label, .me-filters #period-help",
                                      "els => els.map(e => { const r = e.getBoundingClientRect();"
                                      " return [r.top, r.bottom, r.left]; })")
    assert len(boxes) >= 5
    for (_top, bottom, _left), (top, _bottom, _l) in zip(boxes, boxes[1:], strict=False):
        assert top >= bottom - 1, boxes  # each below the one before, never beside it
    page.close()


def test_presentation_footer_fits_a_phone(live, browser):  # noqa: F811
    """Tryout 2, finding 21: on a phone the presentation's footer had « Suivant → » squeezed at the
    edge and a stray « · ». Now « ← Précédent » and « Suivant → » share a line and the slide number
    and links sit on their own line below, separated by dots drawn between visible items only."""
    page = phone(browser, live, "formateur", "fr")
    page.goto(f"{live.url}/pos/presentation?n=1")
    prev, nxt, links = box = [page.eval_on_selector(sel, "e => { const r = e.getBoundingClientRect();"
                                                    " return [r.top, r.bottom, r.left, r.right]; }")
                              for sel in ("#prev", "#next", ".slide-links")]
    assert abs(prev[0] - nxt[0]) < 2 and links[0] >= max(prev[1], nxt[1]) - 1, box  # links below
    assert all(0 <= b[2] and b[3] <= 390 for b in box), box
    dots = page.eval_on_selector_all(".slide-links > *", "els => els.map(e => getComputedStyle(e, '::before')"
                                     ".content).filter(c => c.includes('·')).length")
    assert dots == 0  # a phone lays the items out apart: no separator left at a line's end
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.close()


def test_a_long_unbroken_name_wraps_in_the_lists_on_a_phone(live, browser):  # noqa: F811
    """Tryout 4, G14: a 99-character name (the form takes 100) made « Mon travail » and « Dossiers »
    scroll sideways at 390 px; the card rows wrap it."""
    from .helpers import IDENT, MARIAM

    ref = live.wf.create_case("mnr_bf", MARIAM)
    live.wf.fire(ref, "register", MARIAM, {**IDENT, "first_name": "Abdoulkarim" * 9})
    page = phone(browser, live, "mariam.kabore", "fr")
    for path in ("/travail", "/dossiers"):
        page.goto(f"{live.url}{path}")
        assert "Abdoulkarim" in page.content(), path
        # against the phone's 390 px: a mobile browser widens its layout viewport (innerWidth)
        # to content that overflows, so innerWidth alone would hide the sideways scroll
        scroll, _ = page.evaluate(WIDTH)
        assert scroll <= PHONE["viewport"]["width"], (path, scroll)
