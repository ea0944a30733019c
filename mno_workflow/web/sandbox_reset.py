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
    CaseCounter,
    CaseRequest,
    Deadline,
    IntakeSubmission,
    OutboxMessage,
    ReferralNote,
    StepInstance,
)
from .demo_safety import DemoRefused, check_demo_only
from .models import CaseView, SandboxReset

__all__ = ["DemoRefused", "FIELD_CASES", "MAX_CASES", "SANDBOX_CASES", "load_sandbox_cases", "reset_sandbox",
           "sandbox_size"]

SANDBOX_CASES = 12  # as ``mno sandbox`` by default
#: the cases every sandbox has, whatever its size: one per field path (web/demo_practice.py, 5) and
#: the three first-responder alerts (web/demo_alerts.py); the rest are drawn at random
FIELD_CASES = 5 + 3
MAX_CASES = 200
# every table holding case data, children first
_CASE_TABLES = (OutboxMessage, ReferralNote, Deadline, Attachment, CaseView, StepInstance, AuditEvent,
                Alert, Case, CaseRequest, IntakeSubmission, AuditCheckpoint,
                CaseCounter)  # the fresh set is numbered from 1 again (store/case_numbers.py)


def load_sandbox_cases(wf: WorkflowEngine, n_cases: int, setup: bool) -> dict[str, Any]:
    """Exactly ``n_cases`` invented cases (``FIELD_CASES`` ≤ n ≤ ``MAX_CASES``): the field paths and
    alerts, and random ones for the rest — a trainer who asks for 30 gets 30 (tryout 5, H15; it
    was 30 random ones plus the 8). ``setup``: the SOP, directory and accounts first
    (:func:`.demo_data.load_demo`)."""
    from .demo_data import load_demo

    if not FIELD_CASES <= n_cases <= MAX_CASES:
        raise ValueError(f"n_cases {n_cases} not in {FIELD_CASES}..{MAX_CASES}")
    return load_demo(wf, n_cases=n_cases - FIELD_CASES, setup=setup)


def sandbox_size(s) -> int:
    """The number of cases the sandbox was made (or last reset) with — ``mno sandbox --cases N``
    or the page's choice, as its log recorded it — so that a reset keeps it (tryout 5, H15: the
    web reset made 12, whatever the trainer had asked for); ``SANDBOX_CASES`` without a log."""
    created = s.scalar(select(SandboxReset.created).order_by(SandboxReset.id.desc()).limit(1))
    return min(max(created, FIELD_CASES), MAX_CASES) if created else SANDBOX_CASES


def reset_sandbox(wf: WorkflowEngine, user_id: str, role: str, now: datetime,
                  n_cases: int | None = None) -> dict[str, Any]:
    """Replace the invented cases of the sandbox served by ``wf`` with ``n_cases`` new ones (by
    default as many as it was made with, :func:`sandbox_size`),
    delete the attachment files of the removed cases and log the reset in ``web_sandbox_resets``.
    Returns ``{"removed": int, "created": int, "files_removed": int}``.

    Raises :class:`DemoRefused` (a catalogue message, shown in the reader's language) when the
    database holds a non-demo account or case: nothing is deleted then."""
    from .. import attachments

    with wf.sessions.begin() as s:
        check_demo_only(s)
        n_cases = sandbox_size(s) if n_cases is None else n_cases
        if not FIELD_CASES <= n_cases <= MAX_CASES:  # before anything is deleted
            raise ValueError(f"n_cases {n_cases} not in {FIELD_CASES}..{MAX_CASES}")
        removed = s.scalar(select(func.count()).select_from(Case)) or 0
        stored = list(s.scalars(select(Attachment.stored_name)))
        for table in _CASE_TABLES:
            s.execute(delete(table))
    # after the commit: a failed deletion keeps rows and files together
    files_removed = attachments.erase_files(stored)
    summary = load_sandbox_cases(wf, n_cases, setup=False)
    created = len(summary["cases"])
    with wf.sessions.begin() as s:
        s.add(SandboxReset(at=now, user_id=user_id, role=role, removed=removed, created=created,
                           files_removed=files_removed))
    return {"removed": removed, "created": created, "files_removed": files_removed}
