"""Signed checkpoints of every case's audit head: how a case deleted whole (events and all) is seen.

A per-case chain cannot show that a whole case disappeared. A checkpoint lists, for every case,
the sequence number and hash of its latest event, and is signed with the audit key
(:mod:`mno_workflow.store.auditkey`). ``mno audit checkpoint`` stores one in the table
``audit_checkpoints`` (each chained to the previous one) and, with ``-o FILE``, writes it to a
file to keep elsewhere (another machine, a printed copy, an e-mail to the steering committee).
``mno audit verify`` then checks that every case of the latest stored checkpoint still exists and
still has that event with that hash; ``--checkpoint FILE`` does the same against the kept file, which
also catches a writer who deleted the stored checkpoints themselves. Run it from cron, e.g. daily.

After ``mno audit rekey`` the adopted events have new hashes: take a new checkpoint.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..i18n.dates import InstantText
from ..sop.diagnostics import said
from .audit import GENESIS, ChainProblem, canonical
from .auditkey import AuditKey, audit_key
from .models import AuditCheckpoint, AuditEvent, Case

FORMAT = "mno-audit-checkpoint/1"
_LOCK = 0x6D6E6F63  # PostgreSQL advisory lock id: one checkpoint at a time, so the chain stays linear


def _body(at: datetime, created_by: str, heads: dict[str, Any], prev: str, key_id: str) -> str:
    return canonical({"format": FORMAT, "at": at.isoformat(), "created_by": created_by,
                      "heads": heads, "prev": prev, "key_id": key_id})


def take_checkpoint(session: Session, *, at: datetime, created_by: str,
                    key: AuditKey | None = None) -> AuditCheckpoint:
    """Add (not commit) a checkpoint of all case heads, chained to the latest stored one."""
    key = key or audit_key(session.get_bind().url)
    if session.get_bind().dialect.name == "postgresql":  # SQLite writers are already serialised
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK})
    heads = {(c.reference or str(c.id)): [c.version, c.audit_head or ""]
             for c in session.execute(select(Case.id, Case.reference, Case.version, Case.audit_head))}
    last = session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))
    prev = last.signature if last else GENESIS
    cp = AuditCheckpoint(at=at, created_by=created_by, case_count=len(heads), heads=heads,
                         key_id=key.key_id, prev_signature=prev,
                         signature=key.sign(_body(at, created_by, heads, prev, key.key_id)))
    session.add(cp)
    return cp


def checkpoint_if_due(sessions: Any, now: datetime, every_hours: float,
                      created_by: str = "mno.scheduler") -> AuditCheckpoint | None:
    """Take a checkpoint when the latest is older than ``every_hours`` (or none exists): the
    periodic checkpoint of the scheduler (``$MNO_AUDIT_CHECKPOINT_HOURS``, default 24). Returns
    the new checkpoint, or None when not due."""
    from datetime import timedelta
    with sessions.begin() as s:
        last = s.scalar(select(AuditCheckpoint.at).order_by(AuditCheckpoint.id.desc()).limit(1))
        if last is not None and now - last < timedelta(hours=every_hours):
            return None
        cp = take_checkpoint(s, at=now, created_by=created_by)
        s.flush()
        return cp


def as_document(cp: AuditCheckpoint) -> dict[str, Any]:
    """The checkpoint as a JSON-ready document (what ``-o FILE`` writes)."""
    return {"format": FORMAT, "at": cp.at.isoformat(), "created_by": cp.created_by,
            "case_count": cp.case_count, "key_id": cp.key_id, "prev": cp.prev_signature,
            "heads": cp.heads, "signature": cp.signature}


def write_document(cp: AuditCheckpoint, path: Path) -> None:
    """Write the checkpoint document to ``path`` (UTF-8 JSON)."""
    path.write_text(json.dumps(as_document(cp), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def read_document(path: Path) -> dict[str, Any]:
    """Read a checkpoint file. Raises ValueError (with the reason) when it is not one."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        from ..i18n.files import file_error
        raise ValueError(file_error(path, e)) from e
    except json.JSONDecodeError as e:  # said(): English as a str, the reader's language in mno
        raise ValueError(said("{path}:{line}:{column}: not JSON", path=str(path), line=e.lineno,
                              column=e.colno)) from e
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(said("{path}: not an audit checkpoint (format {format} expected)", path=str(path),
                              format=FORMAT))
    missing = {"at", "created_by", "heads", "prev", "key_id", "signature"} - set(doc)
    if missing:
        raise ValueError(said("{path}: missing {keys}", path=str(path), keys=", ".join(sorted(missing))))
    return doc


