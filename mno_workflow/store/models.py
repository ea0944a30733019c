"""SQLAlchemy tables of the workflow: SOP versions, cases, step instances and audit events."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from . import next_due, search
from .base import Base, JSONData, UTCDateTime


class SopVersion(Base):
    """One loaded version of an SOP: its source text is kept so a case can always be replayed."""

    __tablename__ = "sop_versions"
    __table_args__ = (UniqueConstraint("sop_id", "version", name="uq_sop_versions_sop_id_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sop_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    source_path: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # the files its ``imports:`` read, ``{path relative to the SOP file: exact text}``, resolved
    # from here only (revision 0023; None: none, or registered before: then ``source`` is merged).
    # Deferred: read when a version is loaded from its text, so code (and tests) working on a
    # database of an older revision still select and insert versions without it
    files: Mapped[dict[str, str] | None] = mapped_column(JSONData, deferred=True)


class Case(Base):
    """A case (dossier). ``data`` holds case-level form data ``{form_id: {field: value}}``.

    ``version`` increases by one with every change, and equals the number of its audit events;
    writers lock the row (``BEGIN IMMEDIATE`` on SQLite, ``FOR UPDATE`` on PostgreSQL) and callers
    pass the version they saw (optimistic locking).
    """

    __tablename__ = "cases"
    __table_args__ = (
        # work lists at scale (revision 0011): newest first within a caseworker's or a region's
        # cases, recently changed first; searched by name through store/search.py
        Index("ix_cases_assignee_id", "assignee", "id"),
        Index("ix_cases_region_id", "region", "id"),
        Index("ix_cases_updated_at_id", "updated_at", "id"),
        Index("ix_cases_assignee_updated_at", "assignee", "updated_at"),
        Index("ix_cases_region_updated_at", "region", "updated_at"),
        Index("ix_cases_status_id", "status", "id"),
        # revision 0025: a caseworker's overdue cases by urgency, overdue cases (store/next_due.py)
        Index("ix_cases_assignee_next_due", "assignee", "next_due_at", "id"),
        Index("ix_cases_next_due", "next_due_at", "id"),
        # revision 0042: a list of several SOPs asks whether another SOP has a case the reader
        # may open (web/list_filters.py), by SOP version then region
        Index("ix_cases_sop_version_region", "sop_version_id", "region"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(40), unique=True)
    sop_version_id: Mapped[int] = mapped_column(ForeignKey("sop_versions.id"))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    assignee: Mapped[str | None] = mapped_column(String(100), index=True)
    display_name: Mapped[str | None] = mapped_column(String(300))
    name_folded: Mapped[str | None] = mapped_column(String(300), index=True)
    region: Mapped[str | None] = mapped_column(String(64), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONData, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    audit_head: Mapped[str | None] = mapped_column(String(64))  # hash of the latest audit event
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # personal fields purged (retention)
    # earliest due instant of its running expiry deadlines, kept by triggers (store/next_due.py)
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sop_version: Mapped[SopVersion] = relationship(lazy="select")  # the SOP text: load only on need
    instances: Mapped[list[StepInstance]] = relationship(
        back_populates="case", order_by="StepInstance.id", cascade="all, delete-orphan")


search.register(Case.__table__)


class StepInstance(Base):
    """One run of a step for a case (a referral per need runs as several instances)."""

    __tablename__ = "step_instances"
    __table_args__ = (
        UniqueConstraint("case_id", "step", "key", name="uq_step_instances_case_step_key"),
        Index("ix_step_instances_recipient_state", "recipient", "state"),
        # revision 0011: cases by step and state in progress; a provider's inbox newest first
        Index("ix_step_instances_step_state_case", "step", "state", "case_id"),
        # revision 0044: id last, the ties of entered_at in order on PostgreSQL too
        Index("ix_step_instances_recipient_entered_at", "recipient", "entered_at", "id"),
        # revision 0035: the provider inbox's two parts (« À traiter », history), page by page
        Index("ix_step_instances_recipient_final_entered", "recipient", "final", "entered_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(64))
    final: Mapped[bool] = mapped_column(default=False)
    item: Mapped[dict[str, Any] | None] = mapped_column(JSONData)
    data: Mapped[dict[str, Any]] = mapped_column(JSONData, default=dict)
    recipient: Mapped[str | None] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    case: Mapped[Case] = relationship(back_populates="instances")

    @property
    def label_key(self) -> str:
        return f"{self.step}:{self.key}"


class AuditEvent(Base):
    """An append-only audit event, chained per case (``hash`` covers ``prev_hash``).

    ``scheme`` None: legacy unkeyed SHA-256; ``hmac-sha256/1``: keyed (see ``store/audit.py``),
    personal values of ``data`` hashed through ``data_digests`` with the salts in ``data_salts``.
    ``via`` (cli, web, api, sweeper…) and ``os_user`` say which path and which system account."""

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_audit_events_case_id_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(64))
    organisation: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(32))
    trigger: Mapped[str | None] = mapped_column(String(64))
    step: Mapped[str | None] = mapped_column(String(64))
    instance_key: Mapped[str | None] = mapped_column(String(64))
    from_state: Mapped[str | None] = mapped_column(String(64))
    to_state: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSONData, default=dict)
    effects: Mapped[list[Any]] = mapped_column(JSONData, default=list)
    sop_version: Mapped[str] = mapped_column(String(100))
    # the version row of ``sop_version`` (set from the case when written; backfilled by 0012)
    sop_version_id: Mapped[int | None] = mapped_column(ForeignKey("sop_versions.id"), index=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    scheme: Mapped[str | None] = mapped_column(String(16))
    key_id: Mapped[str | None] = mapped_column(String(16))
    data_digests: Mapped[dict[str, Any] | None] = mapped_column(JSONData)
    data_salts: Mapped[dict[str, Any] | None] = mapped_column(JSONData)
    via: Mapped[str | None] = mapped_column(String(16))
    os_user: Mapped[str | None] = mapped_column(String(100))


class SopDraft(Base):
    """One saved revision of an SOP draft edited in the web workbench (``draft`` groups the
    revisions of one draft; each save adds a row: who and when). ``base_version_id``: the
    published version it started from; ``published_version_id``: the version it became."""

    __tablename__ = "sop_drafts"
    __table_args__ = (UniqueConstraint("draft", "revision", name="uq_sop_drafts_draft"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft: Mapped[int] = mapped_column(Integer, index=True)
    revision: Mapped[int] = mapped_column(Integer)
    sop_id: Mapped[str] = mapped_column(String(64), index=True)
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("sop_versions.id"))
    source: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_version_id: Mapped[int | None] = mapped_column(ForeignKey("sop_versions.id"))
    # the draft's own files beside the SOP text, ``{relative path: text}`` (``scenarios/x.yaml``),
    # copied from the published folder at "new draft" (revision 0022); None: none
    files: Mapped[dict[str, str] | None] = mapped_column(JSONData)


class AuditCheckpoint(Base):
    """A signed snapshot of every case's head (``heads``: ``{reference: [seq, hash]}``), chained to
    the previous checkpoint; detects whole cases deleted since (see ``store/checkpoint.py``)."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    case_count: Mapped[int] = mapped_column(Integer)
    heads: Mapped[dict[str, Any]] = mapped_column(JSONData)
    key_id: Mapped[str] = mapped_column(String(16))
    prev_signature: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(64))


