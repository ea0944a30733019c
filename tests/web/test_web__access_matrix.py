"""Every route × every role, table-driven, against a real server: pages and API share one set of
access rules (mno_workflow/web/access/)."""

from __future__ import annotations

import pytest

from .conftest import PASSWORD
from .helpers import case_with_referrals, yaadga_case

ROLES = {  # role key -> user id (demo users)
    "caseworker": "mariam.kabore",
    "supervisor": "idrissa.sanou",
    "coordinator": "coord.mnr",
    "provider": "focal.masn",
    "provider_other": "focal.csps",
    "trainer": "formateur",
    "me_officer": "suivi.evaluation",
    "anonymous": None,
}

A, B = "{A}", "{B}"
ALL_IN = {r: 200 for r in ROLES if r != "anonymous"} | {"anonymous": 303}


def row(cw, sup, coord, prov, prov_other, trainer, me, anon=303):
    return dict(zip(ROLES, (cw, sup, coord, prov, prov_other, trainer, me, anon), strict=True))


PAGES = [
    ("/", row(303, 303, 303, 303, 303, 303, 303)),
    ("/travail", row(200, 200, 200, 403, 403, 403, 403)),
    ("/dossiers", row(200, 200, 200, 403, 403, 403, 403)),
    ("/dossiers?q=sawadogo&overdue=1", row(200, 200, 200, 403, 403, 403, 403)),
    ("/dossiers/nouveau", row(200, 403, 403, 403, 403, 403, 403)),
    (f"/dossiers/{A}", row(200, 200, 200, 403, 403, 403, 403)),
    (f"/dossiers/{B}", row(404, 404, 200, 403, 403, 403, 403)),
    ("/dossiers/MNR-BF-999999", row(404, 404, 404, 403, 403, 403, 403)),
    (f"/dossiers/{A}/actions/referral:cash/accept", row(403, 403, 403, 200, 404, 403, 403)),
    (f"/dossiers/{A}/actions/referral:cash/revoke", row(200, 200, 403, 403, 404, 403, 403)),
    (f"/dossiers/{B}/actions/identification:1/screen_out", row(404, 404, 403, 404, 404, 403, 403)),
    (f"/dossiers/{A}/schema/referral:cash.svg", row(200, 200, 200, 200, 404, 403, 403)),
    (f"/dossiers/{A}/schema/referral:medical.svg", row(200, 200, 200, 404, 200, 403, 403)),
    ("/prestataire", row(403, 403, 403, 200, 200, 403, 403)),
    (f"/prestataire/{A}/referral:cash", row(403, 403, 403, 200, 404, 403, 403)),
    (f"/prestataire/{A}/referral:medical", row(403, 403, 403, 404, 200, 403, 403)),
    ("/notifications", ALL_IN),
    ("/repertoire?need=cash&region=kadiogo", ALL_IN),
    ("/repertoire/services", ALL_IN),
    ("/repertoire/a-verifier", ALL_IN),
    ("/repertoire/services/svc-oim-transit", ALL_IN),
    ("/pos", ALL_IN),
    ("/pos/flux.svg", ALL_IN),
    ("/pos/etapes/referral.svg", ALL_IN),
    ("/pos/manuel", ALL_IN),
    ("/pos/presentation?n=1", ALL_IN),
    ("/tableau-de-bord", row(403, 200, 200, 403, 403, 403, 200)),
    ("/tableau-de-bord/export.csv", row(403, 200, 200, 403, 403, 403, 200)),
    ("/tableau-de-bord/export.csv?noms=1", row(403, 200, 200, 403, 403, 403, 403)),
    ("/does-not-exist", row(404, 404, 404, 404, 404, 404, 404, 404)),
]

API = [
    ("GET", "/api/v1/me", row(200, 200, 200, 200, 200, 200, 200, 401)),
    ("GET", "/api/v1/cases", row(200, 200, 200, 403, 403, 403, 403, 401)),
    ("GET", f"/api/v1/cases/{A}", row(200, 200, 200, 403, 403, 403, 403, 401)),
    ("GET", f"/api/v1/cases/{B}", row(404, 404, 200, 403, 403, 403, 403, 401)),
    ("GET", "/api/v1/referrals", row(403, 403, 403, 200, 200, 403, 403, 401)),
    ("GET", "/api/v1/directory?need=cash&region=kadiogo", row(200, 200, 200, 200, 200, 200, 200, 401)),
    ("GET", "/api/v1/stats", row(403, 200, 200, 403, 403, 403, 200, 401)),
]


