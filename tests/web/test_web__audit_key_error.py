"""An audit key that cannot be read gives a clear 503 page (French, or English for an English
user) and a 503 JSON error on the API, never a 500 or a traceback, and nothing is written; the
CLI prints one line in French and English (issue 16)."""

from __future__ import annotations

import html

import pytest

from mno_workflow.store import repository
from mno_workflow.store.auditkey import forget_keys

from .conftest import PASSWORD
from .helpers import IDENT, case_with_referrals


@pytest.fixture
def broken_key(tmp_path, monkeypatch):
    folder = tmp_path / "key-is-a-folder"
    folder.mkdir()

    def breaks(how: str) -> None:
        monkeypatch.setenv("MNO_AUDIT_KEY_FILE", str(folder if how == "unreadable" else tmp_path / "gone"))
        forget_keys()
    yield breaks
    monkeypatch.delenv("MNO_AUDIT_KEY_FILE", raising=False)
    forget_keys()


@pytest.mark.parametrize("how", ["unreadable", "missing"])
def test_page_and_api_say_it_clearly_and_write_nothing(live, broken_key, how):
    wf = live.wf
    ref = case_with_referrals(wf)
    from mno_workflow.store.models import User
    with wf.sessions.begin() as s:
        s.add(User(id="ali.kone", display_name="Ali Koné", role="caseworker", region="kadiogo"))
    with wf.sessions() as s:
        before = repository.get_case(s, ref).version
    with live.client() as c:
        tok = c.post("/api/v1/auth/token", json={"username": "mariam.kabore", "password": PASSWORD}).json()
    sup = live.client("idrissa.sanou")
    broken_key(how)

    r = sup.post("/dossiers/reattribuer", data={"csrftoken": sup.cookies.get("csrftoken"), "ref": [ref],
                                               "assignee": "ali.kone", "reason": "Équilibrage"})
    assert r.status_code == 503, r.text
    page = html.unescape(r.text)
    assert "Clé d'audit indisponible" in page and "Rien n'a été enregistré" in page
    assert "Traceback" not in r.text and "key-is-a-folder" not in r.text and "gone" not in r.text
    with wf.sessions() as s:
        assert repository.get_case(s, ref).version == before

    with live.client() as c:
        auth = {"Authorization": f"Bearer {tok['token']}"}
        r = c.post("/api/v1/cases", json={"identification": IDENT}, headers=auth)
        assert r.status_code == 503 and r.json()["code"] == "audit_key_unavailable"
        assert "Rien n'a été enregistré" in r.json()["message"]
        r = c.post("/api/v1/cases", json={"identification": IDENT},
                   headers={**auth, "Accept-Language": "en"})
        assert r.status_code == 503 and "Nothing was saved" in r.json()["message"]
        total = c.get("/api/v1/cases", headers=auth).json()["total"]
    assert total == 1  # only the case made before the key broke
