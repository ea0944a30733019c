"""``POST /api/v1/cases/{reference}/correct`` (issue 14): the coordination corrects a step's state
through the API as on the case page and with ``mno case correct`` — reason required, audited with
before/after, deadline re-armed; other roles refused; a refusal writes nothing."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from mno_workflow.store import repository
from mno_workflow.store.models import AuditEvent

from ..conftest import snapshot
from .conftest import PASSWORD
from .helpers import case_with_referrals


def _token(live, user: str) -> dict[str, str]:
    r = httpx.post(f"{live.url}/api/v1/auth/token", json={"username": user, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_coordinator_corrects_with_a_reason_audited_before_after(live):
    ref = case_with_referrals(live.wf)  # referral:cash sent (a deadline running)
    url = f"{live.url}/api/v1/cases/{ref}/correct"
    tokens = {u: _token(live, u) for u in ("coord.mnr", "mariam.kabore", "idrissa.sanou")}
    coord = tokens["coord.mnr"]
    def data():  # every table but the tokens' last use
        return {k: v for k, v in snapshot(live.wf).items() if k != "web_api_tokens"}
    before = data()
    for who, body, status, code in [
        ("mariam.kabore", {"instance": "referral:cash", "state": "draft", "reason": "x"}, 403, None),
        ("idrissa.sanou", {"instance": "referral:cash", "state": "draft", "reason": "x"}, 403, None),
        ("coord.mnr", {"instance": "referral:cash", "state": "draft", "reason": "  "}, 422, "form_invalid"),
        ("coord.mnr", {"instance": "referral:cash", "state": "draf", "reason": "x"}, 422, "form_invalid"),
        ("coord.mnr", {"instance": "referral:cash", "state": "sent", "reason": "x"}, 409, None),
    ]:
        r = httpx.post(url, json=body, headers=tokens[who])
        assert r.status_code == status, (who, body, r.text)
        if code:
            assert r.json()["code"] == code
    r = httpx.post(url, json={"instance": "referral:cash", "state": "draf", "reason": "x"},
                   headers={**coord, "Accept-Language": "en"})
    assert "did you mean 'draft'" in r.json()["errors"]["state"]
    assert data() == before                                              # refusals wrote nothing

    r = httpx.post(url, json={"instance": "referral:cash", "state": "draft",
                              "reason": "Envoyé au mauvais prestataire"}, headers=coord)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["before"]["state"] == "sent" and body["after"]["state"] == "draft"
    assert body["before"]["due_at"] and body["after"]["due_at"]
    assert body["before"]["due_at"] != body["after"]["due_at"]          # the draft's deadline, re-armed
    with live.wf.sessions() as s:
        case = repository.get_case(s, ref)
        assert case.version == body["version"]
        assert next(i for i in case.instances if i.label_key == "referral:cash").state == "draft"
        ev = s.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                AuditEvent.action == "correct")).one()
        assert ev.actor == "coord.mnr" and ev.data["reason"] == "Envoyé au mauvais prestataire"
        assert ev.data["before"] == body["before"] and ev.data["after"] == body["after"]
