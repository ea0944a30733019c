"""Staff identifiers and contacts follow the ``directory_contacts`` permission on every path that
serialises the directory, not the wider ``directory`` / ``sop`` permissions that open those paths.

The matrix sets it (``monkeypatch`` of :data:`mno_workflow.web.access.PERMISSIONS`, in the server's
own process) to the case roles and the provider — since the privacy review also the shipped value,
so the matrix keeps holding if it is widened again: a trainer, an M&E officer and an SOP author keep
the directory and the SOP documents but must then get the public form everywhere — no focal
point's user id in ``GET /api/v1/directory``, no contact person on ``/hsds``, in the printed
directory, the deck, the pocket guide or a leaflet. Paths × roles, on one server."""

from __future__ import annotations

import re

import pytest

from mno_workflow.web import access

from .conftest import PASSWORD

PERSON = ("Issa Sawadogo", "focal@oim.example.bf", "+226 71 11 21 31")  # ct-oim (sample directory)
FOCAL = "focal.oim"  # service_referral.focal_point_user_id of the OIM services
USERS = {"caseworker": "mariam.kabore", "supervisor": "idrissa.sanou", "coordinator": "coord.mnr",
         "provider": "focal.oim", "trainer": "formateur", "me_officer": "suivi.evaluation"}
NARROW = frozenset({"caseworker", "supervisor", "coordinator", "provider"})
DOCS = ("/pos/documents/annuaire", "/pos/documents/presentation", "/pos/documents/depliants/partners")


@pytest.fixture
def narrowed(live_module, monkeypatch):
    monkeypatch.setitem(access.PERMISSIONS, "directory_contacts", NARROW)
    return live_module


def _token(live, user: str) -> dict[str, str]:
    got = live.client().post("/api/v1/auth/token", json={"username": user, "password": PASSWORD})
    assert got.status_code == 200, got.text
    return {"Authorization": f"Bearer {got.json()['token']}"}


@pytest.mark.parametrize("role", USERS)
def test_api_directory_search_names_the_focal_point_only_with_the_permission(narrowed, role: str) -> None:
    query = {"need": "housing", "region": "kadiogo", "limit": 50}
    r = narrowed.client().get("/api/v1/directory", params=query, headers=_token(narrowed, USERS[role]))
    assert r.status_code == 200, r.text
    focal = [i["focal_point_user_id"] for i in r.json()["items"]]
    assert focal, "the sample directory has housing services in Kadiogo"
    if role in NARROW:
        assert any(focal), focal
    else:
        assert not any(focal), (role, focal)


@pytest.mark.parametrize("role", USERS)
def test_hsds_and_documents_follow_the_permission(narrowed, role: str) -> None:
    c = narrowed.client(USERS[role])
    full = role in NARROW
    r = c.get("/hsds/organizations/org-oim")
    assert r.status_code == 200 and r.headers["x-directory-view"] == ("full" if full else "public")
    assert (PERSON[0] in r.text) is full
    guide = re.search(r'href="(/pos/documents/guide/[^"?]+)"', c.get("/pos/documents").text)
    assert guide, "the documents page links a pocket guide"
    for path in (*DOCS, guide.group(1)):
        page = c.get(path)
        assert page.status_code == 200, (role, path)
        if not full:
            assert not any(p in page.text for p in PERSON) and FOCAL not in page.text, (role, path)
    printed = c.get("/pos/documents/annuaire").text
    assert (PERSON[0] in printed) is full, role


@pytest.mark.parametrize("role", USERS)
def test_directory_pages_show_focal_points_only_with_the_permission(narrowed, role: str) -> None:
    """The /repertoire pages name each service's focal points (person, phone, e-mail) for a role
    with the permission, else the organisation's public channels only (issue 18)."""
    c = narrowed.client(USERS[role])
    for path in ("/repertoire?need=housing&region=kadiogo", "/repertoire/services",
                 "/repertoire/services/svc-oim-transit"):
        page = c.get(path)
        assert page.status_code == 200, (role, path)
        assert [p in page.text for p in PERSON] == [role in NARROW] * 3, (role, path)
        assert "+226 25 30 22 02" in page.text, (role, path)  # the OIM's switchboard: public
    page = c.get("/repertoire/accords")
    assert page.status_code == 200 and "org-oim</" not in page.text, role
