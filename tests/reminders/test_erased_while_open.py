"""A case whose data were erased while it was open — what ``mno case erase`` did before erasure
required a closed case (tryout 9, L9) — stays in older databases: nothing runs on for it. The
sweeper sends no reminder or escalation about its deadlines, a message queued before is cancelled
with the reason, and its provider has nothing to answer (no action, the referral said withdrawn)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from mno_workflow.engine.errors import RoleNotAllowed
from mno_workflow.reminders.notifiers import InAppNotifier, LogNotifier
from mno_workflow.reminders.outbox import deliver
from mno_workflow.reminders.recheck import reason_text
from mno_workflow.reminders.sweeper import sweep
from mno_workflow.store import repository
from mno_workflow.store.models import Deadline
from tests.engine.helpers import SUP, erase_while_open, provider
from tests.web.helpers import case_with_referrals

from .helpers import messages

LATER = datetime(2025, 7, 1, 9, 0, tzinfo=UTC)  # every deadline of the two cases is past


def case_id(wf, ref: str) -> int:
    with wf.sessions() as s:
        return repository.get_case(s, ref).id


def test_no_reminder_no_message_no_provider_task_for_a_case_erased_while_open(users):
    wf = users
    kept = case_with_referrals(wf)  # the same case, not erased: its reminders do go out
    erased = case_with_referrals(wf)
    assert erase_while_open(wf, erased, SUP, "demande de la personne") > 0
    queued = [m.id for m in messages(wf, case_id=case_id(wf, erased))]
    assert queued  # the tasks of its referrals, written when they were sent

    report = sweep(wf, now=LATER)
    told = {r[0] for r in report.reminders + report.escalations + report.auto_fired}
    assert kept in told and erased not in told
    with wf.sessions() as s:
        pending = s.scalars(select(Deadline).where(Deadline.case_id == case_id(wf, erased),
                                                   Deadline.status == "pending", Deadline.fire_at <= LATER))
        assert list(pending) == []
    assert [m.id for m in messages(wf, case_id=case_id(wf, erased))] == queued  # nothing new queued

    deliver(wf, {"inapp": InAppNotifier(), "log": LogNotifier()}, now=LATER)
    rows = messages(wf, case_id=case_id(wf, erased))
    assert {m.status for m in rows} == {"cancelled"}
    assert reason_text(rows[0], "fr") == f"données de la personne du dossier {erased} effacées"
    assert reason_text(rows[0], "en") == f"personal data of case {erased} erased"

    with pytest.raises(RoleNotAllowed) as e:  # its provider has nothing to answer any more
        wf.fire(erased, "accept", provider("org-masn"), instance="referral:cash")
    assert "ce référencement est retiré" in e.value.text("fr")
    assert "this referral is withdrawn" in e.value.text("en")
    wf.fire(kept, "accept", provider("org-masn"), instance="referral:cash")
