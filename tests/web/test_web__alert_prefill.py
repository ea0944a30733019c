"""The pre-fill of an alert-born case is the same on every path (issue 13 review): the page's
form opens with the alert's values, the API shows them (``GET /cases/{ref}/prefill/{trigger}``)
and completes a fired payload's **absent** fields with them (``prefilled`` in the answer; a field
sent, even empty, is kept; ``"prefill": false`` turns it off), like ``mno case fire``
(tests/cli/test_cli__alert_prefill.py). One module does it: engine/prefill.py."""

from __future__ import annotations

import html
import re

import httpx
import pytest
import schemathesis

from mno_workflow.engine.alerts import file_alert
from mno_workflow.engine.prefill import complete, opening_values, transition_of
from mno_workflow.store import repository

from .conftest import PASSWORD, csrf_of
from .helpers import MARIAM
from .test_web__alerts import ALERT, FDS

EXPECTED = {"first_name": "Adama", "last_name": "Tapsoba", "sex": "male", "estimated_age": 27,
            "region": "kadiogo", "commune": "Gare routière de Ouagadougou", "phone": "+226 70 00 00 09"}


def _token(live, user):
    return {"Authorization": "Bearer " + httpx.post(
        f"{live.url}/api/v1/auth/token", json={"username": user, "password": PASSWORD}).json()["token"]}


def test_shared_module_completes_only_absent_fields(live):
    ref = file_alert(live.wf, "mnr_bf", FDS, ALERT).reference
    live.wf.fire(ref, "take_up", MARIAM, {"contacted_on": "2025-06-02", "mode": "phone"})
    with live.wf.sessions() as s:
        case = repository.get_case(s, ref)
        sop = live.wf.registry.for_case(case).sop
        tr = transition_of(sop, case, "register", "caseworker")
        assert tr is not None and tr.forms == ["identification"]
        assert opening_values(sop, case, tr.forms) == EXPECTED
        payload, taken = complete(sop, case, tr, {"first_name": "Adama B.", "phone": None,
                                                  "return_date": "2025-06-01"})
        assert payload == {**EXPECTED, "first_name": "Adama B.", "phone": None, "return_date": "2025-06-01"}
        assert sorted(taken["identification"]) == sorted(set(EXPECTED) - {"first_name", "phone"})
        assert transition_of(sop, case, "register", "provider") is None
        assert transition_of(sop, case, "approve_plan", "supervisor") is None  # not in this state


def test_api_shows_and_applies_the_alerts_prefill(live):
    ref = file_alert(live.wf, "mnr_bf", FDS, ALERT).reference
    auth = _token(live, "mariam.kabore")
    doc = httpx.get(f"{live.url}/api/v1/openapi.json").json()
    schema = schemathesis.openapi.from_dict(doc)
    fire = f"{live.url}/api/v1/cases/{ref}/fire"
    r = httpx.post(fire, headers=auth, json={"trigger": "take_up", "payload": {
        "contacted_on": "2025-06-02", "mode": "phone"}})
    assert r.status_code == 200 and "identification:1" in r.json()["started"] and r.json()["prefilled"] == {}
    shown = httpx.get(f"{live.url}/api/v1/cases/{ref}/prefill/register", headers=auth)
    schema["/cases/{reference}/prefill/{trigger}"]["GET"].validate_response(shown)
    assert shown.json()["forms"] == {"identification": EXPECTED}
    # without the pre-fill, the alert's fields are missing: per-field errors, nothing written
    off = httpx.post(fire, headers=auth, json={"trigger": "register", "prefill": False,
                                               "payload": {"return_date": "2025-06-01"}})
    assert off.status_code == 422 and {"first_name", "sex"} <= set(off.json()["errors"])
    r = httpx.post(fire, headers=auth, json={"trigger": "register", "payload": {
        "return_date": "2025-06-01", "phone": ""}})
    assert r.status_code == 200, r.text
    schema["/cases/{reference}/fire"]["POST"].validate_response(r)
    assert sorted(r.json()["prefilled"]["identification"]) == sorted(set(EXPECTED) - {"phone"})
    with live.wf.sessions() as s:
        ident = repository.get_case(s, ref).data["identification"]
    assert {k: ident.get(k) for k in EXPECTED if k != "phone"} == {k: v for k, v in EXPECTED.items()
                                                                   if k != "phone"}
    assert not ident.get("phone")  # sent empty: cleared, not pre-filled
    other = httpx.get(f"{live.url}/api/v1/cases/{ref}/prefill/register",
                      headers=_token(live, "awa.ouedraogo"))
    assert other.status_code == 404  # another case manager's case: not visible


def test_the_page_opens_with_the_same_values(live):
    ref = file_alert(live.wf, "mnr_bf", FDS, ALERT).reference
    live.wf.fire(ref, "take_up", MARIAM, {"contacted_on": "2025-06-02", "mode": "phone"})
    form = live.client("mariam.kabore").get(f"/dossiers/{ref}/actions/identification:1/register").text
    for value in ("Adama", "Tapsoba", "Gare routière de Ouagadougou", "+226 70 00 00 09"):
        assert f'value="{value}"' in form, value
    assert re.search(r'<option value="kadiogo"\s+selected', form)


