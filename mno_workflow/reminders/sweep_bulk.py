"""The sweeper's bulk path: due deadline rows claimed in one Core query with their instance and
case, plain reminders and escalations turned into outbox rows written by one ``INSERT``
(executemany), and the rows marked done or cancelled by one ``UPDATE`` by primary key.

Only a row whose rule needs more goes one by one through the ORM (:func:`sweeper._process`): an
automatic trigger (``on_expiry.fire``), a ``wait_for`` condition, a deadline ``notify:``, and any
later row of a case such a row changed. Before such a row the batch is written, so the database
is in the same state as when every row was processed in order (see ``tests/reminders``).
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, literal_column, select, update
from sqlalchemy.orm import Session

from ..engine.corewrite import insert_rows
from ..store.fastsql import Statement
from ..store.models import Case, Deadline, OutboxMessage, SopVersion, StepInstance, User
from ..store.outbox import Person, enqueue

_COLUMNS = (Deadline.id, Deadline.case_id, Deadline.instance_id, Deadline.state, Deadline.entered_at,
            Deadline.kind, Deadline.offset, Deadline.owner_role, Deadline.escalate_to,
            Deadline.auto_trigger, Deadline.due_at, Deadline.fire_at,
            StepInstance.step.label("i_step"), StepInstance.key.label("i_key"),
            StepInstance.state.label("i_state"), StepInstance.entered_at.label("i_entered_at"),
            StepInstance.recipient.label("i_recipient"),
            Case.reference,
            # a case erased while open (before tryout 9, L9) counts as closed: nothing is sent
            case((Case.purged_at.is_not(None), literal_column("'erased'")),
                 else_=Case.status).label("c_status"),
            Case.assignee, Case.region,
            Case.sop_version_id)


_DUE = (select(*_COLUMNS)
        .join(StepInstance, StepInstance.id == Deadline.instance_id)
        .join(Case, Case.id == Deadline.case_id)
        .where(Deadline.status == "pending", Deadline.fire_at <= bindparam("now"))
        .order_by(Deadline.fire_at, Deadline.id))
_DUE_SQLITE = Statement(_DUE.limit(bindparam("lim")))  # run on the DB-API cursor (store/fastsql.py)
Due = namedtuple("Due", [c.key for c in _DUE.selected_columns])  # one claimed row


def claim(s: Session, now: datetime, limit: int) -> list[Any]:
    """Due pending rows (at most ``limit``, oldest ``fire_at`` first) with their instance and case,
    in one statement, as rows with attributes named like ``_COLUMNS``.

    PostgreSQL: lock the cases first, in ascending id order and skipping those another process
    holds (a transition or another sweeper), then their due rows (``FOR UPDATE OF deadlines SKIP
    LOCKED``) — the same order as a transition, so nobody waits in a cycle. SQLite: the whole
    transaction holds the write lock (``BEGIN IMMEDIATE``)."""
    conn = s.connection()
    if conn.dialect.name != "postgresql":
        return [Due(*r) for r in _DUE_SQLITE.rows(conn, {"now": now, "lim": limit})]
    due = _DUE.params(now=now).limit(limit)
    ids = sorted(set(s.scalars(select(Deadline.case_id).where(Deadline.status == "pending",
                                                              Deadline.fire_at <= now)
                               .order_by(Deadline.fire_at, Deadline.id).limit(limit))))
    if not ids:
        return []
    locked = list(s.scalars(select(Case.id).where(Case.id.in_(ids)).order_by(Case.id)
                            .with_for_update(skip_locked=True)))
    if not locked:
        return []
    return list(conn.execute(due.where(Deadline.case_id.in_(locked))
                             .with_for_update(of=Deadline, skip_locked=True)).all())


_U = User.__table__
_PEOPLE = select(_U.c.id, _U.c.language, _U.c.email, _U.c.phone, _U.c.notify_email, _U.c.notify_sms,
                 _U.c.sop_id)


def prefetch_assignees(s: Session, rows: list[Any], rules: Rules, people: dict) -> None:
    """Look up, in one query, the assignees of the claimed rows whose reminder or escalation goes
    to a role of scope ``assigned``, and put them in ``people`` under the key
    :func:`~mno_workflow.store.outbox.enqueue` uses (one query per sweep instead of one per
    assignee). An assignee who works in another SOP than the case's is left to
    :func:`~mno_workflow.store.outbox.recipients` (the SOP rule: the coordinators are told instead)."""
    wanted: dict[tuple, str] = {}
    for row in rows:
        if not row.assignee:
            continue
        role = row.owner_role if row.kind == "reminder" else row.escalate_to
        if role and rules.scope(row, role) == "assigned":
            wanted[("assigned", role, row.sop_version_id, row.assignee, None, None)] = row.assignee
    missing = {k: a for k, a in wanted.items() if k not in people}
    if not missing:
        return
    ids = sorted(set(missing.values()))
    found: dict[str, Person] = {}
    works_in: dict[str, str | None] = {}
    for start in range(0, len(ids), 500):  # bounded IN lists
        for r in s.connection().execute(_PEOPLE.where(_U.c.id.in_(ids[start:start + 500]))):
            found[r[0]], works_in[r[0]] = Person(*r[:-1]), r[-1]
    sop_of: dict[int, str] = {}
    if any(works_in.values()):
        sop_of = {i: sop for i, sop in s.execute(select(SopVersion.id, SopVersion.sop_id))}
    for key, assignee in missing.items():
        if works_in.get(assignee) and works_in[assignee] != sop_of.get(key[2]):
            continue  # another SOP's account: recipients() decides (coordinators told instead)
        people[key] = [(assignee, found.get(assignee))]


def one_per_rule(rows: list[Any], now: datetime, batch: Batch) -> tuple[list[Any], set[int]]:
    """Catch-up after downtime: of several due reminder rows of one rule (same instance, same
    entry into the state, same offset), only the latest is sent, marked late; the others are
    cancelled with the reason (in ``batch``). Returns the rows to process and the ids of the rows
    that stand for missed ones."""
    latest: dict[tuple, Any] = {}
    for row in rows:
        if row.kind == "reminder":
            key = (row.instance_id, row.entered_at, row.offset)
            if key not in latest or (row.fire_at, row.id) > (latest[key].fire_at, latest[key].id):
                latest[key] = row
    keep_ids = {r.id for r in latest.values()}
    out, caught_up = [], set()
    for row in rows:
        if row.kind == "reminder" and row.id not in keep_ids:
            batch.mark(row.id, "cancelled", now, note="catch-up: one reminder per rule after downtime")
            caught_up.add(latest[(row.instance_id, row.entered_at, row.offset)].id)
        else:
            out.append(row)
    return out, caught_up


@dataclass
class Batch:
    """Outbox rows and deadline updates waiting for one executemany each; ``marks``: the ids of
    the rows to mark, by the ``(column, value)`` pairs they get."""

    outbox: list[dict] = field(default_factory=list)
    marks: dict[tuple, list[int]] = field(default_factory=dict)

    def mark(self, row_id: int, status: str, now: datetime, *, note: str | None = None,
             late: bool = False) -> None:
        values = (("status", status), ("fired_at", now), ("late", late))
        if note is not None:  # a done row keeps its note
            values += (("note", note),)
        ids = self.marks.get(values)
        if ids is None:
            ids = self.marks[values] = []
        ids.append(row_id)

    def write(self, s: Session) -> None:
        """Write what is waiting: one ``INSERT`` executemany for the outbox rows (a Core statement
        compiled once and run on the DB-API cursor, store/fastsql.py), and one set-based ``UPDATE
        … WHERE id IN (…)`` per kind of mark (same values: done on time, done late, cancelled
        with a note…; ids in ascending order, at most :data:`MARK_CHUNK` per statement); no ORM."""
        conn = s.connection()
        if self.outbox:
            insert_rows(conn, _O, self.outbox)  # one executemany per set of keys (one, in practice)
        for values, ids in self.marks.items():
            cols = tuple(k for k, _v in values)
            ids.sort()  # the table's and indexes' pages in order
            for start in range(0, len(ids), MARK_CHUNK):
                chunk = ids[start:start + MARK_CHUNK]
                n = 1 << (len(chunk) - 1).bit_length()  # padded: few statements to compile
                chunk += [chunk[-1]] * (n - len(chunk))
                _mark_statement(cols, n).execute(
                    conn, {**dict(values), **{f"i{k}": v for k, v in enumerate(chunk)}})
        self.outbox, self.marks = [], {}


_D = Deadline.__table__
_O = OutboxMessage.__table__
_MARKS: dict[tuple[tuple[str, ...], int], Statement] = {}
MARK_CHUNK = 500  # ids per UPDATE: bounded IN lists (SQLite's limit on parameters)


def _mark_statement(cols: tuple[str, ...], n: int) -> Statement:
    """``UPDATE deadlines SET cols WHERE id IN (:i0, …, :i{n-1})``, run on the DB-API cursor
    (store/fastsql.py), built once per set of columns and ``n``. ``n`` is a power of two: a chunk
    is padded by repeating its last id (the same row in an ``IN`` list counts once), so at most
    ten statements per set of columns are ever compiled."""
    stmt = _MARKS.get((cols, n))
    if stmt is None:
        stmt = _MARKS[(cols, n)] = Statement(
            update(_D).where(_D.c.id.in_([bindparam(f"i{k}") for k in range(n)]))
            .values({c: bindparam(c) for c in cols}))
    return stmt


def needs_orm(row: Any, sop: Any) -> bool:
    """Whether a claimed row needs the per-row path: an expiry with an automatic trigger, a
    ``wait_for`` or a ``notify:`` in the SOP."""
    if row.kind != "expiry" or row.c_status != "open":
        return False
    if row.auto_trigger:
        return True
    st = sop.steps.get(row.i_step)
    dl = st.states[row.i_state].deadline if st is not None and row.i_state in st.states else None
    return dl is not None and bool(dl.wait_for or dl.notify)


class Rules:
    """The per-rule decisions of one sweep, looked up once per (SOP version, step, state) or
    (SOP version, role) instead of once per row. ``sop_of(row)``: the row's compiled SOP."""

    def __init__(self, sop_of: Any) -> None:
        self.sop_of = sop_of
        self._orm: dict[tuple, bool] = {}
        self._scopes: dict[tuple, str] = {}

    def needs_orm(self, row: Any) -> bool:
        """:func:`needs_orm`, the SOP part cached by (SOP version, step, state)."""
        if row.kind != "expiry" or row.c_status != "open":
            return False
        if row.auto_trigger:
            return True
        key = (row.sop_version_id, row.i_step, row.i_state)
        found = self._orm.get(key)
        if found is None:
            found = self._orm[key] = needs_orm(row, self.sop_of(row))
        return found

    def scope(self, row: Any, role: str) -> str:
        """The scope of ``role`` in the row's SOP (``all`` when the SOP has no such role)."""
        key = (row.sop_version_id, role)
        found = self._scopes.get(key)
        if found is None:
            found = self._scopes[key] = _scope(self.sop_of(row), role)
        return found


