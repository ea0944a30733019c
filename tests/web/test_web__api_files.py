"""Attachments and referral notes through the API (issue 18), under the same rules as the pages:
an access matrix role × path (page, API) × state (consent in force, withdrawn; case closed) with
provider isolation; limits (type, size, empty note); read-only tokens; notes tell the other side
(web/notes.py) without the note's text."""

from __future__ import annotations

import base64

import httpx
import pytest

from mno_workflow.engine.engine import Actor
from mno_workflow.store import repository
from mno_workflow.store.models import OutboxMessage

from .conftest import PASSWORD
from .helpers import case_with_referrals, closed_case

PDF = b"%PDF-1.4\n% scanned consent\n" + b"x" * 2000
CW = Actor("mariam.kabore", "caseworker")
USERS = ["mariam.kabore", "awa.ouedraogo", "idrissa.sanou", "salif.zongo", "coord.mnr",
         "suivi.evaluation", "focal.masn", "focal.csps", "focal.oim"]
CASE_SIDE = {"mariam.kabore", "idrissa.sanou", "coord.mnr"}  # may open a Kadiogo case of Mariam's


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MNO_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def token(live, user: str, scope: str = "write") -> dict:
    r = httpx.post(f"{live.url}/api/v1/auth/token",
                   json={"username": user, "password": PASSWORD, "scope": scope, "label": f"t-{scope}"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def api(live, method: str, path: str, headers: dict, **kw) -> httpx.Response:
    return httpx.request(method, f"{live.url}/api/v1{path}", headers=headers, timeout=60, **kw)


def kind(status: int) -> str:
    """ok / hidden (404) / forbidden (403) / invalid (422), whatever the path's success code."""
    words = {404: "hidden", 403: "forbidden", 422: "invalid"}
    return words.get(status, "ok" if status < 400 else str(status))


def expected(user: str, path: str, state: str) -> str:
    """The rule, written once: case roles who may open the case see and write everything (no
    upload on a closed case); a provider only its own referral (cash → org-masn, medical →
    org-csps; the paths here are the cash referral's, the list covers the case) while the
    consent covers it, and it never uploads; everybody else sees nothing (404)."""
    if user in CASE_SIDE:
        return "forbidden" if (path == "upload" and state == "closed") else "ok"
    if user == "focal.masn" and path != "upload" and state == "open":
        return "ok"
    if user == "focal.csps" and path == "list" and state == "open":  # its medical referral's files
        return "ok"
    return "hidden"


def test_access_matrix__role_x_path_x_state_pages_and_api_agree(live):
    wf = live.wf
    ref = case_with_referrals(wf)
    heads = {u: token(live, u) for u in USERS}
    cw = heads["mariam.kabore"]
    up = api(live, "POST", f"/cases/{ref}/attachments/referral:cash", cw,
             files={"file": ("consentement.pdf", PDF, "application/pdf")})
    assert up.status_code == 201, up.text
    att = up.json()
    assert att["instance"] == "referral:cash" and att["size"] == len(PDF)
    assert att["content_type"] == "application/pdf"
    other = api(live, "POST", f"/cases/{ref}/attachments/referral:medical", cw,
                files={"file": ("scan.png", b"\x89PNG\r\n\x1a\n" + b"p" * 100, "image/png")}).json()
    closed = closed_case(wf)
    rows = []
    for state in ("open", "withdrawn"):
        if state == "withdrawn":
            wf.fire(ref, "withdraw_consent", CW, {"withdrawn_on": "2025-06-02", "expressed_by": "self"})
        for user in USERS:
            h = heads[user]
            got = {
                "list": api(live, "GET", f"/cases/{ref}/attachments", h),
                "get": api(live, "GET", f"/cases/{ref}/attachments/{att['id']}", h),
                "upload": api(live, "POST", f"/cases/{ref}/attachments/referral:cash", h,
                              files={"file": ("b.pdf", PDF, "application/pdf")}),
                "notes": api(live, "GET", f"/cases/{ref}/referrals/referral:cash/notes", h),
                "note": api(live, "POST", f"/cases/{ref}/referrals/referral:cash/notes", h,
                            json={"text": f"note de {user}"}),
            }
            for path, r in got.items():
                rows.append((user, path, state, kind(r.status_code), expected(user, path, state)))
            # the pages say the same (download and note are the page paths of get and note)
            page = live.client(user)
            p_get = page.get(f"/dossiers/{ref}/pieces/{att['id']}")
            rows.append((user, "page:get", state, kind(p_get.status_code), expected(user, "get", state)))
            p_note = page.post(f"/dossiers/{ref}/notes/referral:cash",
                               data={"csrftoken": page.cookies.get("csrftoken"), "text": "page"})
            rows.append((user, "page:note", state, kind(p_note.status_code), expected(user, "note", state)))
            if got["list"].status_code == 200:  # provider isolation: only its own referral's files
                ids = {a["id"] for a in got["list"].json()["items"]}
                assert (att["id"] in ids) == (user != "focal.csps"), (user, ids)
                assert (other["id"] in ids) == (user != "focal.masn"), (user, ids)
            if got["get"].status_code == 200:
                assert base64.b64decode(got["get"].json()["content_base64"]) == PDF
    for user in USERS:  # closed case: no upload, even for the case side
        r = api(live, "POST", f"/cases/{closed}/attachments/consent:1", heads[user],
                files={"file": ("c.pdf", PDF, "application/pdf")})
        rows.append((user, "upload", "closed", kind(r.status_code),
                     "forbidden" if user in {"mariam.kabore", "idrissa.sanou", "coord.mnr"} else "hidden"))
    wrong = [r for r in rows if r[3] != r[4]]
    assert not wrong, wrong
    assert len(rows) == len(USERS) * (2 * 7 + 1)


def test_limits__type_size_empty_note_and_read_only_token(live):
    ref = case_with_referrals(live.wf)
    cw = token(live, "mariam.kabore")
    txt = api(live, "POST", f"/cases/{ref}/attachments/referral:cash", cw,
              files={"file": ("a.txt", b"hello", "text/plain")})
    assert txt.status_code == 422 and txt.json()["code"] == "attachment_refused"
    assert "PDF, JPEG ou PNG" in txt.json()["errors"]["file"]
    big = api(live, "POST", f"/cases/{ref}/attachments/referral:cash", cw | {"Accept-Language": "en"},
              files={"file": ("big.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), "application/pdf")})
    assert big.status_code == 422 and "5 MB" in big.json()["message"]
    empty = api(live, "POST", f"/cases/{ref}/referrals/referral:cash/notes", cw, json={"text": "   "})
    assert empty.status_code == 422 and "text" in empty.json()["errors"]
    long = api(live, "POST", f"/cases/{ref}/referrals/referral:cash/notes", cw, json={"text": "x" * 1001})
    assert long.status_code == 422
    ro = token(live, "mariam.kabore", "read")
    r = api(live, "POST", f"/cases/{ref}/referrals/referral:cash/notes", ro, json={"text": "x"})
    assert r.status_code == 403
    assert api(live, "GET", f"/cases/{ref}/referrals/referral:cash/notes", ro).json() == {"items": []}
    with live.wf.sessions() as s:
        assert len(repository.get_case(s, ref).instances) > 2  # nothing of the above changed it


def test_note_tells_the_other_side_with_a_link_never_the_text(live):
    wf = live.wf
    ref = case_with_referrals(wf)
    secret = "La personne vit chez sa tante à Tanghin"
    r = api(live, "POST", f"/cases/{ref}/referrals/referral:cash/notes", token(live, "mariam.kabore"),
            json={"text": secret})
    assert r.status_code == 201 and r.json()["told"] >= 1 and r.json()["warning"] is None
    # the provider's focal point: a link to the referral, in its language, no note text
    masn = live.client("focal.masn")
    page = masn.get("/notifications").text
    assert "Nouvelle note" in page and f"/prestataire/{ref}/referral:cash" in page
    assert "Tanghin" not in page
    masn.get("/langue/en")
    assert "New note" in masn.get("/notifications").text
    assert "from the case team" in masn.get("/notifications").text
    # the other way: the provider writes, the assigned caseworker is told
    r = api(live, "POST", f"/cases/{ref}/referrals/referral:cash/notes", token(live, "focal.masn"),
            json={"text": "Rendez-vous lundi, adresse en note"})
    assert r.status_code == 201 and r.json()["told"] >= 1
    cw = live.client("mariam.kabore").get("/notifications").text
    assert "Nouvelle note" in cw and f"/dossiers/{ref}#step-referral-cash" in cw and "Rendez-vous" not in cw
    with wf.sessions() as s:
        msgs = list(s.query(OutboxMessage).filter(OutboxMessage.kind == "note"))
    assert msgs and all("Tanghin" not in str(m.context) and "Rendez-vous" not in str(m.context) for m in msgs)
    assert {m.recipient_user for m in msgs if m.channel == "inapp"} >= {"focal.masn", "mariam.kabore"}
    # the e-mail words (recipient's language): subject and text, never the note
    from mno_workflow.reminders.outbox import render

    with wf.sessions() as s:
        for m in msgs[:2]:
            for lang, word in (("fr", "nouvelle note"), ("en", "new note")):
                m.lang = lang
                out = render(s, m)
                assert word in out.subject and ref in out.subject
                assert "Tanghin" not in out.text and "Rendez-vous" not in out.text
    # consent withdrawn: the note is kept, the provider is not told, and the caller knows why
    wf.fire(ref, "withdraw_consent", CW, {"withdrawn_on": "2025-06-02", "expressed_by": "self"})
    r = api(live, "POST", f"/cases/{ref}/referrals/referral:cash/notes", token(live, "mariam.kabore"),
            json={"text": "après retrait"})
    assert r.status_code == 201 and r.json()["told"] == 0
    assert "consentement" in r.json()["warning"]["fr"] and "consent" in r.json()["warning"]["en"]
    page_c = live.client("mariam.kabore")
    flash = page_c.post(f"/dossiers/{ref}/notes/referral:cash", follow_redirects=True,
                        data={"csrftoken": page_c.cookies.get("csrftoken"), "text": "encore"})
    assert "le prestataire n&#39;est pas prévenu" in flash.text