def _where(condition: str) -> dict:
    """Keyword arguments of a partial index holding only the rows where ``condition`` (SQL) holds,
    on SQLite and on PostgreSQL (revision 0037)."""
    return {"sqlite_where": text(condition), "postgresql_where": text(condition)}


def _not_null(column: str) -> dict:
    """A partial index of the rows where ``column`` is set: ``column = :value`` in a query implies
    it on both back ends, whatever the value (revision 0037)."""
    return _where(f"{column} IS NOT NULL")


class Deadline(Base):
    """A deadline row: one per reminder offset and one for expiry of a state an instance entered.

    Created and cancelled inside the transition that enters or leaves the state; the sweeper
    fires due rows (``status`` pending → done) after re-checking the instance is still in
    ``state`` since ``entered_at``. ``kind``: ``reminder`` or ``expiry``. Other statuses:
    ``cancelled`` (state left, extended, caught up), ``paused``, ``waiting`` (minimum period over,
    its ``wait_for`` still false), ``extended`` (a processed expiry re-opened by an extension).
    """

    __tablename__ = "deadlines"
    __table_args__ = (
        Index("ix_deadlines_status_fire_at", "status", "fire_at"),
        # revision 0043: the indexes read in due order end with id — deadlines tie on due_at (the
        # end of a day), and PostgreSQL, unlike SQLite, does not order an index's ties by id
        # revision 0011: running expiry deadlines of a role soonest first, overdue ones, of a case
        Index("ix_deadlines_owner_kind_status_due_at", "owner_role", "kind", "status", "due_at", "id"),
        Index("ix_deadlines_kind_status_due_at", "kind", "status", "due_at", "id"),
        # revision 0039: a case's expiry rows, read by the triggers of next_due.py; no status in the
        # key, so the sweeper's marks (status pending → done) leave it alone (was 0037's
        # ix_deadlines_case_kind_status, which moved one entry per escalation sent)
        Index("ix_deadlines_case_expiry", "case_id", **_where("kind = 'expiry'")),
        # revision 0025: a caseworker's running deadlines soonest first (assignee kept by triggers)
        # revision 0037: partial, rows with an assignee only (never a reminder row: NULL there), so
        # the sweeper's mark of a reminder row (status pending → done) leaves these indexes alone
        Index("ix_deadlines_assignee_owner_kind_status_due", "assignee", "owner_role", "kind", "status",
              "due_at", "id", **_not_null("assignee")),
        # revision 0025: the « Escalades » list of a supervisor or coordinator, soonest first
        Index("ix_deadlines_escalate_kind_status_due", "escalate_to", "kind", "status", "due_at",
              "id", **_not_null("escalate_to")),
        # revision 0032: a supervisor's running deadlines of their region soonest first (triggers)
        Index("ix_deadlines_region_owner_kind_status_due", "region", "owner_role", "kind", "status",
              "due_at", "id", **_not_null("region")),
        # revision 0038: the « Escalades » list of a supervisor with a region, soonest first
        Index("ix_deadlines_region_escalate_kind_status_due", "region", "escalate_to", "kind", "status",
              "due_at", "id", **_where("region IS NOT NULL AND escalate_to IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("step_instances.id", ondelete="CASCADE"),
                                             index=True)
    step: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(64))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(16))
    offset: Mapped[str] = mapped_column(String(64), default="")
    owner_role: Mapped[str | None] = mapped_column(String(64))
    escalate_to: Mapped[str | None] = mapped_column(String(64))
    auto_trigger: Mapped[str | None] = mapped_column(String(64))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fire_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    late: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(Text)
    # the case's assignee on expiry rows, kept by triggers (store/next_due.py); never set it here
    assignee: Mapped[str | None] = mapped_column(String(100))
    # the case's region on expiry rows, kept by the same triggers (revision 0032); never set it here
    region: Mapped[str | None] = mapped_column(String(64))

    instance: Mapped[StepInstance] = relationship()


