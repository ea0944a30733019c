"""Delivering the outbox: claim, render, send, record — and the in-app inbox.

Delivery runs in three phases so that no database lock is held while talking to an SMTP server:

1. **claim** (one short transaction; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``BEGIN IMMEDIATE``
   on SQLite): pick due rows (``pending`` or ``failed`` with ``next_attempt_at <= now``, or
   ``sending`` whose lease expired), render each one, and
   - first, :func:`~mno_workflow.reminders.recheck.why_not_send`: a message whose cause is gone
     (case closed, state left, deadline cancelled or moved) is marked ``cancelled``, one older
     than the SOP's ``outbox_stale_after`` ``stale``, with its ``reason``; nothing is sent;
   - in-app: mark it ``sent`` right there (storing it *is* delivering it; the inbox reads it);
   - no notifier for the channel (e.g. SMTP not configured): mark it ``failed`` with a clear
     ``last_error``, retry after :data:`NOT_CONFIGURED_RETRY`, without counting an attempt and
     without ever making it dead — configuring SMTP later delivers it;
   - rendering error (missing variable, unknown template): ``failed`` with the error, an attempt
     counted; nothing is sent;
   - otherwise: lease it — ``status = "sending"``, ``attempts += 1``, ``next_attempt_at = now +
     lease``.
2. **send** (no transaction): each leased message through the notifier of its channel.
3. **record** (another transaction, a savepoint per message): ``sent`` with ``sent_at``, or
   ``failed`` with ``last_error`` and ``next_attempt_at = now + backoff(attempts)``, or ``dead``
   after ``max_attempts``. A row is only updated if it is still ``sending`` with the attempt count
   this run leased (a fencing token): a slow run whose lease expired does not overwrite a newer one.

**At-least-once**: a crash (or kill) after the claim and before the record leaves the row
``sending`` with a lease; once the lease expires another run claims and sends it again. So a
message is never lost, and may — rarely — be sent twice (e.g. the SMTP server accepted it and the
process died before recording). Messages carry an outbox id in their ``Message-ID`` so that
duplicates are recognisable. Crashes count as attempts, so a message that kills the process every
time ends ``dead`` instead of looping forever.

Texts come from Jinja2 templates (``templates/{fr,en}/{name}.{subject,txt,html}.j2``) rendered with
``StrictUndefined``: a missing variable is an error, never a blank. Labels of steps, states and
roles come from the case's SOP version; due dates are shown in the SOP's time zone. Messages carry
references and SOP labels only, never names or case data (DESIGN.md "Data protection").
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from jinja2 import TemplateError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from ..engine.clock import require_aware
from ..i18n import norm_lang
from ..sop.loader import load_stored
from ..sop.schema import SOP
from ..store.models import Case, OutboxMessage, SopVersion
from .notifiers import DeliveryError, InAppNotifier, Notifier, OutgoingMessage, Rendered
from .recheck import why_not_send
from .templating import message_templates

log = logging.getLogger("mno.outbox")

__all__ = ["BACKOFF", "LEASE", "MAX_ATTEMPTS", "NOT_CONFIGURED_RETRY", "DeliveryReport", "InboxItem",
           "backoff", "deliver", "format_due", "inbox", "mark_read", "render", "unread_count"]

#: Wait after the 1st, 2nd, … failed attempt; the last value is the cap for later attempts.
BACKOFF: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
                                  timedelta(hours=2), timedelta(hours=12))
#: After this many failed attempts a message is ``dead`` (about 38 hours with :data:`BACKOFF`).
MAX_ATTEMPTS = 8
#: How long a claimed message is reserved for the run that claimed it.
LEASE = timedelta(minutes=5)
#: Retry interval for messages of a channel without notifier (SMTP not configured).
NOT_CONFIGURED_RETRY = timedelta(hours=1)

LANGS = ("fr", "en")  # kept for callers; any language with a catalogue is rendered (i18n.languages())
TEMPLATES = Path(__file__).resolve().parent / "templates"


def backoff(attempts: int, schedule: tuple[timedelta, ...] = BACKOFF) -> timedelta:
    """The wait after ``attempts`` failed attempts (``attempts >= 1``): ``schedule`` then its cap."""
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, not {attempts}")
    return schedule[min(attempts, len(schedule)) - 1]


# ------------------------------------------------------------------------------------ rendering
_env = message_templates(TEMPLATES)

_sops: dict[str, SOP] = {}
_sops_lock = threading.Lock()


def _sop(row: SopVersion) -> SOP:
    """The SOP model of a stored version, parsed once per content hash."""
    hit = _sops.get(row.sha256)
    if hit is None:
        hit = load_stored(row).model
        with _sops_lock:
            _sops.setdefault(row.sha256, hit)
    return hit


def format_due(instant: datetime, lang: str, timezone: str) -> str:
    """A due instant in the SOP's time zone: ``15/01/2025 14:30`` (fr) or ``2025-01-15 14:30`` (en)."""
    local = require_aware(instant, "due_at").astimezone(ZoneInfo(timezone))
    return local.strftime("%Y-%m-%d %H:%M" if lang == "en" else "%d/%m/%Y %H:%M")


