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
