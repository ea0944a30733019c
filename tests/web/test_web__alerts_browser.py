"""A first responder on a phone (390 × 844, Chromium): « Nouveau signalement » from the home page,
the phone field appearing only when « Par téléphone » is ticked, per-field errors in the error
summary with what was typed kept, then « Mes signalements » with the new alert; both pages
without horizontal scroll and without serious or critical axe-core violations. The case manager
of the region sees it in « Mon travail » on a phone too. Screenshots under ``artifacts/ui/``."""

from __future__ import annotations

from .test_web__browser import (
    pytestmark,  # noqa: F401  (skipped without Chromium)
)
from .test_web__journeys import AXE, AXE_RUN, NO_SCROLL, OUT, page_as


def check_page(page, name: str, problems: list) -> None:
    (OUT / "phone").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / "phone" / f"{name}.png"), full_page=True)
    if not page.evaluate(NO_SCROLL):
        problems.append((name, "scroll", page.evaluate("document.documentElement.scrollWidth")))
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    problems += [(name, v) for v in page.evaluate(AXE_RUN)]


def test_a_first_responder_files_an_alert_on_a_phone(live, browser):
    problems: list = []
    page = page_as(browser, live, "agent.fds", "phone", axe=True)
    assert page.url.endswith("/signalements")
    check_page(page, "agent-fds-signalements-vide", problems)
    page.goto(live.url + "/signalements/nouveau")
    check_page(page, "agent-fds-signalements-nouveau", problems)
    assert page.input_value("#f-met_on") == "02/06/2025"  # default: today
    assert page.is_hidden("#f-phone")
    page.check('input[name="contact_way"][value="phone"]')
    assert page.is_visible("#f-phone")
    page.fill("#f-description", "Jeune femme, pagne vert")
    page.select_option("#f-sex", "female")
    page.fill("#f-place", "Gare routière de Ouagadougou")
    page.select_option("#f-contact_agreed", "true")
    with page.expect_navigation():
        page.click("button[type=submit]")
    summary = page.inner_text(".error-summary")
    assert "Région" in summary and "Téléphone" in summary  # region and the phone now required
    assert page.input_value("#f-place") == "Gare routière de Ouagadougou"
    check_page(page, "agent-fds-signalements-erreurs", problems)
    page.select_option("#f-region", "kadiogo")
    page.fill("#f-phone", "+226 70 00 00 09")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url.endswith("/signalements")
    assert "Signalement transmis" in page.inner_text(".flash")
    row = page.locator("table.alerts tbody tr").first
    assert "Reçu" in row.inner_text() and "MNR-BF-" in row.inner_text()
    ref = row.locator("strong").inner_text()
    check_page(page, "agent-fds-signalements-liste", problems)
    cw = page_as(browser, live, "mariam.kabore", "phone")
    cw.goto(live.url + "/travail")
    assert ref in cw.inner_text("main")
    assert problems == [], "\n".join(map(str, problems))
