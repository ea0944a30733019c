"""Issue 13: refusing data sharing no longer closes the case; no referral leaves it. The same
refusal, naming the consent, on the page (form action) and the REST API, in French and English;
nothing is written. A referral drafted at first contact (consent not yet asked) cannot be sent
once the person refused."""

from __future__ import annotations

from mno_workflow.store import repository

from .conftest import PASSWORD, csrf_of
from .helpers import IDENT, MARIAM

SEND = {"provider": "org-csps", "priority": "emergency", "referral_date": "2025-06-02", "channel": "phone"}


def refused_with_draft(wf) -> str:
    ref = wf.create_case("mnr_bf", MARIAM)
    wf.fire(ref, "register", MARIAM, IDENT)
    wf.fire(ref, "refer_immediately", MARIAM, {"dimension": "social", "need": "medical",
                                               "urgency": "Blessure (fictif)"})
    wf.fire(ref, "record_refusal", MARIAM, {"refused_on": "2025-06-02", "given_by": "self"})
    return ref


def _state(wf, ref):
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        return case.status, case.version, {i.label_key: i.state for i in case.instances}


def test_page_and_api_refuse_any_referral_after_a_refusal(live):
    wf = live.wf
    ref = refused_with_draft(wf)
    status, version, states = _state(wf, ref)
    assert status == "open" and states["needs_assessment:1"] == "in_progress"
    assert states["referral:medical"] == "draft"

    # page: the send form posted by the caseworker
    c = live.client("mariam.kabore")
    page = c.get(f"/dossiers/{ref}/actions/referral:medical/send")
    r = c.post(f"/dossiers/{ref}/actions/referral:medical/send",
               data={"csrftoken": csrf_of(page.text), "version": str(version), **SEND})
    assert r.status_code == 422
    assert "refusé le partage de ses données" in r.text and "assistance directe" in r.text
    # API, French then English; an immediate referral too
    tok = live.client().post("/api/v1/auth/token",
                             json={"username": "mariam.kabore", "password": PASSWORD}).json()["token"]
    h = {"Authorization": f"Bearer {tok}"}
    api = live.client()
    fr = api.post(f"/api/v1/cases/{ref}/fire", headers=h,
                  json={"trigger": "send", "instance": "referral:medical", "payload": SEND})
    assert fr.status_code == 422 and fr.json()["code"] == "guard_not_met"
    assert "consentement refusé" in fr.json()["message"]
    en = api.post(f"/api/v1/cases/{ref}/fire", headers=h | {"Accept-Language": "en"},
                  json={"trigger": "refer_immediately",
                        "payload": {"dimension": "social", "need": "security", "urgency": "Menaces"}})
    assert en.status_code == 422 and "consent refused" in en.json()["message"]
    assert "direct assistance only" in en.json()["message"]
    assert _state(wf, ref) == (status, version, states)  # nothing written
