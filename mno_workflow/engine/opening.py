""""New case" in one transaction: create the case and fire its registration (the identification
form) in one commit, optionally under an idempotency key so that a retry returns the same case.

Used by the page (key: the form's one-time token), the API (``Idempotency-Key`` header) and the
CLI (``--idempotency-key``). Keys are per user (``case_requests``: unique ``(owner, key)``); the
key row is written first in the same transaction, so a concurrent retry waits for the first
request and then gets its reference (PostgreSQL: the unique index; SQLite: ``BEGIN IMMEDIATE``),
and a request that fails or is killed half-way leaves neither a case nor a key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..store.models import Case, CaseRequest
from .corewrite import write_back as wf_write_back

if TYPE_CHECKING:
    from .engine import Actor, WorkflowEngine

MAX_KEY = 100


class IdempotencyKeyInvalid(ValueError):
    """The idempotency key is empty or longer than ``MAX_KEY`` characters."""


@dataclass(frozen=True)
class Opened:
    """``reference`` and ``version`` of the case; ``replayed``: an earlier request with the same
    key had created it (nothing was written now)."""

    reference: str
    version: int
    replayed: bool = False


def registration(sop, role: str):
    """The start step's transition with a form that ``role`` may fire (the registration), or None."""
    return next((tr for tr in sop.steps[sop.start].transitions if tr.form and role in tr.by), None)


def _replay(wf: WorkflowEngine, owner: str, key: str) -> Opened | None:
    with wf.sessions() as s:
        ref = s.scalar(select(CaseRequest.reference).where(CaseRequest.owner == owner,
                                                          CaseRequest.key == key))
        if ref is None:
            return None
        version = s.scalar(select(Case.version).where(Case.reference == ref))
        return Opened(ref, version or 1, True)


def open_case(wf: WorkflowEngine, sop_id: str, actor: Actor, payload: dict[str, Any] | None = None,
              *, trigger: str | None = None, assignee: str | None = None,
              idempotency_key: str | None = None, _between=None, start: str | None = None,
              prepare=None, finish=None, choose=None) -> Opened:
    """Create a case on ``sop_id`` and fire ``trigger`` (None: the registration the actor's role
    may fire, if any; ``""``: none) with ``payload``, in one transaction.

    With ``idempotency_key`` (1–100 characters), a second call by the same ``actor.user`` with the
    same key returns the first call's case (``replayed``) and writes nothing. Raises what
    :meth:`WorkflowEngine.create_case` and :meth:`WorkflowEngine.fire` raise (then nothing is
    written, the key stays free) and IdempotencyKeyInvalid for a key that is empty or too long.
    ``_between`` (tests only) runs between the creation and the registration. ``start``: the
    step of an SOP entry (a first responder's alert, :mod:`mno_workflow.engine.alerts`), whose
    ``prepare(session, case)`` runs before the trigger and ``finish(session, case)`` after it, in
    the same transaction. ``choose(session)``, when given, returns the assignee instead of
    ``assignee``, read inside the creating transaction (before the case row is written), so a
    caller that picks by load sees every case committed before it (alerts.py locks first)."""
    key = idempotency_key
    if key is not None and not (0 < len(key) <= MAX_KEY):
        raise IdempotencyKeyInvalid(f"idempotency key: 1 to {MAX_KEY} characters")
    if key is not None and (done := _replay(wf, actor.user, key)) is not None:
        return done
    now = wf._now()
    try:
        with wf.sessions.begin() as s, s.no_autoflush:
            req = None
            if key is not None:
                req = CaseRequest(owner=actor.user, key=key, reference="", created_at=now)
                s.add(req)
                s.flush()  # a concurrent request with the same key waits here (unique index)
            if choose is not None:
                assignee = choose(s)
            case = wf._create(s, sop_id, actor, assignee, now, start=start)
            if _between is not None:
                _between(case)
            if prepare is not None:
                prepare(s, case)
            compiled = wf.registry.for_case(case)
            if trigger is None:
                tr = registration(compiled.sop, actor.role)
                trigger = tr.trigger if tr else None
            if trigger:
                wf._fire(s, case, compiled, trigger, actor, dict(payload or {}), None, now)
            elif payload:
                from .errors import FormInvalid, Message
                raise FormInvalid("create", {k: Message.t("Ce rôle n'enregistre pas de fiche.")
                                             for k in payload})
            if finish is not None:
                finish(s, case)
            if req is not None:
                req.reference = case.reference
            wf_write_back(s, case)  # the engine's Core write path (corewrite.py)
            return Opened(case.reference, case.version)
    except IntegrityError:
        if key is not None and (done := _replay(wf, actor.user, key)) is not None:
            return done
        raise
