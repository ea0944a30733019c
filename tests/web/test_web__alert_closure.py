"""The first responder sees why its alert was closed (issue 13 review), on the page « Mes
signalements », the API (``GET /api/v1/alerts``, validated against the published OpenAPI
document) and its notifications: reason, date and the role of who closed it — French first,
English — never the name of who closed it nor the closure's note."""

from __future__ import annotations

import httpx
import schemathesis

from mno_workflow.engine.alerts import file_alert

from .conftest import PASSWORD
from .helpers import IDRISSA, MARIAM
from .test_web__alerts import ALERT, FDS


def test_page_api_and_notifications_show_the_closure_reason(live):
    closed = file_alert(live.wf, "mnr_bf", FDS, ALERT).reference
    screened = file_alert(live.wf, "mnr_bf", FDS, {**ALERT, "first_name": "Issa"}).reference
    open_ = file_alert(live.wf, "mnr_bf", FDS, {**ALERT, "first_name": "Awa"}).reference
    live.wf.fire(closed, "close_alert", IDRISSA, {"reason": "unreachable", "note": "Numéro coupé (interne)"})
    live.wf.fire(screened, "take_up", MARIAM, {"contacted_on": "2025-06-02", "mode": "phone"})
    live.wf.fire(screened, "screen_out", MARIAM, {"reason": "not_a_migrant"})
    c = live.client("agent.fds")
    page = c.get("/signalements").text
    assert "Clos le 02/06/2025 par : Superviseur. Motif : Personne injoignable." in page
    assert ("Déclaré non éligible le 02/06/2025 par : Gestionnaire de cas. "
            "Motif : Ne relève pas du mécanisme.") in page
    assert page.count("data-closure") == 2
    for private in ("idrissa", "Idrissa", "Numéro coupé", "mariam"):
        assert private not in page
    doc = httpx.get(f"{live.url}/api/v1/openapi.json").json()
    schema = schemathesis.openapi.from_dict(doc)
    token = httpx.post(f"{live.url}/api/v1/auth/token",
                       json={"username": "agent.fds", "password": PASSWORD}).json()["token"]
    items = {}
    for lang in ("fr", "en"):
        r = httpx.get(f"{live.url}/api/v1/alerts",
                      headers={"Authorization": f"Bearer {token}", "Accept-Language": lang})
        schema["/alerts"]["GET"].validate_response(r)
        items[lang] = {i["reference"]: i for i in r.json()["items"]}
    fr, en = items["fr"][closed]["closure"], items["en"][closed]["closure"]
    assert (fr["kind"], fr["reason"], fr["by_role"]) == ("closed", "unreachable", "supervisor")
    assert (fr["reason_label"], fr["by_role_label"]) == ("Personne injoignable", "Superviseur")
    assert (en["reason_label"], en["by_role_label"]) == ("Person unreachable", "Supervisor")
    assert fr["at"].startswith("2025-06-02T10:00")
    assert items["fr"][screened]["closure"]["kind"] == "screened_out"
    assert items["fr"][open_]["closure"] is None
    assert "idrissa" not in str(items) and "Numéro coupé" not in str(items)
    inbox = c.get("/notifications").text
    assert "Votre signalement" in inbox and closed in inbox and screened in inbox
    assert 'href="/signalements"' in inbox and f'href="/dossiers/{closed}' not in inbox
