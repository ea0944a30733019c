"""Two coordinators on the same service page in a real browser (Chromium via Playwright), tryout 5
H6: A saves first; B's save from the page opened before is refused — B's typed text still in the
form, A's change shown old → new — and B's second save, from that refreshed form, keeps both."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from mno_workflow import directory
from mno_workflow.store.models import User
from mno_workflow.web.security import hash_password

from .conftest import CHROMIUM, PASSWORD

pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium not installed")

SVC = "svc-oim-transit"


def signed_in(browser, live, user: str, locale: str):
    page = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900}).new_page()
    page.goto(live.url + "/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    return page


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_second_editor_is_told_and_keeps_what_they_typed(live, browser, lang):
    with live.wf.sessions.begin() as s:
        s.add(User(id="coord.deux", display_name="Aïcha Traoré", role="coordinator", language=lang,
                   password_hash=hash_password(PASSWORD), active=True))
        s.get(User, "coord.mnr").language = lang
    a = signed_in(browser, live, "coord.mnr", "fr-FR" if lang == "fr" else "en-GB")
    b = signed_in(browser, live, "coord.deux", "fr-FR" if lang == "fr" else "en-GB")
    for page in (a, b):
        page.goto(f"{live.url}/repertoire/services/{SVC}")
    a.fill("#svc-fees_description", "Gratuit (édition A)")
    with a.expect_navigation():
        a.click("#service-form button.primary")
    b.fill("#svc-eligibility_description", "Adultes seulement (édition B)")
    with b.expect_navigation():
        b.click("#service-form button.primary")
    stale = b.inner_text("#stale")
    title = ("Ce service a été modifié depuis que vous l'avez ouvert" if lang == "fr"
             else "This service has been changed since you opened it")
    assert title in stale and "Coordination MNR" in stale and "→ Gratuit (édition A)" in stale
    assert b.input_value("#svc-eligibility_description") == "Adultes seulement (édition B)"
    t = directory.TABLES["service"]
    with live.wf.sessions() as s:
        row = s.execute(select(t).where(t.c.id == SVC)).mappings().one()
    assert row["fees_description"] == "Gratuit (édition A)"
    assert row["eligibility_description"] != "Adultes seulement (édition B)"  # nothing of B's written
    b.fill("#svc-fees_description", "Gratuit (édition A)")  # B takes A's change, saves again
    with b.expect_navigation():
        b.click("#service-form button.primary")
    assert b.query_selector("#stale") is None
    with live.wf.sessions() as s:
        row = s.execute(select(t).where(t.c.id == SVC)).mappings().one()
    assert (row["fees_description"], row["eligibility_description"]) == (
        "Gratuit (édition A)", "Adultes seulement (édition B)")
