"""The directory's staff contacts on every web path × every role (the 7 roles + anonymous), on
SQLite and PostgreSQL: whether contacts are shown, and whether the read wrote exactly one
access-log row (``web_export_log``, :mod:`mno_workflow.web.contacts_log`) naming what was
disclosed — or none.

Paths: the directory pages (the focal points of each service and of each data-sharing agreement,
issue 18; the public form without the permission), ``GET /api/v1/directory`` (focal points'
accounts), ``/hsds`` (one object, a page, page 2, ndjson: one row per request, never per object),
the printed documents (directory, deck, SOP document's data-sharing register, pathway, pocket
guide and leaflet — the last two print no person with the sample directory: no row), and a case's
referral slip (the recipient's contact person). Need-to-know: only the case roles and providers
have ``directory_contacts``; trainer, M&E officer and SOP author get the public form."""

from __future__ import annotations

import csv
import html
import json
import re

from sqlalchemy import select

from mno_workflow.directory import SAMPLE_DIR
from mno_workflow.directory.tables import TABLES
from mno_workflow.web import access
from mno_workflow.web.demo_data import DemoUser, create_users
from mno_workflow.web.models import ExportLog

from .conftest import PASSWORD
from .helpers import case_with_referrals

USERS = {  # role -> user (None: not signed in)
    "anonymous": None,
    "caseworker": "mariam.kabore",
    "supervisor": "idrissa.sanou",
    "coordinator": "coord.mnr",
    "provider": "focal.masn",  # recipient of the case's referral:cash
    "trainer": "formateur",
    "me_officer": "suivi.evaluation",
    "sop_author": "auteur.pos",
    "first_responder": "agent.fds",
}
SEES = {"caseworker", "supervisor", "coordinator", "provider"}
with open(SAMPLE_DIR / "contact.csv", encoding="utf-8", newline="") as fh:
    CONTACTS = {r["name"]: r["id"] for r in csv.DictReader(fh)}  # the sample's persons
AGREEMENT_FOCAL = "Point focal données MASN (fictif)"  # sharing_agreement agr-masn

# path -> (kind, ``what`` of its row, ids the row must name when contacts are shown);
# kind: "hsds" (everyone, public form without the permission), "docs" (sign-in, no first
# responder, contacts with the permission: documents and the /repertoire pages), "quiet" (docs
# that print no person with the sample directory), "case" (case roles and the recipient provider).
PATHS = {
    "/repertoire?need=housing&region=kadiogo": ("docs", "web.directory", {"ct-oim"}),
    "/repertoire/services": ("docs", "web.directory", {"ct-oim", "ct-masn"}),
    "/repertoire/a-verifier": ("docs", "web.directory", set()),
    "/repertoire/services/svc-oim-transit": ("docs", "web.directory", {"ct-oim"}),
    "/repertoire/accords": ("docs", "web.agreements", {"agr-masn"}),
    "/hsds/organizations/org-oim": ("hsds", "hsds.organization", {"ct-oim"}),
    "/hsds/services?per_page=5": ("hsds", "hsds.service", set()),
    "/hsds/services?per_page=5&page=2": ("hsds", "hsds.service", set()),
    "/hsds/organizations?format=ndjson": ("hsds", "hsds.organization", {"ct-oim", "ct-masn"}),
    "/pos/documents/annuaire": ("docs", "document.annuaire", {"ct-oim", "ct-masn"}),
    "/pos/documents/presentation": ("docs", "document.presentation", set()),
    "/pos/documents/document": ("docs", "document.document", {"agr-masn"}),
    "/pos/parcours/housing.svg?region=kadiogo": ("docs", "document.parcours.housing", set()),
    "/pos/documents/guide/kadiogo": ("quiet", None, set()),
    "/pos/documents/depliants/returnees?region=kadiogo": ("quiet", None, set()),
}
API = "/api/v1/directory?need=housing&region=kadiogo&limit=50"


def _rows(live) -> list[ExportLog]:
    with live.wf.sessions() as s:
        return list(s.scalars(select(ExportLog).order_by(ExportLog.id)))


def _persons(text: str) -> set[str]:
    """Contact ids of the sample persons (or the agreement's focal point) named in ``text``."""
    text = html.unescape(text)
    found = {cid for name, cid in CONTACTS.items() if name in text}
    return found | ({"agr-masn"} if AGREEMENT_FOCAL in text else set())


def _expected_status(kind: str, role: str) -> int:
    if kind == "hsds":
        return 200
    if role == "anonymous":
        return 303
    if kind == "case":
        return 200 if role in SEES else 403
    return 403 if role == "first_responder" else 200


