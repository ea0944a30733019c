"""The SOP workbench in a real browser (Chromium, Playwright; issue 14): an author opens the
workbench, makes a draft, introduces an error and sees it at its line as they type, fixes it and
renames a state (diagnostics and diagram update without a page reload), runs the scenarios,
publishes with a mapping after the dry run, and the migrated case page shows its old history
with the old labels and the new state."""

from __future__ import annotations

import pytest

from mno_workflow.store import repository

from ..engine.sop_variants import dump, parse, rename_state
from .helpers import case_with_referrals
from .test_web__browser import Shots, open_as
from .workbench_helpers import author_and_version

playwright_api = pytest.importorskip("playwright.sync_api")



@pytest.fixture
def live(live_any):
    """The workbench on SQLite and on PostgreSQL (tests/web/conftest.py ``live_any``)."""
    return live_any

def test_author_edits_publishes_and_migrates_in_the_browser(live, browser, tmp_path):
    author_and_version(live, tmp_path)
    ref = case_with_referrals(live.wf)  # referral:cash sent, on 2099.1
    shots = Shots("atelier-")
    page = open_as(browser, live, "auteur.pos")
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status >= 404 else None)
    assert page.url.endswith("/pos/atelier")
    assert "Atelier des POS" in page.inner_text("h1")
    with page.expect_navigation():
        page.click("#new-draft")
    page.wait_for_selector("#diagnostics-ok")
    page.wait_for_selector("#cm-editor .cm-content")  # CodeMirror 6 (vendored) over the textarea
    page.evaluate("window.__same_page = 1")
    text = page.input_value("#source")

    # Type an error at the end of the line "to: sent" of the referral step.
    lines = text.split("\n")
    n = next(i for i, line in enumerate(lines) if line.strip() == "to: sent")
    page.evaluate("(n) => { const v = window.mnoEditor; const l = v.state.doc.line(n);"
                  " v.dispatch({selection: {anchor: l.to}, scrollIntoView: true}); v.focus(); }", n + 1)
    page.keyboard.type("t")
    page.wait_for_selector("#diagnostics li.diag-error")
    item = page.inner_text("#diagnostics li.diag-error")
    assert f"ligne {n + 1}" in item and "E020" in item and "sentt" in item
    assert page.inner_text("#error-count") == "1"
    marked = page.wait_for_selector("#cm-editor .cm-lintRange-error")  # underlined at its line
    assert marked.inner_text().strip() == "to: sentt"
    shots.take(page, "erreur")

    # Fixed, a state renamed, the version bumped (pasted over the whole text).
    doc = parse(text)
    doc["version"] = "2099.2"
    rename_state(doc, "referral", "sent", "transmitted")
    doc["steps"]["referral"]["states"]["transmitted"]["label"] = {"fr": "Transmis", "en": "Transmitted"}
    page.evaluate("(t) => { const v = window.mnoEditor;"
                  " v.dispatch({changes: {from: 0, to: v.state.doc.length, insert: t}}); }", dump(doc))
    page.wait_for_selector("#diagnostics-ok")
    page.wait_for_selector("#draft-diagram svg")
    assert "Transmis" in page.inner_html("#draft-diagram")
    assert page.query_selector("#cm-editor .cm-lintRange-error") is None
    assert page.evaluate("window.__same_page") == 1  # no page reload
    shots.take(page, "corrige")
    with page.expect_navigation():
        page.click("#save")
    assert "révision 2" in page.inner_text(".flash")

    page.evaluate("window.scrollTo(0, 0)")
    page.click("#run-scenarios")
    page.wait_for_selector("#draft-results #no-scenarios")
    # the answer is brought into view, not inserted out of sight below the editor (tryout 2, 32);
    # its top may sit a sub-pixel above the viewport once scrolled to it
    page.wait_for_function("() => { const r = document.querySelector('#draft-results')"
                           ".getBoundingClientRect(); return r.top >= -2 && r.top < window.innerHeight; }",
                           timeout=5000)
    with page.expect_navigation():
        page.click("#publish")
    page.select_option("#map-referral\\.sent", "transmitted")
    with page.expect_navigation():
        page.click("#preview")
    # with the step's and states' labels, never their ids (tryout 4, G15)
    assert ("états : Référencement — Assistance en espèces : Envoyé au prestataire → Transmis"
            in page.inner_text("#dry-run"))
    shots.take(page, "apercu")
    with live.wf.sessions() as s:
        assert repository.get_case(s, ref).sop_version.version == "2099.1"
    with page.expect_navigation():
        page.click("#publish-now")
    assert "2099.2 publiée" in page.inner_text(".flash")
    assert [u for u in missing if "favicon" not in u] == []  # the workbench's own requests all answer
    assert [e for e in page.console_errors if "status of 404" not in e] == []  # type: ignore[attr-defined]

    cw = open_as(browser, live, "mariam.kabore")
    cw.goto(f"{live.url}/dossiers/{ref}")
    body = cw.inner_text("main")
    assert "À envoyer → Envoyé au prestataire" in body  # the old history, old labels
    assert "Transmis" in body  # the new state
    src = cw.get_attribute("img[src*='referral:cash.svg']", "src")
    r = cw.request.get(live.url + src)  # the step's diagram, as the page loads it (was a 500)
    assert r.status == 200 and "Migration" in r.text()
    shots.take(cw, "dossier-migre")
