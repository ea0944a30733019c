"""Query plans of the work lists: no full scan of ``cases``, ``step_instances`` or ``deadlines``.

Each work list (« Mon travail » of a caseworker and of a supervisor, « Mes dossiers » with each
filter and its next page, the provider inbox, referrals filtered by state, the overdue list, the
search) is run for real through its function; every ``SELECT`` it sends is captured and explained
(SQLite ``EXPLAIN QUERY PLAN``; PostgreSQL ``EXPLAIN (FORMAT JSON)`` with ``enable_seqscan`` off,
so the planner takes an index whenever one fits — a tiny test table would otherwise always be
scanned). A plan fails when it reads one of those tables whole:

- SQLite: a ``SCAN <table>`` line (also ``USING INDEX``/``COVERING INDEX``: the whole index);
- PostgreSQL: a ``Seq Scan`` on the table, or an index scan without any index condition, in the
  plan chosen with ``enable_seqscan`` off and in the one with index scans off too (bitmap scans
  only): one plan without full scan suffices (which one wins is a matter of table sizes).

Lists of a caseworker and of a supervisor with a region fail too when they read ``deadlines``
through an index holding every user's rows (the role's ``(owner_role, kind, status, due_at)``):
their rows come from the indexes that start with the deadline's copy of the case's assignee or
region (:mod:`mno_workflow.store.next_due`).

Exception, by name only: the unfiltered lists of the users who see every case (a coordinator, a
supervisor without region: newest first, recently changed first, and the capped count) read
``cases`` in index order and stop at ``LIMIT`` (the page size, 10, or the count cap): SQLite says
``SCAN cases`` for that; accepted only with a ``LIMIT`` and no sort (``USE TEMP B-TREE``).
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from mno_workflow.store.models import Case, Deadline, User
from mno_workflow.web import access, list_filters, queries, triage, worklists

from ..engine.helpers import CW, SUP, provider, referral, to_referrals

TABLES = ("cases", "step_instances", "deadlines")


@contextmanager
def captured(db):
    """The SELECT statements (with parameters) sent to ``db`` inside the block."""
    seen: list[tuple[str, object]] = []

    def _seen(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(db, "before_cursor_execute", _seen)
    try:
        yield seen
    finally:
        event.remove(db, "before_cursor_execute", _seen)


def _pg_full_scans(node: dict, out: list[str], tables: tuple[str, ...] = TABLES) -> None:
    rel = node.get("Relation Name")
    kind = node.get("Node Type", "")
    if rel in tables:
        if kind == "Seq Scan":
            out.append(f"Seq Scan on {rel}")
        elif "Index" in kind and not node.get("Index Cond") and kind != "Bitmap Heap Scan":
            out.append(f"{kind} on {rel} without an index condition")
    for child in node.get("Plans", []):
        _pg_full_scans(child, out, tables)


def full_scans(db, statement: str, parameters, tables: tuple[str, ...] = TABLES) -> tuple[list[str], str]:
    """The full scans of ``tables`` in one statement's plan, and the plan as text."""
    with db.connect() as conn:
        if db.dialect.name == "sqlite":
            lines = [r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
            bad = [ln for ln in lines if any(ln.startswith(f"SCAN {t}") and
                                             (ln == f"SCAN {t}" or ln.startswith(f"SCAN {t} "))
                                             for t in tables)]
            return bad, "\n".join(lines)
        conn.exec_driver_sql("SET enable_seqscan = off")
        first: tuple[list[str], str] | None = None
        for setting in ("", "SET enable_indexscan = off; SET enable_indexonlyscan = off"):
            # On a tiny table an ordered index scan filtered row by row may look cheaper than the
            # index that answers the filter; the second try shows whether such an index exists.
            for sql in filter(None, setting.split("; ")):
                conn.exec_driver_sql(sql)
            raw = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
            plan = (raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"]
            bad: list[str] = []
            _pg_full_scans(plan, bad, tables)
            text = f"{plan['Node Type']} …\n" + json.dumps(plan, indent=1)
            if not bad:
                return [], text
            first = first or (bad, text)
        return first


@pytest.fixture
def world(wf, clock):
    """Three cases: one with its referrals sent to ``ong_a`` (and a deadline passed), two in draft."""
    refs = [to_referrals(wf) for _ in range(3)]
    wf.fire(refs[0], "send", CW, referral("ong_a"), instance="psychosocial")
    clock.advance(timedelta(days=40))
    return refs


USERS = {
    "caseworker": User(id=CW.user, display_name="cw", role="caseworker", region="kadiogo"),
    "supervisor_region": User(id=SUP.user, display_name="sup", role="supervisor", region="kadiogo"),
    "supervisor_all": User(id="sup.all", display_name="sup", role="supervisor", region=None),
    "coordinator": User(id="coord", display_name="coord", role="coordinator"),
    "provider": User(id=provider("ong_a").user, display_name="p", role="provider", organisation="ong_a"),
}
# Lists of a user who sees a part of the cases must not read the deadline indexes that hold every
# assignee's and every region's rows: the work grows with all cases, not with the user's (the
# supervisor's « Mon travail » did, 12× the 1k CPU time at 1M cases, before revision 0032).
UNSCOPED = ("ix_deadlines_owner_kind_status_due_at", "ix_deadlines_kind_status_due_at")


SCOPE = {"my work caseworker": ("deadlines.assignee =", "ix_deadlines_assignee_owner_kind_status_due"),
         "my work supervisor_region": ("deadlines.region =", "ix_deadlines_region_owner_kind_status_due")}
# « Escalades » of a supervisor with a region (escalated deadlines addressed to the role): from the
# index that starts with the deadline's copy of the case's region (revision 0038), not from the
# role's, which holds every region's escalations (the list read them all, then checked each case)
ESCALATIONS = ("deadlines.region =", "ix_deadlines_region_escalate_kind_status_due",
               ("ix_deadlines_escalate_kind_status_due",))


def scope_of(name: str) -> str | None:
    """The key of :data:`SCOPE` a list ``name`` is checked by: « Mon travail » and each of its
    groups by itself (``group <group> <user>[ next page]``)."""
    for user in ("caseworker", "supervisor_region"):
        if name == f"my work {user}" or (name.startswith("group ") and f" {user}" in name):
            return f"my work {user}"
    return None


def unscoped_reads(db, name: str, statement: str, parameters, plan: str) -> list[str]:
    """What is wrong in a statement of the list ``name`` (one of :data:`SCOPE`) reading the
    deadlines of a role: no condition on the deadline's copy of the user's scope, or (SQLite) a
    read through an index of every user's rows (:data:`UNSCOPED`), or (PostgreSQL, whose choice
    between indexes on a tiny table is the statistics': checked with the indexes of
    the other indexes of deadlines dropped in a rolled-back transaction) no use of the scope's
    index."""
    if "deadlines.escalate_to =" in statement and scope_of(name) == "my work supervisor_region":
        column, index, unscoped = ESCALATIONS
    elif "deadlines.owner_role =" in statement:
        column, index = SCOPE[scope_of(name)]
        unscoped = UNSCOPED
    else:
        return []
    if column not in statement:
        return [f"no {column} condition: the role's rows of every user are read"]
    if db.dialect.name == "sqlite":
        return [ln for ln in plan.splitlines() if ln.startswith("SEARCH deadlines USING")
                and any(f"INDEX {ix} " in ln for ix in unscoped)]
    with db.connect() as conn, conn.begin() as tx:
        # every other index of deadlines (not those of constraints): on a tiny table the choice
        # between indexes is the statistics' (a caseworker's statement names the region too, and
        # autovacuum may analyse a cloned database at any moment); what is checked is that the
        # scope's index serves the statement
        others = conn.exec_driver_sql(
            "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " JOIN pg_class t ON t.oid = x.indrelid WHERE t.relname = 'deadlines'"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
        ).scalars().all()
        for ix in others:
            if ix != index:
                conn.exec_driver_sql(f"DROP INDEX {ix}")
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        raw = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
        tx.rollback()
    text = json.dumps(raw if isinstance(raw, list) else json.loads(raw))
    if re.search(r'"Index Name": "pk_deadlines", [^{}]*"Index Cond": "\((deadlines\.)?id = ', text):
        return []  # one deadline by its id (a next page's mark row): no list of other users' rows
    return [] if f'"Index Name": "{index}"' in text else [f"{index} not used"]


ORDERED_SCAN_OK = {f"{w} {u}{p}" for w in ("list",) for u in ("coordinator", "supervisor_all")
                   for p in ("", " next page", " previous page")} | {"my work supervisor_all"}


def work_lists(wf, clock, refs):
    """(name, callable(session)) of every work list query."""
    now = clock.now()
    with wf.sessions() as s:
        sop = wf.registry.for_case(s.scalars(select(Case)).first()).sop
        steps = queries.recipient_steps(sop)
    out = []
    for name in ("caseworker", "supervisor_region", "supervisor_all"):
        u = USERS[name]
        out.append((f"my work {name}", lambda s, u=u: queries.my_work(s, u, now, "Africa/Ouagadougou")))
    with wf.sessions() as s:
        any_deadline = s.scalar(select(Deadline.id).order_by(Deadline.id.desc()).limit(1))
    for name in ("caseworker", "supervisor_region", "supervisor_all", "coordinator"):
        u = USERS[name]
        for g in triage.LISTS:  # each group of « Mon travail » by itself, and its next page by key
            if g == "escalations" and not access.can(u, "reassign"):
                continue  # a caseworker has none (nothing read)
            out.append((f"group {g} {name}", lambda s, u=u, g=g: triage.group_page(
                s, u, g, now, "Africa/Ouagadougou")))
            out.append((f"group {g} {name} next page", lambda s, u=u, g=g: triage.group_page(
                s, u, g, now, "Africa/Ouagadougou", after=any_deadline)))
    for name in ("caseworker", "supervisor_region", "supervisor_all", "coordinator"):
        u = USERS[name]
        label = "coordinator" if name == "coordinator" else name

        def page(s, u=u, **kw):
            return worklists.case_page(s, access.case_clause(u), **kw)

        out.append((f"list {label}", page))
        out.append((f"list {label} next page", lambda s, page=page: page(s, before=refs[1])))
        out.append((f"list {label} previous page", lambda s, page=page: page(s, after=refs[1])))
        out.append((f"list {label} search", lambda s, page=page: page(s, search="sawadogo")))
        out.append((f"list {label} region", lambda s, page=page: page(s, region="kadiogo")))
        out.append((f"list {label} step+state", lambda s, page=page: page(s, step="referral", state="sent")))
        out.append((f"list {label} overdue", lambda s, page=page: page(s, overdue_before=now)))
        # a mixed list's filters: has another SOP a case this reader may open (tryout 8, K5)
        out.append((f"list {label} other SOP", lambda s, u=u: list_filters.has_case_of(
            s, access.case_clause(u), "mnr_other")))
    pu = USERS["provider"]
    out.append(("provider inbox", lambda s: queries.referrals_for(s, pu, steps)))
    todo = queries.provider_todo_states(sop, steps)
    with wf.sessions() as s:
        mark = queries.inbox_part(s, pu, todo, todo=True)[0]
    after = mark[0][0].id if mark else None
    for part, flag in (("to process", True), ("history", False)):
        out.append((f"provider inbox {part}", lambda s, f=flag: queries.inbox_part(s, pu, todo, todo=f)))
        out.append((f"provider inbox {part} next page",
                     lambda s, f=flag: queries.inbox_part(s, pu, todo, todo=f, after=after)))
    out.append(("provider inbox due dates", lambda s: [queries.instance_due(s, i)
                                                      for i, _c in queries.referrals_for(s, pu, steps)]))
    out.append(("referrals sent", lambda s: worklists.case_page(
        s, access.case_clause(USERS["coordinator"]), step="referral", state="sent")))
    out.append(("overdue marks of a page", lambda s: queries.overdue_case_ids(s, now, [1, 2, 3])))
    return out


def test_work_lists_never_scan_a_whole_table(wf, clock, world):
    failures = []
    for name, run in work_lists(wf, clock, world):
        with captured(wf.db) as seen, wf.sessions() as s:
            run(s)
        assert seen, name
        for statement, parameters in seen:
            if not any(t in statement for t in TABLES):
                continue
            bad, plan = full_scans(wf.db, statement, parameters)
            if name in ORDERED_SCAN_OK and "LIMIT" in statement:
                if wf.db.dialect.name == "sqlite" and "TEMP B-TREE" not in plan:
                    bad = [b for b in bad if not b.startswith("SCAN cases")]
                elif plan.startswith("Limit"):  # PostgreSQL: an index read in order, stopped
                    bad = [b for b in bad if not b.endswith("on cases without an index condition")]
            if scope_of(name):
                bad += unscoped_reads(wf.db, name, statement, parameters, plan)
            if bad:
                failures.append(f"{name}: {bad}\n{' '.join(statement.split())}\n{plan}")
    assert not failures, "\n\n".join(failures)


def test_the_check_sees_a_full_scan(wf, world):
    """The detector itself: a filter no index answers is reported on both back ends."""
    with captured(wf.db) as seen, wf.sessions() as s:
        s.execute(select(Case.id).where(Case.closed_at.is_(None)))
    bad, _plan = full_scans(wf.db, *seen[-1])
    assert bad and "cases" in bad[0]


def test_dashboard_counts_overdue_in_the_database_like_the_work_list(wf, clock, world):
    """The dashboard counts overdue deadlines with one GROUP BY: the same figures as the running
    deadlines the work lists show (rows loaded), per step, for all regions and for one."""
    from collections import Counter

    from mno_workflow.store.models import Case as C

    now = clock.now()
    with wf.sessions() as s:
        for region in (None, "kadiogo", "nowhere"):
            clause = (C.region == region) if region else None
            expected = Counter(inst.step for d, _c, inst in queries.running_deadlines(
                s, clause=clause, limit=10_000) if d.due_at < now)
            got = queries.dashboard(s, now, region)["overdue"]
            assert got == expected, region
            if region != "nowhere":
                assert sum(got.values()) >= 1  # the world has overdue deadlines
