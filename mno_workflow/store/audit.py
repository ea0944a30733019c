"""Append-only, hash-chained audit events: writing one and verifying a case's chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import AuditEvent, Case

GENESIS = "0" * 64


def _digest(fields: dict[str, Any]) -> str:
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _hashed_fields(ev: AuditEvent, reference: str) -> dict[str, Any]:
    return {
        "case": reference, "seq": ev.seq, "at": ev.at.isoformat(), "actor": ev.actor, "role": ev.role,
        "organisation": ev.organisation, "action": ev.action, "trigger": ev.trigger, "step": ev.step,
        "instance": ev.instance_key, "from": ev.from_state, "to": ev.to_state, "data": ev.data,
        "effects": ev.effects, "sop_version": ev.sop_version, "prev": ev.prev_hash,
    }


def append_event(session: Session, case: Case, *, at: datetime, actor: str, role: str,
                 organisation: str | None, action: str, sop_version: str, trigger: str | None = None,
                 step: str | None = None, instance_key: str | None = None, from_state: str | None = None,
                 to_state: str | None = None, data: dict | None = None,
                 effects: list | None = None) -> AuditEvent:
    """Add the next event of ``case``'s chain to ``session`` (not flushed, not committed).

    The caller has already increased ``case.version``: the event's ``seq`` is that version (one
    event per change), and it chains to ``case.audit_head``, which then becomes its hash."""
    seq, prev = case.version, case.audit_head or GENESIS
    ev = AuditEvent(case_id=case.id, seq=seq, at=at, actor=actor, role=role, organisation=organisation,
                    action=action, trigger=trigger, step=step, instance_key=instance_key,
                    from_state=from_state, to_state=to_state, data=data or {}, effects=effects or [],
                    sop_version=sop_version, prev_hash=prev, hash="")
    ev.hash = _digest(_hashed_fields(ev, case.reference or str(case.id)))
    case.audit_head = ev.hash
    session.add(ev)
    return ev


@dataclass(frozen=True)
class ChainProblem:
    """A broken link: ``seq`` of the event and what is wrong with it (in English)."""

    reference: str
    seq: int
    problem: str


def verify_case(session: Session, case: Case) -> list[ChainProblem]:
    """Check ``case``'s events: consecutive seq from 1, each hash correct and chained."""
    ref = case.reference or str(case.id)
    problems: list[ChainProblem] = []
    prev, expected_seq = GENESIS, 1
    events = session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                             .order_by(AuditEvent.seq)).all()
    for ev in events:
        if ev.seq != expected_seq:
            problems.append(ChainProblem(ref, expected_seq, f"event {expected_seq} is missing"))
        if ev.prev_hash != prev:
            problems.append(ChainProblem(ref, ev.seq, "previous-hash link broken (event deleted or "
                                                      "reordered)"))
        if _digest(_hashed_fields(ev, ref)) != ev.hash:
            problems.append(ChainProblem(ref, ev.seq, "content does not match its hash (edited)"))
        prev, expected_seq = ev.hash, ev.seq + 1
    # Every change of a case writes exactly one event and bumps its version by one.
    last_seq = events[-1].seq if events else 0
    if last_seq != case.version:
        problems.append(ChainProblem(ref, last_seq + 1, f"case is at version {case.version} but its "
                                                        f"trail ends at event {last_seq} (events deleted)"))
    return problems


def verify_all(session: Session) -> tuple[int, list[ChainProblem]]:
    """Verify every case's chain. Returns (number of cases checked, problems)."""
    problems: list[ChainProblem] = []
    count = session.scalar(select(func.count(Case.id))) or 0
    for case in session.scalars(select(Case).order_by(Case.id)).yield_per(500):
        problems.extend(verify_case(session, case))
    return count, problems
