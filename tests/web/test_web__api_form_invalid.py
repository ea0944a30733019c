"""A 422 ``form_invalid`` of the API (extend, reopen, correct, reassign, fire, notes: one exception
handler, :func:`mno_workflow.web.api.build_api`) speaks the request's Accept-Language, else the
signed-in user's language, and writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from mno_workflow.store.models import User

from .conftest import PASSWORD
from .helpers import case_with_referrals, events_of


@pytest.fixture
def english_supervisor(live):
    with live.wf.sessions.begin() as s:
        s.execute(update(User).where(User.id == "idrissa.sanou").values(language="en"))
    c = live.client()
    token = c.post("/api/v1/auth/token", json={"username": "idrissa.sanou", "password": PASSWORD}).json()
    return c, {"Authorization": f"Bearer {token['token']}"}


def test_form_invalid_in_the_users_language_unless_asked(live, english_supervisor) -> None:
    c, auth = english_supervisor
    ref = case_with_referrals(live.wf)
    calls = [
        ("post", f"/api/v1/cases/{ref}/deadlines/referral:cash/extend",
         {"by": "3 jours ouvrés", "reason": ""}),
        ("post", f"/api/v1/cases/{ref}/referrals/referral:cash/notes", {"text": "   "}),
        ("post", "/api/v1/cases/reassign", {"references": [ref], "assignee": "nobody.here", "reason": ""}),
    ]
    for method, path, body in calls:
        en = getattr(c, method)(path, json=body, headers=auth)
        assert en.status_code == 422 and en.json()["code"] == "form_invalid", (path, en.text)
        fr = getattr(c, method)(path, json=body, headers=auth | {"Accept-Language": "fr"})
        assert fr.status_code == 422 and fr.json()["errors"], path
        assert en.json()["message"] != fr.json()["message"], path
        assert "invalid" in en.json()["message"] and "invalide" in fr.json()["message"], path
    assert events_of(live.wf, ref, "extend_deadline") == []


def test_reopen_and_alert_errors_name_forms_fields_and_values_as_people_read_them(live) -> None:
    """Tryout 5, G22: « Formulaire « reopen » invalide — risk_level : … high, moderate, low »,
    « Form 'alert' is invalid — met_on: … », and ``"body.reason": "Field required"`` in English —
    ids and pydantic's words where every other 422 says labels and sentences."""
    from .test_web__alerts import ALERT
    from .test_web__reopen_risk import _screened_out
    ref = _screened_out(live.wf)
    c = live.client()

    def auth(user: str) -> dict:
        token = c.post("/api/v1/auth/token", json={"username": user, "password": PASSWORD}).json()["token"]
        return {"Authorization": f"Bearer {token}"}

    sup = auth("idrissa.sanou")
    url = f"/api/v1/cases/{ref}/reopen"
    for lang, words in (("fr", ("« Réouverture du dossier »", "Niveau de risque : Valeur « extreme »",
                                "Élevé, Modéré, Faible")),
                        ("en", ("'Reopening of the case'", "Risk level: Unknown value",
                                "High, Moderate, Low"))):
        headers = sup | {"Accept-Language": lang}
        r = c.post(url, json={"reason": "Erreur", "risk_level": "extreme"}, headers=headers)
        assert r.status_code == 422 and r.json()["code"] == "form_invalid", r.text
        message = r.json()["message"]
        assert all(w in message for w in words), message
        assert "risk_level" not in message and "high" not in message, message
        assert set(r.json()["errors"]) == {"risk_level"}  # the ids stay the keys, for programs
        r = c.post(url, json={}, headers=headers)  # no reason: the request's own check
        assert r.status_code == 422 and r.json()["code"] == "request_invalid", r.text
        said = {"fr": ("Ce champ est obligatoire.", "Requête invalide — Motif : Ce champ est obligatoire"),
                "en": ("This field is required.", "Invalid request — Reason: This field is required")}[lang]
        assert r.json()["errors"] == {"body.reason": said[0]} and r.json()["message"] == said[1], r.text
    fds = auth("agent.fds")  # the date missing, in a region nobody can receive an alert of
    for lang, words in (("fr", ("Formulaire « Signalement » invalide", "Date de la rencontre :", "Région :")),
                        ("en", ("Form 'Alert' is invalid", "Date met:", "Region:"))):
        body = {**ALERT, "region": "tapoa"}
        body.pop("met_on")
        r = c.post("/api/v1/alerts", json={"alert": body}, headers=fds | {"Accept-Language": lang})
        assert r.status_code == 422 and set(r.json()["errors"]) == {"met_on", "region"}, r.text
        message = r.json()["message"]
        assert all(w in message for w in words), message
        assert "met_on" not in message and "'alert'" not in message, message


def test_api_case_list_names_an_unknown_region(live) -> None:
    """Tryout 5, G18: a region filter the SOPs do not know is named with the known codes (as ``mno
    case list --region`` and ``mno user add``), not answered with an empty list."""
    c = live.client()
    login = {"username": "idrissa.sanou", "password": PASSWORD}
    auth = {"Authorization": f"Bearer {c.post('/api/v1/auth/token', json=login).json()['token']}"}
    for lang, words in (("fr", ("Requête invalide — Région : Région inconnue « nowhere »", "kadiogo")),
                        ("en", ("Invalid request — Region: Unknown region “nowhere”", "kadiogo"))):
        r = c.get("/api/v1/cases", params={"region": "nowhere"}, headers=auth | {"Accept-Language": lang})
        assert r.status_code == 422 and r.json()["code"] == "request_invalid", r.text
        assert all(w in r.json()["message"] for w in words) and "query.region" in r.json()["errors"], r.text
    near = c.get("/api/v1/cases", params={"region": "kadigo"}, headers=auth).json()
    assert "vouliez-vous dire « kadiogo »" in near["errors"]["query.region"], near
    assert c.get("/api/v1/cases", params={"region": "kadiogo"}, headers=auth).status_code == 200
