"""A long unbroken word typed by someone (a pasted URL, a reference number, 500 characters of
« xxxx ») never widens a page (tryout 3, F19: a provider's decline « Précisions » made the case
page 4,436 px wide on a 390 px phone and 4,886 px on a 1366 px laptop): the case page, the
provider's referral page and the notes, in Chromium on a phone and a laptop."""

from __future__ import annotations

from .helpers import MARIAM, case_with_referrals, provider
from .test_web__browser import pytestmark, signed_in  # noqa: F401  (pytestmark: skipped without Chromium)
from .test_web__tryout_fixes_browser import WIDTH

LONG = "x" * 480
SIZES = ({"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
         {"viewport": {"width": 1366, "height": 768}})


def test_a_long_unbroken_word_never_widens_a_page(live, browser):  # noqa: F811
    ref = case_with_referrals(live.wf)
    live.wf.fire(ref, "decline", provider("org-masn"), {"reason": "other", "details": "D" + LONG},
                 instance="referral:cash")
    with live.wf.sessions.begin() as s:  # a note with a pasted link, both ways
        from mno_workflow.store.models import Case, ReferralNote, StepInstance
        case = s.query(Case).filter_by(reference=ref).one()
        inst = s.query(StepInstance).filter_by(case_id=case.id, step="referral", key="medical").one()
        s.add(ReferralNote(case_id=case.id, instance_id=inst.id, author=MARIAM.user, role="caseworker",
                           organisation=None, text="https://example.org/" + LONG, at=live.clock.now()))
    pages = {"mariam.kabore": [f"/dossiers/{ref}"],
             "focal.csps": [f"/prestataire/{ref}/referral:medical", "/prestataire"],
             "focal.masn": [f"/prestataire/{ref}/referral:cash"]}
    wide = {}
    for size in SIZES:
        for user, urls in pages.items():
            page = signed_in(browser, live, user, locale="fr-FR", **size)
            for url in urls:
                page.goto(live.url + url)
                assert LONG[:50] in page.content() or "focal" in user, (user, url)
                scroll, _ = page.evaluate(WIDTH)  # against the screen: a phone widens innerWidth
                if scroll > size["viewport"]["width"]:  # to content that overflows
                    wide[(size["viewport"]["width"], user, url)] = scroll
            page.context.close()
    assert wide == {}, wide
