"""The access-log row of a read that discloses the directory's staff contacts (law 001-2021/AN:
reads of personal data are traceable), one helper for every path that shows them: the HSDS API,
``GET /api/v1/directory``, the printed documents, the referral slip and ``mno directory search``.

One row per request (never per object or per page fragment) in ``web_export_log``: ``what`` names
the path (``hsds.service``, ``api.directory``, ``document.annuaire``, ``print.referral_slip``,
``cli.directory.search``…), ``filters`` holds ``path``, the request's filters, ``contacts`` (how
many persons or focal point accounts were disclosed) and ``disclosed`` (their ids: HSDS contact
ids, focal point user ids, data-sharing agreement ids; the first :data:`MAX_IDS`, sorted;
``disclosed_more`` counts the rest), ``row_count`` the number of objects served and ``names``
true. Nothing is written when nothing personal was disclosed (the public form, a role without the
``directory_contacts`` permission, an answer without any contact person). Listed on the
coordinator's ``/journal-acces``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

#: At most this many ids are named in one row (a full HSDS list can hold hundreds of persons).
MAX_IDS = 100


def log_contacts_read(session, user_id: str, role: str, what: str, path: str,
                      disclosed: Iterable[str], objects: int, now: datetime,
                      filters: dict[str, Any] | None = None) -> bool:
    """Add one ``web_export_log`` row for a read by ``user_id`` (``role``) of ``what`` at ``path``
    that disclosed the persons ``disclosed`` (ids; empty values ignored) among ``objects``
    objects, at ``now`` (aware UTC). ``filters``: the request's parameters (empty ones dropped).
    Returns whether a row was added (False, and nothing written, when ``disclosed`` is empty).
    The caller commits (the row goes with the session's transaction)."""
    from .models import ExportLog

    ids = sorted({str(i) for i in disclosed if i})
    if not ids:
        return False
    given = {k: v for k, v in (filters or {}).items()
             if v not in (None, "", False) and not str(k).startswith("_")}
    record: dict[str, Any] = {"path": path, **given, "contacts": len(ids), "disclosed": ids[:MAX_IDS]}
    if len(ids) > MAX_IDS:
        record["disclosed_more"] = len(ids) - MAX_IDS
    session.add(ExportLog(at=now, user_id=user_id, role=role, what=what[:64], filters=record,
                          row_count=objects, names=True))
    return True
