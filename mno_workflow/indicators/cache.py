"""Caches that keep the M&E figures from re-reading the whole audit log on every request, with
exact invalidation (a new audit event changes the figures at once).

Three levels, all per database (its URL):

1. **Histories** (:class:`HistoryCache`): the per-case histories of :mod:`.history`, kept between
   requests and brought up to date incrementally. The state of the audit log is its *mark*
   ``(max(audit_events.id), count(audit_events), hash of the newest event)``. When the mark moved
   forward (and the event that was newest is still there with its hash), only the cases that
   have events with an id above the cached maximum are read again (their whole history: a
   retention purge rewrites a case's older events and always appends a ``purge`` event);
   otherwise, or when the count does not match the new events exactly (a deleted case, an event
   committed late with a lower id), everything is read again. Case region and instance items
   change only with an event of the case.
2. **Observations**: each case's observations per indicator (the rows the results are summed
   from), kept per (SOP, period, filters, organisation types) and reused for every case whose
   history did not change; so after one new event only that case is observed again.
3. **Results** (:class:`ResultCache`): the computed indicator results (before suppression, so
   every language and path shares them), keyed by (SOP id, version and text hash, period,
   filters, organisation types of the directory, audit mark). A result also depends on the
   clock (a deadline counts as missed once it is due): each entry keeps ``valid_until``, the
   earliest due time still ahead among the open deadline entries, and is not used at or after it.

``MNO_INDICATOR_CACHE=0`` turns them off (every request reads and computes everything).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from . import history
from .compute import Computer

Mark = tuple[int, int, str]  # (max audit event id, number of audit events, hash of the newest)


def enabled() -> bool:
    return os.environ.get("MNO_INDICATOR_CACHE", "1") not in ("0", "false", "no", "off")


def mark(session: Any) -> Mark:
    """``(max id, count, hash)`` of ``audit_events``: the hash of the newest event (events are
    hash-chained) tells apart two databases at one URL whose logs have the same length (a
    sandbox reset, a restored backup)."""
    from ..store.models import AuditEvent

    mx, n = session.execute(select(func.max(AuditEvent.id), func.count(AuditEvent.id))).one()
    last = session.scalar(select(AuditEvent.hash).where(AuditEvent.id == mx)) if mx else ""
    return int(mx or 0), int(n or 0), str(last or "")


def _db_key(session: Any) -> str:
    bind = session.get_bind()
    return str(bind.url)


@dataclass
class _HistState:
    mark: Mark
    by_case: dict[int, history.CaseHistory]
    ordered: list[history.CaseHistory] = field(default_factory=list)


class HistoryCache:
    """Per-database histories brought up to date by :meth:`load` (see the module doc).
    ``stats``: how many full and incremental loads were made (for tests and benchmarks)."""

    def __init__(self, max_databases: int = 4) -> None:
        self._lock = threading.Lock()
        self._states: OrderedDict[str, _HistState] = OrderedDict()
        self.max_databases = max_databases  # least recently used databases are forgotten
        self.stats = {"full": 0, "incremental": 0, "reused": 0}

    def clear(self) -> None:
        with self._lock:
            self._states.clear()

    def load(self, session: Any) -> tuple[list[history.CaseHistory], Mark]:
        """The histories of every case, ordered by case id, and the audit mark they reflect."""
        from ..store.models import AuditEvent

        key = _db_key(session)
        with self._lock:
            now_mark = mark(session)
            st = self._states.get(key)
            if st is not None:
                self._states.move_to_end(key)
            if st is not None and st.mark == now_mark:
                self.stats["reused"] += 1
                return st.ordered, now_mark
            if (
                st is not None
                and now_mark[0] >= st.mark[0]
                # the event that was newest is still there, unchanged: the same log, grown
                and session.scalar(select(AuditEvent.hash).where(AuditEvent.id == st.mark[0])) == st.mark[2]
            ):
                new = session.execute(
                    select(AuditEvent.case_id, func.count())
                    .where(AuditEvent.id > st.mark[0])
                    .group_by(AuditEvent.case_id)
                ).all()
                if st.mark[1] + sum(n for _c, n in new) == now_mark[1]:
                    changed = [c for c, _n in new]
                    for h in history.load(session, case_ids=changed):
                        st.by_case[h.case_id] = h
                    st.mark = now_mark
                    st.ordered = [st.by_case[c] for c in sorted(st.by_case)]
                    self.stats["incremental"] += 1
                    return st.ordered, now_mark
            hs = history.load(session)
            st = _HistState(now_mark, {h.case_id: h for h in hs}, hs)
            self._states[key] = st
            self._states.move_to_end(key)
            while len(self._states) > self.max_databases:
                self._states.popitem(last=False)
            self.stats["full"] += 1
            return hs, now_mark


@dataclass
class _Entry:
    results: list[Any]
    valid_until: datetime | None


class ResultCache:
    """LRU of computed results (see the module doc); ``size`` entries at most."""

    def __init__(self, size: int = 128) -> None:
        self._lock = threading.Lock()
        self._data: OrderedDict[tuple, _Entry] = OrderedDict()
        self.size = size
        self.stats = {"hit": 0, "miss": 0}

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
        _MEMOS.clear()

    def get(self, key: tuple, now: datetime) -> list[Any] | None:
        with self._lock:
            e = self._data.get(key)
            if e is None or (e.valid_until is not None and now >= e.valid_until):
                self.stats["miss"] += 1
                return None
            self._data.move_to_end(key)
            self.stats["hit"] += 1
            return e.results

    def put(self, key: tuple, results: list[Any], valid_until: datetime | None) -> None:
        with self._lock:
            self._data[key] = _Entry(results, valid_until)
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


HISTORIES = HistoryCache()
RESULTS = ResultCache()


_SOP_KEYS: dict[int, tuple[Any, tuple[str, str, str]]] = {}


def sop_key(sop: Any) -> tuple[str, str, str]:
    """``(sop id, version, hash of its model)``: two texts of one version never share results
    (hashed once per SOP object; the object is kept with its key so its id is not reused)."""
    got = _SOP_KEYS.get(id(sop))
    if got is not None and got[0] is sop:
        return got[1]
    text = sop.model_dump_json() if hasattr(sop, "model_dump_json") else repr(sop)
    key = (sop.sop, str(sop.version), hashlib.sha256(text.encode()).hexdigest()[:16])
    if len(_SOP_KEYS) > 32:
        _SOP_KEYS.clear()
    _SOP_KEYS[id(sop)] = (sop, key)
    return key


class _MemoComputer(Computer):
    """A :class:`.compute.Computer` whose per-case observations are kept between runs in
    ``memo`` (``{indicator code: {case id: (history, observations, valid until)}}``): a case whose
    history object is the same (the history cache hands out a new object only for a case that
    changed) reuses its observations; within-deadline observations are reused only before the
    case's next pending due time (:func:`next_due` of that case)."""

    def __init__(self, memo: dict, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.memo = memo

    def observations(self, ind: Any) -> list:
        per = self.memo.setdefault(ind.code, {})
        out: list = []
        for h in self.histories:
            got = per.get(h.case_id)
            if got is not None and got[0] is h and (got[2] is None or self.now < got[2]):
                out.extend(got[1])
                continue
            obs = [o for o in self._case_obs(ind, h) if o is not None]
            valid = next_due(self.sop, [h], self.now) if ind.count == "within_deadline" else None
            per[h.case_id] = (h, obs, valid)
            out.extend(obs)
        return out


_MEMOS: OrderedDict[tuple, dict] = OrderedDict()  # context -> {indicator code: {case id: obs}}
_COMPUTE = threading.Lock()


def results(session: Any, sop: Any, period: Any, now: datetime, filters: dict[str, str], types: dict) -> list:
    """The indicator results of ``period`` for ``filters`` (a :class:`.compute.Computer` run),
    from the caches when the audit log, the SOP, the directory's organisation types and the
    clock (see :func:`next_due`) allow it; otherwise computed again, re-using the observations
    of the cases that did not change, and stored."""
    if not enabled():
        return Computer(sop, history.load(session), period, now, filters, org_type=types.get).all()
    hs, mk = HISTORIES.load(session)
    ctx = (
        _db_key(session),
        sop_key(sop),
        (period.start, period.end, period.kind),
        tuple(sorted(filters.items())),
        tuple(sorted(types.items())),
    )
    key = (*ctx, mk)
    got = RESULTS.get(key, now)
    if got is None:
        with _COMPUTE:
            memo = _MEMOS.setdefault(ctx, {})
            _MEMOS.move_to_end(ctx)
            while len(_MEMOS) > 16:
                _MEMOS.popitem(last=False)
            got = _MemoComputer(memo, sop, hs, period, now, filters, org_type=types.get).all()
            RESULTS.put(key, got, next_due(sop, hs, now))
    return got


def next_due(sop: Any, histories: list[history.CaseHistory], now: datetime) -> datetime | None:
    """The earliest due time after ``now`` of a state entry not left yet: until then, no
    deadline changes from pending to missed, so a within-deadline figure computed at ``now``
    holds."""
    out: datetime | None = None
    for h in histories:
        for en in h.entries(sop):
            if en.left_at is None and en.due_at is not None and en.due_at > now:
                if out is None or en.due_at < out:
                    out = en.due_at
    return out
