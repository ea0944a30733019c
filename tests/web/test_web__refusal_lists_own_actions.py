"""A refused action lists only what the refused person may do (tryout 7, J13): a provider's 422/409
on POST /api/v1/cases/{ref}/fire has ``allowed`` = ``allowed_actions`` (its own accept/decline,
never the case manager's « revoke » or « record_acceptance »), in French and English, and the page's
refusal names its own actions only; a case manager not assigned to the case is offered nothing."""

from __future__ import annotations

import httpx
import pytest

from mno_workflow.engine.engine import Actor
from mno_workflow.engine.errors import UnknownTrigger

from .conftest import PASSWORD
from .helpers import case_with_referrals, provider

MASN = provider("org-masn")
OTHERS = ("revoke", "record_acceptance", "record_decline", "close_unmet")


def token(live, user: str) -> dict:
    r = httpx.post(f"{live.url}/api/v1/auth/token", json={"username": user, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['token']}"}


@pytest.mark.parametrize("trigger", ["deliver", "complete"])  # not in the SOP; not in this state
def test_a_providers_refusal_lists_its_own_actions_only(live, trigger):
    ref = case_with_referrals(live.wf)  # cash → org-masn, sent
    with pytest.raises(UnknownTrigger) as e:
        live.wf.fire(ref, trigger, MASN, {}, instance="referral:cash")
    allowed = e.value.details["allowed"]
    assert allowed == [f"{a['trigger']} ({a['instance']})" for a in e.value.details["allowed_actions"]]
    assert "accept (referral:cash)" in allowed and not any(x.startswith(OTHERS) for x in allowed), allowed
    for lang, own, foreign in (("fr", "Accepter", "Révoquer"), ("en", "Accept", "Revoke")):
        r = httpx.post(f"{live.url}/api/v1/cases/{ref}/fire",
                       headers={**token(live, "focal.masn"), "Accept-Language": lang},
                       json={"trigger": trigger, "instance": "referral:cash", "payload": {}})
        body = r.json()
        assert r.status_code in (409, 422) and body["code"] == "trigger_not_allowed", r.text
        assert body["allowed"] == [f"{a['trigger']} ({a['instance']})" for a in body["allowed_actions"]]
        assert not any(x.startswith(OTHERS) for x in body["allowed"]), body
        assert own in body["message"] and foreign not in body["message"], body["message"]


def test_the_page_refusal_names_the_providers_own_actions(live):
    ref = case_with_referrals(live.wf)
    c = live.client("focal.masn")
    r = c.post(f"/dossiers/{ref}/actions/referral:cash/complete",
               data={"csrftoken": c.cookies.get("csrftoken"), "delivered_on": "2025-06-02"})
    assert r.status_code == 409, r.text[:500]
    assert "Accepter" in r.text and "Révoquer" not in r.text


def test_a_case_manager_not_assigned_is_offered_nothing(live):
    ref = case_with_referrals(live.wf)
    other = Actor("someone.else", "caseworker")
    with pytest.raises(Exception) as e:  # noqa: PT011 — the scope refusal or the trigger refusal
        live.wf.fire(ref, "fly_away", other, {})
    if isinstance(e.value, UnknownTrigger):
        assert e.value.details["allowed"] == [] and e.value.details["allowed_actions"] == []
