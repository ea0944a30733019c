"""Tryout 4, G9 and G10: a referral declined by one provider (A, org-masn, reason « Autre » with
free-text details) and re-referred to another (B, org-ecoute), same step instance.

Each path a provider or the case manager reads it by — the provider's referral page, the
provider API (``GET /api/v1/referrals``), the notifications page, the in-app digest, the case page
and its « Référencements » table — for A, B and the case manager, in French and English:

- B sees its own referral, never A's decline (reason nor details);
- A's notifications about it are over (« Terminé »), name no need nor deadline, link nowhere
  (its page is no longer A's: 404), and A's digest no longer lists it;
- the case manager sees A's decline labelled with A's name and when it was recorded.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest

from mno_workflow.web.core import Web

from .conftest import PASSWORD, csrf_of
from .helpers import MARIAM, case_with_referrals, provider, referral

DETAILS = "Nous ne faisons pas de transferts monétaires ici"
NEED = {"fr": "Assistance en espèces", "en": "Cash assistance"}
REASON = {"fr": "Motif du refus", "en": "Reason for declining"}
NOTE_A = "Note de l'organisation qui refuse"
NOTE_CM = "Note du gestionnaire pour la première organisation"
ANSWER_FROM = {"fr": "Réponse de", "en": "Answer from"}


def visible(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def digest_items(c) -> str:
    html = c.get("/notifications").text
    return " ".join(visible(x) for x in re.findall(r'<li class="digest-case">.*?</li>', html, re.S))


@pytest.fixture
def story(live):
    """Cash sent to org-masn (A), A's digest written while it is overdue, A declines with
    details, the case manager re-refers cash to org-ecoute (B)."""
    from mno_workflow.reminders.digest import build_digests

    ref = case_with_referrals(live.wf)  # cash sent to org-masn, medical to org-csps
    a, b, cm = (live.client(u) for u in ("focal.masn", "focal.ecoute", MARIAM.user))
    later = live.clock.now() + timedelta(days=30)  # A's answer is overdue: its digest lists it
    build_digests(live.wf, later)
    live.clock.set(later)
    before = visible(a.get("/notifications?groupe=late").text)
    assert ref in before and NEED["fr"] in before, before[:3000]  # the test can fail
    assert ref in digest_items(a) and NEED["fr"] in digest_items(a)
    for client, user, text in ((a, "focal.masn", NOTE_A), (cm, MARIAM.user, NOTE_CM)):
        r = client.post(f"/api/v1/cases/{ref}/referrals/referral:cash/notes", json={"text": text},
                        headers=_token(client, user))
        assert r.status_code == 201, r.text
    live.clock.advance(timedelta(minutes=5))
    live.wf.fire(ref, "decline", provider("org-masn"), {"reason": "other", "details": DETAILS},
                 instance="referral:cash")
    live.wf.fire(ref, "re_refer", MARIAM, referral("org-ecoute"), instance="referral:cash")
    return live, ref, {"A": a, "B": b, "cm": cm}


def _token(c, user: str) -> dict[str, str]:
    token = c.post("/api/v1/auth/token", json={"username": user, "password": PASSWORD}).json()["token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_new_provider_never_sees_the_earlier_decline(story, lang):
    live, ref, c = story
    b = c["B"]
    b.get(f"/langue/{lang}")
    page = b.get(f"/prestataire/{ref}/referral:cash")
    assert page.status_code == 200
    text = visible(page.text)
    assert NEED[lang] in text, text[:3000]  # its own referral, with its need
    assert DETAILS not in text and REASON[lang] not in text, text[:3000]
    items = [i for i in b.get("/api/v1/referrals", headers=_token(b, "focal.ecoute")).json()["items"]
             if i["reference"] == ref]
    assert [i["instance"] for i in items] == ["referral:cash"]
    assert "decline" not in items[0]["data"] and "referral" in items[0]["data"], items[0]
    assert DETAILS not in str(items)
    # nor the notes exchanged with the first organisation (page, API), nor its events (409 page)
    assert NOTE_A not in text and NOTE_CM not in text
    api_notes = b.get(f"/api/v1/cases/{ref}/referrals/referral:cash/notes", headers=_token(b, "focal.ecoute"))
    assert api_notes.status_code == 200 and api_notes.json()["items"] == [], api_notes.text
    form = b.get(f"/dossiers/{ref}/actions/referral:cash/accept")
    assert form.status_code == 200
    stale = b.post(f"/dossiers/{ref}/actions/referral:cash/accept",
                   data={"csrftoken": csrf_of(form.text), "version": "1"})
    assert stale.status_code == 409
    said = visible(stale.text)
    decline = {"fr": "Refuser avec un motif", "en": "Decline with a reason"}[lang]
    refer_again = {"fr": "Référer à un autre prestataire", "en": "Refer to another provider"}[lang]
    assert refer_again in said, said[:3000]  # its own referral's events are listed
    assert decline not in said and DETAILS not in said, said[:3000]
    notes = visible(b.get("/notifications").text)
    assert ref in notes and DETAILS not in notes and REASON[lang] not in notes, notes[:3000]
    todo = visible(b.get("/notifications?groupe=todo").text)
    assert ref in todo and NEED[lang] in todo, todo[:3000]  # B's own task, to do


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_provider_that_declined_has_nothing_left_to_do(story, lang):
    live, ref, c = story
    a = c["A"]
    a.get(f"/langue/{lang}")
    assert a.get(f"/prestataire/{ref}/referral:cash").status_code == 404
    items = a.get("/api/v1/referrals", headers=_token(a, "focal.masn")).json()["items"]
    assert [i for i in items if i["reference"] == ref] == []  # medical went to org-csps
    html = a.get("/notifications").text
    # its task and reminder messages, and the digest (its items are checked below)
    mine = [li for li in re.findall(r"<li[ >].*?</li>", html, re.S) if ref in li]
    assert mine, visible(html)[:3000]
    for li in mine:
        text = visible(li)
        assert NEED[lang] not in text and "referral:cash" not in li, text
        assert not re.search(r"échéance|due \d|\d\d/\d\d/\d{4} \d\d:\d\d \S", text.split(ref, 1)[1]), text
        for href in re.findall(r'href="([^"]+)"', li):
            assert a.get(href).status_code == 200, href  # never a link that answers 404
    for group in ("todo", "late"):
        shown = visible(a.get(f"/notifications?groupe={group}").text)
        assert ref not in shown, (group, shown[:3000])
    assert ref in visible(a.get("/notifications?groupe=done").text)
    items = digest_items(a)
    assert ref not in items and NEED[lang] not in items, items
    digest = next(li for li in re.findall(r"<li[ >].*?</li>", html, re.S) if 'class="subject"' in li)
    assert ref not in digest and "/prestataire/" not in digest, visible(digest)  # nor in its body


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_case_manager_sees_the_decline_as_the_first_organisations(story, lang):
    live, ref, c = story
    cm = c["cm"]
    cm.get(f"/langue/{lang}")
    html = cm.get(f"/dossiers/{ref}").text
    with live.wf.sessions() as s:
        masn = Web.directory_names(s, lang)["org-masn"]
    text = visible(html)
    assert DETAILS in text  # the case manager keeps the decline's details, and the notes
    assert NOTE_A in text and NOTE_CM in text
    title = {"fr": "Référencements", "en": "Referrals"}[lang]
    table = html.split(f"<h2>{title}</h2>", 1)[1].split("</table>", 1)[0]
    row = next(r for r in table.split("<tr") if NEED[lang] in r and DETAILS in r)
    label = f"{ANSWER_FROM[lang]} : {masn}" if lang == "fr" else f"{ANSWER_FROM[lang]}: {masn}"
    assert label in visible(row), visible(row)
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", visible(row).split(ANSWER_FROM[lang], 1)[1])
    box = text.split(DETAILS)[0].rsplit(REASON[lang], 1)[0]
    assert ANSWER_FROM[lang] in text and masn in box, box[-500:]


def test_a_decline_that_stays_declined_is_unlabelled_and_the_decliner_still_blind(live):
    """The decline-only case: the referral stays with A — no « Réponse de » row on the case page,
    A's page still answers (reference and state), and its task is over."""
    ref = case_with_referrals(live.wf)
    live.wf.fire(ref, "decline", provider("org-masn"), {"reason": "other", "details": DETAILS},
                 instance="referral:cash")
    cm = live.client(MARIAM.user)
    text = visible(cm.get(f"/dossiers/{ref}").text)
    assert DETAILS in text and ANSWER_FROM["fr"] not in text
    a = live.client("focal.masn")
    assert a.get(f"/prestataire/{ref}/referral:cash").status_code == 200
    assert ref not in visible(a.get("/notifications?groupe=todo").text)