def test_every_path_every_role_shows_and_logs_staff_contacts_by_the_permission(live_any) -> None:
    live = live_any
    assert {r for r in access.ROLES if r in access.PERMISSIONS["directory_contacts"]} == SEES
    with live.wf.sessions.begin() as s:
        create_users(s, [DemoUser("auteur.pos", "Auteur POS (test)", "sop_author")], PASSWORD)
    ref = case_with_referrals(live.wf)  # referral:cash sent to org-masn (contact ct-masn)
    paths = {**PATHS, f"/dossiers/{ref}/imprimer/referencement/referral:cash": ("case", "print.referral_slip",
                                                                                  {"ct-masn"})}
    problems: list[tuple] = []
    for role, user in USERS.items():
        client = live.client(user)
        for path, (kind, what, must) in paths.items():
            before = len(_rows(live))
            r = client.get(path)
            new = _rows(live)[before:]
            status = _expected_status(kind, role)
            shown = _persons(r.text)
            full = role in SEES and kind in ("hsds", "docs", "case")
            if r.status_code != status:
                problems.append((role, path, "status", r.status_code, status))
                continue
            if full and not shown:
                problems.append((role, path, "contacts not shown"))
            if not full and shown:
                problems.append((role, path, "contacts shown", sorted(shown)))
            if not full:
                if new:
                    problems.append((role, path, "row without a disclosure", [n.what for n in new]))
                continue
            if [(n.user_id, n.role, n.what, n.names) for n in new] != [(user, role, what, True)]:
                problems.append((role, path, "rows", [(n.user_id, n.what) for n in new]))
                continue
            named = set(new[0].filters["disclosed"])
            if not (must | shown) <= named or new[0].filters["contacts"] != len(named):
                problems.append((role, path, "disclosed", sorted(named), sorted(must | shown)))
            if new[0].filters["path"] != path.split("?")[0]:
                problems.append((role, path, "path", new[0].filters["path"]))
        client.close()
    assert problems == []


def test_api_directory_search_by_role(live_any) -> None:
    """``searchDirectory``: 401 / 403 / the reduced form (no focal point, no row) / the focal points
    and one row naming them."""
    live = live_any
    with live.wf.sessions.begin() as s:
        create_users(s, [DemoUser("auteur.pos", "Auteur POS (test)", "sop_author")], PASSWORD)
    api = live.client()
    for role, user in USERS.items():
        head = {}
        if user:
            token = api.post("/api/v1/auth/token", json={"username": user, "password": PASSWORD}).json()
            head = {"Authorization": f"Bearer {token['token']}"}
        before = len(_rows(live))
        r = api.get(API, headers=head)
        new = _rows(live)[before:]
        expected = 401 if role == "anonymous" else 403 if role == "first_responder" else 200
        assert r.status_code == expected, (role, r.text[:200])
        if expected != 200:
            assert new == [], role
            continue
        focal = {i["focal_point_user_id"] for i in r.json()["items"]}
        if role not in SEES:
            assert focal == {None} and new == [], (role, focal)
            continue
        assert None not in focal and "focal.oim" in focal, focal
        assert [(n.user_id, n.role, n.what) for n in new] == [(user, role, "api.directory")], role
        assert set(new[0].filters["disclosed"]) == focal and new[0].row_count == len(r.json()["items"])
        assert (new[0].filters["need"], new[0].filters["region"]) == ("housing", "kadiogo")


def test_hsds_logs_one_row_per_request_and_nothing_for_public_reads(live_any) -> None:
    """A full list of every organisation (hundreds of nested objects, 15 persons) is one row, not
    one per contact; anonymous and public-form reads, and full reads without a person (taxonomies,
    ``minimal``), log nothing."""
    live = live_any
    start = len(_rows(live))
    anon, trainer = live.client(), live.client("formateur")
    for c in (anon, trainer):
        for path in ("/hsds/organizations?per_page=500", "/hsds/organizations?format=ndjson",
                     "/hsds/services/svc-oim-transit", "/hsds/service_at_locations?per_page=500"):
            r = c.get(path)
            assert r.status_code == 200 and r.headers["x-directory-view"] == "public" and not _persons(r.text)
    assert _rows(live)[start:] == []
    coord = live.client("coord.mnr")
    for path in ("/hsds/taxonomies", "/hsds/taxonomy_terms?per_page=500", "/hsds/services?minimal=true"):
        assert coord.get(path).status_code == 200
    assert _rows(live)[start:] == []
    r = coord.get("/hsds/organizations?per_page=500")
    new = _rows(live)[start:]
    assert len(new) == 1 and new[0].what == "hsds.organization"
    people = {c["id"] for o in r.json()["contents"] for c in o.get("contacts", [])}
    assert len(people) == len(CONTACTS)
    assert new[0].filters["contacts"] == len(CONTACTS)
    assert set(new[0].filters["disclosed"]) == set(CONTACTS.values())
    assert new[0].row_count == r.json()["size"]
    lines = coord.get("/hsds/services?format=ndjson").text.splitlines()
    new = _rows(live)[start + 1:]
    assert [n.what for n in new] == ["hsds.service"] and new[0].row_count == len(lines)
    assert json.loads(lines[0])["id"]
    # the coordinator's access log lists them
    page = html.unescape(coord.get("/journal-acces").text)
    # what was read in words (web/log_words.py), the HSDS object named after them
    assert page.count("Répertoire au format HSDS (organization)") >= 1
    assert "Répertoire au format HSDS (service)" in page
    # the contacts read by their names, never their ids (tryout 2: « … ont été lues : ct-csps »)
    with live.wf.sessions() as s:
        contact = TABLES["contact"]
        names = dict(s.execute(select(contact.c.id, contact.c.name)).all())
    assert not re.search(r"ont été lues : [^<]*\bct-", page), page
    assert any(n and n in page for n in names.values())

