"""Tryout 3, F33: once the person's consent is withdrawn (or has expired), the provider sees of
its referral the reference and the state only (with the reason), on every page that shows it: the
inbox row (no need, priority nor deadline), the referral page (title, heading, no need, no service
level, the links by number, never by the need) and its notifications, including those stored
before the withdrawal (rendered at display time, moved to « Terminé »)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from .helpers import CONSENT, MARIAM, case_with_referrals

NEED = {"fr": "Assistance en espèces", "en": "Cash assistance"}
PRIORITY = {"fr": ("Normale", "Urgente"), "en": ("Normal", "Urgent")}


def visible(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture(params=["withdrawn", "expired"])
def withdrawn(live, request):
    """A referral sent to org-masn (cash) whose consent was then withdrawn, or expired."""
    consent = {**CONSENT, "expires_on": "2025-06-05"} if request.param == "expired" else None
    ref = case_with_referrals(live.wf, consent=consent)  # cash sent to org-masn
    c = live.client("focal.masn")
    before = visible(c.get("/notifications").text)
    assert ref in before and NEED["fr"] in before, before[:3000]  # the test can fail
    assert NEED["fr"] in visible(c.get("/prestataire").text)
    if request.param == "expired":
        live.clock.advance(timedelta(days=5))
    else:
        live.wf.fire(ref, "withdraw_consent", MARIAM, {"withdrawn_on": "2025-06-02", "expressed_by": "self"})
    return live, ref, c


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_withdrawn_referral_shows_the_reference_and_state_only(withdrawn, lang):
    live, ref, c = withdrawn
    c.get(f"/langue/{lang}")
    page = c.get("/prestataire").text
    row = next(r for r in page.split("<tr") if ref in r)
    assert NEED[lang] not in row and not any(p in row for p in PRIORITY[lang]), row
    assert "referral:cash" not in row and "cash" not in row, row
    href = re.search(r'href="(/prestataire/[^"]+)"', row).group(1)
    referral = c.get(href)
    assert referral.status_code == 200, href
    html = referral.text
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    h1 = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert ref in h1 and NEED[lang] not in h1 and NEED[lang] not in title, (title, h1)
    assert NEED[lang] not in visible(html) and "referral:cash" not in html, visible(html)[:3000]
    # the page by its need's key shows no more
    assert NEED[lang] not in visible(c.get(f"/prestataire/{ref}/referral:cash").text)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_withdrawn_referral_notifications_name_no_need_and_are_done(withdrawn, lang):
    live, ref, c = withdrawn
    c.get(f"/langue/{lang}")
    html = c.get("/notifications").text
    items = [li for li in html.split("<li") if ref in li]
    assert items, visible(html)[:3000]
    for li in items:
        text = visible(li)
        assert NEED[lang] not in text and "referral:cash" not in li, text
        assert not re.search(r"échéance|due \d|\d\d/\d\d/\d{4} \d\d:\d\d \S", text.split(ref, 1)[1]), text
        assert "group-todo" not in li and "group-late" not in li, li[:400]
    todo = visible(c.get("/notifications?groupe=todo").text)
    assert ref not in todo, todo[:2000]


def test_a_provider_digest_leaves_out_a_withdrawn_referral(live):
    """The daily digest (in-app) listed the referral by its need; once consent is withdrawn it no
    longer lists it (nothing is due from the provider there), in French and English."""
    from mno_workflow.reminders.digest import build_digests

    ref = case_with_referrals(live.wf)
    later = live.clock.now() + timedelta(days=30)  # the cash referral's answer is overdue
    build_digests(live.wf, later)
    live.clock.set(later)
    c = live.client("focal.masn")

    def digest_items() -> str:
        html = c.get("/notifications").text
        return " ".join(visible(x) for x in re.findall(r'<li class="digest-case">.*?</li>', html, re.S))

    assert ref in digest_items() and NEED["fr"] in digest_items()  # the test can fail
    live.wf.fire(ref, "withdraw_consent", MARIAM, {"withdrawn_on": "2025-06-02", "expressed_by": "self"})
    for lang in ("fr", "en"):
        c.get(f"/langue/{lang}")
        items = digest_items()
        assert ref not in items and NEED[lang] not in items, items


def test_a_note_message_moves_to_done_too(live):
    """The caseworker's note to the provider, notified before the withdrawal, is no longer an
    « Informations » item with a live link once the referral is unreadable (tryout 5, H19)."""
    import httpx

    from .conftest import PASSWORD
    ref = case_with_referrals(live.wf)  # cash sent to org-masn
    tok = httpx.post(f"{live.url}/api/v1/auth/token",
                     json={"username": "mariam.kabore", "password": PASSWORD}).json()["token"]
    r = httpx.post(f"{live.url}/api/v1/cases/{ref}/referrals/referral:cash/notes",
                   headers={"Authorization": f"Bearer {tok}"}, json={"text": "Rendez-vous lundi"})
    assert r.status_code in (200, 201), r.text
    c = live.client("focal.masn")
    info = c.get("/notifications?groupe=info").text
    assert ref in info  # the test can fail: the note's message is information before
    live.wf.fire(ref, "withdraw_consent", MARIAM, {"withdrawn_on": "2025-06-02", "expressed_by": "self"})
    assert ref not in c.get("/notifications?groupe=info").text
    assert ref in c.get("/notifications?groupe=done").text
