"""F37: on a 390 px phone the case page's step diagram is readable — natural size (at least 600 px
wide) in its own sideways-scrolling box, with « Ouvrir en grand » opening the SVG full size — and
the page itself does not scroll sideways (Chromium)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from .conftest import CHROMIUM
from .helpers import IDENT, MARIAM
from .test_web__browser import signed_in

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium not installed")


@pytest.mark.parametrize(("lang", "link"), [("fr", "Ouvrir en grand"), ("en", "Open full size")])
def test_the_step_diagram_is_readable_on_a_phone(live, browser, lang, link):
    ref = live.wf.create_case("mnr_bf", MARIAM)
    live.wf.fire(ref, "register", MARIAM, IDENT)
    page = signed_in(browser, live, "mariam.kabore", viewport={"width": 390, "height": 844})
    page.goto(f"{live.url}/langue/{lang}?next=/dossiers/{ref}")
    img = page.locator("figure.diagram img").first
    img.scroll_into_view_if_needed()
    page.wait_for_function("() => { const i = document.querySelector('figure.diagram img');"
                           " return i && i.complete && i.naturalWidth > 0; }")
    assert img.bounding_box()["width"] >= 600  # not a thumbnail squeezed into 390 px
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no page-level sideways scroll
    full = page.locator("figure.diagram a[data-diagram-full]").first
    assert full.inner_text() == link
    href = full.get_attribute("href")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    r = httpx.get(live.url + href, cookies=cookies)
    assert r.status_code == 200 and r.text.lstrip().startswith(("<?xml", "<svg")), r.text[:80]


def test_the_handbook_diagrams_are_readable_on_a_phone(browser):
    """The handbook (HTML, real Graphviz SVG) at 390 px: its step diagrams are at least 600 px wide
    in their own scrolling box, and the page does not scroll sideways."""
    from mno_workflow.render.handbook import render_handbook_html
    from mno_workflow.sop.loader import load_file

    from ..conftest import BF_SOP
    html = render_handbook_html(load_file(BF_SOP).model, "fr", svg=True)
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.set_content(html)
    widths = page.evaluate("[...document.querySelectorAll('figure.diagram svg')]"
                           ".map(s => s.getBoundingClientRect().width)")
    assert widths and min(widths) >= 600, widths
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
