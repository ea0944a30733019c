"""Tryout 3, F21: a long unbroken word typed by a user (here a reassignment's reason, the one
free text a notification repeats) never widens the notifications page on a phone (390 px), in
French and English: the notification's text wraps anywhere."""

from __future__ import annotations

from mno_workflow.store.models import User
from mno_workflow.web.demo_data import DEMO_MORE_USERS, create_users

from .conftest import PASSWORD
from .helpers import case_with_referrals
from .test_web__browser import pytestmark, signed_in  # noqa: F401  (pytestmark: skipped without Chromium)

NEW = "rasmata.compaore"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_a_long_word_in_a_notification_never_widens_the_page(live, browser):  # noqa: F811
    ref = case_with_referrals(live.wf)
    with live.wf.sessions.begin() as s:
        create_users(s, [u for u in DEMO_MORE_USERS if u.id == NEW], PASSWORD)
    sup = live.client("idrissa.sanou")
    word = "x" * 300
    r = sup.post(f"/dossiers/{ref}/reattribuer",
                 data={"csrftoken": sup.cookies.get("csrftoken"), "assignee": NEW, "reason": word})
    assert r.status_code == 303, r.text[-2000:]
    with live.wf.sessions() as s:
        assert s.get(User, NEW) is not None
    for lang, locale in (("fr", "fr-FR"), ("en", "en-GB")):
        page = signed_in(browser, live, NEW, locale=locale, **PHONE)
        page.goto(f"{live.url}/langue/{lang}")
        page.goto(f"{live.url}/notifications")
        assert word in page.inner_text("main"), (lang, page.inner_text("main")[:1000])  # the test can fail
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (lang, width)
        page.close()
