"""An action's old address after a reopen (tryout 7, J14): the follow-up of before the closure
(``follow_up:1``) is over, the case now follows up as ``follow_up:1-2``. Its form page says so at
once, in French and English, with a link to the action on the current step and no form to fill
in vain; a submission there (page, API, command line) is refused naming the current step, and
the list of what one can do never offers the refused action again."""

from __future__ import annotations

import re

import httpx

from mno_workflow.engine.errors import UnknownTrigger

from .conftest import PASSWORD
from .helpers import CONSENT, IDENT, IDRISSA, MARIAM, NEEDS

VISIT = {"visit_date": "2025-06-02", "contact_mode": "phone", "services_received": True, "risk_level": "low"}
OLD = "follow_up:1"


def reopened(wf) -> str:
    ref = wf.create_case("mnr_bf", MARIAM)
    wf.fire(ref, "register", MARIAM, IDENT)
    wf.fire(ref, "record_consent", MARIAM, CONSENT)
    wf.fire(ref, "submit_assessment", MARIAM, dict(NEEDS, needs=[
        {"dimension": "social", "need": "documentation", "referral_needed": False}]))
    wf.fire(ref, "approve_plan", IDRISSA)
    wf.fire(ref, "record_visit", MARIAM, VISIT)
    wf.fire(ref, "end_follow_up", MARIAM)
    wf.fire(ref, "propose_closure", MARIAM, {"reason": "goals_met", "closed_on": "2025-06-02"})
    wf.fire(ref, "approve_closure", IDRISSA)
    assert wf.reopen(ref, IDRISSA, "La personne revient").started == ["follow_up:1-2"]
    return ref


def test_the_old_form_page_says_the_step_is_over_and_links_to_the_current_one(live):
    ref = reopened(live.wf)
    c = live.client("mariam.kabore")
    for lang, words in (("fr", "est terminée"), ("en", "is over")):
        c.get(f"/langue/{lang}", params={"next": "/"})
        r = c.get(f"/dossiers/{ref}/actions/{OLD}/record_visit")
        assert r.status_code == 409, r.text[:300]
        assert words in r.text
        assert 'class="sop-form"' not in r.text  # no form to fill in for nothing
        assert f'href="/dossiers/{ref}/actions/follow_up:1-2/record_visit"' in r.text
        current = c.get(f"/dossiers/{ref}/actions/follow_up:1-2/record_visit")
        assert current.status_code == 200 and 'class="sop-form"' in current.text


def _offered(message: str) -> str:
    return message.split("Vous pouvez aussi", 1)[-1].split("You can also", 1)[-1]


def test_a_submission_on_the_old_step_names_the_current_one_on_every_path(live):
    ref = reopened(live.wf)
    try:
        live.wf.fire(ref, "record_visit", MARIAM, VISIT, instance=OLD)
    except UnknownTrigger as e:
        fr, en = e.text("fr"), e.text("en")
        assert "terminée ou remplacée" in fr and "finished or replaced" in en
        assert "Enregistrer un suivi" not in _offered(fr), fr  # not offered again as « you can »
        assert {"trigger": "record_visit", "instance": "follow_up:1-2"} in e.details["allowed_actions"]
    else:
        raise AssertionError("the old follow-up took the visit")
    # the page
    c = live.client("mariam.kabore")
    r = c.post(f"/dossiers/{ref}/actions/{OLD}/record_visit", data={"csrftoken": c.cookies.get("csrftoken"),
               **{k: str(v).lower() if isinstance(v, bool) else v for k, v in VISIT.items()}})
    assert r.status_code == 409
    [said] = re.findall(r'<p class="error" role="alert">(.*?)</p>', r.text, re.S)
    assert "terminée ou remplacée" in said and "Enregistrer un suivi" not in _offered(said), said
    assert 'class="sop-form"' not in r.text  # and no form to fill in again
    assert f'href="/dossiers/{ref}/actions/follow_up:1-2/record_visit"' in r.text
    # the API, French and English
    tok = httpx.post(f"{live.url}/api/v1/auth/token",
                     json={"username": "mariam.kabore", "password": PASSWORD}).json()["token"]
    for lang, words in (("fr", "terminée ou remplacée"), ("en", "finished or replaced")):
        r = httpx.post(f"{live.url}/api/v1/cases/{ref}/fire",
                       headers={"Authorization": f"Bearer {tok}", "Accept-Language": lang},
                       json={"trigger": "record_visit", "instance": OLD, "payload": VISIT})
        assert r.status_code == 409 and words in r.json()["message"], r.text
