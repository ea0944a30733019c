"""Append-only audit events, keyed and chained per case: writing one and verifying a case's chain.

Each event's ``hash`` is an HMAC-SHA256 (key outside the database, see
:mod:`mno_workflow.store.auditkey`) of its fields and of the previous event's hash, so a person
who can write to the database but does not hold the key cannot edit, reorder or re-hash events
without ``verify`` seeing it. Deleting a whole case is seen through signed checkpoints of all case
heads (:mod:`mno_workflow.store.checkpoint`).

**Personal values are not inside the keyed text.** Each value of an event's ``data`` (walking
mappings and repeat groups: ``{form: {field: value}}``, ``{form: {group: [{sub: value}]}}``) is
hashed as
``sha256(salt ‖ canonical JSON of the value)`` with a random 128-bit salt of its own; the keyed
text holds those digests (``data_digests``), the salts sit in ``data_salts``. Retention and
erasure replace a value by a tombstone (:data:`TOMBSTONE_KEY`) and delete its salt: the digest
stays, so the chain still verifies, and without the salt the digest cannot be guessed back from
a short value such as a birth date.

Events written before keying (``scheme`` NULL, an unkeyed SHA-256 over the whole event) verify as
"legacy unkeyed"; ``mno audit rekey`` adopts them after checking their old chain
(:func:`rekey_case`).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ..sop.diagnostics import said
from .auditkey import AuditKey, audit_key
from .fastsql import Statement
from .models import AuditEvent, Case

GENESIS = "0" * 64
SCHEME = "hmac-sha256/1"
TOMBSTONE_KEY = "$purged"  # a purged value is {"$purged": "<ISO instant>", "rule": "..."}


# One encoder for every digest: ``json.dumps`` with these options builds a new one per call.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def canonical(value: Any) -> str:
    """Canonical JSON text (sorted keys, no spaces, UTF-8 kept) used for every digest: the text of
    ``json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)``."""
    return _CANONICAL.encode(value)


def is_tombstone(value: Any) -> bool:
    """True when ``value`` is a tombstone left by a purge."""
    return isinstance(value, dict) and TOMBSTONE_KEY in value


def value_digest(salt: str, value: Any) -> str:
    """``sha256(salt ‖ canonical(value))`` as 64 hex digits."""
    return hashlib.sha256((salt + canonical(value)).encode()).hexdigest()


def _legacy_fields(ev: AuditEvent, reference: str) -> dict[str, Any]:
    return {
        "case": reference, "seq": ev.seq, "at": ev.at.isoformat(), "actor": ev.actor, "role": ev.role,
        "organisation": ev.organisation, "action": ev.action, "trigger": ev.trigger, "step": ev.step,
        "instance": ev.instance_key, "from": ev.from_state, "to": ev.to_state, "data": ev.data,
        "effects": ev.effects, "sop_version": ev.sop_version, "prev": ev.prev_hash,
    }


def legacy_digest(ev: AuditEvent, reference: str) -> str:
    """The unkeyed SHA-256 of events written before keying (kept to verify and adopt them)."""
    return hashlib.sha256(canonical(_legacy_fields(ev, reference)).encode()).hexdigest()


def keyed_text(ev: AuditEvent, reference: str) -> str:
    """The text the key signs: every field except the personal values (their digests instead)."""
    fields = _legacy_fields(ev, reference)
    del fields["data"]
    fields.update(scheme=ev.scheme, data=ev.data_digests, via=ev.via, os_user=ev.os_user)
    return canonical(fields)


class _Salts:
    """Random 128-bit salts as 32 hex digits, drawn from the system's CSPRNG in blocks (one
    ``secrets.token_bytes`` call per 32 salts instead of one per value)."""

    __slots__ = ("_hex", "_at")

    def __init__(self) -> None:
        self._hex, self._at = "", 0

    def next(self) -> str:
        if self._at >= len(self._hex):
            self._hex, self._at = secrets.token_bytes(16 * 32).hex(), 0
        self._at += 32
        return self._hex[self._at - 32:self._at]


def _salt_and_digest(value: Any, salts: _Salts | None = None) -> tuple[Any, Any]:
    """(salts, digests) mirroring ``value``: mappings and lists of mappings (repeat groups) are
    walked, every other value is a leaf with its own salt and digest."""
    salts = salts or _Salts()
    if isinstance(value, dict) and not is_tombstone(value):
        pairs = {k: _salt_and_digest(v, salts) for k, v in value.items()}
        return {k: p[0] for k, p in pairs.items()}, {k: p[1] for k, p in pairs.items()}
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        pairs_l = [_salt_and_digest(v, salts) for v in value]
        return [p[0] for p in pairs_l], [p[1] for p in pairs_l]
    salt = salts.next()
    return salt, value_digest(salt, value)


def _key_for(session: Session) -> AuditKey:
    return audit_key(session.get_bind().url)


def seal(session: Session, ev: AuditEvent, reference: str, key: AuditKey | None = None) -> None:
    """Salt and digest ``ev.data`` and sign ``ev`` with the audit key (sets scheme, key_id, hash)."""
    key = key or _key_for(session)
    ev.data_salts, ev.data_digests = _salt_and_digest(ev.data or {})
    ev.scheme, ev.key_id = SCHEME, key.key_id
    ev.hash = key.sign(keyed_text(ev, reference))


def append_event(session: Session, case: Case, *, at: datetime, actor: str, role: str,
                 organisation: str | None, action: str, sop_version: str, trigger: str | None = None,
                 step: str | None = None, instance_key: str | None = None, from_state: str | None = None,
                 to_state: str | None = None, data: dict | None = None,
                 effects: list | None = None, via: str | None = None,
                 os_user: str | None = None) -> Any:
    """Add the next event of ``case``'s chain to ``session`` (not flushed, not committed).

    The caller has already increased ``case.version``: the event's ``seq`` is that version (one
    event per change), and it chains to ``case.audit_head``, which then becomes its hash.
    ``via`` says which path wrote it (``cli``, ``web``, ``api``…; None when not told) and
    ``os_user`` the operating-system account of a CLI run. Raises
    :class:`~mno_workflow.store.auditkey.AuditKeyError` when the audit key cannot be read."""
    seq, prev = case.version, case.audit_head or GENESIS
    ev = _NewEvent(case_id=case.id, seq=seq, at=at, actor=actor, role=role, organisation=organisation,
                    action=action, trigger=trigger, step=step, instance_key=instance_key,
                    from_state=from_state, to_state=to_state, data=data or {}, effects=effects or [],
                    sop_version=sop_version, prev_hash=prev, hash="", via=via, os_user=os_user,
                    sop_version_id=case.sop_version_id)
    seal(session, ev, case.reference or str(case.id))
    case.audit_head = ev.hash
    # A plain Core INSERT (no unit of work): the event is never changed after it is written.
    conn = getattr(case, "mno_conn", None) or session.connection()  # the engine's Core path keeps it
    _INSERT_EVENT.execute(conn, {c: ev.__dict__.get(c) for c in _EVENT_COLUMNS})
    return ev


class _NewEvent:
    """An event being written: the columns of ``audit_events`` as attributes (no ORM object: it is
    inserted by a Core ``INSERT`` and never changed afterwards)."""

    def __init__(self, **columns: Any) -> None:
        self.__dict__.update(columns)


# Built once: constructing a statement costs more than SQLite's own work for one row.
_EVENT_COLUMNS = [c.key for c in AuditEvent.__table__.columns if c.key != "id"]
_INSERT_EVENT = Statement(insert(AuditEvent.__table__), _EVENT_COLUMNS)  # on the DB-API cursor


@dataclass(frozen=True)
class ChainProblem:
    """A finding about ``reference``'s event ``seq`` (in English). ``kind``: ``error`` (edited,
    deleted, forged) or ``legacy`` (an unkeyed event from before keying: run ``mno audit rekey``)."""

    reference: str
    seq: int
    problem: str
    kind: str = "error"


def _check_values(value: Any, digest: Any, salt: Any, name: str = "") -> str | None:
    """None when every value under ``value`` matches its digest (tombstones match by design)."""
    if isinstance(digest, dict):
        if not isinstance(value, dict) or set(value) != set(digest):
            return (f"data of {name!r} differs from the signed fields" if name else
                    "data keys differ from the signed ones (value added or removed)")
        salts = salt if isinstance(salt, dict) else {}
        for k in value:
            bad = _check_values(value[k], digest[k], salts.get(k), f"{name}.{k}" if name else k)
            if bad:
                return bad
        return None
    if isinstance(digest, list):
        if not isinstance(value, list) or len(value) != len(digest):
            return said("data of {name} differs from the signed items", name=repr(name))
        salts_l = salt if isinstance(salt, list) and len(salt) == len(value) else [None] * len(value)
        for i, (v, d, sl) in enumerate(zip(value, digest, salts_l, strict=True)):
            bad = _check_values(v, d, sl, f"{name}[{i}]")
            if bad:
                return bad
        return None
    if is_tombstone(value):
        return None
    if not isinstance(salt, str) or value_digest(salt, value) != digest:
        return said("value of {name} does not match its digest (edited)", name=repr(name))
    return None


def verify_case(session: Session, case: Case, key: AuditKey | None = None) -> list[ChainProblem]:
    """Check ``case``'s events: consecutive seq from 1, each link chained, each event signed with
    the audit key (or, reported as ``legacy``, an intact unkeyed hash from before keying), each
    personal value matching its digest unless purged."""
    key = key or _key_for(session)
    ref = case.reference or str(case.id)
    problems: list[ChainProblem] = []
    prev, expected_seq, keyed_seen = GENESIS, 1, False
    events = session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                             .order_by(AuditEvent.seq)).all()
    for ev in events:
        if ev.seq != expected_seq:
            problems.append(ChainProblem(ref, expected_seq, said("event {seq} is missing", seq=expected_seq)))
        if ev.prev_hash != prev:
            problems.append(ChainProblem(ref, ev.seq, said("previous-hash link broken (event deleted or "
                                                           "reordered)")))
        if ev.scheme is None:
            if legacy_digest(ev, ref) != ev.hash:
                problems.append(ChainProblem(ref, ev.seq, said("content does not match its hash (edited)")))
            elif keyed_seen:
                problems.append(ChainProblem(ref, ev.seq, said("unkeyed event after keyed ones (forged)")))
            else:
                problems.append(ChainProblem(ref, ev.seq, said("legacy unkeyed event"), "legacy"))
        elif ev.scheme != SCHEME:
            problems.append(ChainProblem(ref, ev.seq, said("unknown scheme {scheme}",
                                                           scheme=repr(ev.scheme))))
        elif ev.key_id != key.key_id:
            problems.append(ChainProblem(ref, ev.seq, said("signed with another key ({other}, this one is "
                                                           "{key}): cannot verify", other=ev.key_id,
                                                           key=key.key_id)))
        elif key.sign(keyed_text(ev, ref)) != ev.hash:
            problems.append(ChainProblem(ref, ev.seq, said("content does not match its keyed hash "
                                                           "(edited or re-hashed without the key)")))
        elif (bad := _check_values(ev.data or {}, ev.data_digests or {}, ev.data_salts or {})) is not None:
            problems.append(ChainProblem(ref, ev.seq, bad))
        keyed_seen |= ev.scheme is not None
        prev, expected_seq = ev.hash, ev.seq + 1
    # Every change of a case writes exactly one event and bumps its version by one.
    last_seq = events[-1].seq if events else 0
    if last_seq != case.version:
        problems.append(ChainProblem(ref, last_seq + 1, said(
            "case is at version {version} but its trail ends at event {seq} (events deleted)",
            version=case.version, seq=last_seq)))
    if events and case.audit_head != events[-1].hash:
        problems.append(ChainProblem(ref, last_seq, said("the case's recorded head is not its last event")))
    return problems


def verify_all(session: Session, *, legacy: bool = True) -> tuple[int, list[ChainProblem]]:
    """Verify every case's chain. Returns (number of cases checked, problems); ``legacy`` findings
    (unkeyed events from before keying) are included only when ``legacy`` is True."""
    key = _key_for(session)
    problems: list[ChainProblem] = []
    count = session.scalar(select(func.count(Case.id))) or 0
    for case in session.scalars(select(Case).order_by(Case.id)).yield_per(500):
        problems.extend(p for p in verify_case(session, case, key) if legacy or p.kind != "legacy")
    return count, problems


def rekey_case(session: Session, case: Case, key: AuditKey | None = None) -> tuple[int, list[ChainProblem]]:
    """Adopt ``case``'s legacy (unkeyed) events: if its whole chain verifies, sign every event
    again with the key, re-chained, keeping its content. Returns (events adopted, problems); when
    there are problems (other than legacy) nothing is changed."""
    key = key or _key_for(session)
    found = [p for p in verify_case(session, case, key) if p.kind != "legacy"]
    if found:
        return 0, found
    events = session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                             .order_by(AuditEvent.seq)).all()
    if all(ev.scheme is not None for ev in events):
        return 0, []
    prev, adopted = GENESIS, 0
    for ev in events:
        ev.prev_hash = prev
        if ev.scheme is None:
            seal(session, ev, case.reference or str(case.id), key)
            adopted += 1
        else:  # already keyed but chained to a legacy hash that changed: sign again
            ev.hash = key.sign(keyed_text(ev, case.reference or str(case.id)))
        prev = ev.hash
    case.audit_head = prev
    return adopted, []
