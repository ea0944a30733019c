"""Deadline rows of a step instance: armed when it enters a state, cancelled when it leaves.

Runs inside the transition's transaction (see :meth:`WorkflowEngine.fire`), so a deadline exists
exactly while its state does. Due instants come from :mod:`mno_workflow.engine.deadlines` and
the SOP's business calendar (:class:`~mno_workflow.engine.calendar.BusinessCalendar`), with the
public holidays an administrator confirmed or moved (table ``holiday_overrides``).
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from ..sop.schema import SOP, Deadline
from ..store.fastsql import Statement
from ..store.models import Case, HolidayOverride, StepInstance
from ..store.models import Deadline as DeadlineRow
from .calendar import BusinessCalendar
from .calendar import HolidayOverride as Override
from .corewrite import NewRow, is_carrier
from .deadlines import (
    DeadlineError,
    due_in_force,
    reminder_instants,
    resolve_duration,
    start_instant,
)
from .errors import DeadlineNotArmed, Message
from .holiday_sources import HOLIDAYS_VERSION
from .service_levels import effective_deadline, service_level
from .step_start import with_step_instants

log = logging.getLogger("mno_workflow.engine.deadlines")

_cache: dict[tuple, BusinessCalendar] = {}
_lock = threading.Lock()
_urls: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine -> its URL as text
_calendar_json: dict[int, tuple[Any, str]] = {}  # id(calendar block) -> (block, its JSON)


def calendar_for(session: Session, sop: SOP, language: str = "fr") -> BusinessCalendar:
    """The SOP's business calendar with the stored holiday overrides of *its calendar* applied
    (keyed by ``sop.calendar.key``: ``BF``, ``GB-ENG``; another region of the same country has its
    own overrides).

    Cached per (calendar, overrides state); the state (count and latest decision of the
    calendar's overrides) is read in the caller's transaction each time, so a holiday confirmed in
    any process (``mno calendar set`` beside a running ``mno serve``) applies to every deadline
    computed after its commit — never a stale calendar for a stored deadline (tryout 7, J11: the
    state was re-read every 30 s, and deadlines computed in between were wrong for good). The
    calendar itself is rebuilt only when that state changed. Raises ValueError for
    a calendar the ``holidays`` package cannot serve (bad time zone or code). ``language``: of the
    holidays' names (``mno calendar holidays --lang en``); deadlines do not depend on it."""
    key_name = sop.calendar.key
    bind = session.get_bind()
    url = _urls.get(bind)
    if url is None:
        url = _urls[bind] = str(bind.url)
    where = (url, key_name)  # one process may serve several databases
    marker = tuple(session.execute(_MARKER, {"calendar": key_name}).one())
    seen_json = _calendar_json.get(id(sop.calendar))
    if seen_json is None or seen_json[0] is not sop.calendar:  # the SOP's calendar block, as text once
        seen_json = _calendar_json[id(sop.calendar)] = (sop.calendar, sop.calendar.model_dump_json())
    key = (where, seen_json[1], marker, language)
    cal = _cache.get(key)
    if cal is None:
        rows: list[HolidayOverride] = []
        if marker and marker[0]:
            rows = list(session.scalars(select(HolidayOverride)
                                        .where(HolidayOverride.calendar == key_name)
                                        .order_by(HolidayOverride.decided_at, HolidayOverride.id)))
        overrides = [Override(date=r.day, name=r.name or "", action=r.action) for r in rows]
        cal = BusinessCalendar.from_sop(sop.calendar, overrides=overrides, language=language)
        with _lock:
            _cache[key] = cal
    return cal


def forget_overrides() -> None:
    """Drop the calendars built so far (they are rebuilt on the next deadline computation). Not
    needed for correctness: :func:`calendar_for` reads the overrides' state every time."""
    with _lock:
        _cache.clear()


_MARKER = (select(func.count(HolidayOverride.id), func.max(HolidayOverride.decided_at))
           .where(HolidayOverride.calendar == bindparam("calendar")))


def cancel(session: Session, inst: StepInstance, now: datetime, note: str, case: Any = None) -> int:
    """Cancel the pending deadline rows of ``inst``; returns how many. ``case``: its case, needed
    when it is a Core-path carrier (:mod:`mno_workflow.engine.corewrite`)."""
    for row in [o for o in session.new if isinstance(o, DeadlineRow) and o.instance is inst]:
        session.expunge(row)  # armed earlier in this same transaction, never written
    if case is not None and is_carrier(case):  # Core write path: rows not written yet are dropped
        case.new_deadlines = [r for r in case.new_deadlines if r.instance is not inst]
    if inst.id is None:
        return 0
    # Core UPDATE on the table (no ORM bulk-update machinery; rows loaded in this session are
    # not synchronised, as before with synchronize_session=False).
    conn = case.mno_conn if case is not None and is_carrier(case) else session.connection()
    return _CANCEL.execute(conn, {"iid": inst.id, "now": now, "note": note}) or 0


_DL = DeadlineRow.__table__
_CANCEL = Statement(  # on the DB-API cursor (store/fastsql.py)
    update(_DL).where(_DL.c.instance_id == bindparam("iid"),  # OR, not IN: no expanding IN
                      or_(*(_DL.c.status == s for s in ("pending", "paused", "waiting"))))
    .values(status="cancelled", fired_at=bindparam("now"), note=bindparam("note")))
_WAITING = select(DeadlineRow).where(DeadlineRow.case_id == bindparam("cid"),
                                     DeadlineRow.status == "waiting")


def arm(session: Session, case: Case, inst: StepInstance, sop: SOP, data: dict[str, Any],
        now: datetime, *, entered: datetime | None = None) -> list[dict]:
    """Create the rows of the deadline of ``inst``'s current state (if it has one).

    ``entered``: when the state was really entered, when earlier than ``now`` (a transition's
    ``effective_at``: an answer recorded later on the provider's behalf); the deadline counts
    from it instead of ``now`` (a ``start:`` field still wins for the deadline it names).

    ``data`` is the case data ``{form: {field: value}}`` (case and instance forms). Returns the
    audit effects: ``{"deadline": {...due...}}``, or, for a deadline the SOP marks
    ``optional: true`` whose field is empty, ``{"deadline_skipped": {instance, state, field,
    reason}}``. Raises :class:`~mno_workflow.engine.errors.DeadlineNotArmed` (fr/en) when the due
    instant cannot be computed and the deadline is not optional: the transition is not committed.
    """
    state = sop.steps[inst.step].states[inst.state]
    if state.deadline is None or state.final:
        return []
    dl: Deadline = state.deadline
    cal = calendar_for(session, sop)
    data = with_step_instants(data, case, dl)  # issue 13: ``start: steps.<step>.<state>``
    dl, level = service_level(session, sop, inst, dl, data)  # issue 13: directory response times
    since = min(entered, now) if entered is not None else now
    try:
        start = start_instant(dl, since, data, cal)
        due, rule = due_in_force(dl, since, data, cal)  # ``no_later_than``: the earlier instant
    except DeadlineError as e:
        log.info("deadline of %s.%s not armed: %s", inst.step, inst.state, e)  # the detail: log only
        if dl.optional:
            from ..reminders.stored_message import stored
            return [{"deadline_skipped": {"instance": inst.label_key, "state": inst.state,
                                          "field": e.field, "reason": stored(e.why)}}]
        raise not_armed(inst.step, inst.state, e) from None
    rows = _write_rows(session, case, inst, rule, state.owner_for(data), start, due, cal)
    if rule is not dl:  # the cap decided: the audit says which date it counted from
        rows[0]["deadline"]["capped_by"] = rule.start or "entered"
    return rows + ([{"service_level": level}] if level else [])  # issue 13: shown on the referral


def not_armed(step: str, state: str, e: DeadlineError) -> DeadlineNotArmed:
    """The typed, bilingual refusal for a deadline that cannot be armed."""
    where = f"{step}.{state}"
    why = e.why  # catalogue words; str(e) is the technical detail
    return DeadlineNotArmed(Message.t(
        "Le délai de l'état « {where} » ne peut pas être calculé : {why}. Rien n'a été enregistré ; "
        "renseignez ce champ, ou la POS doit déclarer ce délai « optional: true ».", where=where, why=why),
        step=step, state=state, field=e.field)


def _write_rows(session: Session, case: Case, inst: StepInstance, dl: Deadline, owner: str | None,
                start: datetime, due: datetime, cal: BusinessCalendar) -> list[dict]:
    try:
        unit = resolve_duration(dl, {**(case.data or {}), **(inst.data or {}), "item": inst.item or {}}).unit
    except DeadlineError:
        unit = None
    planned = [("reminder", str(text), at)
               for text, at in reminder_instants(dl, start, due, cal, unit, cal.reminder_time)]
    planned.append(("expiry", "", due))
    expiry = dl.on_expiry
    carrier = is_carrier(case)  # Core write path: rows kept on the case, one executemany at the end
    for kind, offset, at in planned:
        row = (NewRow if carrier else DeadlineRow)(
            case_id=case.id, instance=inst, step=inst.step, state=inst.state,
            entered_at=inst.entered_at, kind=kind, offset=offset, owner_role=owner,
            escalate_to=expiry.escalate if expiry and kind == "expiry" else None,
            auto_trigger=expiry.fire if expiry and kind == "expiry" else None,
            start_at=start, due_at=due, fire_at=at, status="pending")
        if carrier:
            case.new_deadlines.append(row)
        else:
            session.add(row)
    return [{"deadline": {"instance": inst.label_key, "state": inst.state,
                          "due_at": due.isoformat(), "reminders": len(planned) - 1,
                          "calendar": cal.country or "-", "holidays_version": HOLIDAYS_VERSION}}]


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
    from .deadlines import resume_after_pause
    rows = list(session.scalars(select(DeadlineRow).where(DeadlineRow.instance_id == inst.id,
                                                          DeadlineRow.status == "paused")))
    expiry = next((r for r in rows if r.kind == "expiry"), None)
    if expiry is None:
        raise LookupError(f"no paused deadline for {inst.label_key}")
    dl = sop.steps[inst.step].states[inst.state].deadline
    dl = effective_deadline(session, sop, case, inst, dl)  # directory rule: its unit, not the default's
    cal = calendar_for(session, sop)
    dl, unit = rule_in_force(case, inst, dl, cal)
    old_due = expiry.due_at
    new_due = resume_after_pause(old_due, expiry.fired_at, now, cal, unit)
    for r in rows:
        r.status, r.note = "cancelled", f"resumed at {now.isoformat()}, due {new_due.isoformat()}"
    _write_rows(session, case, inst, dl, expiry.owner_role, expiry.start_at, new_due, cal)
    _drop_planned(session, case, inst, lambda r: r.kind == "reminder" and r.fire_at <= now)
    return old_due, new_due


def rule_in_force(case: Any, inst: Any, dl: Deadline, cal: BusinessCalendar) -> tuple[Deadline, Any]:
    """The rule that decided ``inst``'s due instant (``dl``, or its ``no_later_than`` when that came
    first, :func:`~mno_workflow.engine.deadlines.due_in_force`) and its unit: a pause or an
    extension moves a deadline in the unit of the rule in force (hours for "72 hours after the
    incident", working days for "3 working days"). The case data as stored, the instance's data
    and its ``item``; ``dl`` and its own unit when the due instant cannot be computed."""
    from .deadlines import resolve_duration
    data = with_step_instants({**(case.data or {}), **(inst.data or {}), "item": inst.item or {}}, case, dl)
    try:
        _, rule = due_in_force(dl, inst.entered_at, data, cal)
    except DeadlineError:
        rule = dl
    try:
        return rule, resolve_duration(rule, data).unit
    except DeadlineError:
        return rule, None


def _drop_planned(session: Session, case: Any, inst: Any, drop: Callable[[Any], bool]) -> None:
    """Leave out rows just planned by ``_write_rows`` for ``inst`` that ``drop(row)`` names: from
    the carrier's ``new_deadlines`` (Core path: never written) or the session's new objects."""
    if is_carrier(case):
        case.new_deadlines = [r for r in case.new_deadlines if not (r.instance is inst and drop(r))]
        return
    for r in list(session.new):
        if isinstance(r, DeadlineRow) and r.instance is inst and drop(r):
            session.expunge(r)


def extend(session: Session, case: Case, inst: StepInstance, sop: SOP, by: Any,
           now: datetime, *, from_due: bool = False) -> tuple[datetime, datetime]:
    """Move the expiry of ``inst``'s current deadline by the duration ``by`` and re-plan its
    reminders (reminders already sent stay sent). Returns ``(old_due, new_due)``.

    Works on a running deadline and on an **overdue or escalated** one (its expiry already
    processed by the sweeper): the deadline is re-opened with the new due instant. The extension
    counts from ``now`` when the deadline is already past, from the current due instant while it
    is still ahead (an extension never shortens); ``from_due=True`` always counts from the current
    due instant. Raises LookupError when the current state's deadline has no expiry row (paused,
    never armed, or an automatic trigger already left the state)."""
    from .deadlines import extend as extend_due
    rows = list(session.scalars(select(DeadlineRow).where(
        DeadlineRow.instance_id == inst.id, DeadlineRow.entered_at == inst.entered_at,
        DeadlineRow.state == inst.state).order_by(DeadlineRow.id)))
    expiries = [r for r in rows if r.kind == "expiry" and r.status in ("pending", "waiting", "done")]
    if not expiries or any(r.status == "paused" for r in rows):
        raise LookupError(f"no deadline to extend for {inst.label_key}")
    expiry = expiries[-1]
    dl = sop.steps[inst.step].states[inst.state].deadline
    dl = effective_deadline(session, sop, case, inst, dl)  # directory rule: reminders in its unit
    cal = calendar_for(session, sop)
    old_due = expiry.due_at
    base = old_due if from_due or old_due > now else now
    new_due = extend_due(base, by, cal)
    sent = {r.offset for r in rows if r.kind == "reminder" and r.status == "done"}
    for r in rows:
        if r.status in ("pending", "waiting"):
            r.status, r.fired_at, r.note = "cancelled", now, f"extended to {new_due.isoformat()}"
    if expiry.status == "done":
        # Re-opened: the processed expiry no longer makes the case overdue (lists, digests).
        expiry.status = "extended"
        expiry.note = f"{expiry.note or 'done'}; re-opened, extended to {new_due.isoformat()}"
    _write_rows(session, case, inst, dl, expiry.owner_role, expiry.start_at, new_due, cal)
    # Only what is still ahead is re-planned for the new due instant: a reminder whose time has
    # passed is dropped, and a percentage reminder already sent is not sent a second time
    # ("1 working day before" the new due date is a new reminder and is kept).
    _drop_planned(session, case, inst, lambda r: r.kind == "reminder" and (
        r.fire_at <= now or (r.offset in sent and r.offset.strip().endswith("%"))))
    return old_due, new_due


def release_waiting(session: Session, case: Case, sop: SOP, context: Callable[[StepInstance], dict],
                    now: datetime) -> list[dict]:
    """Minimum periods whose event just happened: in the transaction that changed the case data,
    every expiry row of ``case`` in status ``waiting`` (its minimum period is over, its
    ``wait_for`` condition was false) whose condition now holds becomes due at ``now`` (``due_at``
    = ``fire_at`` = the event's instant, "whichever is later"), for the next sweep to act on.
    ``context(inst)`` is the CEL context of the instance. Returns audit effects
    ``{"wait_over": {instance, state, due_at}}``. No polling: nothing else re-checks them."""
    from ..sop.expr import compile_expr
    if case.id is None or not _has_wait_for(sop):  # no row can be waiting: no query
        return []
    rows = list(session.scalars(_WAITING, {"cid": case.id}))
    out = []
    by_id = {i.id: i for i in case.instances}  # the case's own objects (a Core carrier's too)
    for row in rows:
        inst = by_id.get(row.instance_id) or row.instance
        state = sop.steps[inst.step].states.get(inst.state) if inst.step in sop.steps else None
        if (inst.state != row.state or inst.entered_at != row.entered_at or state is None
                or state.deadline is None or not state.deadline.wait_for):
            continue
        if compile_expr(state.deadline.wait_for).holds(context(inst)):
            row.status, row.fire_at, row.due_at = "pending", now, now
            row.note = f"event at {now.isoformat()}: {state.deadline.wait_for}"
            out.append({"wait_over": {"instance": inst.label_key, "state": inst.state,
                                      "due_at": now.isoformat()}})
    return out


def _has_wait_for(sop: SOP) -> bool:
    """Whether any deadline of ``sop`` has a ``wait_for`` condition (only those rows can wait)."""
    return any(st.deadline is not None and st.deadline.wait_for
               for step in sop.steps.values() for st in step.states.values())
