"""Re-checking a queued message at send time: is its cause still true, and is it still fresh?

A message is written in the transaction of its cause (a state entered: ``task``; a reminder or
escalation due). When delivery is late (SMTP down, process stopped), the world may have moved: before
sending, :func:`why_not_send` compares the message with the case now. It answers a reason (French
then English) when the message must not be sent; :func:`~mno_workflow.reminders.outbox.deliver`
then marks it ``cancelled`` (cause gone) or ``stale`` (older than the SOP's
``data_protection.outbox_stale_after``, default 7 days), keeps it with its ``reason`` for
administrators (``mno outbox list --status cancelled``, the page ``/messages-annules``), and
sends nothing. A message to the organisation a referral is addressed to (a ``scope: recipient``
role) is also cancelled when the consent in force no longer lets that referral be shown to it
(withdrawn, expired, refused, purpose no longer covered; or the referral is declined/withdrawn):
the same decision as the provider's pages (:func:`mno_workflow.protection.provider.provider_view`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..sop.schema_protection import DataProtection
from ..store.models import Case, Deadline, OutboxMessage

DEFAULT_STALE = DataProtection().outbox_stale_after
#: Kinds caused by a running deadline: cancelled as soon as the state is left. A ``task`` (a
#: state entered) stays worth telling while the case is open: it records work given to someone.
TIMED = frozenset({"reminder", "escalation"})


def _age_limit(sop: Any):
    dp = getattr(sop, "data_protection", None) if sop is not None else None
    return (dp.outbox_stale_after if dp is not None else DEFAULT_STALE)


def _stale(message: OutboxMessage, sop: Any, now: datetime) -> str | None:
    from ..engine.calendar import BusinessCalendar

    limit = _age_limit(sop)
    cal = BusinessCalendar.from_sop(sop.calendar) if sop is not None else BusinessCalendar()
    if now >= cal.add(message.created_at, limit):
        return (f"périmé : en attente depuis plus de {limit} (stale: queued for more than {limit})")
    return None


def _consent_withholds(case: Case, message: OutboxMessage, ctx: dict, sop: Any, now: datetime) -> str | None:
    """The reason (fr then en) when ``message`` goes to a referral's recipient organisation and
    the consent in force (or the referral's state) no longer lets that referral be shown to it."""
    if sop is None or "step" not in ctx or "instance" not in ctx:
        return None
    role = sop.roles.get(message.recipient_role or "")
    if role is None or role.scope != "recipient":
        return None
    inst = next((i for i in case.instances if i.step == ctx["step"] and str(i.key) == str(ctx["instance"])),
                None)
    if inst is None or not inst.recipient:
        return None
    from ..protection.provider import provider_view
    decision = provider_view(sop, case, inst, None, now).decision
    if decision.allowed:
        return None
    return (f"{decision.message.fr} Message au destinataire du référencement annulé "
            f"({decision.message.en} Message to the referral's recipient cancelled; {decision.reason})")


def why_not_send(session: Session, message: OutboxMessage, sop: Any, now: datetime) -> tuple[str, str] | None:
    """``(status, reason)`` — ``("cancelled", …)`` when the case is gone or closed, or, for a
    reminder or escalation, the step instance left the state (or entered it again since) or the
    deadline was cancelled or moved;
    ``("stale", …)`` when the message is older than the cut-off — or None: send it.
    ``sop`` is the case's SOP model (None for messages without case, e.g. digests)."""
    ctx: dict[str, Any] = dict(message.context or {})
    if message.case_id is not None:
        case = session.get(Case, message.case_id)
        if case is None:
            return "cancelled", "dossier supprimé (case deleted)"
        if case.status != "open" and message.kind != "alert_status":  # a reporter is told of the closure
            return "cancelled", f"dossier {case.reference} clos (case closed)"
        withheld = _consent_withholds(case, message, ctx, sop, now)
        if withheld:
            return "cancelled", withheld
        if message.kind in TIMED and "step" in ctx and "instance" in ctx:
            inst = next((i for i in case.instances
                         if i.step == ctx["step"] and str(i.key) == str(ctx["instance"])), None)
            if inst is None:
                return "cancelled", f"étape {ctx['step']}:{ctx['instance']} introuvable (step instance gone)"
            if "state" in ctx and inst.state != ctx["state"]:
                return "cancelled", (f"{inst.label_key} n'est plus « {ctx['state']} » mais « {inst.state} » "
                                     f"(state left: now {inst.state})")
            if inst.entered_at > message.created_at:
                return "cancelled", (f"{inst.label_key} est entré à nouveau dans l'état depuis "
                                     "(state re-entered since the message was queued)")
        if message.deadline_id is not None:
            row = session.get(Deadline, message.deadline_id)
            if row is not None and row.status == "cancelled":
                note = f" : {row.note}" if row.note else ""
                return "cancelled", f"échéance annulée{note} (deadline cancelled)"
            if row is not None and ctx.get("due_at") and row.due_at.isoformat() != ctx["due_at"]:
                return "cancelled", "échéance déplacée (deadline moved)"
    stale = _stale(message, sop, now)
    if stale:
        return "stale", stale
    return None
