"""The new-user tryout of issue 18 in Chromium at 390×844 (a phone), French and English: every
printed document fits the screen (tables as card rows), case references and dates never break
mid-way on the main pages, and every button and link-button is a touch target of 44 px at least."""

from __future__ import annotations

import re

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


#: Buttons and link-buttons shown, smaller than a 44 × 44 px touch target.
SMALL_TARGETS = """() => [...document.querySelectorAll(
  'button, a.button, input[type=submit], input[type=button], .buttons a, nav.pager a, nav.counts a, '
  + '.tabs a, .actions a, .print-link a, #print-consent a, ul.contacts a')]
  .filter(e => e.offsetParent && getComputedStyle(e).visibility !== 'hidden').map(e => {
    const b = e.getBoundingClientRect();
    return [e.outerHTML.slice(0, 90), Math.round(b.width), Math.round(b.height)];
  }).filter(([, w, h]) => h < 44 || w < 44)"""


#: more pages of each role, with buttons (forms, filters, tools)
MORE = {
    "mariam.kabore": ("/", "/repertoire?need=cash&region=kadiogo", "/dossiers/nouveau", "/mon-compte/acces",
                      "/mon-compte/notifications", "/pos", "/pos/documents"),
    "idrissa.sanou": ("/dossiers", "/repertoire/services/svc-masn-kadiogo-cash"),
    "focal.masn": ("/mon-compte/acces",),
    "coord.mnr": ("/repertoire/services/svc-masn-kadiogo-cash", "/admin/acces", "/messages-annules",
                  "/pos/atelier", "/pos", "/repertoire"),
    "agent.fds": ("/signalements", "/signalements/nouveau"),
    "suivi.evaluation": ("/tableau-de-bord", "/rapport"),
    "formateur": ("/pos", "/pos/documents", "/pos/bac-a-sable"),
}


def test_every_button_is_a_44px_touch_target_on_a_phone(live, browser):  # noqa: F811
    ref = _world(live)
    small = {}
    pages = _main_pages(ref)
    for user, more in MORE.items():
        page = phone(browser, live, user, "fr")
        for url in (*pages.get(user, ()), *more):
            page.goto(live.url + url)
            for details in page.query_selector_all("main details:not([open])"):  # the case tools
                details.evaluate("d => d.open = true")
            found = page.evaluate(SMALL_TARGETS)
            if found:
                small[(user, url)] = found[:4]
        page.context.close()
    assert small == {}, small
