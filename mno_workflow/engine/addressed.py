"""Which organisation a step instance was addressed to when each of its forms was recorded.

A referral declined by one provider and re-referred to another (BF SOP ``decline`` then
``re_refer``, same instance) keeps the first provider's decline in its data: ``inst.data`` holds
one entry per form id, and ``re_refer`` replaces only the ``referral`` form (and the recipient).
That decline is the first organisation's answer to the case manager, not part of the new
recipient's referral (tryout 4, G9). The audit trail says which organisation the instance was
addressed to when each form was recorded: each ``fire`` event of the instance holds the forms it
recorded, and the event that recorded the step's recipient form names the organisation addressed
from then on.

One rule for every path: :func:`own_forms` gives the forms an organisation may read (those
recorded while the instance was addressed to it; the recipient form always, it *is* the current
addressing), :func:`origins` gives, for the case roles, who the referral was addressed to when a
form was recorded and when, and :func:`still_addressed` says whether a message to an organisation
about an instance is still about that organisation's referral (tryout 4, G10).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..sop.schema import SOP
from ..store.models import AuditEvent, Case, StepInstance

CHUNK = 500  # case ids per IN (…)


@dataclass(frozen=True)
class Origin:
    """A form of an instance as recorded: the organisation the instance was addressed to then
    (None before any), when, and the organisation of the user who recorded it."""

    recipient: str | None
    at: datetime
    organisation: str | None


def recipient_form(sop: SOP, step_id: str) -> tuple[str, str] | None:
    """``(form id, field id)`` of the form field that addresses ``step_id`` (BF SOP
    ``("referral", "provider")``); None for a step without recipient."""
    step = sop.steps.get(step_id)
    if step is None or not step.recipient or "." not in step.recipient:
        return None
    form_id, _, field_id = step.recipient.partition(".")
    return form_id, field_id


def _walk(sop: SOP, step_id: str, events: Iterable[Any]) -> dict[str, Origin]:
    """The origin of each form over ``events`` (``data``, ``at``, ``organisation``), oldest first."""
    rf = recipient_form(sop, step_id)
    current: str | None = None
    out: dict[str, Origin] = {}
    for data, at, organisation in events:
        if not isinstance(data, dict):
            continue
        if rf and isinstance(data.get(rf[0]), dict) and isinstance(data[rf[0]].get(rf[1]), str):
            current = data[rf[0]][rf[1]]
        for form_id in data:
            out[form_id] = Origin(current, at, organisation)
    return out


def origins(session: Session, sop: SOP, case: Case, inst: StepInstance) -> dict[str, Origin]:
    """``{form id: Origin}`` of the forms ``inst`` recorded (its ``fire`` events, in order)."""
    rows = session.execute(
        select(AuditEvent.data, AuditEvent.at, AuditEvent.organisation)
        .where(AuditEvent.case_id == case.id, AuditEvent.step == inst.step,
               AuditEvent.instance_key == inst.key, AuditEvent.action == "fire")
        .order_by(AuditEvent.seq)).all()
    return _walk(sop, inst.step, rows)


def from_trail(sop: SOP, inst: StepInstance, events: Iterable[AuditEvent]) -> dict[str, Origin]:
    """:func:`origins` from the case's audit ``events`` already read (oldest first)."""
    return _walk(sop, inst.step, ((e.data, e.at, e.organisation) for e in events if e.action == "fire"
                                  and e.step == inst.step and e.instance_key == inst.key))


def _needs_trail(sop: SOP, inst: StepInstance) -> bool:
    """Whether ``inst`` holds a form besides its recipient form (else nothing to decide)."""
    rf = recipient_form(sop, inst.step)
    return rf is not None and any(fid != rf[0] for fid in (inst.data or {}))


def many_origins(session: Session, sop_of: Any,
                 pairs: Iterable[tuple[Case, StepInstance]]) -> dict[int, dict[str, Origin]]:
    """:func:`origins` for many instances (``sop_of(case)``: the case's SOP), one statement per
    500 cases, and only for the instances that hold a form besides their recipient form."""
    wanted = {(case.id, inst.step, inst.key): (case, inst) for case, inst in pairs
              if _needs_trail(sop_of(case), inst)}
    found: dict[tuple[int, str, str], list[Any]] = {}
    ids = sorted({k[0] for k in wanted})
    steps = sorted({k[1] for k in wanted})
    for i in range(0, len(ids), CHUNK):
        for case_id, step, key, data, at, org in session.execute(
            select(AuditEvent.case_id, AuditEvent.step, AuditEvent.instance_key, AuditEvent.data,
                   AuditEvent.at, AuditEvent.organisation)
            .where(AuditEvent.case_id.in_(ids[i:i + CHUNK]), AuditEvent.step.in_(steps),
                   AuditEvent.action == "fire")
            .order_by(AuditEvent.case_id, AuditEvent.seq)):
            if (case_id, step, key) in wanted:
                found.setdefault((case_id, step, key), []).append((data, at, org))
    return {inst.id: _walk(sop_of(case), inst.step, found.get(k, []))
            for k, (case, inst) in wanted.items()}


