"""Tables owned by the web layer (prefixed ``web_``), on the shared declarative ``Base``.

- ``web_case_views``: every view of a case page, a referral page or a case through the API
  (DESIGN.md "Views of a case are logged"). Append-only.
- ``web_api_tokens``: bearer tokens of the REST API, stored as SHA-256 digests only.
- ``web_login_failures``: failed logins per user name and IP, for throttling across processes.
- ``web_export_log``: every export (who, what, filters, row count, with names or not). Append-only.
- ``web_sandbox_resets``: every reset of the trainers' practice sandbox (who, when, cases removed
  and created, attachment files removed). Append-only; a reset never clears it (revision 0028).
- ``web_form_tokens``: one-time tokens of the new-case form: a second submit of the same token
  (double click, parallel posts) goes to the case created by the first one.
- ``web_sessions``: server-side sessions of the pages (the cookie only names one by a random id),
  so that logout, a password change, deactivation and "end all sessions" take effect at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ..store.base import Base, JSONData, UTCDateTime


class CaseView(Base):
    """One view of a case (or of one referral instance of it) by one user."""

    __tablename__ = "web_case_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(100), index=True)
    role: Mapped[str] = mapped_column(String(64))
    organisation: Mapped[str | None] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(16))  # page | referral | api | list | work | export | cli
    instance: Mapped[str | None] = mapped_column(String(130))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """A bearer token for the REST API; only its SHA-256 digest is stored."""

    __tablename__ = "web_api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(String(100), index=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "read": GET requests only; "write": everything the user's role allows.
    scope: Mapped[str] = mapped_column(String(8), default="write", server_default=text("'write'"))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginFailure(Base):
    """A failed login attempt (user name folded to lower case, client IP)."""

    __tablename__ = "web_login_failures"
    __table_args__ = (Index("ix_web_login_failures_key_at", "username", "ip", "at"),
                      Index("ix_web_login_failures_ip_at", "ip", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class FormToken(Base):
    """A one-time token of a creation form; ``used_at`` set when a submit claims it, ``reference``
    set when that submit created the case."""

    __tablename__ = "web_form_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reference: Mapped[str | None] = mapped_column(String(40))


class ExportLog(Base):
    """One export of case data: who, when, what (``dashboard.csv``, ``api.stats``...), the
    filters used, how many rows, and whether names were included."""

    __tablename__ = "web_export_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[str] = mapped_column(String(100), index=True)
    role: Mapped[str] = mapped_column(String(64))
    what: Mapped[str] = mapped_column(String(64))
    filters: Mapped[dict[str, Any]] = mapped_column(JSONData, default=dict)
    row_count: Mapped[int] = mapped_column(Integer)
    names: Mapped[bool] = mapped_column(default=False)


class SandboxReset(Base):
    """One reset of the practice sandbox (:mod:`mno_workflow.web.sandbox_reset`): who, when, how
    many cases were removed and created, and how many attachment files were deleted from disk."""

    __tablename__ = "web_sandbox_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(64))
    removed: Mapped[int] = mapped_column(Integer)
    created: Mapped[int] = mapped_column(Integer)
    files_removed: Mapped[int] = mapped_column(Integer)


class WebSession(Base):
    """A signed-in browser session. ``digest`` is the SHA-256 of the random id kept in the signed
    cookie. Valid while ``ended_at`` is empty, ``now < expires_at`` (absolute lifetime, fixed at
    login) and ``now < last_seen_at + idle timeout``."""

    __tablename__ = "web_sessions"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(32))
    ip: Mapped[str | None] = mapped_column(String(64))
