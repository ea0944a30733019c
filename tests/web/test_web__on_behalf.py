"""Issue 13 item 2: a provider's answer recorded on its behalf (caseworker or supervisor) on every
path — engine, API, page — with channel, contact and time; missing ones are per-field errors in
French and English with nothing written; the timeline says « enregistré pour le prestataire par … »;
referrals to an organisation the directory marks ``uses_platform: no`` read « suivi par le
gestionnaire »."""

from __future__ import annotations

import httpx
import pytest

from mno_workflow.engine.errors import FormInvalid

from .conftest import PASSWORD
from .helpers import IDRISSA, MARIAM, case_with_referrals, events_of

ANSWER = {"answer_channel": "phone", "provider_contact": "Major Kaboré",
          "answered_at": "2025-06-02T09:30:00Z"}


def token(live, user: str) -> dict:
    r = httpx.post(f"{live.url}/api/v1/auth/token", json={"username": user, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_engine_refuses_missing_channel_and_contact_then_records(live):
    ref = case_with_referrals(live.wf)
    before = len(events_of(live.wf, ref, "fire"))
    with pytest.raises(FormInvalid) as err:
        live.wf.fire(ref, "record_acceptance", MARIAM, {"answered_at": "2025-06-02T09:30:00Z"},
                     instance="referral:medical")
    assert set(err.value.errors) == {"answer_channel", "provider_contact"}
    assert all(m.fr and m.en for m in err.value.errors.values())
    assert len(events_of(live.wf, ref, "fire")) == before  # nothing written
    live.wf.fire(ref, "record_acceptance", MARIAM, ANSWER, instance="referral:medical")
    live.wf.fire(ref, "record_decline", IDRISSA, dict(ANSWER, reason="no_capacity"),
                 instance="referral:cash")
    fired = events_of(live.wf, ref, "fire")
    assert [(e.trigger, e.actor) for e in fired[-2:]] == [("record_acceptance", "mariam.kabore"),
                                                         ("record_decline", "idrissa.sanou")]
    assert fired[-2].data["provider_answer"]["provider_contact"] == "Major Kaboré"


def test_page_shows_on_behalf_and_off_platform(live):
    ref = case_with_referrals(live.wf)  # medical → org-csps, which answers by phone (directory: no)
    live.wf.fire(ref, "record_acceptance", MARIAM, ANSWER, instance="referral:medical")
    html = live.client("mariam.kabore").get(f"/dossiers/{ref}").text
    assert "suivi par le gestionnaire" in html
    assert "enregistré pour le prestataire par Mariam Kaboré (Téléphone, Major Kaboré" in html
    # org-masn uses the platform: its referral is not marked
    assert html.count("data-off-platform") == 1
    # the answer's time as every instant of the page, never ISO (tryout 4, G11; Ouagadougou: UTC+0)
    assert "02/06/2025 09:30" in html and "2025-06-02T09:30" not in html
    c = live.client("mariam.kabore")
    c.get("/langue/en")
    en = c.get(f"/dossiers/{ref}").text
    assert "02/06/2025 09:30" in en and "2025-06-02T09:30" not in en


def test_api_field_errors_then_success(live):
    ref = case_with_referrals(live.wf)
    auth = token(live, "mariam.kabore")
    url = f"{live.url}/api/v1/cases/{ref}/fire"
    r = httpx.post(url, headers=auth, json={"trigger": "record_delivery", "instance": "referral:cash",
                                            "payload": {}})
    assert r.status_code in (409, 422), r.text  # not accepted yet: the action is not allowed
    r = httpx.post(url, headers=auth, json={"trigger": "record_acceptance", "instance": "referral:cash",
                                            "payload": {"answered_at": "2025-06-02T09:30:00Z"}})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "form_invalid" and set(body["errors"]) == {"answer_channel", "provider_contact"}
    en = httpx.post(url, headers=dict(auth, **{"Accept-Language": "en"}),
                    json={"trigger": "record_acceptance", "instance": "referral:cash", "payload": {}}).json()
    assert en["errors"]["provider_contact"] != body["errors"]["provider_contact"]  # English text
    r = httpx.post(url, headers=auth, json={"trigger": "record_acceptance", "instance": "referral:cash",
                                            "payload": ANSWER})
    assert r.status_code == 200, r.text