def format_day(day: date, lang: str) -> str:
    """A day in words: ``lundi 2 juin 2025`` (fr), ``Monday, June 2, 2025`` (en)."""
    return format_date(day, format="full", locale="en" if lang == "en" else "fr")


def _labels(sop: SOP, ctx: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Step/state/role labels and the local due date for a message context (only for keys present,
    so that a missing key stays missing and the template fails on it)."""
    out: dict[str, Any] = {}
    step = sop.steps.get(ctx["step"]) if "step" in ctx else None
    if "step" in ctx:
        out["step_label"] = sop.label(step.label, lang) if step else ctx["step"]
    if "state" in ctx:
        state = step.states.get(ctx["state"]) if step else None
        out["state_label"] = sop.label(state.label, lang) if state else ctx["state"]
    if "owner_role" in ctx:
        role = sop.roles.get(ctx["owner_role"]) if ctx["owner_role"] else None
        out["owner_role_label"] = sop.label(role.label, lang) if role else (ctx["owner_role"] or "—")
    if "reason" in ctx:  # alert_status (engine/notify.py): the closing reason's option label
        opt = (sop.options.get(ctx.get("reason_options") or "") or {}).get(ctx["reason"])
        out["reason_label"] = sop.label(opt, lang) if opt else ctx["reason"]
    if ctx.get("by_role") and ctx.get("at"):  # alert_status: when and by which role (never a name)
        role = sop.roles.get(ctx["by_role"])
        out["by_role_label"] = sop.label(role.label, lang) if role else ctx["by_role"]
        local = datetime.fromisoformat(ctx["at"]).astimezone(ZoneInfo(sop.calendar.timezone))
        out["on"] = local.strftime("%Y-%m-%d" if lang == "en" else "%d/%m/%Y")
    if ctx.get("due_at"):
        out["due"] = format_due(datetime.fromisoformat(ctx["due_at"]), lang, sop.calendar.timezone)
    return out


def _sop_of_case(session: Session, case_id: int | None, reference: str | None) -> SOP | None:
    case = session.get(Case, case_id) if case_id is not None else None
    if case is None and reference:
        case = session.scalar(select(Case).where(Case.reference == reference))
    return _sop(case.sop_version) if case is not None else None


def render(session: Session, message: OutboxMessage) -> Rendered:
    """The subject, text (and HTML when the template has one) of ``message`` in its language.

    Raises :class:`jinja2.TemplateError` (e.g. ``UndefinedError`` for a missing variable,
    ``TemplateNotFound``) or KeyError/ValueError for a malformed context: never a blank text.
    """
    lang = norm_lang(message.lang)  # fr, en or any language with a catalogue (else fr)
    ctx: dict[str, Any] = dict(message.context or {})
    ctx["lang"] = lang
    if message.template == "digest":
        ctx.update(_digest_context(session, ctx, lang))
    else:
        sop = _sop_of_case(session, message.case_id, ctx.get("reference"))
        if sop is None:
            raise ValueError(f"case {message.case_id} of outbox message {message.id} not found")
        ctx.update(_labels(sop, ctx, lang))
        if message.recipient_role:
            role = sop.roles.get(message.recipient_role)
            ctx["role_label"] = sop.label(role.label, lang) if role else message.recipient_role
    base = f"{lang}/{message.template}"  # templates/<name>.*.j2 translated into lang (_OneTemplateLoader)
    subject = " ".join(_env.get_template(f"{base}.subject.j2").render(ctx).split())
    text = _env.get_template(f"{base}.txt.j2").render(ctx).strip() + "\n"
    html = None
    if any((TEMPLATES / d / f"{message.template}.html.j2").exists() for d in ("", lang, "fr")):
        html = _env.get_template(f"{base}.html.j2").render(ctx)
    if not subject or not text.strip():
        raise ValueError(f"template {base} rendered an empty subject or body")
    return Rendered(subject=subject, text=text, html=html)


def _digest_context(session: Session, ctx: Mapping[str, Any], lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "day" in ctx:
        out["day_label"] = format_day(date.fromisoformat(ctx["day"]), lang)
    for key in ("due_today", "overdue"):
        if key not in ctx:
            continue
        items = []
        for item in ctx[key]:
            sop = _sop_of_case(session, None, item["reference"])
            if sop is None:
                raise ValueError(f"case {item['reference']} of a digest not found")
            items.append({**item, **_labels(sop, item, lang)})
        out[key] = items
    return out


# ------------------------------------------------------------------------------------- delivery
@dataclass
class DeliveryReport:
    """What one :func:`deliver` run did, by outbox id."""

    sent: list[int] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)
    not_configured: list[int] = field(default_factory=list)
    lost_lease: list[int] = field(default_factory=list)
    cancelled: list[tuple[int, str]] = field(default_factory=list)  # (id, reason): cancelled or stale

    @property
    def claimed(self) -> int:
        return (len(self.sent) + len(self.failed) + len(self.dead) + len(self.not_configured)
                + len(self.lost_lease) + len(self.cancelled))


@dataclass
class _Leased:
    out: OutgoingMessage
    rendered: Rendered
    attempts: int


def _sessions(wf_or_sessionmaker: Any) -> sessionmaker:
    return getattr(wf_or_sessionmaker, "sessions", wf_or_sessionmaker)


def _snapshot(s: Session, m: OutboxMessage) -> OutgoingMessage:
    ref = (m.context or {}).get("reference")
    if ref is None and m.case_id is not None:
        ref = s.scalar(select(Case.reference).where(Case.id == m.case_id))
    return OutgoingMessage(id=m.id, channel=m.channel, kind=m.kind, template=m.template, lang=m.lang,
                           recipient_user=m.recipient_user, recipient_role=m.recipient_role,
                           recipient_address=m.recipient_address, case_id=m.case_id, reference=ref,
                           attempts=m.attempts, late=m.late)


def _fail(m: OutboxMessage, error: str, now: datetime, max_attempts: int,
          schedule: tuple[timedelta, ...], report: DeliveryReport) -> None:
    m.last_error = error[:2000]
    if m.attempts >= max_attempts:
        m.status = "dead"
        report.dead.append(m.id)
    else:
        m.status = "failed"
        m.next_attempt_at = now + backoff(m.attempts, schedule)
        report.failed.append((m.id, m.last_error))
    log.warning("delivery failed: message %s (%s, %s) attempt %d: %s%s", m.id, m.channel, m.kind,
                m.attempts, error.splitlines()[0][:300] if error else "",
                " — abandoned" if m.status == "dead" else "",
                extra={"event": "delivery_failed", "message_id": m.id, "channel": m.channel,
                       "attempts": m.attempts, "dead": m.status == "dead"})


def _claim(s: Session, now: datetime, limit: int) -> list[OutboxMessage]:
    q = (select(OutboxMessage)
         .where(OutboxMessage.status.in_(("pending", "failed", "sending")),
                OutboxMessage.next_attempt_at <= now)
         .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit))
    if s.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    return list(s.scalars(q))


def deliver(wf_or_sessionmaker: Any, notifiers: Mapping[str, Notifier], *, now: datetime,
            limit: int = 100, max_attempts: int = MAX_ATTEMPTS, lease: timedelta = LEASE,
            schedule: tuple[timedelta, ...] = BACKOFF) -> DeliveryReport:
    """Deliver up to ``limit`` due outbox messages at ``now`` (see the module doc for the phases).

    ``wf_or_sessionmaker`` is a :class:`~mno_workflow.engine.engine.WorkflowEngine` (its
    ``sessions`` are used) or a SQLAlchemy ``sessionmaker``; ``notifiers`` maps a channel
    (``inapp``, ``email``, ``log``) to a :class:`~mno_workflow.reminders.notifiers.Notifier`
    (see :func:`~mno_workflow.reminders.notifiers.notifiers_from_env`). Never raises for one bad
    message: its error is recorded in ``last_error``.
    """
    now = require_aware(now, "now")
    sessions = _sessions(wf_or_sessionmaker)
    report = DeliveryReport()
    leased: list[_Leased] = []
    with sessions.begin() as s:  # phase 1: claim (short; no network)
        for m in _claim(s, now, limit):
            with s.begin_nested():
                if m.status == "sending" and m.attempts >= max_attempts:
                    m.status, m.last_error = "dead", (m.last_error or "lease expired after the last attempt")
                    report.dead.append(m.id)
                    continue
                try:
                    sop = (_sop_of_case(s, m.case_id, (m.context or {}).get("reference"))
                           if m.case_id is not None else None)
                except (KeyError, ValueError) as e:
                    sop = None
                    m.last_error = f"SOP of the case unreadable: {e}"
                verdict = why_not_send(s, m, sop, now)
                if verdict is not None:
                    m.status, m.reason = verdict
                    report.cancelled.append((m.id, m.reason))
                    continue
                notifier = notifiers.get(m.channel)
                if notifier is None and m.channel == "inapp":
                    notifier = InAppNotifier()
                if notifier is None:
                    m.status, m.next_attempt_at = "failed", now + NOT_CONFIGURED_RETRY
                    m.last_error = ("SMTP not configured (set MNO_SMTP_HOST and MNO_SMTP_FROM); "
                                    "will retry" if m.channel == "email"
                                    else f"no notifier for channel {m.channel!r}; will retry")
                    report.not_configured.append(m.id)
                    continue
                m.attempts += 1
                try:
                    rendered = render(s, m)
                except (TemplateError, KeyError, ValueError, TypeError) as e:
                    _fail(m, f"rendering {m.lang}/{m.template}: {type(e).__name__}: {e}", now,
                          max_attempts, schedule, report)
                    continue
                if m.channel == "inapp":
                    try:
                        notifier.send(_snapshot(s, m), rendered)
                    except DeliveryError as e:
                        _fail(m, str(e), now, max_attempts, schedule, report)
                        continue
                    m.status, m.sent_at, m.last_error = "sent", now, None
                    report.sent.append(m.id)
                    continue
                m.status, m.next_attempt_at = "sending", now + lease
                leased.append(_Leased(_snapshot(s, m), rendered, m.attempts))
    results: list[tuple[_Leased, str | None]] = []
    for item in leased:  # phase 2: send, outside any transaction
        try:
            notifiers[item.out.channel].send(item.out, item.rendered)
            results.append((item, None))
        except DeliveryError as e:
            results.append((item, str(e) or type(e).__name__))
        except Exception as e:  # a notifier bug must not lose the other results
            results.append((item, f"{type(e).__name__}: {e}"))
    if not results:
        return report
    with sessions.begin() as s:  # phase 3: record
        for item, error in results:
            with s.begin_nested():
                m = s.get(OutboxMessage, item.out.id, with_for_update=_pg(s))
                if m is None or m.status != "sending" or m.attempts != item.attempts:
                    report.lost_lease.append(item.out.id)
                    continue
                if error is None:
                    m.status, m.sent_at, m.last_error = "sent", now, None
                    report.sent.append(m.id)
                else:
                    _fail(m, error, now, max_attempts, schedule, report)
    return report


def _case_closed(s: Session, m: OutboxMessage) -> bool:
    """Whether the case of ``m`` is no longer open (an SMS about it would be stale)."""
    if m.case_id is None:
        return False
    case = s.get(Case, m.case_id)
    return case is None or case.status != "open"


def _pg(s: Session) -> bool:
    return s.get_bind().dialect.name == "postgresql"


# ---------------------------------------------------------------------------------------- inbox
@dataclass(frozen=True)
class InboxItem:
    """An in-app message as the inbox shows it."""

    id: int
    kind: str
    template: str
    reference: str | None
    subject: str
    text: str
    late: bool
    created_at: datetime
    read_at: datetime | None


def _inbox_query(user_id: str):
    return select(OutboxMessage).where(OutboxMessage.channel == "inapp",
                                       OutboxMessage.recipient_user == user_id,
                                       OutboxMessage.status == "sent")


def inbox(session: Session, user_id: str, unread_only: bool = False, limit: int = 50) -> list[InboxItem]:
    """The user's delivered in-app messages, newest first, rendered in the message's language.

    Messages appear once :func:`deliver` has run (it marks in-app messages sent at their first
    run, without network).
    """
    q = _inbox_query(user_id)
    if unread_only:
        q = q.where(OutboxMessage.read_at.is_(None))
    rows = session.scalars(q.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
                           .limit(limit))
    out = []
    for m in rows:
        try:
            r = render(session, m)
        except (TemplateError, KeyError, ValueError, TypeError) as e:  # rendered once at delivery
            r = Rendered(subject=(m.context or {}).get("reference") or m.template, text=str(e))
        out.append(InboxItem(id=m.id, kind=m.kind, template=m.template,
                             reference=(m.context or {}).get("reference"), subject=r.subject,
                             text=r.text, late=m.late, created_at=m.created_at, read_at=m.read_at))
    return out


def mark_read(session: Session, user_id: str, ids: Iterable[int], now: datetime) -> int:
    """Mark the user's own unread in-app messages among ``ids`` read at ``now``; returns how many.

    Ids of other users' messages are ignored. Runs in the caller's transaction (caller commits).
    """
    ids = list(ids)
    if not ids:
        return 0
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.channel == "inapp",
               OutboxMessage.recipient_user == user_id, OutboxMessage.read_at.is_(None))
        .values(read_at=require_aware(now, "now")))
    return result.rowcount


def unread_count(session: Session, user_id: str) -> int:
    """How many delivered in-app messages of the user are unread."""
    q = _inbox_query(user_id).where(OutboxMessage.read_at.is_(None))
    return session.scalar(select(func.count()).select_from(q.subquery()))

