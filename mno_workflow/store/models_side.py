"""SQLAlchemy tables beside a case: idempotency keys of case creation, imported Kobo/ODK
submissions, attachments, referral notes, alerts and the per-SOP case number counters (the
workflow's own tables are in ``models.py``, which re-exports these)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class CaseRequest(Base):
    """An idempotency key of "new case": the first request with ``(owner, key)`` creates the case
    in the same transaction as this row; a retry with the same key gets ``reference`` back."""

    __tablename__ = "case_requests"
    __table_args__ = (UniqueConstraint("owner", "key", name="uq_case_requests_owner_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(100))
    reference: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IntakeSubmission(Base):
    """A Kobo/ODK submission already imported (``mno intake kobo``): its instance uuid, the case it
    created or changed, and the trigger fired — so importing the same file twice changes nothing.
    Written in the same transaction as the case change."""

    __tablename__ = "intake_submissions"

    uuid: Mapped[str] = mapped_column(String(100), primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), index=True)
    form: Mapped[str] = mapped_column(String(64))
    trigger: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(100))


class Attachment(Base):
    """A file attached to a step of a case (a scanned signed consent, a document photo). The bytes
    live outside the database, in ``<data dir>/attachments/<stored_name>`` (mode 600); this row
    says whose, what and where. Deleted with the case (cascade) and its file removed by the
    retention purge (:mod:`mno_workflow.attachments`)."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("step_instances.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReferralNote(Base):
    """A note on a referral between the case side (case manager, supervisor) and the provider it is
    addressed to; read under the consent rules of the referral's data; erased with the case."""

    __tablename__ = "referral_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("step_instances.id", ondelete="CASCADE"))
    author: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(64))
    organisation: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class Alert(Base):
    """An alert (*signalement*) a first responder filed through an SOP entry: the case it opened,
    who filed it (user and organisation, for "Mes signalements"), when, and how the case manager
    was chosen (``assignment``: ``least_loaded``, ``fallback_region`` or ``fallback_national``).
    The alert's data live in the case (``cases.data``); its status is the entry step's state
    (:mod:`mno_workflow.engine.alerts`). Revision 0018."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_reporter_filed_at", "reporter", "filed_at"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    entry: Mapped[str] = mapped_column(String(64))
    reporter: Mapped[str] = mapped_column(String(100))
    organisation: Mapped[str | None] = mapped_column(String(100))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    assignment: Mapped[str] = mapped_column(String(32))


class CaseCounter(Base):
    """The last case number given under a reference prefix (``MNR-BF``, from the SOP id): each
    SOP's register is numbered on its own, without gaps (store/case_numbers.py; tryout 7, J15)."""

    __tablename__ = "case_counters"

    prefix: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)
