"""Layout problems a new user found, checked in Chromium at a common laptop size (1366×768)."""

from __future__ import annotations

from datetime import timedelta

from .helpers import case_with_referrals
from .test_web__browser import (
    pytestmark,  # noqa: F401  (skipped without Chromium)
    signed_in,
)


def laptop_page(browser, live, user: str):
    return signed_in(browser, live, user, locale="fr-FR", viewport={"width": 1366, "height": 768})


OVERFLOW = """() => [...document.querySelectorAll('table.data')].map(t => {
  const box = t.parentElement.getBoundingClientRect();
  return {right: t.getBoundingClientRect().right, box: box.right, width: t.scrollWidth,
          room: t.parentElement.clientWidth};
})"""


def test_my_work__parallel_referrals_named_and_tables_fit_a_laptop(live, browser):
    ref = case_with_referrals(live.wf, send=False)
    live.clock.advance(timedelta(days=30))
    page = laptop_page(browser, live, "mariam.kabore")
    page.goto(live.url + "/travail")
    rows = page.locator("section.card.overdue tbody tr").all_inner_texts()
    mine = sorted(r for r in rows if ref in r and "Référencement" in r)
    assert len(mine) == 2 and mine[0] != mine[1]
    assert any("Assistance en espèces" in r for r in mine) and any("Soins médicaux" in r for r in mine)
    for t in page.evaluate(OVERFLOW):
        assert t["right"] <= t["box"] + 0.5 and t["width"] <= t["room"] + 0.5, t
    header = page.locator("section.card.overdue thead th").last
    card = page.locator("section.card.overdue")
    hb, cb = header.bounding_box(), card.bounding_box()
    assert hb["x"] + hb["width"] <= cb["x"] + cb["width"]


def test_dashboard__bar_labels_not_cut_and_french_decimals(live, browser):
    from .helpers import IDENT, MARIAM

    ref = live.wf.create_case("mnr_bf", MARIAM)
    live.clock.advance(timedelta(hours=16, minutes=48))  # identification takes 0.7 day
    live.wf.fire(ref, "register", MARIAM, IDENT)  # now « Consentement éclairé · Consentement à recueillir »
    page = laptop_page(browser, live, "idrissa.sanou")
    page.goto(live.url + "/tableau-de-bord")
    # issue 20 removed the per-step median chart (« 0,7 j »); French decimals: test_french_number_formatting
    lefts = page.evaluate(
        "() => [...document.querySelectorAll('svg.chart text')].map(t => [t.textContent, t.getBBox().x])"
    )
    assert lefts and all(x >= 0 for _, x in lefts), [p for p in lefts if p[1] < 0]