# Posts that change nothing: an empty reason. Allowed roles get 422 (the reason is checked after
# the role and the case's visibility), the others 403 (role) or 404 (case not visible). The
# coordination of the Burkina Faso SOP fires none of its transitions: it may not reassign, told so
# before the reason (tryout 8, K3).
POSTS = [
    (
        f"/dossiers/{A}/delais/referral:cash/prolonger",
        {"by": "5 working days"},
        row(403, 422, 403, 403, 403, 403, 403),
    ),
    (
        f"/dossiers/{B}/delais/consent:1/prolonger",
        {"by": "5 working days"},
        row(404, 404, 403, 403, 403, 403, 403),
    ),
    (f"/dossiers/{A}/rouvrir", {}, row(403, 422, 403, 403, 403, 403, 403)),
    # erasure (tryout 9, L6): the roles of retention.erase_by; an open case: 409, nothing written
    (f"/dossiers/{A}/effacer", {}, row(403, 409, 409, 403, 403, 403, 403)),
    (f"/dossiers/{B}/effacer", {}, row(404, 404, 409, 403, 403, 403, 403)),
    (f"/dossiers/{A}/reattribuer", {"assignee": "mariam.kabore"}, row(403, 422, 403, 403, 403, 403, 403)),
    (f"/dossiers/{B}/reattribuer", {"assignee": "awa.ouedraogo"}, row(403, 404, 403, 403, 403, 403, 403)),
    (
        "/dossiers/reattribuer",
        {"ref": A, "assignee": "mariam.kabore"},
        row(403, 422, 403, 403, 403, 403, 403),
    ),
    (
        "/dossiers/reattribuer",
        {"ref": B, "assignee": "awa.ouedraogo"},
        row(403, 404, 403, 403, 403, 403, 403),
    ),
    # directory: the coordination only (an invalid age: 422, nothing written)
    (
        "/repertoire/services/svc-oim-transit",
        {"status": "active", "minimum_age": "x", "cap.cap-oim-transit": "1"},
        row(403, 403, 422, 403, 403, 403, 403),
    ),
    ("/repertoire/services/svc-oim-transit/verifier", {}, row(403, 403, 303, 403, 403, 403, 403)),
]

API_POSTS = [
    (
        f"/api/v1/cases/{A}/deadlines/referral:cash/extend",
        {"by": "5 working days", "reason": ""},
        row(403, 422, 403, 403, 403, 403, 403, 401),
    ),
    (
        f"/api/v1/cases/{B}/deadlines/consent:1/extend",
        {"by": "5 working days", "reason": ""},
        row(404, 404, 403, 403, 403, 403, 403, 401),
    ),
    (f"/api/v1/cases/{A}/reopen", {"reason": ""}, row(403, 422, 403, 403, 403, 403, 403, 401)),
    (f"/api/v1/cases/{A}/erase", {"reason": ""}, row(403, 409, 409, 403, 403, 403, 403, 401)),
    (f"/api/v1/cases/{B}/erase", {"reason": ""}, row(404, 404, 409, 403, 403, 403, 403, 401)),
    (
        f"/api/v1/cases/{A}/correct",
        {"instance": "referral:cash", "state": "draft", "reason": ""},
        row(403, 403, 422, 403, 403, 403, 403, 401),
    ),
    (
        "/api/v1/cases/reassign",
        {"references": [A], "assignee": "mariam.kabore", "reason": ""},
        row(403, 422, 403, 403, 403, 403, 403, 401),
    ),
    (
        "/api/v1/cases/reassign",
        {"references": [B], "assignee": "awa.ouedraogo", "reason": ""},
        row(403, 404, 403, 403, 403, 403, 403, 401),
    ),
]


@pytest.fixture(scope="module")
def world(live_module):
    wf = live_module.wf
    a = case_with_referrals(wf)
    b = yaadga_case(wf)
    clients, tokens = {}, {}
    for key, uid in ROLES.items():
        clients[key] = live_module.client(uid)
        if uid:
            r = clients[key].post("/api/v1/auth/token", json={"username": uid, "password": PASSWORD})
            assert r.status_code == 200, r.text
            tokens[key] = r.json()["token"]
    yield {"A": a, "B": b, "clients": clients, "tokens": tokens, "live": live_module}
    for c in clients.values():
        c.close()


@pytest.mark.parametrize("path,expected", PAGES, ids=[p for p, _ in PAGES])
def test_pages__role_matrix(world, path, expected):
    url = path.replace(A, world["A"]).replace(B, world["B"])
    got = {role: world["clients"][role].get(url).status_code for role in ROLES}
    assert got == expected


@pytest.mark.parametrize("method,path,expected", API, ids=[p for _, p, _ in API])
def test_api__role_matrix(world, method, path, expected):
    url = path.replace(A, world["A"]).replace(B, world["B"])
    got = {}
    for role in ROLES:
        headers = {"Authorization": f"Bearer {world['tokens'][role]}"} if role in world["tokens"] else {}
        with world["live"].client() as c:
            got[role] = c.request(method, url, headers=headers).status_code
    assert got == expected


