"""Forms (per-field errors with input kept, stale version 409 keeping the input), XSS and CSV
injection, login throttling, CSRF and secure headers — against a real server."""

from __future__ import annotations

import csv
import io

from mno_workflow.store import repository

from .conftest import PASSWORD, csrf_of
from .helpers import IDENT, MARIAM, case_with_referrals

EVIL_FIRST = '<script>alert("x")</script>'
EVIL_LAST = '=HYPERLINK("http://evil") O\'Brien Zoé'


def test_new_case__per_field_errors_keep_the_input(live):
    c = live.client("mariam.kabore")
    page = c.get("/dossiers/nouveau").text
    r = c.post(
        "/dossiers/nouveau",
        data={
            "csrftoken": csrf_of(page),
            "form_token": page.split('name="form_token" value="')[1].split('"')[0],
            "first_name": "Aïcha",
            "last_name": "",
            "sex": "female",
            "birth_date": "2025-02-30",
            "return_date": "2030-01-01",
            "region": "kadiogo",
            "household_size": "abc",
        },
    )
    assert r.status_code == 422
    html = r.text
    assert 'value="Aïcha"' in html  # input kept
    assert 'value="abc"' in html
    for field, message in [
        ("last_name", "Ce champ est obligatoire."),
        ("birth_date", "Date invalide"),
        ("return_date", "La date ne peut pas être dans le futur."),
        ("household_size", "Nombre entier attendu."),
    ]:
        start = html.index(f'id="f-{field}-wrap"')
        block = html[start : html.index("</div>", start)]
        assert message in block, (field, block)
    with live.wf.sessions() as s:
        assert repository.list_cases(s) == []  # nothing created


def test_action__stale_version_409_keeps_input_and_shows_both_versions(live):
    wf = live.wf
    ref = case_with_referrals(wf, send=False)
    c = live.client("mariam.kabore")
    form_page = c.get(f"/dossiers/{ref}/actions/referral:cash/send").text
    seen = int(form_page.split('name="version" value="')[1].split('"')[0])
    # Someone else changes the case meanwhile.
    wf.fire(
        ref,
        "send",
        MARIAM,
        {"provider": "org-csps", "priority": "normal", "referral_date": "2025-06-02", "channel": "system"},
        instance="referral:medical",
    )
    r = c.post(
        f"/dossiers/{ref}/actions/referral:cash/send",
        data={
            "csrftoken": csrf_of(form_page),
            "version": str(seen),
            "provider": "org-masn",
            "priority": "urgent",
            "referral_date": "2025-06-02",
            "channel": "phone",
            "reason": "Texte saisi à conserver",
        },
    )
    assert r.status_code == 409
    html = r.text
    assert "Ce dossier a été modifié depuis que vous l&#39;avez ouvert" in html
    assert f"<strong>{seen}</strong>" in html and f"<strong>{seen + 1}</strong>" in html
    assert "Texte saisi à conserver" in html
    assert '<option value="urgent" selected>' in html
    assert f'name="version" value="{seen + 1}"' in html  # re-submitting now works
    r2 = c.post(
        f"/dossiers/{ref}/actions/referral:cash/send",
        data={
            "csrftoken": csrf_of(html),
            "version": str(seen + 1),
            "provider": "org-masn",
            "priority": "urgent",
            "referral_date": "2025-06-02",
            "channel": "phone",
        },
    )
    assert r2.status_code == 303


