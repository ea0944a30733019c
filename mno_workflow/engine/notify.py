"""``notify:`` of a transition: tell other parties than the new owner, through the outbox.

Targets (see :data:`mno_workflow.sop.schema.NotifyTarget`): a role id (the people holding it, by
its scope), ``assignee`` (the case's assigned caseworker), ``recipient`` (the users of the
organisation the step instance is addressed to, for every ``scope: recipient`` role), or
``{role_from: form.field}`` (the role whose id is that field's value in the case data). Messages
go through :func:`mno_workflow.store.outbox.enqueue` in the transition's own transaction (template
``notify``: a reference and labels, never case data). Nothing is dropped silently: a target nobody
holds, or a ``role_from`` field that is empty or names no role, gives a ``log`` message naming it.
``assignee`` is not told of what they did themselves (e.g. a case manager who records a long
service's review that the SOP tells the case manager of when the provider records it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..sop.schema import SOP, RoleFrom
from ..store.models import Case, StepInstance
from ..store.outbox import enqueue


def _value(case: Case, inst: StepInstance, path: str) -> Any:
    form, _, field = path.partition(".")
    for data in (inst.data or {}, case.data or {}):
        if isinstance(data.get(form), dict) and field in data[form]:
            return data[form][field]
    return None


def notify(s: Session, case: Case, inst: StepInstance, sop: SOP, targets: list, trigger: str,
           state: str, now: datetime, by_role: str | None = None,
           by_user: str | None = None) -> list[dict]:
    """Enqueue the ``notify`` messages of a transition; returns the audit effects
    ``[{"notified": target, "role": role, "messages": n}]`` (one per target). A ``scope:
    reporter`` role (first responder) is told only about a case opened by its own alert, with the
    template ``alert_status`` (status; for a closing transition the reason code, date and
    ``by_role`` — never a name or the note; engine/alert_outcome.py); a case without alert gives
    ``{"notified": role, "messages": 0, "no_reporter": true}``. ``by_user``: who fired; the
    ``assignee`` target when it is that user gives ``{"notified": "assignee", "messages": 0,
    "self": true}``."""
    effects = []
    context = {"reference": case.reference, "step": inst.step, "instance": inst.key, "state": state,
               "trigger": trigger}
    for target in targets:
        if isinstance(target, RoleFrom):
            value = _value(case, inst, target.role_from)
            name = f"{target.role_from}={value!s}"
            pairs = [(value, sop.roles[value].scope)] if isinstance(value, str) and value in sop.roles \
                else [(name, "all")]  # nobody holds such a role: a log message names the problem
        elif target == "assignee":
            if by_user is not None and case.assignee == by_user:  # told of their own action: no
                effects.append({"notified": target, "role": target, "messages": 0, "self": True})
                continue
            name, pairs = target, [("assignee", "assigned")]
        elif target == "recipient":
            name = target
            pairs = [(r, "recipient") for r, role in sop.roles.items() if role.scope == "recipient"] \
                or [("recipient", "recipient")]
        else:
            name, pairs = target, [(target, sop.roles[target].scope)]
        for role, scope in pairs:
            if scope == "reporter":
                effects.append(_tell_reporter(s, case, inst, sop, role, context, by_role, now))
                continue
            msgs = enqueue(s, case=case, inst=inst, role=role, scope=scope, kind="notify",
                           template="notify", context=context, now=now, fallback=role in sop.roles)
            effects.append({"notified": name, "role": role, "messages": len(msgs)})
    return effects


def _tell_reporter(s: Session, case: Case, inst: StepInstance, sop: SOP, role: str,
                   context: dict[str, Any], by_role: str | None, now: datetime) -> dict:
    """The ``alert_status`` message to the first responder who filed the case's alert."""
    from sqlalchemy import select

    from ..store.models import Alert
    from .alert_outcome import reason_field
    alert = s.execute(select(Alert.entry).where(Alert.case_id == case.id)).first()
    if alert is None:
        return {"notified": role, "role": role, "messages": 0, "no_reporter": True}
    ctx = dict(context, at=now.isoformat(), by_role=by_role or "")
    where = reason_field(sop, inst.step, context["trigger"])
    if where is not None:
        value = _value(case, inst, f"{where[0]}.{where[1]}")
        if isinstance(value, str):
            ctx.update(reason=value, reason_options=where[2] or "")
    msgs = enqueue(s, case=case, inst=inst, role=role, scope="reporter", kind="alert_status",
                   template="alert_status", context=ctx, now=now)
    return {"notified": role, "role": role, "messages": len(msgs)}
