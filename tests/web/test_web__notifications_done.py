"""Notifications whose work is over (issue 18, tryout item 10): a task, reminder or escalation about
a step instance that has left that state, or about a case that is closed, is shown as « Terminé »
(not « À faire » / « En retard »), is not counted with the work to do, and links to the case page
without the step's box, which is no longer shown."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete

from mno_workflow.store.models import OutboxMessage

from .helpers import MARIAM, case_with_referrals, closed_case, referral
from .test_web__triage_notifications import _message


def _items(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<li class="(?:unread|read) group-(\w+)">(.*?)</li>', html, re.S)


def test_a_task_moved_on_or_a_closed_case_is_done(live):
    ref = case_with_referrals(live.wf, send=False)  # referral:cash in draft
    closed = closed_case(live.wf)
    live.clock.set(datetime(2025, 6, 9, 9, 0, tzinfo=UTC))
    now = live.clock.now()
    future = (now + timedelta(days=3)).isoformat()
    with live.wf.sessions.begin() as s:
        # only the two messages below (the engine's own tasks of these cases are left out)
        s.execute(delete(OutboxMessage).where(OutboxMessage.recipient_user == "mariam.kabore"))
        s.add(_message(live, now, kind="task", due=future, ref=ref))
        s.add(_message(live, now - timedelta(minutes=1), kind="task", due=future, ref=closed))
    c = live.client("mariam.kabore")
    items = _items(c.get("/notifications").text)
    groups = {g for g, _ in items}
    assert groups == {"todo", "done"}, items
    [todo] = [body for g, body in items if g == "todo"]
    assert f'href="/dossiers/{ref}#step-referral-cash"' in todo
    [done] = [body for g, body in items if g == "done"]
    assert f'href="/dossiers/{closed}"' in done and "Terminé" in done
    page = c.get("/notifications").text
    assert re.search(r'data-group="todo">[^<]*<span class="count">\(1 non lu\)</span>', page)
    # the step moves on: the task is over, its link no longer points at a box that is gone
    live.wf.fire(ref, "send", MARIAM, referral("org-masn"), instance="referral:cash")
    with live.wf.sessions.begin() as s:  # what the send told mariam is not this test's subject
        s.execute(delete(OutboxMessage).where(OutboxMessage.recipient_user == "mariam.kabore",
                                              OutboxMessage.created_at > now))
    items = _items(c.get("/notifications").text)
    assert {g for g, _ in items} == {"done"}, items
    assert all("#step-" not in body for _, body in items)
    assert 'id="step-referral-cash"' not in c.get(f"/dossiers/{closed}").text
    c.get("/langue/en")
    assert "Done" in c.get("/notifications?groupe=done").text