def own_forms(sop: SOP, inst: StepInstance, organisation: str | None,
              found: dict[str, Origin]) -> dict[str, Any]:
    """``inst.data`` without the forms recorded while ``inst`` was addressed to another
    organisation than ``organisation`` (``found``: :func:`origins`). The recipient form stays:
    it is the addressing to ``organisation`` itself. A form the trail does not know stays only
    while the instance was never addressed elsewhere (no other recipient in ``found``)."""
    rf = recipient_form(sop, inst.step)
    data = inst.data or {}
    if rf is None:
        return dict(data)
    elsewhere = any(o.recipient not in (None, organisation) for o in found.values())
    out = {}
    for form_id, values in data.items():
        origin = found.get(form_id)
        if form_id == rf[0] or (origin.recipient == organisation if origin is not None else not elsewhere):
            out[form_id] = values
    return out


def earlier(sop: SOP, inst: StepInstance, found: dict[str, Origin]) -> dict[str, Origin]:
    """The forms of ``inst`` recorded while it was addressed to another organisation than its
    recipient now (the first provider's decline of a re-referred referral), with their origin."""
    rf = recipient_form(sop, inst.step)
    if rf is None:
        return {}
    return {fid: o for fid, o in found.items() if fid in (inst.data or {}) and fid != rf[0]
            and o.recipient is not None and o.recipient != inst.recipient}


def addressings(session: Session, sop: SOP, case: Case, inst: StepInstance) -> list[tuple[datetime, str]]:
    """``[(when, organisation)]``: each time ``inst`` was addressed (sent, re-referred), oldest first."""
    rf = recipient_form(sop, inst.step)
    if rf is None:
        return []
    rows = session.execute(
        select(AuditEvent.data, AuditEvent.at)
        .where(AuditEvent.case_id == case.id, AuditEvent.step == inst.step,
               AuditEvent.instance_key == inst.key, AuditEvent.action == "fire")
        .order_by(AuditEvent.seq)).all()
    return _addressings(rf, rows)


def recipients_of_events(sop: SOP, inst: StepInstance, events: Iterable[AuditEvent]) -> dict[int, str | None]:
    """``{seq: organisation}``: whom ``inst`` was addressed to when each of its ``fire`` events
    in the case's audit ``events`` (oldest first) was recorded (the event that addresses it
    counts as the new organisation's)."""
    rf = recipient_form(sop, inst.step)
    current: str | None = None
    out: dict[int, str | None] = {}
    for e in events:
        if e.step != inst.step or e.instance_key != inst.key:
            continue
        data = e.data if e.action == "fire" and isinstance(e.data, dict) else {}
        if rf and isinstance(data.get(rf[0]), dict) and isinstance(data[rf[0]].get(rf[1]), str):
            current = data[rf[0]][rf[1]]
        out[e.seq] = current
    return out


def _addressings(rf: tuple[str, str], rows: Iterable[Any]) -> list[tuple[datetime, str]]:
    return [(at, data[rf[0]][rf[1]]) for data, at in rows
            if isinstance(data, dict) and isinstance(data.get(rf[0]), dict)
            and isinstance(data[rf[0]].get(rf[1]), str)]


def addressed_at(found: list[tuple[datetime, str]], at: datetime) -> str | None:
    """The organisation the instance was addressed to at ``at`` (``found``: :func:`addressings`);
    None before it was first addressed."""
    who = None
    for when, organisation in found:
        if when > at:
            break
        who = organisation
    return who


def still_addressed(sop: SOP, inst: StepInstance, organisation: str | None) -> bool:
    """Whether ``inst`` is still addressed to ``organisation``: a message to a provider about a
    referral since re-referred to another organisation is about a referral no longer its own."""
    return recipient_form(sop, inst.step) is None or not inst.recipient or inst.recipient == organisation
