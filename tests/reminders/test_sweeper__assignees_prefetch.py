"""The sweep looks up the assignees its reminders and escalations go to in one query, and each
message still goes to its own case's assignee (a known user with e-mail, one without, an id that
is no user)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from mno_workflow.engine.engine import Actor
from mno_workflow.reminders.sweeper import sweep
from mno_workflow.store.models import Case, User

from .helpers import MON, messages

CW = Actor("mariam.kabore", "caseworker")


def test_each_reminder_goes_to_its_cases_assignee_with_one_lookup(users):
    wf = users
    with wf.sessions.begin() as s:
        s.add(User(id="salif.zongo", display_name="Salif Zongo", role="caseworker", region="kadiogo",
                   language="en"))
    owners = ["mariam.kabore", "salif.zongo", "ghost.user", "mariam.kabore"]
    refs = [wf.create_case("mnr_bf", CW, assignee=a) for a in owners]
    seen: list[str] = []

    def count(_c, _cur, statement, *_a) -> None:
        if "FROM users" in statement and "users.id IN" in statement:
            seen.append(statement)

    event.listen(wf.db, "before_cursor_execute", count)
    try:
        report = sweep(wf, now=MON + timedelta(days=30))
    finally:
        event.remove(wf.db, "before_cursor_execute", count)
    assert report.reminders or report.escalations
    assert len(seen) == 1, seen  # one look-up of every assignee, not one per person
    by_case = {}
    with wf.sessions() as s:
        ids = {c.reference: c.id for c in s.query(Case)}
    for m in messages(wf):
        if m.recipient_role == "caseworker":
            by_case.setdefault(m.case_id, set()).add((m.recipient_user, m.channel, m.lang))
    assert by_case[ids[refs[0]]] == by_case[ids[refs[3]]] == {
        ("mariam.kabore", "inapp", "fr"), ("mariam.kabore", "email", "fr")}
    assert by_case[ids[refs[1]]] == {("salif.zongo", "inapp", "en")}
    assert by_case[ids[refs[2]]] == {("ghost.user", "inapp", "fr")}
