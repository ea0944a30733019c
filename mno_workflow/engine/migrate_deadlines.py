"""What a migration does to the running deadline of one step instance (see engine/versions.py).

- Same deadline rule in the old and the new state (renamed or not): the deadline rows are kept
  as they are — start, due instant, extensions, pause, overdue status — only their state name
  follows the mapping.
- Rule changed (or added): the migration plan's rule decides. ``keep``: the due instant stays,
  reminders are re-planned under the new rule; ``recompute`` (default): the new rule counted from
  the original start (the instant the instance entered the state), then moved again by the
  extensions and pauses already granted in that state (engine/migrate_grants.py); ``restart``: the new rule
  counted from the migration instant. A pause carries over with ``keep`` and ``recompute``.
  Reminders whose time has passed are not planned again.
- No deadline in the new state, or a final one: the rows are cancelled.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from ..store.models import Deadline as DeadlineRow
from . import timers

RULES = ("keep", "recompute", "restart")


def _rows(s, inst, state: str) -> list[DeadlineRow]:
    if inst.id is None:
        return []
    return list(s.scalars(select(DeadlineRow).where(
        DeadlineRow.instance_id == inst.id, DeadlineRow.state == state,
        DeadlineRow.entered_at == inst.entered_at).order_by(DeadlineRow.id)))


def _effect(inst, due: datetime) -> dict[str, Any]:
    return {"deadline": {"instance": inst.label_key, "state": inst.state, "due_at": due.isoformat(),
                         "migrated": True}}


def _regrant(wf, s, case, inst, old_state: str, new_sop, new_dl, info: dict[str, Any]) -> None:
    """Move the just-armed expiry of ``inst`` by the extensions and pauses granted in
    ``old_state`` (rows written again for the new due instant; ``info["grants"]``: how many)."""
    from .migrate_grants import apply_grants, granted_events
    armed = [r for r in s.new if isinstance(r, DeadlineRow) and r.instance is inst]
    with s.no_autoflush:  # the rows just armed stay unwritten: the caller still adjusts them
        events = granted_events(s, case, inst, old_state)
    expiry = next((r for r in armed if r.kind == "expiry"), None)
    if not events or expiry is None:
        return
    cal = timers.calendar_for(s, new_sop)
    from .service_levels import effective_deadline
    new_dl = effective_deadline(s, new_sop, case, inst, new_dl)  # directory rule: its unit
    new_dl, unit = timers.rule_in_force(case, inst, new_dl, cal)  # ``no_later_than``: its unit
    due, applied = apply_grants(expiry.due_at, events, cal, unit)
    info["grants"] = applied
    if due != expiry.due_at:
        for r in armed:
            s.expunge(r)
        timers._write_rows(s, case, inst, new_dl, expiry.owner_role, expiry.start_at, due, cal)


def carry_deadline(wf, s, case, inst, old_obj, old_state: str, new_sop, rule: str,
                   now: datetime) -> tuple[dict[str, Any] | None, list[dict]]:
    """Carry ``inst``'s deadline from ``old_state`` (``old_obj``: its SOP state in the old version)
    to ``inst.state`` (already set) of ``new_sop``. Returns ``(info, effects)``: ``info`` for the
    plan and the audit event (instance, state, rule, old_due, new_due, note) or None when neither
    state has a deadline; ``effects`` the ``{"deadline": …}`` audit effects of the due instant in
    force (replayed by ``mno audit verify``). Raises DeadlineNotArmed (nothing written)."""
    new_state = new_sop.steps[inst.step].states[inst.state]
    old_dl = old_obj.deadline if old_obj is not None and not old_obj.final else None
    new_dl = None if new_state.final else new_state.deadline
    if old_dl is None and new_dl is None:
        return None, []
    rows = _rows(s, inst, old_state)
    live = [r for r in rows if r.status in ("pending", "paused", "waiting", "done", "extended")]
    expiry = next((r for r in reversed(live) if r.kind == "expiry"), None)
    old_due = expiry.due_at if expiry is not None else None
    info: dict[str, Any] = {"instance": inst.label_key, "from_state": old_state, "state": inst.state,
                            "old_due": old_due.isoformat() if old_due else None}
    if new_dl is None:
        timers.cancel(s, inst, now, f"migrated: no deadline in {inst.state}")
        return dict(info, rule="removed", new_due=None), []
    if old_dl is not None and old_dl.model_dump() == new_dl.model_dump():
        if old_state != inst.state:
            s.execute(update(DeadlineRow).where(DeadlineRow.id.in_([r.id for r in rows]))
                      .values(state=inst.state).execution_options(synchronize_session="fetch"))
        effects = [_effect(inst, expiry.due_at)] if expiry is not None and expiry.status in (
            "pending", "waiting") else []
        return dict(info, rule="same", new_due=info["old_due"]), effects
    paused_at = next((r.fired_at for r in live if r.status == "paused"), None)
    if rule == "keep" and expiry is not None:
        timers.cancel(s, inst, now, f"migrated ({rule})")
        cal = timers.calendar_for(s, new_sop)
        owner = new_state.owner_for(wf.context(case, inst, new_sop, now))
        timers._write_rows(s, case, inst, new_dl, owner, expiry.start_at, expiry.due_at, cal)
    else:
        used = "recompute" if rule == "keep" else rule
        timers.cancel(s, inst, now, f"migrated ({used})")
        base = now if used == "restart" else inst.entered_at
        timers.arm(s, case, inst, new_sop, wf.context(case, inst, new_sop, base), base)
        if used != rule:
            info["note"] = "no due date to keep: recomputed"
        if used == "recompute":  # extensions and pauses already granted apply again (migrate_grants.py)
            _regrant(wf, s, case, inst, old_state, new_sop, new_dl, info)
    new_rows = [r for r in s.new if isinstance(r, DeadlineRow) and r.instance is inst]
    for r in new_rows:
        if r.kind == "reminder" and r.fire_at <= now:
            s.expunge(r)
        elif paused_at is not None and rule != "restart":
            r.status, r.fired_at, r.note = "paused", paused_at, "paused (kept by migration)"
    new_expiry = next((r for r in new_rows if r.kind == "expiry"), None)
    new_due = new_expiry.due_at if new_expiry is not None else None
    if rule == "keep" and expiry is not None and expiry.status == "done" and new_expiry is not None:
        new_expiry.status, new_expiry.fired_at = "done", expiry.fired_at  # already processed
    effects = [_effect(inst, new_due)] if new_expiry is not None and new_expiry.status == "pending" else []
    return dict(info, rule=rule, new_due=new_due.isoformat() if new_due else None), effects
