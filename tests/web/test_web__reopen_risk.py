"""Reopening a screened-out case asks for the risk level of the first follow-up on every path
(issue 13 review): the case page's form (a required select; the last known level pre-selected on
an assessed case), the API (``POST /cases/{ref}/reopen`` with ``risk_level``) — per-field errors
in French and English, nothing written — and ``mno case reopen --risk-level``
(tests/cli/test_cli__reopen_risk.py)."""

from __future__ import annotations

import re

import httpx

from mno_workflow.engine.alerts import file_alert
from mno_workflow.store import repository

from .conftest import PASSWORD
from .helpers import IDRISSA, MARIAM, closed_case
from .test_web__alerts import ALERT, FDS


def _screened_out(wf) -> str:
    """An alert of Kadiogo (case manager mariam.kabore), taken up, then screened out."""
    ref = file_alert(wf, "mnr_bf", FDS, ALERT).reference
    wf.fire(ref, "take_up", MARIAM, {"contacted_on": "2025-06-02", "mode": "phone"})
    wf.fire(ref, "screen_out", MARIAM, {"reason": "already_assisted"})
    return ref


def _status(wf, ref):
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        return case.status, case.version


def test_page_asks_the_risk_level_of_a_screened_out_case(live):
    ref = _screened_out(live.wf)
    c = live.client("idrissa.sanou")
    page = c.get(f"/dossiers/{ref}").text
    ask = re.search(r'data-reopen-ask="risk_level".*?</div>', page, re.S).group(0)
    assert "obligatoire" in ask and "selected" not in ask
    # an ordinal scale in the SOP's order, never alphabetical (tryout 3, F32: Élevé, Faible, Modéré)
    assert re.findall(r'<option value="(\w+)"', ask) == ["high", "moderate", "low"]
    before = _status(live.wf, ref)
    r = c.post(f"/dossiers/{ref}/rouvrir", data={"csrftoken": c.cookies.get("csrftoken"),
                                                 "version": str(before[1]), "reason": "Erreur"})
    assert r.status_code == 422 and "premier suivi" in r.text
    assert _status(live.wf, ref) == before
    r = c.post(f"/dossiers/{ref}/rouvrir", data={"csrftoken": c.cookies.get("csrftoken"),
                                                 "version": str(before[1]), "reason": "Erreur",
                                                 "risk_level": "high"})
    assert r.status_code in (200, 303), r.text[:500]
    assert _status(live.wf, ref)[0] == "open"


def test_page_preselects_the_last_known_level(live):
    ref = closed_case(live.wf, MARIAM, IDRISSA)  # assessed « low »
    page = live.client("idrissa.sanou").get(f"/dossiers/{ref}").text
    ask = re.search(r'data-reopen-ask="risk_level".*?</div>', page, re.S).group(0)
    assert re.search(r'<option value="low" selected', ask) and "obligatoire" not in ask


def test_api_reopen_requires_the_risk_level_when_unknown(live):
    ref = _screened_out(live.wf)
    auth = {"Authorization": "Bearer " + httpx.post(
        f"{live.url}/api/v1/auth/token", json={"username": "idrissa.sanou", "password": PASSWORD}
    ).json()["token"]}
    url = f"{live.url}/api/v1/cases/{ref}/reopen"
    before = _status(live.wf, ref)
    fr = httpx.post(url, headers=auth, json={"reason": "Erreur"})
    en = httpx.post(url, headers={**auth, "Accept-Language": "en"}, json={"reason": "Erreur"})
    assert fr.status_code == en.status_code == 422
    assert "premier suivi" in fr.json()["errors"]["risk_level"]
    assert "follow-up" in en.json()["errors"]["risk_level"]
    bad = httpx.post(url, headers=auth, json={"reason": "Erreur", "risk_level": "extreme"})
    assert bad.status_code == 422 and "extreme" in bad.json()["errors"]["risk_level"]
    assert _status(live.wf, ref) == before
    ok = httpx.post(url, headers=auth, json={"reason": "Erreur", "risk_level": "moderate"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["started"] == ["follow_up:1"]
