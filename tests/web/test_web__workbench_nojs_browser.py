"""The workbench without JavaScript, in a real browser (Chromium, Playwright, scripts off; tryout 5,
H9): the editor is a plain textarea, and « Lancer les scénarios », « Comparer avec la version
publiée » and « Publier… » each show their answer — the first two by a plain form post whose
answer is the draft's page with the results in place, the last by its own page. Before, the two
buttons were ``type="button"`` (htmx only): the page did nothing visible."""

from __future__ import annotations

import pytest

from .conftest import PASSWORD
from .test_web__workbench_scenarios import SCENARIO, _published_with_scenario

playwright_api = pytest.importorskip("playwright.sync_api")


def test_run_compare_and_publish_work_without_javascript(live, browser, tmp_path):
    _published_with_scenario(live, tmp_path)
    ctx = browser.new_context(locale="fr-FR", java_script_enabled=False,
                              viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.goto(live.url + "/login")
    page.fill("#username", "auteur.pos")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.goto(live.url + "/pos/atelier")
    with page.expect_navigation():
        page.click("#new-draft")
    draft_url = page.url
    assert page.query_selector("#cm-editor") is None and page.is_visible("#source")  # a plain textarea
    page.fill("#new-scenario input[name=name]", "mien.yaml")
    page.fill("#new-scenario textarea[name=text]", SCENARIO.replace("case: closed", "case: open"))
    with page.expect_navigation():
        page.click("#new-scenario button[type=submit]")

    with page.expect_navigation():
        page.click("#run-scenarios")
    summary = page.inner_text("#draft-results #scenarios-summary")
    assert summary.startswith("1/2"), summary
    results = page.inner_text("#draft-results")
    assert "mien.yaml:" in results and "/tmp" not in results and "mno-draft-" not in results, results
    assert "," in page.inner_text("#draft-results .coverage")  # « 5,9 % des états »
    assert page.is_visible("#source")  # still the editor's page

    page.goto(draft_url)
    with page.expect_navigation():
        page.click("#compare")
    assert "Comparaison avec la version publiée" in page.inner_text("#draft-results")

    page.goto(draft_url)
    with page.expect_navigation():
        page.click("#publish")
    assert page.url.endswith("/publier")
    assert "Publier le brouillon" in page.inner_text("h1")