def test_provider_cannot_act_on_another_organisations_referral(world):
    """focal.csps tries to accept the cash referral addressed to org-masn: page, post and API."""
    c = world["clients"]["provider_other"]
    ref = world["A"]
    inbox = c.get("/prestataire").text
    assert f"/prestataire/{ref}/referral:medical" in inbox
    assert f"/prestataire/{ref}/referral:cash" not in inbox
    r = c.post(
        f"/dossiers/{ref}/actions/referral:cash/accept",
        data={"csrftoken": c.cookies.get("csrftoken"), "version": "1"},
    )
    assert r.status_code == 404
    api = world["live"].client()
    r = api.post(
        f"/api/v1/cases/{ref}/fire",
        json={"trigger": "accept", "instance": "referral:cash"},
        headers={"Authorization": f"Bearer {world['tokens']['provider_other']}"},
    )
    assert r.status_code in (403, 404)
    with world["live"].wf.sessions() as s:
        from mno_workflow.store import repository

        case = repository.get_case(s, ref)
        assert next(i for i in case.instances if i.label_key == "referral:cash").state == "sent"


def test_me_officer_export_is_pseudonymised_and_names_refused(world):
    c = world["clients"]["me_officer"]
    assert c.get("/tableau-de-bord/export.csv?noms=1").status_code == 403
    body = c.get("/tableau-de-bord/export.csv").text
    assert world["A"] not in body and "Sawadogo" not in body and "Aminata" not in body
    # issue 20: French headers, codes in extra columns
    assert body.splitlines()[0].startswith("\ufeffDossier (pseudonyme);Région;code_region;Sexe")
    sup = world["clients"]["supervisor"].get("/tableau-de-bord/export.csv?noms=1").text
    assert world["A"] in sup and "Aminata Sawadogo" in sup


def test_provider_sees_only_consented_fields(world):
    """Consent covers identity and needs: name and needs shown; phone (contact) and
    vulnerabilities (protection) hidden."""
    page = world["clients"]["provider"].get(f"/prestataire/{world['A']}/referral:cash").text
    assert "Aminata" in page and "Besoin urgent d&#39;argent" in page
    assert "+226 70 00 00 01" not in page and "Ménage monoparental" not in page
    assert "Suivi de grossesse" not in page  # the other referral's need description
    api = (
        world["live"]
        .client()
        .get("/api/v1/referrals", headers={"Authorization": f"Bearer {world['tokens']['provider']}"})
        .json()
    )
    (item,) = [i for i in api["items"] if i["reference"] == world["A"]]
    assert item["identification"].get("first_name") == "Aminata"
    assert "phone" not in item["identification"] and "vulnerabilities" not in item["identification"]


def test_case_views_are_logged(world):
    from sqlalchemy import select

    from mno_workflow.web.models import CaseView

    wf = world["live"].wf
    with wf.sessions() as s:
        before = len(s.scalars(select(CaseView)).all())
    assert world["clients"]["caseworker"].get(f"/dossiers/{world['A']}").status_code == 200
    assert world["clients"]["provider"].get(f"/prestataire/{world['A']}/referral:cash").status_code == 200
    with wf.sessions() as s:
        rows = s.scalars(select(CaseView).order_by(CaseView.id)).all()
    assert len(rows) == before + 2
    assert [(r.user_id, r.channel) for r in rows[-2:]] == [
        ("mariam.kabore", "page"),
        ("focal.masn", "referral"),
    ]


def _fill(value, world):
    if isinstance(value, str):
        return value.replace(A, world["A"]).replace(B, world["B"])
    if isinstance(value, list):
        return [_fill(v, world) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    return value


@pytest.mark.parametrize("path,data,expected", POSTS, ids=[f"{p} {d}" for p, d, _ in POSTS])
def test_page_posts__role_matrix(world, path, data, expected):
    url, data = _fill(path, world), _fill(data, world)
    got = {}
    for role in ROLES:
        c = world["clients"][role]
        if not c.cookies.get("csrftoken"):
            c.get("/login")
        got[role] = c.post(url, data={"csrftoken": c.cookies.get("csrftoken"), **data}).status_code
    assert got == expected
    with world["live"].wf.sessions() as s:
        from sqlalchemy import func, select

        from mno_workflow.store.models import AuditEvent

        n = s.scalar(
            select(func.count()).where(AuditEvent.action.in_(["reassign", "reopen", "extend_deadline"]))
        )
    assert n == 0


@pytest.mark.parametrize("path,body,expected", API_POSTS, ids=[f"{p} {b}" for p, b, _ in API_POSTS])
def test_api_posts__role_matrix(world, path, body, expected):
    url, body = _fill(path, world), _fill(body, world)
    got = {}
    for role in ROLES:
        headers = {"Authorization": f"Bearer {world['tokens'][role]}"} if role in world["tokens"] else {}
        with world["live"].client() as c:
            got[role] = c.post(url, json=body, headers=headers).status_code
    assert got == expected
