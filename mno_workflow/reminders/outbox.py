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

Rendering lives in :mod:`.rendering`, the in-app inbox in :mod:`.inbox`; both are re-exported
here (``from mno_workflow.reminders.outbox import render, inbox`` keeps working).

Texts come from Jinja2 templates (``templates/{fr,en}/{name}.{subject,txt,html}.j2``) rendered with
``StrictUndefined``: a missing variable is an error, never a blank. Labels of steps, states and
roles come from the case's SOP version; due dates are shown in the SOP's time zone. Messages carry
references and SOP labels only, never names or case data (DESIGN.md "Data protection").
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from jinja2 import TemplateError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ..engine.clock import require_aware
from ..store.models import Case, OutboxMessage, User
from .delivery_words import failed, not_configured
from .inbox import InboxItem, inbox, mark_read, unread_count  # noqa: F401  (re-exported)
from .notifiers import DeliveryError, InAppNotifier, Notifier, OutgoingMessage, Rendered
from .recheck import why_not_send
from .rendering import LANGS, TEMPLATES, _env, _sop, _sop_of_case, format_day, format_due, render  # noqa: F401
from .stored_message import stored

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



def backoff(attempts: int, schedule: tuple[timedelta, ...] = BACKOFF) -> timedelta:
    """The wait after ``attempts`` failed attempts (``attempts >= 1``): ``schedule`` then its cap."""
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, not {attempts}")
    return schedule[min(attempts, len(schedule)) - 1]


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


def _said_error(m: OutboxMessage, said: Any) -> None:
    """Keep why ``m`` was not sent as a catalogue message (``error_msg`` in its context: shown in
    the reader's language by ``mno outbox list``); None: a sent message, the reason dropped."""
    ctx = {k: v for k, v in (m.context or {}).items() if k != "error_msg"}
    m.context = {**ctx, "error_msg": stored(said)} if said is not None else ctx


def _fail(m: OutboxMessage, error: str, now: datetime, max_attempts: int,
          schedule: tuple[timedelta, ...], report: DeliveryReport, said: Any = None) -> None:
    m.last_error = error[:2000]  # the server's own words, for administrators (and the log below)
    _said_error(m, said if said is not None else failed())
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
                    if "error_msg" not in (m.context or {}):
                        _said_error(m, failed("lease"))
                    report.dead.append(m.id)
                    continue
                try:
                    sop = (_sop_of_case(s, m.case_id, (m.context or {}).get("reference"))
                           if m.case_id is not None else None)
                except (KeyError, ValueError) as e:
                    sop = None
                    m.last_error = f"SOP of the case unreadable: {e}"
                    _said_error(m, failed("sop"))
                verdict = why_not_send(s, m, sop, now)
                if verdict is not None:  # the reason kept as message id + values: any reader's language
                    m.status, m.reason = verdict[0], verdict[1].text("fr")
                    m.context = {**(m.context or {}), "reason_msg": stored(verdict[1])}
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
                    _said_error(m, not_configured(m.channel))
                    report.not_configured.append(m.id)
                    continue
                m.attempts += 1
                if m.channel != "inapp" and m.recipient_user:  # issue 18: the recipient's language
                    person = s.get(User, m.recipient_user)  # preference when sent, not when queued
                    if person is not None and person.language and person.language != m.lang:
                        m.lang = person.language
                try:
                    rendered = render(s, m)
                except (TemplateError, KeyError, ValueError, TypeError) as e:
                    _fail(m, f"rendering {m.lang}/{m.template}: {type(e).__name__}: {e}", now,
                          max_attempts, schedule, report, failed("render"))
                    continue
                if m.channel == "inapp":
                    try:
                        notifier.send(_snapshot(s, m), rendered)
                    except DeliveryError as e:
                        _fail(m, str(e), now, max_attempts, schedule, report, e.said)
                        continue
                    m.status, m.sent_at, m.last_error = "sent", now, None
                    _said_error(m, None)
                    report.sent.append(m.id)
                    continue
                m.status, m.next_attempt_at = "sending", now + lease
                leased.append(_Leased(_snapshot(s, m), rendered, m.attempts))
    results: list[tuple[_Leased, str | None, Any]] = []
    for item in leased:  # phase 2: send, outside any transaction
        try:
            notifiers[item.out.channel].send(item.out, item.rendered)
            results.append((item, None, None))
        except DeliveryError as e:
            results.append((item, str(e) or type(e).__name__, e.said))
        except Exception as e:  # a notifier bug must not lose the other results
            results.append((item, f"{type(e).__name__}: {e}", None))
    if not results:
        return report
    with sessions.begin() as s:  # phase 3: record
        for item, error, said in results:
            with s.begin_nested():
                m = s.get(OutboxMessage, item.out.id, with_for_update=_pg(s))
                if m is None or m.status != "sending" or m.attempts != item.attempts:
                    report.lost_lease.append(item.out.id)
                    continue
                if error is None:
                    m.status, m.sent_at, m.last_error = "sent", now, None
                    _said_error(m, None)
                    report.sent.append(m.id)
                else:
                    _fail(m, error, now, max_attempts, schedule, report, said)
    return report


def _case_closed(s: Session, m: OutboxMessage) -> bool:
    """Whether the case of ``m`` is no longer open (an SMS about it would be stale)."""
    if m.case_id is None:
        return False
    case = s.get(Case, m.case_id)
    return case is None or case.status != "open"


def _pg(s: Session) -> bool:
    return s.get_bind().dialect.name == "postgresql"
