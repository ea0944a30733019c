"""An htmx form the server refuses (a 4xx/5xx page: here the real 413 of a field over the 1 MB
limit) or that never reaches the server (no network) is kept as typed, with a visible message in
the reader's language above it, and its button is usable again (issue 18: « htmx requests that
never drop an open form silently »). Before, htmx swapped nothing and said nothing."""

from __future__ import annotations

import pytest

from .helpers import IDENT, MARIAM
from .test_web__browser import (
    open_as,
    pytestmark,  # noqa: F401  (skipped without Chromium)
)

WORDS = {"fr": ("Rien n'a été enregistré", "Pas de connexion"),
         "en": ("Nothing was saved", "No connection to the server")}


def _consent_form(live, page, lang: str) -> None:
    ref = live.wf.create_case("mnr_bf", MARIAM)
    live.wf.fire(ref, "register", MARIAM, IDENT)
    page.goto(f"{live.url}/langue/{lang}")
    page.goto(f"{live.url}/dossiers/{ref}")
    page.click('a[data-action="record_consent"]')
    page.wait_for_selector("#action-panel form")
    page.select_option("#f-given", "true")
    page.select_option("#f-channel", "written")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_refused_htmx_post_keeps_the_form_and_says_why(live, browser, lang):
    page = open_as(browser, live, "mariam.kabore")
    _consent_form(live, page, lang)
    # a field over the server's 1 MB limit for one form part: the real server answers 413
    page.evaluate("""() => { const f = document.querySelector('#action-panel form');
        const i = document.createElement('input'); i.type = 'hidden'; i.name = 'note_big';
        i.value = 'x'.repeat(1100 * 1024); f.appendChild(i); }""")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("#action-panel button.primary")
    assert answer.value.status == 413, answer.value.status
    page.wait_for_selector("#failed-note")
    note = page.inner_text("#failed-note")
    # the message, then the error page's own words
    assert note.startswith(WORDS[lang][0]) and len(note) > len(WORDS[lang][0]) + 10, note
    assert page.input_value("#f-given") == "true" and page.input_value("#f-channel") == "written"
    assert not page.is_disabled("#action-panel button.primary")
    page.context.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_htmx_post_without_network_keeps_the_form_and_says_so(live, browser, lang):
    page = open_as(browser, live, "mariam.kabore")
    _consent_form(live, page, lang)
    page.route("**/actions/**", lambda route: route.abort() if route.request.method == "POST"
               else route.continue_())
    page.click("#action-panel button.primary")
    page.wait_for_selector("#failed-note")
    assert WORDS[lang][1] in page.inner_text("#failed-note")
    assert page.input_value("#f-given") == "true" and page.input_value("#f-channel") == "written"
    assert not page.is_disabled("#action-panel button.primary")
    page.context.close()
