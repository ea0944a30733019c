"""Shared parts of the benchmark suite: the result row every bench module returns, medians, and a
throw-away PostgreSQL server that is always stopped (normal end, exception, Ctrl-C, SIGTERM, exit).

Every bench module listed in :data:`bench.suite.MODULES` exposes ``run(quick: bool) -> list[Row]``;
``python -m bench.suite`` (``make bench``) prints all rows as one table.
"""

from __future__ import annotations

import atexit
import contextlib
import signal
import statistics
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Row:
    """One line of the table: ``figure`` measured against ``baseline`` of the same run.

    ``ratio`` = figure / baseline for times (lower is better), None when there is no baseline;
    ``unit`` is the unit of figure and baseline (``ms``, ``/s``, ``MiB``…); ``bar`` the target
    (text, e.g. ``≤ 3×``); ``ok`` whether the bar is met (None: not judged)."""

    what: str
    figure: float | None
    unit: str
    baseline: float | None = None
    baseline_what: str = ""
    ratio: float | None = None
    bar: str = ""
    ok: bool | None = None
    note: str = ""
    text: str = ""  # a figure already written out (older benches report text), shown as is


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def percentile(xs: list[float], p: float) -> float:
    """The ``p``-th percentile (0–100) of ``xs``, nearest rank."""
    s = sorted(xs)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, round(p / 100 * len(s) + 0.5) - 1))
    return s[k]


_servers: list = []


def _stop_all() -> None:
    while _servers:
        server = _servers.pop()
        with contextlib.suppress(Exception):
            server.stop()


def _on_signal(signum: int, _frame: object) -> None:
    _stop_all()
    # Re-raise as the usual exceptions so finally blocks and the exit status stay normal.
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def postgres(database: str = "bench") -> Iterator[str | None]:
    """Start a throw-away PostgreSQL server (``tests/store/pgserver.py``, default durability
    settings) and yield the SQLAlchemy URL of an empty database ``database``; None when no
    PostgreSQL binaries or psycopg are installed. The server is stopped and its folder removed on
    leaving the block, on SIGINT/SIGTERM/SIGALRM (a timeout) and at interpreter exit."""
    try:
        import psycopg  # noqa: F401

        from tests.store.pgserver import PostgresServer, find_bindir
    except ImportError:
        yield None
        return
    bindir = find_bindir()
    if bindir is None:
        yield None
        return
    atexit.register(_stop_all)
    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM, signal.SIGHUP):
        with contextlib.suppress(ValueError):  # not the main thread: atexit still stops it
            previous[sig] = signal.signal(sig, _on_signal)
    server = PostgresServer(bindir, durable=True)
    _servers.append(server)
    try:
        server.start()
        server.create_database(database)
        yield server.url(database)
    finally:
        _stop_all()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# -- copying generated cases (bench.gen_cases, bench.bench_case_page, bench.bench_sweep) ------------
_GENS = "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < :gens) "