def test_api__fire_status_codes(live):
    wf = live.wf
    ref = case_with_referrals(wf, send=False)
    tok = (
        live.client()
        .post("/api/v1/auth/token", json={"username": "mariam.kabore", "password": PASSWORD})
        .json()["token"]
    )
    h = {"Authorization": f"Bearer {tok}"}
    api = live.client()
    with wf.sessions() as s:
        version = repository.get_case(s, ref).version
    bad = api.post(
        f"/api/v1/cases/{ref}/fire",
        headers=h,
        json={
            "trigger": "send",
            "instance": "referral:cash",
            "payload": {"priority": "soon"},
            "expected_version": version,
        },
    )
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) >= {"provider", "priority", "referral_date", "channel"}
    payload = {
        "provider": "org-masn",
        "priority": "normal",
        "referral_date": "2025-06-02",
        "channel": "system",
    }
    stale = api.post(
        f"/api/v1/cases/{ref}/fire",
        headers=h,
        json={
            "trigger": "send",
            "instance": "referral:cash",
            "payload": payload,
            "expected_version": version - 1,
        },
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version" and stale.json()["payload"] == payload
    ok = api.post(
        f"/api/v1/cases/{ref}/fire",
        headers=h,
        json={
            "trigger": "send",
            "instance": "referral:cash",
            "payload": payload,
            "expected_version": version,
        },
    )
    assert ok.status_code == 200 and ok.json()["to"] == "sent"
    tok_p = (
        live.client()
        .post("/api/v1/auth/token", json={"username": "focal.masn", "password": PASSWORD})
        .json()["token"]
    )
    role = api.post(
        f"/api/v1/cases/{ref}/fire",
        headers={"Authorization": f"Bearer {tok_p}"},
        json={"trigger": "revoke", "instance": "referral:cash", "payload": {"outcome": "other"}},
    )
    assert role.status_code == 403


def test_xss_and_csv_injection__names_render_as_text_everywhere(live):
    wf = live.wf
    ref = case_with_referrals(wf, ident=dict(IDENT, first_name=EVIL_FIRST, last_name=EVIL_LAST))
    pages = {
        "caseworker": ["/travail", "/dossiers", "/dossiers?q=zoe", f"/dossiers/{ref}"],
        "focal.masn": ["/prestataire", f"/prestataire/{ref}/referral:cash"],
    }
    users = {"caseworker": "mariam.kabore", "focal.masn": "focal.masn"}
    for who, urls in pages.items():
        c = live.client(users[who])
        for url in urls:
            html = c.get(url).text
            assert "<script>alert" not in html, url
            assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html, url
    c = live.client("mariam.kabore")
    assert ref in c.get("/dossiers?q=ZOE").text  # accent- and case-insensitive search
    svg = c.get(f"/dossiers/{ref}/schema/referral:cash.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml") and b"<script" not in svg.content
    formula = case_with_referrals(wf, ident=dict(IDENT, first_name="=cmd|' /C calc'!A0", last_name="Kaboré"))
    sup = live.client("idrissa.sanou")
    body = sup.get("/tableau-de-bord/export.csv?noms=1").text
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff")), delimiter=";"))
    (row,) = [r for r in rows if r[0] == ref]
    assert row[1].startswith(EVIL_FIRST)  # text, not markup
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)
    (frow,) = [r for r in rows if r[0] == formula]
    assert frow[1] == "'=cmd|' /C calc'!A0 Kaboré"
    # A formula at the start of a cell is neutralised with a quote.
    from mno_workflow.web.queries import csv_safe

    assert csv_safe("=1+1") == "'=1+1" and csv_safe("-2") == "'-2" and csv_safe("@x") == "'@x"


def test_login_throttled_after_five_failures_per_user_and_ip(live):
    c = live.client()
    c.get("/login")
    for _ in range(5):
        r = c.post(
            "/login",
            data={"username": "mariam.kabore", "password": "wrong", "csrftoken": c.cookies.get("csrftoken")},
        )
        assert r.status_code == 401
        assert "Identifiant ou mot de passe incorrect." in r.text
    r = c.post(
        "/login",
        data={"username": "mariam.kabore", "password": PASSWORD, "csrftoken": c.cookies.get("csrftoken")},
    )
    assert r.status_code == 429
    assert "Trop de tentatives de connexion" in r.text
    other = live.client()  # another user from the same IP is not locked
    other.get("/login")
    ok = other.post(
        "/login",
        data={"username": "idrissa.sanou", "password": PASSWORD, "csrftoken": other.cookies.get("csrftoken")},
    )
    assert ok.status_code == 303


def test_csrf_required_and_secure_headers(live):
    c = live.client("mariam.kabore")
    r = c.post("/dossiers/nouveau", data={"first_name": "X"})
    assert r.status_code == 403 and "Le formulaire a expiré" in r.text
    r = c.post("/logout", data={"csrftoken": "forged"})
    assert r.status_code == 403
    page = c.get("/travail")
    h = page.headers
    assert (
        "script-src 'self'" in h["content-security-policy"]
        and "unsafe-inline" not in h["content-security-policy"]
    )
    assert h["x-frame-options"] == "DENY" and h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "same-origin" and h["cache-control"] == "no-store"
    assert "<script>" not in page.text and " on" not in page.text.split("<body")[1].split(">")[0]
    anon = live.client().post("/login", data={"username": "mariam.kabore", "password": PASSWORD})
    assert anon.status_code == 403  # login form without the CSRF cookie is refused too


def test_error_pages_are_french_without_traceback(live, monkeypatch):
    c = live.client("mariam.kabore")
    r = c.get("/nulle-part")
    assert r.status_code == 404 and "Page introuvable" in r.text
    from mno_workflow.web import queries

    def boom(*_a, **_k):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(queries, "my_work", boom)
    r = c.get("/travail")
    assert r.status_code == 500
    assert (
        "Erreur du serveur" in r.text and "secret internal detail" not in r.text and "Traceback" not in r.text
    )


def test_language_switch_and_french_dates(live):
    ref = case_with_referrals(live.wf)
    c = live.client("mariam.kabore")
    html = c.get(f"/dossiers/{ref}").text
    assert "02/06/2025" in html and "Historique" in html
    c.get("/langue/en?next=/travail")
    assert "Timeline" in c.get(f"/dossiers/{ref}").text
    assert c.get("/langue/fr?next=https://evil.example").headers["location"] == "/"
