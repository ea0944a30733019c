"""Why an alert (*signalement*) was closed, as its reporter (the first responder) may see it: the
reason code of the closing form (« doublon », « injoignable », « non éligible »…), the date and
the **role** of who closed it — never a name, never the free-text note, never anything of the
case after it became a case (issue 13 review).

An alert is *closed* for its reporter when the case was closed by a transition of the entry's
step (BF SOP: ``close_alert``) or of a step the flow starts right after it (BF SOP:
identification's ``screen_out``, « non éligible »). A case taken up, registered and later closed
at the end of its support stays « pris en charge » for the reporter: what happened to the
person afterwards is theirs and the case team's (law 001-2021/AN).

Read by :func:`mno_workflow.engine.alerts.alerts_of` (page « Mes signalements », API
``GET /api/v1/alerts``, ``mno alert list``) and by :mod:`mno_workflow.engine.notify` (the message
sent to the reporter).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..sop.schema import SOP, FieldType
from ..store.models import AuditEvent, Case


@dataclass(frozen=True)
class Closure:
    """How an alert ended: ``kind`` ``closed`` (the alert step) or ``screened_out`` (the step after
    it), the closing ``step``/``trigger``, ``reason`` (an option code of list ``options``, or
    None), ``at`` (aware UTC) and ``by_role`` (a role id of the SOP)."""

    kind: str
    step: str
    trigger: str
    reason: str | None
    options: str | None
    at: datetime
    by_role: str

    def as_dict(self, sop: SOP | None = None, lang: str = "fr") -> dict[str, Any]:
        """JSON shape: ``{"kind", "reason", "at", "by_role"}`` plus ``reason_label`` and
        ``by_role_label`` in ``lang`` when ``sop`` is given."""
        out: dict[str, Any] = {"kind": self.kind, "reason": self.reason,
                               "at": self.at.isoformat().replace("+00:00", "Z"), "by_role": self.by_role}
        if sop is not None:
            out.update(labels(sop, self, lang))
        return out


def labels(sop: SOP, c: Closure, lang: str = "fr") -> dict[str, str]:
    """``reason_label`` (the SOP option's label, else the code) and ``by_role_label``."""
    opt = (sop.options.get(c.options or "") or {}).get(c.reason or "")
    role = sop.roles.get(c.by_role)
    return {"reason_label": sop.label(opt, lang) if opt else (c.reason or ""),
            "by_role_label": sop.label(role.label, lang) if role else c.by_role}


def closing_steps(sop: SOP, entry_step: str) -> set[str]:
    """The entry's step and the steps the flow starts right after one of its states."""
    return {entry_step} | {r.start for r in sop.flow
                           if r.start and r.after.partition(".")[0] == entry_step}


def reason_field(sop: SOP, step: str, trigger: str) -> tuple[str, str, str | None] | None:
    """``(form, field, options)`` of the reason of ``trigger`` in ``step``: the choice field
    ``reason`` of its form, else its first required choice field; None when it has none."""
    tr = next((t for t in sop.steps[step].transitions if t.trigger == trigger), None) \
        if step in sop.steps else None
    for form_id in (tr.forms if tr else []):
        form = sop.forms.get(form_id)
        choices = [f for f in (form.fields if form else []) if f.type == FieldType.choice]
        pick = next((f for f in choices if f.id == "reason"), None) or \
            next((f for f in choices if f.required), None)
        if pick is not None:
            return form_id, pick.id, pick.options
    return None


def closures(s: Session, sop_of, cases: list[tuple[Case, str]]) -> dict[int, Closure]:
    """``{case id: Closure}`` for the closed cases among ``cases`` (``(case, entry step)`` pairs)
    whose closing event is in the entry's step or the step after it. ``sop_of(case)`` gives the
    case's SOP model. One query for all of them."""
    closed = {c.id: (c, step) for c, step in cases if c.status == "closed"}
    if not closed:
        return {}
    last = (select(AuditEvent.case_id, func.max(AuditEvent.seq).label("seq"))
            .where(AuditEvent.case_id.in_(list(closed)), AuditEvent.action == "fire")
            .group_by(AuditEvent.case_id).subquery())
    rows = s.execute(select(AuditEvent.case_id, AuditEvent.step, AuditEvent.trigger, AuditEvent.at,
                            AuditEvent.role)
                     .join(last, (last.c.case_id == AuditEvent.case_id) & (last.c.seq == AuditEvent.seq)))
    out: dict[int, Closure] = {}
    for case_id, step, trigger, at, role in rows:
        case, entry_step = closed[case_id]
        sop = sop_of(case)
        if step not in closing_steps(sop, entry_step):
            continue
        out[case_id] = closure_of(sop, case, entry_step, step, trigger, at, role)
    return out


def closure_of(sop: SOP, case: Any, entry_step: str, step: str, trigger: str, at: datetime,
               role: str) -> Closure:
    """The :class:`Closure` of ``case`` closed by ``trigger`` of ``step`` at ``at`` by ``role``
    (the reason read from the case's data of the transition's form)."""
    where = reason_field(sop, step, trigger)
    reason = None
    if where is not None:
        value = ((case.data or {}).get(where[0]) or {}).get(where[1])
        reason = value if isinstance(value, str) else None
    return Closure("closed" if step == entry_step else "screened_out", step, trigger, reason,
                   where[2] if where else None, at, role)


def sentence(sop: SOP, c: Closure, lang: str = "fr") -> str:
    """The closure in one sentence for the reporter, in ``lang`` (French source text through the
    gettext catalogues), the date in the SOP's time zone: « Clos le 03/06/2025 par : Superviseur.
    Motif : Doublon d'un dossier existant. »"""
    from zoneinfo import ZoneInfo

    from ..i18n import gettext, short_date
    day = c.at.astimezone(ZoneInfo(sop.calendar.timezone)).date()
    shown = short_date(day, lang)
    words = labels(sop, c, lang)
    if c.kind == "screened_out":
        head = gettext("Déclaré non éligible le {date} par : {role}.", lang, date=shown,
                       role=words["by_role_label"])
    else:
        head = gettext("Clos le {date} par : {role}.", lang, date=shown, role=words["by_role_label"])
    if not c.reason:
        return head
    return head + " " + gettext("Motif : {reason}.", lang, reason=words["reason_label"])
