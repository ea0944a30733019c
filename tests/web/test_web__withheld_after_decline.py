"""A provider that declined a referral does not get the person's data back when the case manager
then closes it « sans service » (``closed_unmet``), and an organisation whose referral was revoked
keeps nothing either (tryout 10, M2: DOMAIN « access granted by a referral is removed when it is
rejected »; BF SOP 2026.9 ``withhold_in_states: [declined, closed_unmet, revoked]``). Page and API,
French and English; its notes refused too."""

from __future__ import annotations

import html

import httpx
import pytest

from .helpers import IDENT, MARIAM, case_with_referrals, provider
from .test_web__api_files import token

NAME = f"{IDENT['first_name']} {IDENT['last_name']}"


def _item(live, user: str, ref: str, inst: str) -> dict:
    r = httpx.get(f"{live.url}/api/v1/referrals", headers=token(live, user, "read"), timeout=60)
    assert r.status_code == 200, r.text
    return next(i for i in r.json()["items"] if i["reference"] == ref and i["instance"].endswith(inst))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_declined_then_closed_unmet_and_revoked_stay_withheld(live, lang):
    ref = case_with_referrals(live.wf)  # cash → org-masn, medical → org-csps
    live.wf.fire(ref, "decline", provider("org-masn"), {"reason": "other", "details": "Complet"},
                 instance="referral:cash")
    live.wf.fire(ref, "close_unmet", MARIAM, {"outcome": "no_capacity"}, instance="referral:cash")
    live.wf.fire(ref, "revoke", MARIAM, {"outcome": "other", "note": "Erreur d'orientation"},
                 instance="referral:medical")
    for user, inst in (("focal.masn", "cash"), ("focal.csps", "medical")):
        item = _item(live, user, ref, inst)
        assert not item.get("name") and not item.get("identification"), (user, item)
        c = live.client(user)
        c.get(f"/langue/{lang}")
        page = html.unescape(c.get(f"/prestataire/{ref}/referral:{inst}").text)
        assert NAME not in page and IDENT["phone"] not in page, (user, lang)
        notes = httpx.post(f"{live.url}/api/v1/cases/{ref}/referrals/referral:{inst}/notes",
                           json={"text": "Encore là ?"}, headers=token(live, user, "write"), timeout=60)
        assert notes.status_code in (403, 404, 409), (user, notes.status_code, notes.text)
