"""The workbench with an SOP split into several files, in a real browser (Chromium, Playwright;
issue 14): the author opens an imported file's tab, types an error and sees it named with that
file at its line (underlined in the editor), fixes it and saves that file."""

from __future__ import annotations

import pytest

from mno_workflow.sop.loader import load_file
from mno_workflow.web.demo_data import DemoUser, create_users

from ..cli.test_cli__sop_imports_stored import FILES
from ..sop.test_sop_imports_files import tree
from .test_web__browser import open_as
from .test_web__workbench_imports import OPTIONS_FILE, latest

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def live(live_any):
    return live_any


def test_an_imported_file_is_edited_on_its_tab(live, browser, tmp_path):
    with live.wf.sessions.begin() as s:
        create_users(s, [DemoUser("auteur.pos", "Auteur POS", "sop_author")])
    live.wf.load_sop(load_file(tree(tmp_path / "pos", FILES)))
    page = open_as(browser, live, "auteur.pos")
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status >= 404 else None)
    page.select_option("#new-draft-sop", "regional")
    with page.expect_navigation():
        page.click("#new-draft")
    page.wait_for_selector("#diagnostics-ok")
    assert [a.inner_text().strip() for a in page.query_selector_all("#draft-files a")] == [
        "regional.yaml", "commun/forms.yaml", OPTIONS_FILE]
    with page.expect_navigation():
        page.click(f'#draft-files a:has-text("{OPTIONS_FILE}")')
    page.wait_for_selector("#cm-editor .cm-content")
    text = page.input_value("#source")
    assert text == FILES[OPTIONS_FILE]
    page.evaluate("window.__same_page = 1")
    broken = text.replace("{fr: Urgence vitale, en: Emergency}", "{fr: Urgence vitale}")
    page.evaluate("(t) => { const v = window.mnoEditor;"
                  " v.dispatch({changes: {from: 0, to: v.state.doc.length, insert: t}}); }", broken)
    page.wait_for_selector("#diagnostics li.diag-error")
    item = page.inner_text("#diagnostics li.diag-error")
    assert f"{OPTIONS_FILE}, ligne 3" in item
    marked = page.wait_for_selector("#cm-editor .cm-lintRange-error")  # underlined at its line
    assert "emergency" in marked.inner_text()
    fixed = text.replace("Urgence vitale", "Urgence absolue")
    page.evaluate("(t) => { const v = window.mnoEditor;"
                  " v.dispatch({changes: {from: 0, to: v.state.doc.length, insert: t}}); }", fixed)
    page.wait_for_selector("#diagnostics-ok")
    assert page.evaluate("window.__same_page") == 1  # no page reload
    with page.expect_navigation():
        page.click("#save")
    assert "révision 2" in page.inner_text(".flash")
    assert page.url.endswith(f"?fichier={OPTIONS_FILE}")
    assert page.input_value("#source") == fixed
    draft = latest(live, 1)
    assert draft.files[OPTIONS_FILE] == fixed and draft.source == FILES["regional.yaml"]
    assert [u for u in missing if "favicon" not in u] == []  # the workbench's own requests all answer
    assert [e for e in page.console_errors if "status of 404" not in e] == []
