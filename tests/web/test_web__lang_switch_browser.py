"""Tryout 2 #24, in Chromium: the header's language switch keeps a half-filled form — French to
English and back — then forgets what it kept (static/app.js, sessionStorage): a new visit of the
page gets nothing."""

from __future__ import annotations

from .test_web__browser import pytestmark, signed_in  # noqa: F401  (pytestmark: skipped without Chromium)


def test_switching_language_keeps_what_was_typed_both_ways(live, browser):  # noqa: F811
    page = signed_in(browser, live, "mariam.kabore", locale="fr-FR", viewport={"width": 1366, "height": 768})
    page.goto(live.url + "/dossiers/nouveau")
    page.fill("#f-first_name", "Fatou")
    page.fill("#f-last_name", "Traoré")
    page.select_option("#f-sex", "female")
    with page.expect_navigation():
        page.click("header .lang a")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.input_value("#f-first_name") == "Fatou" and page.input_value("#f-last_name") == "Traoré"
    assert page.input_value("#f-sex") == "female"
    assert page.evaluate("sessionStorage.getItem('mno-lang-switch')") is None  # kept once, then forgotten

    page.fill("#f-return_date", "01/05/2025")
    with page.expect_navigation():
        page.click("header .lang a")
    assert page.evaluate("document.documentElement.lang") == "fr"
    assert page.input_value("#f-first_name") == "Fatou" and page.input_value("#f-return_date") == "01/05/2025"
    assert page.input_value("#f-sex") == "female"

    page.goto(live.url + "/dossiers/nouveau")  # a new visit of the page: nothing put back
    assert page.input_value("#f-first_name") == ""