next_due.register(Deadline.__table__)


class User(Base):
    """A person who uses the system: role, organisation (providers), SOP, region and contact."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(64), index=True)
    organisation: Mapped[str | None] = mapped_column(String(100), index=True)
    region: Mapped[str | None] = mapped_column(String(64))
    # the SOP the account works in (revision 0040): only that SOP's cases, alerts and messages;
    # None: every SOP (web/access/region.py, sop_admits)
    sop_id: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164 (reminders.sms.e164)
    notify_sms: Mapped[bool] = mapped_column(default=False, server_default=false())  # also by SMS
    notify_email: Mapped[bool] = mapped_column(default=True, server_default=true())  # also by e-mail
    language: Mapped[str] = mapped_column(String(8), default="fr")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)


class OutboxMessage(Base):
    """A message to deliver (in-app, e-mail, log), written in the same transaction as its cause.

    ``status``: pending → sent, or failed (retried at ``next_attempt_at``) → dead after the
    last attempt; ``cancelled`` (the case, step or deadline that caused it changed before
    delivery) or ``stale`` (older than the SOP's ``outbox_stale_after``), with ``reason``.
    ``recipient_user`` is None when no user holds the role: the log notifier
    records it so that nothing is silently dropped.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("deadlines.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    recipient_user: Mapped[str | None] = mapped_column(String(100), index=True)
    recipient_role: Mapped[str | None] = mapped_column(String(64))
    recipient_address: Mapped[str | None] = mapped_column(String(200))
    lang: Mapped[str] = mapped_column(String(8), default="fr")
    template: Mapped[str] = mapped_column(String(64))
    context: Mapped[dict[str, Any]] = mapped_column(JSONData, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)  # why it was cancelled (status cancelled / stale)
    late: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HolidayOverride(Base):
    """A public holiday an administrator confirmed, moved or removed (e.g. Eid after moon
    sighting), applied on top of the ``holidays`` package for one SOP calendar: ``calendar`` is
    the calendar's key (its ``holidays`` code, ``BF`` or ``GB-ENG``), so an override of one region
    never changes another region's deadlines."""

    __tablename__ = "holiday_overrides"
    __table_args__ = (UniqueConstraint("calendar", "day", name="uq_holiday_overrides_calendar_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar: Mapped[str] = mapped_column(String(16))
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(8))
    decided_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)


# Side tables of a case (idempotency keys, imports, attachments, referral notes, alerts) live in
# models_side.py; imported here so that ``Base.metadata`` and ``from .models import …`` see them.
from .models_side import (  # noqa: E402, F401
    Alert,
    Attachment,
    CaseCounter,
    CaseRequest,
    IntakeSubmission,
    ReferralNote,
)
