"""What the case page says about each step: who it waits for and since when, the deadline with its
« En retard » / « Escaladé » badge, standing states (a record such as « Consentement donné », not
work), the provider's latest answer on a referral, and the bar of the SOP's steps.

Sources: the SOP (state ``owner``, ``deadline``; role ``scope``), the step instance (``entered_at``,
``recipient``, ``data``) and its running expiry deadline (:func:`.triage.running_deadline`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..engine.service_levels import describe as describe_level
from ..sop.schema import SOP
from ..store.models import Case, StepInstance
from .i18n import role_label
from .presenters import form_block
from .triage import running_deadline


def standing(sop: SOP, inst: StepInstance) -> bool:
    """A state that is a record, not work: not final, nobody owns it and it has no deadline."""
    st = sop.steps[inst.step].states.get(inst.state)
    return bool(st) and not inst.final and st.owner is None and st.deadline is None


def _person(s: Session, user_id: str, lang: str) -> str:
    """A user by display name (« compte supprimé (id) » without a user row), never a login."""
    from .user_words import user_names, user_shown
    u = user_shown(user_id, user_names(s, [user_id]), lang)
    return u.name if u.known else f"{u.name} ({u.id})"


def waits(s: Session, sop: SOP, case: Case, inst: StepInstance, orgs: dict[str, str], lang: str,
          now: datetime) -> dict[str, Any]:
    """``{"who": text or "", "since": datetime, "due": datetime|None, "late": bool,
    "escalated": bool, "escalated_to": text}`` for an instance in progress."""
    st = sop.steps[inst.step].states.get(inst.state)
    role = st.owner_for(case.data or {}) if st else None
    who = ""
    if role:
        r = sop.roles.get(role)
        label = sop.label(r.label, lang) if r else role_label(role, lang)
        scope = r.scope if r else "all"
        if scope == "assigned":
            who = f"{label} — {_person(s, case.assignee, lang)}" if case.assignee else label
        elif scope == "recipient" and inst.recipient:
            who = f"{label} — {orgs.get(inst.recipient, inst.recipient)}"
        else:
            who = label
    row = running_deadline(s, inst) if not inst.final else None
    escalated = bool(row and row.status == "done" and row.escalate_to)
    esc_to = ""
    if escalated:
        r = sop.roles.get(row.escalate_to)
        esc_to = sop.label(r.label, lang) if r else role_label(row.escalate_to, lang)
    return {
        "who": who,
        "since": inst.entered_at,
        "due": row.due_at if row else None,
        "late": bool(row and row.due_at < now),
        "escalated": escalated,
        "escalated_to": esc_to,
        # issue 13: the directory's response time (or the default, with its reason)
        "service_level": describe_level(s, sop, case, inst, lang),
    }


def answers(sop: SOP, inst: StepInstance, lang: str, orgs: dict[str, str]) -> list[dict[str, Any]]:
    """The forms filled on a referral other than the referral itself (e.g. the provider's decline
    with its reason), newest last, as data blocks for the referral's box."""
    step = sop.steps[inst.step]
    if not step.recipient:
        return []
    own = step.recipient.split(".")[0]
    return [form_block(sop, fid, data, lang, None, orgs) for fid, data in (inst.data or {}).items()
            if fid != own and isinstance(data, dict)]


def steps_bar(sop: SOP, case: Case, now: datetime) -> list[dict[str, Any]]:
    """One entry per SOP step in order: ``{"id", "label"(Label), "status": done|current|todo}``;
    ``current`` when one of its instances is work in progress (not final, not standing)."""
    out = []
    for sid, step in sop.steps.items():
        insts = [i for i in case.instances if i.step == sid]
        if any(not i.final and not standing(sop, i) for i in insts) and case.status == "open":
            status = "current"
        elif insts:
            status = "done"
        else:
            status = "todo"
        out.append({"id": sid, "label": step.label, "status": status})
    return out
