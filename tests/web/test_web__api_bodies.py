"""Request bodies of the case API are read strictly (tryout 4, G13): a key ``createCase`` or
``fireTrigger`` does not have is refused by name (422 ``request_invalid``, ``body.<key>``), never
silently ignored; a body that is not JSON is said on ``body`` with its character, in French and
English; nothing is written."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from mno_workflow.store.models import Case

from .conftest import PASSWORD
from .helpers import IDENT


def _auth(live, lang: str) -> dict:
    r = httpx.post(f"{live.url}/api/v1/auth/token", json={"username": "mariam.kabore", "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['token']}", "Accept-Language": lang}


def _cases(live) -> int:
    with live.wf.sessions() as s:
        return s.scalar(select(func.count()).select_from(Case))


@pytest.mark.parametrize("lang, unknown, bad_json", [
    ("fr", "Champ inconnu dans cette requête.", "JSON invalide (caractère"),
    ("en", "Unknown field in this request.", "Invalid JSON (character"),  # a sentence, not pydantic's
])
def test_unknown_keys_and_bad_json_are_named(live, lang, unknown, bad_json):
    auth = _auth(live, lang)
    before = _cases(live)
    r = httpx.post(f"{live.url}/api/v1/cases", headers=auth, json={"payload": IDENT})
    assert r.status_code == 422 and r.json()["code"] == "request_invalid", r.text
    assert r.json()["errors"] == {"body.payload": unknown}
    r = httpx.post(f"{live.url}/api/v1/cases", headers={**auth, "Content-Type": "application/json"},
                   content=b'{"identification": {,}}')
    assert r.status_code == 422 and list(r.json()["errors"]) == ["body"], r.text
    assert r.json()["errors"]["body"].startswith(bad_json), r.text
    assert _cases(live) == before  # nothing written
    ok = httpx.post(f"{live.url}/api/v1/cases", headers=auth, json={"identification": IDENT})
    assert ok.status_code == 201, ok.text
    ref = ok.json()["reference"]
    r = httpx.post(f"{live.url}/api/v1/cases/{ref}/fire", headers=auth,
                   json={"trigger": "record_consent", "data": {}})
    assert r.status_code == 422 and r.json()["errors"] == {"body.data": unknown}, r.text


@pytest.mark.parametrize("path, body", [
    ("erase", {"reason": "Demande", "expectedVersion": 1}),
    ("reopen", {"reason": "Revient", "expectedVersion": 1}),
    ("correct", {"instance": "consent", "state": "given", "reason": "x", "expectedVersion": 1}),
])
def test_case_tools_name_an_unknown_key(live, path, body):
    """Tryout 10, M1: a misspelt ``expected_version`` on ``eraseCase`` was ignored and an
    irreversible erasure ran without the version check; every case tool reads its body strictly."""
    from .helpers import closed_case
    ref = closed_case(live.wf)
    auth = _auth(live, "fr")
    r = httpx.post(f"{live.url}/api/v1/cases/{ref}/{path}", headers=auth, json=body)
    assert r.status_code == 422 and r.json()["code"] == "request_invalid", r.text
    assert r.json()["errors"] == {"body.expectedVersion": "Champ inconnu dans cette requête."}, r.text
    r = httpx.post(f"{live.url}/api/v1/cases/reassign", headers=auth,
                   json={"references": [ref], "assignee": "awa.ouedraogo", "reason": "x", "motif": "y"})
    assert r.status_code == 422 and r.json()["errors"] == {"body.motif": "Champ inconnu dans cette requête."}
