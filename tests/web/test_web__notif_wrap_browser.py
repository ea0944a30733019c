"""Tryout 3, F21: a long unbroken word typed by a user (here a reassignment's reason) never widens
the notifications page on a phone (390 px), in French and English. Since the last review a
notification repeats no free text at all (the reason stays on the case page): the word is not
there, and the page keeps its width."""

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
        text = page.inner_text("main")
        assert "réattribué" in text or "reassigned" in text, (lang, text[:1000])  # the notification is there
        assert word not in text, lang  # without the reason typed by the supervisor
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (lang, width)
        page.close()