def verify_document(session: Session, doc: dict[str, Any], key: AuditKey | None = None,
                    label: str | None = None) -> list[ChainProblem]:
    """Check the signature of ``doc`` and that every case it lists still holds its head event.

    Problems use reference ``label`` (default « checkpoint ») for the checkpoint itself and the case
    reference otherwise."""
    label = label or said("checkpoint")
    key = key or audit_key(session.get_bind().url)
    if doc["key_id"] != key.key_id:
        return [ChainProblem(label, 0, said("signed with another key ({other}, this one is {key}): cannot "
                                            "verify", other=doc["key_id"], key=key.key_id))]
    try:
        at = datetime.fromisoformat(doc["at"])
    except (TypeError, ValueError):
        return [ChainProblem(label, 0, said("unreadable date"))]
    if key.sign(_body(at, doc["created_by"], doc["heads"], doc["prev"], doc["key_id"])) != doc["signature"]:
        return [ChainProblem(label, 0, said("signature does not match (checkpoint edited or forged)"))]
    problems: list[ChainProblem] = []
    at_text = InstantText(at)  # 03/06/2025 08:00 (UTC) in the reader's language
    refs = list(doc["heads"])
    cases = {}
    for i in range(0, len(refs), 500):
        for c in session.execute(select(Case.id, Case.reference).where(Case.reference.in_(refs[i:i + 500]))):
            cases[c.reference] = c.id
    for ref, (seq, head) in doc["heads"].items():
        if ref not in cases:
            problems.append(ChainProblem(ref, seq, said("case deleted since the {checkpoint} of {at}",
                                                        checkpoint=label, at=at_text)))
            continue
        if not head:
            continue
        stored = session.scalar(select(AuditEvent.hash).where(AuditEvent.case_id == cases[ref],
                                                              AuditEvent.seq == seq))
        if stored is None:
            problems.append(ChainProblem(ref, seq, said("event {seq} deleted since the {checkpoint} of {at}",
                                                        seq=seq, checkpoint=label, at=at_text)))
        elif stored != head:
            problems.append(ChainProblem(ref, seq, said("event {seq} rewritten since the {checkpoint} of "
                                                        "{at}", seq=seq, checkpoint=label, at=at_text)))
    return problems


def verify_stored(session: Session, key: AuditKey | None = None) -> tuple[int, list[ChainProblem]]:
    """Check the chain of stored checkpoints and the latest one against the cases.

    Returns (number of stored checkpoints, problems)."""
    key = key or audit_key(session.get_bind().url)
    problems: list[ChainProblem] = []
    prev = GENESIS
    rows = list(session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)))
    for cp in rows:
        label = said("checkpoint #{id}", id=cp.id)
        if cp.prev_signature != prev:
            problems.append(ChainProblem(label, 0, said("link to the previous checkpoint broken "
                                                        "(checkpoint deleted)")))
        doc = as_document(cp)
        found = verify_document(session, doc, key, label) if cp is rows[-1] else []
        if cp is not rows[-1] and key.key_id == cp.key_id and key.sign(
                _body(cp.at, cp.created_by, cp.heads, cp.prev_signature, cp.key_id)) != cp.signature:
            found = [ChainProblem(label, 0, said("signature does not match (checkpoint edited or forged)"))]
        problems.extend(found)
        prev = cp.signature
    return len(rows), problems