class _CaseView:
    """What :func:`~mno_workflow.store.outbox.enqueue` reads of a case."""

    __slots__ = ("id", "assignee", "region", "sop_version_id")

    def __init__(self, case_id: int, assignee: str | None, region: str | None,
                 sop_version_id: int | None = None) -> None:
        self.id, self.assignee, self.region = case_id, assignee, region
        self.sop_version_id = sop_version_id


class _InstanceView:
    """What :func:`~mno_workflow.store.outbox.enqueue` reads of a step instance."""

    __slots__ = ("recipient",)

    def __init__(self, recipient: str | None) -> None:
        self.recipient = recipient


def process(s: Session, row: Any, rules: Rules, now: datetime, late_before: datetime, report: Any,
            people: dict, batch: Batch, force_late: bool) -> None:
    """A plain reminder or escalation row (see :func:`needs_orm`): re-check, outbox rows, mark.
    ``late_before``: ``now - late_after`` (a row due before it is sent marked late)."""
    ident = (row.reference, f"{row.i_step}:{row.i_key}", row.state, row.offset or row.kind)
    if row.c_status != "open" or row.i_state != row.state or row.i_entered_at != row.entered_at:
        batch.mark(row.id, "cancelled", now, note="state left or case closed")
        report.skipped.append(ident)
        return
    late = force_late or row.fire_at < late_before  # i.e. now - fire_at > late_after
    report.late += late
    if row.kind == "reminder":
        role, kind, extra = row.owner_role, "reminder", None
        report.reminders.append(ident)
    else:
        role, kind, extra = row.escalate_to, "escalation", row.owner_role
        if role:
            report.escalations.append(ident)
    if role:
        context = {"reference": row.reference, "step": row.i_step, "instance": row.i_key,
                   "state": row.i_state, "due_at": row.due_at.isoformat(), "offset": row.offset,
                   "late": late}
        if kind == "escalation":
            context["owner_role"] = extra
        enqueue(s, case=_CaseView(row.case_id, row.assignee, row.region, row.sop_version_id),
                inst=_InstanceView(row.i_recipient), role=role, scope=rules.scope(row, role),
                kind=kind, template=kind, context=context, now=now, deadline_id=row.id, late=late,
                cache=people, rows=batch.outbox)
    batch.mark(row.id, "done", now, late=late)


def _scope(sop, role: str) -> str:
    r = sop.roles.get(role)
    return r.scope if r is not None else "all"
