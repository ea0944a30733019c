"""Deadline rows of a step instance: armed when it enters a state, cancelled when it leaves.

Runs inside the transition's transaction (see :meth:`WorkflowEngine.fire`), so a deadline exists
exactly while its state does. Due instants come from :mod:`mno_workflow.engine.deadlines` and
the SOP's business calendar (:class:`~mno_workflow.engine.calendar.BusinessCalendar`), with the
public holidays an administrator confirmed or moved (table ``holiday_overrides``).
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..sop.schema import SOP, Deadline
from ..store.models import Case, HolidayOverride, StepInstance
from ..store.models import Deadline as DeadlineRow
from .calendar import BusinessCalendar
from .calendar import HolidayOverride as Override
from .deadlines import DeadlineError, due_at, reminder_instants, start_instant

_cache: dict[tuple, BusinessCalendar] = {}
_markers: dict[str, tuple[float, tuple]] = {}
_lock = threading.Lock()
RECHECK_SECONDS = 30.0  # how stale another process's holiday override may be seen here


def calendar_for(session: Session, sop: SOP) -> BusinessCalendar:
    """The SOP's business calendar with the stored holiday overrides of its country applied.

    Cached per (calendar, overrides state); the overrides table is re-read at most every
    ``RECHECK_SECONDS`` (30 s), so a holiday confirmed in another process applies to deadlines
    computed from then on; see :func:`forget_overrides` for this process."""
    country = sop.calendar.holidays
    marker: tuple = ()
    rows: list[HolidayOverride] = []
    if country:
        seen = _markers.get(country)
        if seen is not None and time.monotonic() - seen[0] < RECHECK_SECONDS:
            marker = seen[1]
        else:
            marker = tuple(session.execute(
                select(func.count(HolidayOverride.id), func.max(HolidayOverride.decided_at))
                .where(HolidayOverride.country == country)).one())
            _markers[country] = (time.monotonic(), marker)
    key = (sop.calendar.model_dump_json(), marker)
    cal = _cache.get(key)
    if cal is None:
        if country and marker and marker[0]:
            rows = list(session.scalars(select(HolidayOverride).where(HolidayOverride.country == country)
                                        .order_by(HolidayOverride.decided_at, HolidayOverride.id)))
        overrides = [Override(date=r.day, name=r.name or "", action=r.action) for r in rows]
        cal = BusinessCalendar.from_sop(sop.calendar, overrides=overrides)
        with _lock:
            _cache[key] = cal
    return cal


def forget_overrides() -> None:
    """Re-read holiday overrides at the next deadline computation (after an administrator's
    change in this process)."""
    _markers.clear()


def cancel(session: Session, inst: StepInstance, now: datetime, note: str) -> int:
    """Cancel the pending deadline rows of ``inst``; returns how many."""
    for row in [o for o in session.new if isinstance(o, DeadlineRow) and o.instance is inst]:
        session.expunge(row)  # armed earlier in this same transaction, never written
    if inst.id is None:
        return 0
    res = session.execute(update(DeadlineRow)
                          .where(DeadlineRow.instance_id == inst.id,
                                 DeadlineRow.status.in_(("pending", "paused")))
                          .values(status="cancelled", fired_at=now, note=note)
                          .execution_options(synchronize_session=False))
    return res.rowcount or 0


def arm(session: Session, case: Case, inst: StepInstance, sop: SOP, data: dict[str, Any],
        now: datetime) -> list[dict]:
    """Create the rows of the deadline of ``inst``'s current state (if it has one).

    ``data`` is the case data ``{form: {field: value}}`` (case and instance forms). Returns the
    audit effects: ``{"deadline": {...due...}}``, or ``{"deadline_error": ...}`` when the due
    instant cannot be computed (a field it depends on is missing): the transition still happens.
    """
    state = sop.steps[inst.step].states[inst.state]
    if state.deadline is None or state.final:
        return []
    dl: Deadline = state.deadline
    cal = calendar_for(session, sop)
    try:
        start = start_instant(dl, now, data, cal)
        due = due_at(dl, now, data, cal)
    except DeadlineError as e:
        return [{"deadline_error": f"{inst.step}.{inst.state}: {e}"}]
    return _write_rows(session, case, inst, dl, state.owner_for(data), start, due, cal)


def _write_rows(session: Session, case: Case, inst: StepInstance, dl: Deadline, owner: str | None,
                start: datetime, due: datetime, cal: BusinessCalendar) -> list[dict]:
    planned = [("reminder", str(text), at) for text, at in reminder_instants(dl, start, due, cal)]
    planned.append(("expiry", "", due))
    expiry = dl.on_expiry
    for kind, offset, at in planned:
        session.add(DeadlineRow(
            case_id=case.id, instance=inst, step=inst.step, state=inst.state,
            entered_at=inst.entered_at, kind=kind, offset=offset, owner_role=owner,
            escalate_to=expiry.escalate if expiry and kind == "expiry" else None,
            auto_trigger=expiry.fire if expiry and kind == "expiry" else None,
            start_at=start, due_at=due, fire_at=at, status="pending"))
    return [{"deadline": {"instance": inst.label_key, "state": inst.state,
                          "due_at": due.isoformat(), "reminders": len(planned) - 1}}]


def pause(session: Session, inst: StepInstance, now: datetime, reason: str) -> int:
    """Pause the pending deadline rows of ``inst`` (status ``paused``; ``fired_at`` holds the
    instant of the pause). Returns how many; 0 when there is nothing to pause."""
    rows = list(session.scalars(select(DeadlineRow).where(DeadlineRow.instance_id == inst.id,
                                                          DeadlineRow.status == "pending")))
    for r in rows:
        r.status, r.fired_at, r.note = "paused", now, f"paused: {reason}"
    return len(rows)


def resume(session: Session, case: Case, inst: StepInstance, sop: SOP,
           now: datetime) -> tuple[datetime, datetime]:
    """Resume a paused deadline of ``inst``: the due instant moves by the pause (working days
    the pause covered for a working-day deadline, exact elapsed time otherwise); reminders still
    ahead are re-planned. Returns ``(old_due, new_due)``. Raises LookupError when not paused."""
    from .deadlines import resolve_duration, resume_after_pause
    rows = list(session.scalars(select(DeadlineRow).where(DeadlineRow.instance_id == inst.id,
                                                          DeadlineRow.status == "paused")))
    expiry = next((r for r in rows if r.kind == "expiry"), None)
    if expiry is None:
        raise LookupError(f"no paused deadline for {inst.label_key}")
    dl = sop.steps[inst.step].states[inst.state].deadline
    cal = calendar_for(session, sop)
    unit = resolve_duration(dl, {**(case.data or {}), **(inst.data or {})}).unit
    old_due = expiry.due_at
    new_due = resume_after_pause(old_due, expiry.fired_at, now, cal, unit)
    for r in rows:
        r.status, r.note = "cancelled", f"resumed at {now.isoformat()}, due {new_due.isoformat()}"
    _write_rows(session, case, inst, dl, expiry.owner_role, expiry.start_at, new_due, cal)
    for r in list(session.new):
        if isinstance(r, DeadlineRow) and r.instance is inst and r.kind == "reminder" and r.fire_at <= now:
            session.expunge(r)
    return old_due, new_due


def extend(session: Session, case: Case, inst: StepInstance, sop: SOP, by: Any,
           now: datetime) -> tuple[datetime, datetime]:
    """Move the pending expiry of ``inst`` by the duration ``by`` and re-plan its reminders
    (reminders already sent stay sent). Returns ``(old_due, new_due)``. Raises LookupError when
    the instance has no pending expiry row."""
    from .deadlines import extend as extend_due
    rows = list(session.scalars(select(DeadlineRow).where(DeadlineRow.instance_id == inst.id,
                                                          DeadlineRow.status == "pending")))
    expiry = next((r for r in rows if r.kind == "expiry"), None)
    if expiry is None:
        raise LookupError(f"no pending deadline for {inst.label_key}")
    dl = sop.steps[inst.step].states[inst.state].deadline
    cal = calendar_for(session, sop)
    old_due = expiry.due_at
    new_due = extend_due(old_due, by, cal)
    sent = set(session.scalars(select(DeadlineRow.offset).where(
        DeadlineRow.instance_id == inst.id, DeadlineRow.entered_at == inst.entered_at,
        DeadlineRow.kind == "reminder", DeadlineRow.status == "done")))
    for r in rows:
        r.status, r.fired_at, r.note = "cancelled", now, f"extended to {new_due.isoformat()}"
    _write_rows(session, case, inst, dl, expiry.owner_role, expiry.start_at, new_due, cal)
    # Only what is still ahead is re-planned for the new due instant: a reminder whose time has
    # passed is dropped, and a percentage reminder already sent is not sent a second time
    # ("1 working day before" the new due date is a new reminder and is kept).
    for r in list(session.new):
        if isinstance(r, DeadlineRow) and r.instance is inst and r.kind == "reminder" and (
                r.fire_at <= now or (r.offset in sent and r.offset.strip().endswith("%"))):
            session.expunge(r)
    return old_due, new_due
