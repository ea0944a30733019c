"""The write path of ``fire`` in SQLAlchemy Core: load a case with its step instances, keep the
changes in plain objects, write them back with explicit statements; no ORM identity map and no
unit of work on the hot path.

- **Load** (:func:`load_for_change`): on SQLite the write transaction already holds the database's
  write lock (``BEGIN IMMEDIATE``), so the case and its instances come in *one* joined ``SELECT``;
  on PostgreSQL the case row is locked first (``SELECT … FOR UPDATE``) and its instances read by a
  second statement, after the lock is granted (READ COMMITTED: a row joined in the locking
  statement would come from the snapshot taken before waiting, i.e. possibly stale).
- **Carriers**: :class:`CaseRow` and :class:`InstanceRow` have the attributes of the mapped
  ``Case`` and ``StepInstance`` (the engine reads them the same way), plus the rows the transition
  adds: ``new_deadlines`` (:class:`NewRow`) and ``new_outbox`` (column dicts).
- **Write** (:func:`write_back`): ``UPDATE cases … WHERE id = :id AND version = :loaded`` (the
  optimistic version check; a miss raises StaleVersion, 409), one ``UPDATE`` executemany per
  shape of changed instances, ``INSERT … RETURNING id`` for new instances (their deadline rows
  need the id), then ``INSERT`` executemany for deadline and outbox rows. The audit event is
  written by :func:`mno_workflow.store.audit.append_event` (Core ``INSERT``) as before.
- **Savepoints** (:func:`savepoint`): an automatic trigger tried inside the transition (``until``)
  runs in a SAVEPOINT; on failure the carriers are put back as they were before it.

Anything else that writes in the same transaction (``also`` callbacks, consent and directory
look-ups, ORM rows loaded by rarer paths) still uses the session and is flushed at its commit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.orm import Session

from ..store.fastsql import Statement
from ..store.models import Case, Deadline, OutboxMessage, SopVersion, StepInstance
from .errors import Message, StaleVersion

_C = Case.__table__
_I = StepInstance.__table__
_D = Deadline.__table__
_O = OutboxMessage.__table__
CASE_COLUMNS = tuple(c.key for c in _C.columns)
INSTANCE_COLUMNS = tuple(c.key for c in _I.columns)
_INSTANCE_DEFAULTS = {"final": False, "data": {}, "version": 1}

# Statements built once and run on the DB-API cursor (store/fastsql.py): building and executing
# one through SQLAlchemy costs more than SQLite's own work for a row.
_NC = len(CASE_COLUMNS)
_JOINED = Statement(select(*[c.label(f"c_{c.key}") for c in _C.columns],
                           *[c.label(f"i_{c.key}") for c in _I.columns])
                    .select_from(_C.outerjoin(_I, _I.c.case_id == _C.c.id))
                    .where(_C.c.reference == bindparam("ref")).order_by(_I.c.id))
_LOCK_CASE = Statement(select(_C).where(_C.c.reference == bindparam("ref")).with_for_update(of=_C))
_INSTANCES = Statement(select(_I).where(_I.c.case_id == bindparam("cid")).order_by(_I.c.id))
_INSERT_INSTANCE = Statement(insert(_I).returning(_I.c.id), INSTANCE_COLUMNS[1:])
_INSERT_CASE = Statement(insert(_C).returning(*_C.columns), ("sop_version_id", "status", "assignee", "data",
                                                              "created_at", "updated_at", "version"))
_update_cache: dict[tuple, Statement] = {}
_insert_cache: dict[tuple, Statement] = {}


def insert_rows(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    """``INSERT`` executemany of ``rows`` into ``table``, one per set of keys (columns a row does
    not name stay NULL: no Python-side default is applied)."""
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for r in rows:
        shapes.setdefault(tuple(r), []).append(r)
    for keys, same in shapes.items():
        stmt = _insert_cache.get((table.name, keys))
        if stmt is None:
            stmt = _insert_cache[(table.name, keys)] = Statement(insert(table), keys)
        stmt.executemany(conn, same)


class NewRow:
    """A deadline row armed in this transaction, not yet written: its columns as attributes, and
    ``instance`` (the carrier or ``StepInstance`` it belongs to; its id may come at write time)."""

    def __init__(self, **columns: Any) -> None:
        self.__dict__.update(columns)


class InstanceRow:
    """A step instance read for a change: the columns of ``step_instances`` as attributes.
    ``_loaded`` None: started in this transaction, inserted by :func:`write_back`."""

    def __init__(self, values: dict[str, Any], loaded: bool = True) -> None:
        self.__dict__.update(values)
        self._loaded = values if loaded else None

    @property
    def label_key(self) -> str:
        return f"{self.step}:{self.key}"


class CaseRow:
    """A case read for a change (columns of ``cases`` as attributes) with ``instances`` (ordered
    by id), the session of its transaction (``mno_session``) and the rows the transition adds."""

    def __init__(self, values: dict[str, Any], instances: list[InstanceRow], session: Session,
                 conn: Any) -> None:
        self.__dict__.update(values)
        self._loaded = values
        self.instances: list[Any] = instances
        self.mno_session = session
        self.mno_conn = conn  # the transaction's connection, asked for once
        self.new_deadlines: list[NewRow] = []
        self.new_outbox: list[dict[str, Any]] = []

    @property
    def sop_version(self) -> SopVersion:
        """The stored SOP version (read only on a compiled-SOP cache miss)."""
        return self.mno_session.get(SopVersion, self.sop_version_id)


def is_carrier(case: Any) -> bool:
    """Whether ``case`` was loaded by :func:`load_for_change` (its writes are buffered here)."""
    return type(case) is CaseRow


def new_instance(case: Any, **values: Any) -> Any:
    """A step instance started in this transaction: an :class:`InstanceRow` for a carrier case
    (no ORM instrumentation on the hot path), a mapped ``StepInstance`` otherwise (ORM paths:
    reopening, migrations). The caller appends it to ``case.instances``."""
    if type(case) is not CaseRow:
        return StepInstance(**values)
    row = dict.fromkeys(INSTANCE_COLUMNS)
    row.update(_INSTANCE_DEFAULTS)
    row.update(values)
    return InstanceRow(row, loaded=False)


def load_for_change(s: Session, reference: str) -> CaseRow | None:
    """The case ``reference`` with its step instances, its row locked for the transaction (see the
    module doc); None when there is no such case."""
    conn = s.connection()
    if conn.dialect.name == "sqlite":
        rows = _JOINED.rows(conn, {"ref": reference}, repeated=_NC)  # case columns: first row
        if not rows:
            return None
        values = dict(zip(CASE_COLUMNS, rows[0][:_NC], strict=True))
        insts = [InstanceRow(dict(zip(INSTANCE_COLUMNS, r[_NC:], strict=True)))
                 for r in rows if r[_NC] is not None]
        return CaseRow(values, insts, s, conn)
    found = _LOCK_CASE.rows(conn, {"ref": reference})
    if not found:
        return None
    values = dict(zip(CASE_COLUMNS, found[0], strict=True))
    insts = [InstanceRow(dict(zip(INSTANCE_COLUMNS, r, strict=True)))
             for r in _INSTANCES.rows(conn, {"cid": values["id"]})]
    return CaseRow(values, insts, s, conn)


def insert_case(s: Session, values: dict[str, Any]) -> CaseRow:
    """Insert a new case row (``INSERT … RETURNING``) and return it as a carrier with no
    instances; what the caller changes next (its reference, its audit head) is written by
    :func:`write_back`."""
    conn = s.connection()
    row = _INSERT_CASE.rows(conn, values)[0]
    return CaseRow(dict(zip(CASE_COLUMNS, row, strict=True)), [], s, conn)


def _changed(obj: Any, columns: tuple[str, ...]) -> dict[str, Any]:
    loaded = obj._loaded
    d = obj.__dict__
    return {k: d[k] for k in columns if d[k] is not loaded[k] and d[k] != loaded[k]}


def _update(table: Any, columns: tuple[str, ...], where_version: bool) -> Statement:
    """``UPDATE table SET columns WHERE id = :b_id [AND version = :b_version]`` (cached)."""
    key = (table.name, columns, where_version)
    stmt = _update_cache.get(key)
    if stmt is None:
        cond = table.c.id == bindparam("b_id")
        if where_version:
            cond = and_(cond, table.c.version == bindparam("b_version"))
        stmt = Statement(update(table).where(cond).values({c: bindparam(c) for c in columns}))
        _update_cache[key] = stmt
    return stmt


def write_back(s: Session, case: CaseRow) -> None:
    """Write what the transition changed (see the module doc). Raises StaleVersion when the case
    row is no longer at the version it was read at (nothing is kept: the caller rolls back)."""
    conn = case.mno_conn
    changes = _changed(case, CASE_COLUMNS)
    if changes:
        count = _update(_C, tuple(changes), True).execute(
            conn, {**changes, "b_id": case.id, "b_version": case._loaded["version"]})
        if count != 1:
            raise StaleVersion(Message.t(
                "Ce dossier a été modifié pendant l'enregistrement. Vos saisies sont conservées."),
                current_version=case._loaded["version"], payload={})
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for inst in case.instances:
        if type(inst) is InstanceRow and inst._loaded is not None:
            ch = _changed(inst, INSTANCE_COLUMNS)
            if ch:
                shapes.setdefault(tuple(ch), []).append({**ch, "b_id": inst.id})
        elif inst.id is None:  # started in this transition (new_instance; a mapped StepInstance
            # added by an older path is written the same way, never through the session)
            values = {k: getattr(inst, k) for k in INSTANCE_COLUMNS if k != "id"}
            values["case_id"] = case.id
            for k, default in _INSTANCE_DEFAULTS.items():
                if values[k] is None:
                    values[k] = default
                    setattr(inst, k, default)
            inst.id = _INSERT_INSTANCE.rows(conn, values)[0][0]
            if type(inst) is InstanceRow:  # written: later changes are UPDATEs
                inst._loaded = {k: getattr(inst, k) for k in INSTANCE_COLUMNS}
    for cols, params in shapes.items():
        _update(_I, cols, False).executemany(conn, params)
    if case.new_deadlines:
        insert_rows(conn, _D, [_deadline_values(r) for r in case.new_deadlines])
        case.new_deadlines = []
    if case.new_outbox:
        insert_rows(conn, _O, case.new_outbox)
        case.new_outbox = []


_DEADLINE_COLUMNS = tuple(c.key for c in _D.columns if c.key not in ("id", "instance_id"))


def _deadline_values(row: NewRow) -> dict[str, Any]:
    d = row.__dict__
    values = {k: d.get(k) for k in _DEADLINE_COLUMNS}
    values["instance_id"] = row.instance.id
    values["late"] = bool(values["late"])
    return values


@contextlib.contextmanager
def savepoint(s: Session, case: Any) -> Iterator[None]:
    """``s.begin_nested()`` that also puts a carrier case back as it was when the block raises
    (its columns, its instances and theirs, the rows it was to add)."""
    if not is_carrier(case):
        with s.begin_nested():
            yield
        return
    saved = (dict(case.__dict__), list(case.instances), [dict(i.__dict__) for i in case.instances],
             list(case.new_deadlines), list(case.new_outbox))
    try:
        with s.begin_nested():
            yield
    except BaseException:
        values, insts, inst_values, deadlines, outbox = saved
        case.__dict__.clear()
        case.__dict__.update(values)
        case.instances = insts
        for inst, v in zip(insts, inst_values, strict=True):
            inst.__dict__.clear()
            inst.__dict__.update(v)
        case.new_deadlines, case.new_outbox = deadlines, outbox
        raise
