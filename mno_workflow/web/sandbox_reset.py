"""Reset the trainers' practice sandbox from the web, in place: the invented cases are replaced by
a fresh set; accounts, the SOP, the directory and the sign-in sessions stay (the trainer who
clicked stays signed in).

Only a sandbox is ever reset: the database must hold demo accounts and demo cases only
(:func:`.demo_safety.check_demo_only`, the rule of ``mno sandbox``), else :class:`DemoRefused` and
nothing is touched. The deletion and the new cases happen after that check. The attachment
files of the removed cases are deleted from ``<data dir>/attachments`` once their rows are gone
(none left orphaned on disk). Every reset is recorded in its own log, ``web_sandbox_resets``
(who, when, cases removed and created, files removed; shown on the sandbox page), never in the
export log: a reset exports nothing. A reset never clears that log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select

from ..engine.engine import WorkflowEngine
from ..store.models import (
    Alert,
    Attachment,
    AuditCheckpoint,
    AuditEvent,
    Case,
    CaseRequest,
    Deadline,
    IntakeSubmission,
    OutboxMessage,
    ReferralNote,
    StepInstance,
)
from .demo_safety import DemoRefused, check_demo_only
from .models import CaseView, SandboxReset

__all__ = ["DemoRefused", "SANDBOX_CASES", "reset_sandbox"]

SANDBOX_CASES = 12  # as ``mno sandbox`` by default
# every table holding case data, children first
_CASE_TABLES = (OutboxMessage, ReferralNote, Deadline, Attachment, CaseView, StepInstance, AuditEvent,
                Alert, Case, CaseRequest, IntakeSubmission, AuditCheckpoint)


def reset_sandbox(wf: WorkflowEngine, user_id: str, role: str, now: datetime,
                  n_cases: int = SANDBOX_CASES) -> dict[str, Any]:
    """Replace the invented cases of the sandbox served by ``wf`` with ``n_cases`` new ones,
    delete the attachment files of the removed cases and log the reset in ``web_sandbox_resets``.
    Returns ``{"removed": int, "created": int, "files_removed": int}``.

    Raises :class:`DemoRefused` (a catalogue message, shown in the reader's language) when the
    database holds a non-demo account or case: nothing is deleted then."""
    from .. import attachments
    from .demo_data import load_demo

    with wf.sessions.begin() as s:
        check_demo_only(s)
        removed = s.scalar(select(func.count()).select_from(Case)) or 0
        stored = list(s.scalars(select(Attachment.stored_name)))
        for table in _CASE_TABLES:
            s.execute(delete(table))
    # after the commit: a failed deletion keeps rows and files together
    files_removed = attachments.erase_files(stored)
    summary = load_demo(wf, n_cases=n_cases, setup=False)
    created = len(summary["cases"])
    with wf.sessions.begin() as s:
        s.add(SandboxReset(at=now, user_id=user_id, role=role, removed=removed, created=created,
                           files_removed=files_removed))
    return {"removed": removed, "created": created, "files_removed": files_removed}
