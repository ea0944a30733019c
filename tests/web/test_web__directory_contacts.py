"""The staff's personal contacts in the directory (the review of issues 16/17/18): anonymous and
each role, on every path that shows the directory — the HSDS API (list, one object, ndjson; by
session cookie and by bearer token), the REST API's directory search, the directory pages and the
printable directory. Without sign-in (or without the ``directory_contacts`` permission) the HSDS
API answers its public form (no contact person, no phone of a person) and says so; signed-in roles
that need the contacts get them; a bad token is refused, never read as anonymous."""

from __future__ import annotations

import json

import pytest

from mno_workflow.web import access
from mno_workflow.web.demo_data import DemoUser, create_users

from ..directory.hsds_schemas import errors
from .conftest import PASSWORD

# ct-oim of the sample directory: a person, her e-mail and her own (contact_id) phone
PERSON = ("Issa Sawadogo", "focal@oim.example.bf", "+226 71 11 21 31")
# the organisation's own switchboard (phone.csv, organization_id org-oim): public
SWITCHBOARD = "+226 25 30 22 02"

ROLES = {  # role -> demo user (None: not signed in)
    "anonymous": None,
    "caseworker": "mariam.kabore",
    "supervisor": "idrissa.sanou",
    "coordinator": "coord.mnr",
    "provider": "focal.oim",
    "trainer": "formateur",
    "me_officer": "suivi.evaluation",
    "sop_author": "auteur.pos",
    "first_responder": "agent.fds",
}
# need-to-know (docs/audit.md): the roles that refer or answer referrals; trainer, M&E officer and
# SOP author read the directory in its public form (changed by the privacy review: they had it)
SEES_CONTACTS = {"caseworker", "supervisor", "coordinator", "provider"}
HSDS_PATHS = ("/hsds/organizations/org-oim", "/hsds/organizations?per_page=500",
              "/hsds/organizations?format=ndjson")


@pytest.fixture(scope="module")
def live_dir(live_module):
    with live_module.wf.sessions.begin() as s:
        create_users(s, [DemoUser("auteur.pos", "Auteur POS (test)", "sop_author")], PASSWORD)
    return live_module


def _has_person(text: str) -> list[bool]:
    return [p in text for p in PERSON]


def test_the_permission_matches_the_roles() -> None:
    assert {r for r in access.ROLES if access.can(_user(r), "directory_contacts")} == SEES_CONTACTS
    # roles that open the SOP documents and the directory without the contacts get the public form
    assert access.PERMISSIONS["sop"] - access.PERMISSIONS["directory_contacts"] == {
        "trainer", "me_officer", "sop_author"}


def _user(role: str):
    from mno_workflow.store.models import User

    return User(id="x", display_name="x", role=role, password_hash="-", active=True)


@pytest.mark.parametrize("role", ROLES)
def test_hsds_api_by_session(live_dir, role: str) -> None:
    c = live_dir.client(ROLES[role])
    full = role in SEES_CONTACTS
    meta = c.get("/hsds/")
    assert meta.status_code == 200 and meta.json()["view"] == ("full" if full else "public")
    for path in HSDS_PATHS:
        r = c.get(path)
        assert r.status_code == 200, (role, path, r.text[:200])
        assert r.headers["x-directory-view"] == ("full" if full else "public"), (role, path)
        assert "Authorization" in r.headers["vary"] and "Cookie" in r.headers["vary"]
        assert _has_person(r.text) == [full] * 3, (role, path)
        assert SWITCHBOARD in r.text, (role, path)  # the institution's channels stay public
        if full:
            assert r.headers["cache-control"] == "private, no-store"
    one = c.get("/hsds/organizations/org-oim").json()
    assert errors("organization", one) == []  # the public form is still valid HSDS
    assert (len(one.get("contacts") or []) > 0) is full


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_hsds_api_by_bearer_token(live_dir, role: str) -> None:
    c = live_dir.client()
    got = c.post("/api/v1/auth/token", json={"username": ROLES[role], "password": PASSWORD})
    assert got.status_code == 200, got.text
    head = {"Authorization": f"Bearer {got.json()['token']}"}
    full = role in SEES_CONTACTS
    for path in HSDS_PATHS:
        r = c.get(path, headers=head)
        assert r.status_code == 200 and _has_person(r.text) == [full] * 3, (role, path)


def test_hsds_api_refuses_a_bad_token(live_dir) -> None:
    c = live_dir.client()
    for value in ("Bearer mno_not-a-token", "Basic Y29vcmQ6eA==", "Bearer"):
        r = c.get("/hsds/organizations/org-oim", headers={"Authorization": value})
        assert r.status_code == 401 and r.json()["code"] == "unauthenticated", value
        assert not any(_has_person(r.text))
    revoked = c.post("/api/v1/auth/token", json={"username": "coord.mnr", "password": PASSWORD}).json()
    head = {"Authorization": f"Bearer {revoked['token']}"}
    assert c.get("/hsds/", headers=head).json()["view"] == "full"
    assert c.delete(f"/api/v1/auth/tokens/{revoked['id']}", headers=head).status_code in (200, 204)
    assert c.get("/hsds/", headers=head).status_code == 401


def test_hsds_public_search_finds_no_one_by_a_contacts_name(live_dir) -> None:
    anon = live_dir.client()
    for kind in ("organizations", "services"):
        found = anon.get(f"/hsds/{kind}", params={"search": "Sawadogo", "per_page": 500}).json()
        assert not any(_has_person(json.dumps(found, ensure_ascii=False)))


API = "/api/v1/directory?need=housing&region=kadiogo"
PAGES = ("/repertoire?need=housing&region=kadiogo", "/repertoire/services",
         "/repertoire/services/svc-oim-transit", "/pos/documents/annuaire")


@pytest.mark.parametrize("role", ROLES)
def test_signed_in_paths(live_dir, role: str) -> None:
    """The REST API's search, the directory pages and the printable directory: sign-in needed,
    first responders refused, every other role served (the printed directory with the contacts)."""
    c = live_dir.client(ROLES[role])
    for path in PAGES:
        r = c.get(path)
        if role == "anonymous":
            assert r.status_code == 303 and "/login" in r.headers["location"], path
        elif role == "first_responder":
            assert r.status_code == 403 and not any(_has_person(r.text)), path
        else:
            assert r.status_code == 200, (role, path)
    printed = c.get("/pos/documents/annuaire")
    assert (PERSON[0] in printed.text) is (role in SEES_CONTACTS)
    api = live_dir.client()
    head = {}
    if ROLES[role]:
        token = api.post("/api/v1/auth/token", json={"username": ROLES[role], "password": PASSWORD}).json()
        head = {"Authorization": f"Bearer {token['token']}"}
    r = api.get(API, headers=head)
    expected = 401 if role == "anonymous" else 403 if role == "first_responder" else 200
    assert r.status_code == expected, (role, r.text[:200])
    if expected == 200:  # the reduced form (null focal point) for a role without the permission
        assert bool(r.json()["items"][0]["focal_point_user_id"]) is (role in SEES_CONTACTS), role


def test_hsds_public_and_full_on_both_back_ends(live_any) -> None:
    """The same rule on SQLite and PostgreSQL: anonymous → public form, coordinator → contacts."""
    anon = live_any.client().get("/hsds/organizations/org-oim")
    coord = live_any.client("coord.mnr").get("/hsds/organizations/org-oim")
    assert anon.status_code == coord.status_code == 200
    assert _has_person(anon.text) == [False] * 3 and anon.headers["x-directory-view"] == "public"
    assert _has_person(coord.text) == [True] * 3 and coord.headers["x-directory-view"] == "full"
