"""No referral note on an erased case (tryout 10, M3): like an attachment, a note would bring the
person's data back after the erasure. The API answers 409 ``case_erased`` with the reason, the
pages' note forms (the provider's referral page of a closed erased case; the case page, which
shows a notes box on an open case only: one erased by an older version, tryout 9 L9) are gone
with the reason said, and a note posted to the page's URL anyway is refused with that reason
(nothing written)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mno_workflow.store.models import ReferralNote

from ..engine.helpers import erase_while_open
from .conftest import PASSWORD
from .helpers import IDRISSA, case_with_referrals, fully_closed_case

WORDS = {"fr": "Les données de cette personne ont été effacées : aucune note ne peut plus être écrite "
               "sur ce dossier.",
         "en": "This person's data were erased: no note can be written on this case any more."}
FORM = 'action="/dossiers/{ref}/notes/referral:cash"'


def token(live, user: str) -> dict:
    r = live.client().post("/api/v1/auth/token", json={"username": user, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['token']}"}


def notes(wf) -> int:
    with wf.sessions() as s:
        return s.scalar(select(func.count()).select_from(ReferralNote))


def erased_case(live) -> str:
    """A closed case whose referral to org-masn the provider still reads, then erased (API)."""
    ref = fully_closed_case(live.wf)
    focal = live.client("focal.masn")
    assert FORM.format(ref=ref) in focal.get(f"/prestataire/{ref}/referral:cash").text  # before: a form
    r = live.client().post(f"/api/v1/cases/{ref}/erase", json={"reason": "Demande écrite"},
                           headers=token(live, "coord.mnr"))
    assert r.status_code == 200 and r.json()["erased"] > 0, r.text
    return ref


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_api_note_on_an_erased_case__409_case_erased__nothing_written(live, lang):
    ref = erased_case(live)
    before = notes(live.wf)
    url = f"/api/v1/cases/{ref}/referrals/referral:cash/notes"
    for user in ("focal.masn", "mariam.kabore"):
        r = live.client().post(url, json={"text": "Après effacement : tél 71108131"},
                               headers={**token(live, user), "Accept-Language": lang})
        assert r.status_code == 409, (user, r.text)
        assert r.json() == {"code": "case_erased", "message": WORDS[lang]}
    assert notes(live.wf) == before


def open_erased_case(live) -> str:
    """An open case with its referrals sent, erased by an older version (tryout 9, L9)."""
    ref = case_with_referrals(live.wf)
    assert FORM.format(ref=ref) in live.client("mariam.kabore").get(f"/dossiers/{ref}").text  # before
    assert erase_while_open(live.wf, ref, IDRISSA, "demande de la personne") > 0
    return ref


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_pages_of_an_erased_case__no_note_form__reason_said__forged_post_refused(live, lang):
    closed, still_open = erased_case(live), open_erased_case(live)
    before = notes(live.wf)
    said = WORDS[lang].replace("'", "&#39;")
    for user, ref, page in (("focal.masn", closed, f"/prestataire/{closed}/referral:cash"),
                            ("mariam.kabore", still_open, f"/dossiers/{still_open}")):
        c = live.client(user)
        c.get(f"/langue/{lang}")
        text = c.get(page).text
        assert FORM.format(ref=ref) not in text and 'name="text"' not in text, user
        assert "data-notes-closed" in text and said in text, user
        r = c.post(f"/dossiers/{ref}/notes/referral:cash",
                   data={"csrftoken": c.cookies.get("csrftoken"), "text": "Après effacement : tél 71108131"})
        assert r.status_code == 303, (user, r.status_code)
        after = c.get(r.headers["location"]).text
        assert "flash-error" in after and said in after, user
    assert notes(live.wf) == before