# --- Tryout 7, J8: the alert's flags tick the matching vulnerability categories (prefill_choices) ---

CHILD = {**ALERT, "estimated_age": 16, "urgency": ["gbv_recent", "child_alone"]}
TICKED = ["unaccompanied_child", "gbv_survivor"]  # in the option list's order


def _child_case(live) -> str:
    ref = file_alert(live.wf, "mnr_bf", FDS, CHILD).reference
    live.wf.fire(ref, "take_up", MARIAM, {"contacted_on": "2025-06-02", "mode": "phone"})
    return ref


def test_alert_flags_pre_tick_vulnerabilities_on_api_and_engine(live):
    ref = _child_case(live)
    with live.wf.sessions() as s:
        case = repository.get_case(s, ref)
        sop = live.wf.registry.for_case(case).sop
        assert opening_values(sop, case, ["identification"])["vulnerabilities"] == TICKED
    auth = _token(live, "mariam.kabore")
    shown = httpx.get(f"{live.url}/api/v1/cases/{ref}/prefill/register", headers=auth).json()
    assert shown["forms"]["identification"]["vulnerabilities"] == TICKED
    r = httpx.post(f"{live.url}/api/v1/cases/{ref}/fire", headers=auth, json={
        "trigger": "register", "payload": {"return_date": "2025-06-01"}})
    assert r.status_code == 200, r.text
    assert "vulnerabilities" in r.json()["prefilled"]["identification"]
    assert any(s.startswith("best_interests") for s in r.json()["started"])  # child protection starts
    with live.wf.sessions() as s:
        assert repository.get_case(s, ref).data["identification"]["vulnerabilities"] == TICKED


def test_alert_without_flags_ticks_nothing_and_a_sent_empty_list_is_kept(live):
    ref = file_alert(live.wf, "mnr_bf", FDS, ALERT).reference
    live.wf.fire(ref, "take_up", MARIAM, {"contacted_on": "2025-06-02", "mode": "phone"})
    with live.wf.sessions() as s:
        case = repository.get_case(s, ref)
        assert "vulnerabilities" not in opening_values(live.wf.registry.for_case(case).sop, case,
                                                       ["identification"])
    ref = _child_case(live)
    r = httpx.post(f"{live.url}/api/v1/cases/{ref}/fire", headers=_token(live, "mariam.kabore"), json={
        "trigger": "register", "payload": {"return_date": "2025-06-01", "vulnerabilities": []}})
    assert r.status_code == 200 and "vulnerabilities" not in r.json()["prefilled"]["identification"]


WORDS = {"fr": ("Signalement par un premier intervenant — Besoins immédiats",
                "Violence sexuelle de moins de 72 h · Enfant seul ou séparé"),
         "en": ("Alert by a first responder — Immediate needs",
                "Sexual violence within 72 hours · Child alone or separated")}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_registration_page_ticks_and_recalls_the_alerts_flags(live, lang):
    ref = _child_case(live)
    c = live.client("mariam.kabore")
    if lang == "en":
        c.get("/langue/en")
    url = f"/dossiers/{ref}/actions/identification:1/register"
    form = html.unescape(c.get(url).text)
    for code in TICKED:
        assert re.search(rf'name="vulnerabilities" value="{code}"\s+checked', form), code
    assert not re.search(r'name="vulnerabilities" value="separated_child"\s+checked', form)
    recalled = re.search(r'id="f-vulnerabilities-recalled-1">(.*?)</p>', form, re.S).group(1)
    name, flags = WORDS[lang]
    assert name in recalled and flags in recalled
    # unticked by the caseworker and sent back with an error elsewhere: the flags are still recalled
    r = c.post(url, data={"csrftoken": csrf_of(form), "version": "0", "first_name": "Awa"})
    page = html.unescape(r.text)
    assert flags in page and not re.search(r'value="unaccompanied_child"\s+checked', page)


def test_a_prefilled_value_the_payload_makes_unasked_is_not_added(live):
    """Tryout 9, L3: a value sent for a field that does not apply is refused; the alert's
    estimated age is therefore not added to a payload that gives the birth date (the field is
    asked only without one), on the API as in the shared module, and the case is registered."""
    ref = file_alert(live.wf, "mnr_bf", FDS, ALERT).reference
    live.wf.fire(ref, "take_up", MARIAM, {"contacted_on": "2025-06-02", "mode": "phone"})
    with live.wf.sessions() as s:
        case = repository.get_case(s, ref)
        sop = live.wf.registry.for_case(case).sop
        tr = transition_of(sop, case, "register", "caseworker")
        payload, taken = complete(sop, case, tr, {"birth_date": "1998-01-01", "return_date": "2025-06-01"})
    assert "estimated_age" not in payload and "estimated_age" not in taken["identification"]
    r = httpx.post(f"{live.url}/api/v1/cases/{ref}/fire", headers=_token(live, "mariam.kabore"),
                   json={"trigger": "register", "payload": {"birth_date": "1998-01-01",
                                                            "return_date": "2025-06-01"}})
    assert r.status_code == 200, r.text
    assert "estimated_age" not in r.json()["prefilled"]["identification"]
    with live.wf.sessions() as s:
        ident = repository.get_case(s, ref).data["identification"]
    assert ident["birth_date"] == "1998-01-01" and "estimated_age" not in ident
