"""The narrative file of the Burkina Faso SOP in the workbench, in Chromium (Playwright; issue 14):
a draft shows ``narrative.yaml`` as a tab beside ``mnr.yaml``; on that tab the editor holds the
stored narrative, an invalid chapter id typed there is shown in ``narrative.yaml`` at its line
(its link brings the editor to that line, underlined), and the fixed text is saved into the draft."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from mno_workflow.web.demo_data import DemoUser, create_users

from .test_web__browser import open_as
from .test_web__workbench_imports import latest

playwright_api = pytest.importorskip("playwright.sync_api")
NARRATIVE = (Path(__file__).resolve().parents[2] / "sops" / "burkina_faso" / "narrative.yaml")


@pytest.fixture
def live(live_any):
    return live_any


def test_the_narrative_has_its_tab_and_is_checked_there(live, browser):
    with live.wf.sessions.begin() as s:
        create_users(s, [DemoUser("auteur.pos", "Auteur POS", "sop_author")])
    page = open_as(browser, live, "auteur.pos")
    page.select_option("#new-draft-sop", "mnr_bf")
    with page.expect_navigation():
        page.click("#new-draft")
    expect(page.locator("#draft-files a")).to_have_text(["mnr.yaml", "narrative.yaml"], timeout=30_000)
    number = int(page.url.rsplit("/", 1)[1].split("?")[0])
    with page.expect_navigation():
        page.click('#draft-files a:has-text("narrative.yaml")')
    page.wait_for_selector("#cm-editor .cm-content")
    text = NARRATIVE.read_bytes().decode("utf-8")
    assert page.input_value("#source") == text
    line = text.splitlines().index("    - id: principles") + 1
    broken = text.replace("    - id: principles", "    - id: Principes")
    page.evaluate("(t) => { const v = window.mnoEditor;"
                  " v.dispatch({changes: {from: 0, to: v.state.doc.length, insert: t}}); }", broken)
    error = page.locator("#diagnostics li.diag-error")
    # the check runs on the server after the editor's 600 ms pause: generous waits under load
    expect(error).to_contain_text(f"narrative.yaml, ligne {line}", timeout=60_000)
    expect(error).to_contain_text("E037")
    error.locator("a").click()  # to the line (the editor draws only the lines in view)
    expect(page.locator("#cm-editor .cm-lintRange-error")).to_contain_text("Principes", timeout=30_000)
    fixed = text.replace("Principes directeurs", "Principes directeurs (révisés)")
    page.evaluate("(t) => { const v = window.mnoEditor;"
                  " v.dispatch({changes: {from: 0, to: v.state.doc.length, insert: t}}); }", fixed)
    expect(page.locator("#diagnostics-ok")).to_be_attached(timeout=60_000)
    with page.expect_navigation():
        page.click("#save")
    assert latest(live, number).files["narrative.yaml"] == fixed