def copy_cases(conn, p: dict, *, names: bool, audit: bool) -> None:
    """Copy the seed cases (ids 1..``p['m']``) with their step instances, deadlines (and, with
    ``audit``, audit events) ``p['gens']`` times on the SQLite connection ``conn``, up to
    ``p['total']`` cases, one ``INSERT … SELECT`` per table (no Python per row). Copy ``g`` of case
    ``id``: id ``id + g*m``, reference ``MNR-BF-%07d`` (``%06d`` without ``names``), instances
    ``id + g*p['mi']``; the assignee kept in one copy of ``p['pool']``, else
    ``agent.<region>.<g % pool>``. ``names``: a name drawn from the tables ``bench_first`` and
    ``bench_last`` (``i``, ``name``, ``folded``; ``p['nf']``, ``p['nl']`` rows), else the seed's.
    ``cases.next_due_at`` and ``deadlines.region`` are copied (the copies have the seed's
    deadlines and region) and ``deadlines.assignee`` set like the copy's case: the triggers of
    :mod:`mno_workflow.store.next_due` are dropped during the copy and created again after it.
    The pool's caseworkers are added to ``users`` (reminders find them)."""
    from sqlalchemy import text

    from mno_workflow.store import next_due

    next_due.uninstall(conn)
    name_cols = ("CASE WHEN c.display_name IS NULL THEN NULL ELSE f.name || ' ' || l.name END, "
                 "CASE WHEN c.display_name IS NULL THEN NULL ELSE f.folded || ' ' || l.folded END, "
                 if names else "c.display_name, c.name_folded, ")
    name_join = ("JOIN bench_first f ON f.i = ((c.id + g.n * :m) * 7919) % :nf "
                 "JOIN bench_last l ON l.i = (((c.id + g.n * :m) * 104729) / :nf) % :nl " if names else "")
    conn.execute(text(
        _GENS + "INSERT INTO cases (id, reference, sop_version_id, status, assignee, display_name, "
        "name_folded, region, data, created_at, updated_at, closed_at, version, audit_head, next_due_at) "
        f"SELECT c.id + g.n * :m, printf('MNR-BF-%0{7 if names else 6}d', c.id + g.n * :m), "
        "c.sop_version_id, c.status, "
        "CASE WHEN g.n % :pool = 0 THEN c.assignee "
        "ELSE printf('agent.%s.%03d', coalesce(c.region, 'none'), g.n % :pool) END, "
        f"{name_cols}c.region, c.data, c.created_at, c.updated_at, c.closed_at, c.version, c.audit_head, "
        f"c.next_due_at FROM g, cases c {name_join}"
        "WHERE c.id <= :m AND c.id + g.n * :m <= :total"), p)
    conn.execute(text(
        _GENS + "INSERT INTO step_instances (id, case_id, step, key, state, final, item, data, "
        "recipient, started_at, entered_at, ended_at, version) "
        "SELECT s.id + g.n * :mi, s.case_id + g.n * :m, s.step, s.key, s.state, s.final, s.item, "
        "s.data, s.recipient, s.started_at, s.entered_at, s.ended_at, s.version "
        "FROM g, step_instances s WHERE s.id <= :mi AND s.case_id + g.n * :m <= :total"), p)
    conn.execute(text(
        _GENS + "INSERT INTO deadlines (case_id, instance_id, step, state, entered_at, kind, "
        "\"offset\", owner_role, escalate_to, auto_trigger, start_at, due_at, fire_at, status, "
        "fired_at, late, note, assignee, region) "
        "SELECT d.case_id + g.n * :m, d.instance_id + g.n * :mi, d.step, d.state, d.entered_at, "
        "d.kind, d.\"offset\", d.owner_role, d.escalate_to, d.auto_trigger, d.start_at, d.due_at, "
        "d.fire_at, d.status, d.fired_at, d.late, d.note, "
        "CASE WHEN d.kind <> 'expiry' THEN NULL WHEN g.n % :pool = 0 THEN c.assignee "
        "ELSE printf('agent.%s.%03d', coalesce(c.region, 'none'), g.n % :pool) END, "
        "CASE WHEN d.kind = 'expiry' THEN c.region END "
        "FROM g, deadlines d JOIN cases c ON c.id = d.case_id "
        "WHERE d.case_id <= :m AND d.case_id + g.n * :m <= :total"), p)
    conn.execute(text(
        "INSERT INTO users (id, display_name, role, region, language, active) "
        "SELECT assignee, assignee, 'caseworker', min(region), 'fr', 1 FROM cases "
        "WHERE assignee NOT IN (SELECT id FROM users) GROUP BY assignee"))
    if audit:
        conn.execute(text(
            _GENS + "INSERT INTO audit_events (case_id, seq, at, actor, role, organisation, action, "
            "trigger, step, instance_key, from_state, to_state, data, effects, sop_version, "
            "prev_hash, hash) "
            "SELECT a.case_id + g.n * :m, a.seq, a.at, a.actor, a.role, a.organisation, a.action, "
            "a.trigger, a.step, a.instance_key, a.from_state, a.to_state, a.data, a.effects, "
            "a.sop_version, a.prev_hash, a.hash "
            "FROM g, audit_events a WHERE a.case_id <= :m AND a.case_id + g.n * :m <= :total"), p)
    next_due.install(conn)


@contextlib.contextmanager
def indexes_dropped(db, tables: tuple[str, ...] = ("cases", "step_instances", "deadlines")) -> Iterator[None]:
    """Drop the secondary indexes of ``tables`` and the search triggers of a SQLite file, run the
    block (bulk ``INSERT … SELECT`` copies), then build the indexes of today's models again (one
    sorted build each instead of millions of random index writes: a 1,000,000-case copy in
    minutes) and the search index (triggers, and the copies' names into the FTS table). A rollback
    journal meanwhile (no write-ahead log of several gigabytes)."""
    from sqlalchemy import text

    from mno_workflow.store import search
    from mno_workflow.store.base import Base

    db.dispose()  # no pooled connection keeps the old journal mode
    pragma(db, "PRAGMA journal_mode=DELETE")
    names = ", ".join(f"'{t}'" for t in tables)
    with db.begin() as conn:
        for (name,) in conn.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({names})")).all():
            conn.execute(text(f'DROP INDEX "{name}"'))
        for ddl in search.SQLITE_DROP[:3]:  # the triggers; the FTS table is refilled below
            conn.execute(text(ddl))
    try:
        yield
    finally:
        with db.begin() as conn:
            for t in tables:
                for index in Base.metadata.tables[t].indexes:
                    index.create(conn, checkfirst=True)
            search.install(conn)
        pragma(db, "PRAGMA journal_mode=WAL")
        db.dispose()


def pragma(db, sql: str) -> None:
    """Run a PRAGMA outside any transaction (journal mode changes refuse one)."""
    raw = db.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute(sql)
        cur.fetchall()
        cur.close()
    finally:
        raw.close()
