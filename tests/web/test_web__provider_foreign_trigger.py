"""A provider firing a trigger of another step (issue 13 review): « rôle non autorisé » (403
``role_not_allowed``, naming the roles the SOP allows), not « déclencheur inconnu » — in the
engine, on the API and on the page; nothing written. A trigger of its own role that the referral's
state does not allow stays « action impossible dans l'état actuel »."""

from __future__ import annotations

import httpx
import pytest

from mno_workflow.engine.errors import RoleNotAllowed, UnknownTrigger

from .conftest import PASSWORD
from .helpers import case_with_referrals, events_of, provider

MASN = provider("org-masn")


def token(live, user: str) -> dict:
    r = httpx.post(f"{live.url}/api/v1/auth/token", json={"username": user, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['token']}"}


@pytest.mark.parametrize("trigger", ["approve_plan", "record_visit", "revoke", "record_acceptance"])
def test_engine_api_and_page_say_role_not_allowed(live, trigger):
    ref = case_with_referrals(live.wf)  # cash → org-masn (sent), plan approved, follow-up running
    before = len(events_of(live.wf, ref, "fire"))
    with pytest.raises(RoleNotAllowed) as e:
        live.wf.fire(ref, trigger, MASN, {})
    assert "ne peut pas faire" in e.value.message.fr and "may not do" in e.value.message.en
    assert "Gestionnaire de cas" in e.value.message.fr or "Superviseur" in e.value.message.fr
    assert "Suivi" not in e.value.message.fr  # the case's steps and states are not named
    url = f"{live.url}/api/v1/cases/{ref}/fire"
    for lang, words in (("fr", "ne peut pas faire"), ("en", "may not do")):
        r = httpx.post(url, headers={**token(live, "focal.masn"), "Accept-Language": lang},
                       json={"trigger": trigger, "instance": "referral:cash", "payload": {}})
        assert r.status_code == 403, r.text
        assert r.json()["code"] == "role_not_allowed" and words in r.json()["message"]
    c = live.client("focal.masn")
    r = c.post(f"/dossiers/{ref}/actions/referral:cash/{trigger}",
               data={"csrftoken": c.cookies.get("csrftoken"), "version": "1"})
    assert r.status_code == 403
    # the page says it in words, headed by words (never the key role_not_allowed)
    assert "ne peut pas faire" in r.text and "role_not_allowed" not in r.text
    assert len(events_of(live.wf, ref, "fire")) == before


def test_a_providers_own_trigger_in_the_wrong_state_is_still_an_impossible_action(live):
    ref = case_with_referrals(live.wf)
    with pytest.raises(UnknownTrigger):  # complete: the provider's, but the referral is not accepted
        live.wf.fire(ref, "complete", MASN, {"delivered_on": "2025-06-02"}, instance="referral:cash")
