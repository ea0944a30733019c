"""Re-checking a queued message at send time: is its cause still true, and is it still fresh?

A message is written in the transaction of its cause (a state entered: ``task``; a reminder or
escalation due). When delivery is late (SMTP down, process stopped), the world may have moved: before
sending, :func:`why_not_send` compares the message with the case now. It answers a reason (a
catalogue message, engine ``Message.t``) when the message must not be sent;
:func:`~mno_workflow.reminders.outbox.deliver` then marks it ``cancelled`` (cause gone) or ``stale``
(older than the SOP's ``data_protection.outbox_stale_after``, default 7 days), keeps its reason —
the message id and values in the context (``reason_msg``, :mod:`.stored_message`), its French text
in ``reason`` — and shows it in the reader's language (:func:`reason_text`) to administrators
(``mno outbox list --status cancelled``, the page ``/messages-annules``), and
sends nothing. A message to the organisation a referral is addressed to (a ``scope: recipient``
role) is also cancelled when the consent in force no longer lets that referral be shown to it
(withdrawn, expired, refused, purpose no longer covered, the organisation's directory type not
covered by the consent or by a supervisor's override; or the referral is declined/withdrawn, or
re-referred to another organisation):
the same decision as the provider's pages (:func:`mno_workflow.protection.provider.provider_view`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..engine.errors import Labels, Message
from ..sop.schema_protection import DataProtection
from ..store.models import Case, Deadline, OutboxMessage, User

DEFAULT_STALE = DataProtection().outbox_stale_after
#: Kinds caused by a running deadline: cancelled as soon as the state is left. A ``task`` (a
#: state entered) stays worth telling while the case is open: it records work given to someone.
TIMED = frozenset({"reminder", "escalation"})
#: Roles whose access to a case is the region rule and the assignment (:func:`web.access.can_view_case`).
CASE_ROLES = frozenset({"caseworker", "supervisor", "coordinator"})


def _age_limit(sop: Any):
    dp = getattr(sop, "data_protection", None) if sop is not None else None
    return (dp.outbox_stale_after if dp is not None else DEFAULT_STALE)


def _stale(message: OutboxMessage, sop: Any, now: datetime) -> Message | None:
    from ..engine.calendar import BusinessCalendar
    from ..i18n.durations import DurationWords

    limit = _age_limit(sop)
    cal = BusinessCalendar.from_sop(sop.calendar) if sop is not None else BusinessCalendar()
    if now >= cal.add(message.created_at, limit):
        return Message.t("périmé : en attente depuis plus de {limit}",
                         limit=DurationWords(limit.amount, str(getattr(limit.unit, "value", limit.unit))))
    return None


def reason_text(message: OutboxMessage, lang: str) -> str:
    """Why ``message`` was not sent, in ``lang``: its stored reason (message id and values) read
    from the catalogue of ``lang``, else why its delivery failed (``error_msg``: the SMTP server's
    or SMS gateway's answer in words, :mod:`.delivery_words`); a row written before reasons were
    stored shows its French reason, or a delivery failure said in general (never the server's
    English ``last_error``, which stays in the log and the database)."""
    from .stored_message import text_of
    ctx = dict(message.context or {})
    found = text_of(ctx, "reason", lang) or message.reason or text_of(ctx, "error", lang)
    if not found and message.last_error:
        from .delivery_words import failed
        found = failed().text(lang)
    return found or ""


def _step_words(sop: Any, step: str, key: Any, state: str | None = None) -> Any:
    """A step instance (« Référencement — Soutien psychosocial ») or one of its states, as SOP labels
    (shown in the reader's language); the codes when the SOP does not know them."""
    st = sop.steps.get(step) if sop is not None else None
    if st is None:
        return f"{step}:{key}" if state is None else state
    if state is not None:
        return Labels((st.states[state].label,)) if state in st.states else state
    need = sop.options.get("need", {}).get(str(key))  # « Référencement — Formation professionnelle »
    return Labels((st.label, need), sep=" — ") if need else Labels((st.label,))


def _consent_withholds(session: Session, case: Case, message: OutboxMessage, ctx: dict, sop: Any,
                       now: datetime) -> Message | None:
    """The reason when ``message`` goes to a referral's recipient organisation and
    the consent in force (or the referral's state) no longer lets that referral be shown to it, or
    the referral was re-referred to another organisation since (tryout 4, G10)."""
    if sop is None or "step" not in ctx or "instance" not in ctx:
        return None
    role = sop.roles.get(message.recipient_role or "")
    if role is None or role.scope != "recipient":
        return None
    inst = next((i for i in case.instances if i.step == ctx["step"] and str(i.key) == str(ctx["instance"])),
                None)
    if inst is None or not inst.recipient:
        return None
    from ..engine.addressed import still_addressed
    reader = session.get(User, message.recipient_user) if message.recipient_user else None
    if reader is not None and reader.organisation and not still_addressed(sop, inst, reader.organisation):
        return Message.t("{step} est adressé à une autre organisation depuis : message à l'ancien "
                         "destinataire annulé.", step=_step_words(sop, inst.step, inst.key))
    from ..directory import organisation_type
    from ..protection.provider import provider_view
    # the organisation's directory type (None without a directory: not checked), so that a consent
    # or an override naming other recipients cancels it, as the provider pages do (tryout 7, J4)
    decision = provider_view(sop, case, inst, organisation_type(session, inst.recipient), now).decision
    if decision.allowed:
        return None
    return Message.t("{decision} Message au destinataire du référencement annulé.", decision=decision.message)


def _reader_gone(session: Session, case: Case, message: OutboxMessage) -> Message | None:
    """The reason when the user ``message`` is addressed to may no longer open its case — the case
    was reassigned or moved to another region since the message was written: its link would answer
    404 (the region rule and the assignment of :func:`mno_workflow.web.access.can_view_case`)."""
    if not message.recipient_user:
        return None
    user = session.get(User, message.recipient_user)
    if user is None or user.role not in CASE_ROLES:
        return None
    from ..web.access import can_view_case
    if can_view_case(user, case):
        return None
    return Message.t("{user} ne peut plus ouvrir le dossier {reference} (réattribué ou changé de région)",
                     user=user.display_name or user.id, reference=case.reference)


def why_not_send(session: Session, message: OutboxMessage, sop: Any,
                 now: datetime) -> tuple[str, Message] | None:
    """``(status, reason)`` — ``("cancelled", …)`` when the case is gone or closed, or its user may
    no longer open it (reassigned, another region), or, for a
    reminder or escalation, the step instance left the state (or entered it again since) or the
    deadline was cancelled or moved;
    ``("stale", …)`` when the message is older than the cut-off — or None: send it.
    ``sop`` is the case's SOP model (None for messages without case, e.g. digests)."""
    ctx: dict[str, Any] = dict(message.context or {})
    if message.case_id is not None:
        case = session.get(Case, message.case_id)
        if case is None:
            return "cancelled", Message.t("dossier supprimé")
        if case.status != "open" and message.kind != "alert_status":  # a reporter is told of the closure
            return "cancelled", Message.t("dossier {reference} clos", reference=case.reference)
        if case.purged_at is not None and message.kind != "alert_status":  # erased while open (L9)
            return "cancelled", Message.t("données de la personne du dossier {reference} effacées",
                                          reference=case.reference)
        withheld = (_consent_withholds(session, case, message, ctx, sop, now)
                    or _reader_gone(session, case, message))
        if withheld:
            return "cancelled", withheld
        if message.kind in TIMED and "step" in ctx and "instance" in ctx:
            inst = next((i for i in case.instances
                         if i.step == ctx["step"] and str(i.key) == str(ctx["instance"])), None)
            if inst is None:
                return "cancelled", Message.t("étape {step} introuvable",
                                              step=_step_words(sop, ctx["step"], ctx["instance"]))
            step = _step_words(sop, inst.step, inst.key)
            if "state" in ctx and inst.state != ctx["state"]:
                return "cancelled", Message.t("{step} n'est plus « {before} » mais « {now} »", step=step,
                                              before=_step_words(sop, inst.step, inst.key, ctx["state"]),
                                              now=_step_words(sop, inst.step, inst.key, inst.state))
            if inst.entered_at > message.created_at:
                return "cancelled", Message.t("{step} est entré à nouveau dans l'état depuis", step=step)
        if message.deadline_id is not None:
            row = session.get(Deadline, message.deadline_id)
            if row is not None and row.status == "cancelled":
                return "cancelled", Message.t("échéance annulée")
            if row is not None and ctx.get("due_at") and row.due_at.isoformat() != ctx["due_at"]:
                return "cancelled", Message.t("échéance déplacée")
    stale = _stale(message, sop, now)
    if stale:
        return "stale", stale
    return None
