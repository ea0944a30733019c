"""Audit events written through the web pages and the API record which path wrote them (``via``:
web / api) and the client's address (``os_user``: ``ip:ADDRESS``), like the CLI records ``via: cli``
and its operating-system account (issue 16); engine calls outside a request record neither."""

from __future__ import annotations

from sqlalchemy import select

from mno_workflow.store import repository
from mno_workflow.store.models import AuditEvent, User

from .conftest import PASSWORD
from .helpers import IDENT, case_with_referrals


def events(wf, ref: str) -> list[AuditEvent]:
    with wf.sessions() as s:
        case = repository.get_case(s, ref)
        return list(s.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                              .order_by(AuditEvent.seq)))


def test_web_and_api_events_record_path_and_client_address(live):
    wf = live.wf
    ref = case_with_referrals(wf)  # engine calls, no request: nothing recorded
    assert {(e.via, e.os_user) for e in events(wf, ref)} == {(None, None)}
    with wf.sessions.begin() as s:
        s.add(User(id="ali.kone", display_name="Ali Koné", role="caseworker", region="kadiogo"))
    sup = live.client("idrissa.sanou")
    r = sup.post("/dossiers/reattribuer", data={"csrftoken": sup.cookies.get("csrftoken"), "ref": [ref],
                                               "assignee": "ali.kone", "reason": "Équilibrage"})
    assert r.status_code == 303, r.text
    last = events(wf, ref)[-1]
    assert (last.action, last.via, last.os_user) == ("reassign", "web", "ip:127.0.0.1")

    with live.client() as c:
        tok = c.post("/api/v1/auth/token", json={"username": "mariam.kabore", "password": PASSWORD}).json()
        r = c.post("/api/v1/cases", json={"identification": IDENT},
                   headers={"Authorization": f"Bearer {tok['token']}"})
        assert r.status_code == 201, r.text
    created = events(wf, r.json()["reference"])
    assert created and {(e.via, e.os_user) for e in created} == {("api", "ip:127.0.0.1")}
    # the keyed chain covers both fields: the events still verify
    from mno_workflow.store.audit import verify_all
    with wf.sessions() as s:
        checked, problems = verify_all(s)
    assert checked >= 2 and problems == []
    # a rewritten origin is detected by the keyed chain
    with wf.sessions.begin() as s:
        s.get(AuditEvent, last.id).os_user = "ip:10.9.9.9"
    with wf.sessions() as s:
        _, problems = verify_all(s)
    assert [p.reference for p in problems] == [ref]
