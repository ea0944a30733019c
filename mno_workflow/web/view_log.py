"""The access log of reads: who saw which case, through which channel (page, list, API, print,
export, command line), and the exports (:class:`~.models.ExportLog`). Names and case data are
personal data: every read is logged (law 001-2021/AN; docs/audit.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from ..store.models import Case, User
from .models import CaseView


def _record_views(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert access-log rows. Inside a write transaction they join it. From a read session (a page
    that only reads) they are written in a short transaction of their own once the read
    transaction has ended and given its connection back (:func:`_write_pending_views`): a read
    never upgrades its snapshot to a write lock (on SQLite that fails at once, « database is
    locked », when another request committed meanwhile), and a request never holds two pooled
    connections at once — 20 concurrent requests each waiting for a second connection while
    holding one emptied the pool (15) and waited 30 s (issue 15, ``bench/http_load.py``). The
    write happens when the ``with`` block of the read session closes: an error there is the
    request's error, so no page is served whose reading is not logged."""
    if not rows:
        return
    if getattr(session, "_mno_write", False):
        session.add_all(CaseView(**r) for r in rows)
        return
    session.info.setdefault(_PENDING, []).extend(rows)


_PENDING = "mno_pending_views"  # key of a read session's info: its access-log rows to write


def _write_pending_views(session: Session, transaction: Any) -> None:
    """``after_transaction_end`` of a read session holding access-log rows: the outermost
    transaction has ended and its connection is back in the pool; write them in one short
    transaction."""
    if transaction.parent is not None or _PENDING not in session.info:
        return
    rows = session.info.pop(_PENDING)
    if rows:
        with session.get_bind().begin() as conn:
            conn.execute(insert(CaseView), rows)


event.listen(Session, "after_transaction_end", _write_pending_views)  # every session class


def log_view(
    session: Session, user: User, case: Case, channel: str, now: datetime, instance: str | None = None
) -> None:
    """Log one view of ``case`` (page, API, print) by ``user`` through ``channel``."""
    _record_views(session, [{"case_id": case.id, "user_id": user.id, "role": user.role,
                             "organisation": user.organisation, "channel": channel,
                             "instance": instance, "at": now}])


def log_views(session: Session, user: User, references: list[str], channel: str, now: datetime) -> int:
    """Log one view per case of ``references`` (a list page, Mon travail, an export with names);
    returns how many were logged. Names are personal data: every read is logged."""
    refs = sorted({r for r in references if r})
    if not refs:
        return 0
    ids = session.execute(select(Case.id).where(Case.reference.in_(refs))).scalars().all()
    _record_views(session, [{"case_id": i, "user_id": user.id, "role": user.role,
                             "organisation": user.organisation, "channel": channel, "instance": None,
                             "at": now} for i in ids])
    return len(ids)


def log_export(session: Session, user: User, what: str, filters: dict, row_count: int, names: bool,
               now: datetime) -> None:
    """Log one export (who, what, filters, how many rows, with names or not)."""
    from .models import ExportLog

    session.add(ExportLog(at=now, user_id=user.id, role=user.role, what=what, filters=filters,
                          row_count=row_count, names=names))
