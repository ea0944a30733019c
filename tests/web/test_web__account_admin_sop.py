"""A coordinator tied to one SOP administers that SOP's accounts only (tryout 7, J3: a Côte
d'Ivoire coordinator listed every Burkina Faso account on « Accès des utilisateurs » and
deactivated a BF trainer). Every path of the page: the list of accounts and tokens, ending
sessions, revoking all tokens, revoking one token, deactivating (with and without the
confirmation of held cases). Another SOP's account, and an account of every SOP (the national
coordinator), is 404 and left as it was; a coordinator without SOP still manages everyone."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from mno_workflow.sop.loader import load_text
from mno_workflow.store.models import User
from mno_workflow.web import tokens
from mno_workflow.web.models import ApiToken
from mno_workflow.web.security import hash_password

from ..second_sop import sn_text
from .conftest import PASSWORD, csrf_of

SN_STAFF = [("sn.coord", "coordinator"), ("sn.gest", "caseworker")]


@pytest.fixture()
def world(live):
    live.wf.load_sop(load_text(sn_text(), "mnr_sn.yaml"))
    hashed = hash_password(PASSWORD)
    with live.wf.sessions.begin() as s:
        for uid, role in SN_STAFF:
            s.add(User(id=uid, display_name=f"{uid} (SN)", role=role, sop_id="mnr_sn", language="fr",
                       password_hash=hashed, active=True))
        now = datetime.now(UTC)
        bf_token = tokens.issue(s, "focal.masn", now, label="bf-integration")[0]
        sn_token = tokens.issue(s, "sn.gest", now, label="sn-integration")[0]
    with live.wf.sessions() as s:
        ids = {t.label: t.id for t in s.query(ApiToken)}
    return live, {"bf": (bf_token, ids["bf-integration"]), "sn": (sn_token, ids["sn-integration"])}


def api_status(live, token: str) -> int:
    with live.client() as c:
        return c.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def active(live, uid: str) -> bool:
    with live.wf.sessions() as s:
        return s.get(User, uid).active


def test_a_coordinator_of_one_sop_manages_its_accounts_only(world):
    live, toks = world
    coord = live.client("sn.coord")
    page = coord.get("/admin/acces")
    assert page.status_code == 200
    listed = set(re.findall(r'<tr id="user-([^"]+)">', page.text))
    assert listed == {"sn.coord", "sn.gest"}
    assert "sn-integration" in page.text and "bf-integration" not in page.text
    csrf = csrf_of(page.text)
    bf_session = live.client("formateur")
    assert bf_session.get("/").status_code in (200, 303)
    for uid in ("formateur", "coord.mnr", "mariam.kabore", "focal.masn"):
        for what in ("sessions", "jetons", "desactiver"):
            r = coord.post(f"/admin/acces/{uid}/{what}", data={"csrftoken": csrf, "confirme": "1"})
            assert r.status_code == 404, (uid, what)
        assert active(live, uid), uid
    revoke = "/admin/acces/jetons/{}/revoquer".format
    assert coord.post(revoke(toks["bf"][1]), data={"csrftoken": csrf}).status_code == 404
    assert api_status(live, toks["bf"][0]) == 200
    # its own SOP's account: managed
    assert coord.post(revoke(toks["sn"][1]), data={"csrftoken": csrf}).status_code == 303
    assert api_status(live, toks["sn"][0]) == 401
    assert coord.post("/admin/acces/sn.gest/desactiver", data={"csrftoken": csrf}).status_code == 303
    assert not active(live, "sn.gest")


def test_a_coordinator_of_every_sop_still_manages_everyone(world):
    live, toks = world
    coord = live.client("coord.mnr")
    page = coord.get("/admin/acces")
    listed = set(re.findall(r'<tr id="user-([^"]+)">', page.text))
    assert {"sn.coord", "sn.gest", "formateur", "mariam.kabore"} <= listed
    csrf = csrf_of(page.text)
    revoked = coord.post(f"/admin/acces/jetons/{toks['sn'][1]}/revoquer", data={"csrftoken": csrf})
    assert revoked.status_code == 303 and api_status(live, toks["sn"][0]) == 401
    assert coord.post("/admin/acces/sn.gest/desactiver", data={"csrftoken": csrf}).status_code == 303
    assert not active(live, "sn.gest")


def test_an_author_of_one_sop_drafts_and_publishes_that_sop_only(world):
    """The same rule on the SOP workbench: an author tied to the SN SOP neither sees, opens nor
    starts a draft of the BF SOP (which would publish a BF version and migrate BF cases)."""
    live, _toks = world
    hashed = hash_password(PASSWORD)
    with live.wf.sessions.begin() as s:
        s.add(User(id="sn.auteur", display_name="Auteur SN", role="sop_author", sop_id="mnr_sn",
                   language="fr", password_hash=hashed, active=True))
        s.add(User(id="auteur.tous", display_name="Auteur", role="sop_author", language="fr",
                   password_hash=hashed, active=True))
    everyone = live.client("auteur.tous")
    home = everyone.get("/pos/atelier")
    r = everyone.post("/pos/atelier/brouillons", data={"csrftoken": csrf_of(home.text), "sop_id": "mnr_bf"})
    assert r.status_code == 303
    bf_draft = r.headers["location"]
    author = live.client("sn.auteur")
    home = author.get("/pos/atelier")
    assert home.status_code == 200
    assert 'value="mnr_sn"' in home.text and 'value="mnr_bf"' not in home.text
    assert bf_draft not in home.text
    csrf = csrf_of(home.text)
    new = "/pos/atelier/brouillons"
    assert author.post(new, data={"csrftoken": csrf, "sop_id": "mnr_bf"}).status_code == 404
    assert author.get(bf_draft).status_code == 404
    for action in ("verifier", "comparer", "publier"):
        assert author.post(f"{bf_draft}/{action}", data={"csrftoken": csrf}).status_code == 404, action
    assert author.get(f"{bf_draft}/publier").status_code == 404
    mine = author.post(new, data={"csrftoken": csrf, "sop_id": "mnr_sn"})
    assert mine.status_code == 303 and author.get(mine.headers["location"]).status_code == 200
