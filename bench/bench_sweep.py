"""Benchmark of the reminder sweep at scale (DESIGN.md: "reminder sweep, 1,000,000 open deadlines,
1,000 due: ≤ 200 ms"; issue 15: ≤ 100 ms).

    PYTHONPATH=. python bench/bench_sweep.py            # 1,000,000 pending rows, 1,000 due
    PYTHONPATH=. python bench/bench_sweep.py --quick    # 20,000 pending rows, 100 due (a smoke run)
    PYTHONPATH=. python bench/bench_sweep.py --keep DIR            # keep the databases in DIR
    PYTHONPATH=. python bench/bench_sweep.py --keep DIR --reuse    # time them again, no build

The database (SQLite file in a temporary folder, schema by the Alembic migrations) starts like the
case page benchmark's: SOP, sample directory, demo users and a few hundred real cases driven
through ``WorkflowEngine.fire``, whose pending deadline rows are real (reminders and expiries of
the states the instances are in). Cases, step instances and deadline rows are then copied with
``INSERT ... SELECT`` (no audit events: the sweep does not read them; the secondary indexes are
dropped during the copy and built once after it) until there are as many
pending rows as wanted; extra pending rows are marked cancelled. Every pending row is moved into
the next 60 days, then ``due`` of them (one per case, chosen by a fixed hash) are moved into the
minute before ``now`` (``fire_at``, and ``due_at`` and ``start_at`` by as much, as in a real
database; ``--fire-only``: only ``fire_at``, the generator before 3 Dec 2026): the sweeper's
re-check (case open, instance still in the state it entered then) passes for each, so every
due row gives a reminder or an escalation (outbox messages).

``sweep(wf, now=...)`` is timed over a few repeats after one warm-up; between repeats the due rows
are re-armed (pending again) and the outbox messages the sweep wrote are deleted. The baseline, in
the same run, is the same sweep with the same number of due rows among 10,000 pending rows (quick:
2,000). The claim query is captured while sweeping and its plan printed (EXPLAIN QUERY PLAN): it
must search ``ix_deadlines_status_fire_at``. The sweeps run beside the WAL checkpointer thread
(``mno_workflow/store/wal.py``), as in ``mno serve``; one sweep's checkpoint is then timed apart.
The process's CPU time (every thread) is given beside the wall time:
on a shared machine it varies less. Timings are never asserted in tests.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from bench.bench_case_page import NOW, build_seed, checkpoint, copy_db, multiply, new_engine  # noqa: E402
from bench.common import indexes_dropped  # noqa: E402
from mno_workflow.engine.engine import WorkflowEngine  # noqa: E402
from mno_workflow.reminders.sweeper import sweep  # noqa: E402
from mno_workflow.store.base import make_engine  # noqa: E402
from mno_workflow.store.wal import WalCheckpointer  # noqa: E402
from mno_workflow.store.wal import checkpoint as wal_checkpoint  # noqa: E402

INDEX = "ix_deadlines_status_fire_at"
HORIZON_S = 60 * 86400  # pending rows not due are spread over the next 60 days
TS = "%Y-%m-%d %H:%M:%S"  # how UTCDateTime stores instants on SQLite (plus '.ffffff')

rows: list[tuple[str, str, str, str]] = []  # (what, measured, compared, bar)


def row(what: str, measured: str, extra: str = "", bar: str = "") -> None:
    rows.append((what, measured, extra, bar))
    print(f"  {what}: {measured} {extra}", file=sys.stderr, flush=True)


def print_table(title: str) -> None:
    head = ("what", "measured", "compared", "bar (DESIGN.md)")
    w = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
    print(f"{title}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {sys.version.split()[0]}")
    for r in [head, tuple("-" * x for x in w), *rows]:
        print(" | ".join(c.ljust(x) for c, x in zip(r, w, strict=True)).rstrip())


# -- building ----------------------------------------------------------------------------------------
def pending(db: Engine) -> int:
    with db.connect() as conn:
        return conn.scalar(text("SELECT count(*) FROM deadlines WHERE status = 'pending'"))


# ``due_at`` and ``start_at`` moved by as much as ``fire_at`` (a row keeps its own gap: 0 for an
# expiry, the offset for a reminder), from the row's values before the update; :s the new fire_at
_FOLLOW = ("due_at = strftime(:ts, due_at, printf('%+d seconds', CAST(round((julianday({s}) - "
           "julianday(fire_at)) * 86400) AS INTEGER))) || '.000000', "
           "start_at = strftime(:ts, start_at, printf('%+d seconds', CAST(round((julianday({s}) - "
           "julianday(fire_at)) * 86400) AS INTEGER))) || '.000000', ")


def _spread_and_choose(db: Engine, n_pending: int, n_due: int, now: str, move_due: bool = True) -> list[int]:
    """Without the secondary indexes (full scans in rowid order, no index entry moved): move
    every pending row into the next 60 days and make ``n_due`` of them (one per case) due at
    ``now``, chosen among the ``n_pending`` lowest ids (the rows above are trimmed by
    :func:`_trim`); returns the due rows' ids. ``move_due``: ``due_at`` and ``start_at`` move
    with ``fire_at`` (as in a real database, where an expiry row due now has ``due_at`` = its
    ``fire_at``: the due rows sit together in the indexes ordered by due instant); without it
    (``--fire-only``, the generator before 3 Dec 2026 19:00 UTC) only ``fire_at`` moves. The
    triggers of next_due.py are dropped meanwhile (``due_at`` changes); :func:`_recompute`
    computes ``next_due_at`` again."""
    from mno_workflow.store import next_due

    fire = "strftime(:ts, :now, '+' || (3600 + (id * 7919) % :h) || ' seconds')"
    due_now = "strftime(:ts, :now, '-' || (1 + id % 50) || ' seconds')"
    with db.begin() as conn:
        next_due.uninstall(conn)
        conn.execute(text(
            f"UPDATE deadlines SET {_FOLLOW.format(s=fire) if move_due else ''}"  # noqa: S608 - fixed SQL
            f"fire_at = {fire} || '.000000' WHERE status = 'pending'"),
            {"ts": TS, "now": now, "h": HORIZON_S})
        kept = conn.scalar(text(  # the highest id that stays pending after the trim
            "SELECT id FROM deadlines WHERE status = 'pending' ORDER BY id LIMIT 1 OFFSET :n"),
            {"n": n_pending - 1})
        if kept is None:
            raise RuntimeError(f"fewer than {n_pending} pending rows")
        due = list(conn.scalars(text(
            "SELECT id FROM (SELECT id, case_id, row_number() OVER (PARTITION BY case_id "
            "ORDER BY (id * 2654435761) % 1000003) AS rn FROM deadlines "
            "WHERE status = 'pending' AND id <= :kept) "
            "WHERE rn = 1 ORDER BY (case_id * 40503) % 1000033, case_id LIMIT :d"),
            {"d": n_due, "kept": kept}))
        if len(due) < n_due:
            raise RuntimeError(f"only {len(due)} cases with a pending row; {n_due} due rows wanted")
        conn.execute(text(
            f"UPDATE deadlines SET {_FOLLOW.format(s=due_now) if move_due else ''}"  # noqa: S608
            f"fire_at = {due_now} || '.000000' WHERE id IN (SELECT value FROM json_each(:ids))"),
            {"ts": TS, "now": now, "ids": json.dumps(due)})
        next_due.install(conn)
    return due


def _trim(db: Engine, n_pending: int, now: str) -> list[int]:
    """Cancel the pending rows above the ``n_pending`` lowest ids (the last copies' rows become
    history), with the triggers of next_due.py dropped meanwhile; returns the cases whose
    ``next_due_at`` :func:`_recompute` must compute again once the indexes are back. (With the
    triggers, SQLite plans their ``min(d.due_at)`` on the (kind, status, due_at) index — min/max
    optimisation — and reads every running expiry row per trimmed row; the recomputation writes
    ``min(+d.due_at)``, which reads the case's own rows.)"""
    from mno_workflow.store import next_due

    with db.begin() as conn:
        extra = conn.scalar(text("SELECT count(*) FROM deadlines WHERE status = 'pending'")) - n_pending
        if extra <= 0:
            return []
        next_due.uninstall(conn)
        cases = list(conn.scalars(text(
            "SELECT DISTINCT case_id FROM deadlines WHERE id IN (SELECT id FROM deadlines "
            "WHERE status = 'pending' ORDER BY id DESC LIMIT :n)"), {"n": extra}))
        conn.execute(text(
            "UPDATE deadlines SET status = 'cancelled', fired_at = :now || '.000000', "
            "note = 'bench: trimmed' WHERE id IN (SELECT id FROM deadlines "
            "WHERE status = 'pending' ORDER BY id DESC LIMIT :n)"), {"n": extra, "now": now})
        next_due.install(conn)
    return cases


def _recompute(db: Engine, cases: list[int]) -> None:
    """``next_due_at`` of ``cases`` from their own rows (with the indexes)."""
    from mno_workflow.store import next_due

    own_rows = next_due.min_due_sql("cases.id").replace("min(d.due_at)", "min(+d.due_at)")
    with db.begin() as conn:
        conn.execute(text(f"UPDATE cases SET next_due_at = {own_rows} "  # noqa: S608 - fixed SQL
                          "WHERE id IN (SELECT value FROM json_each(:ids))"), {"ids": json.dumps(cases)})


def build(seed_db: Path, path: Path, n_pending: int, n_due: int, pool: int,
          move_due: bool = True) -> tuple[list[int], dict]:
    """A copy of the seed database with exactly ``n_pending`` pending rows, ``n_due`` of them due
    at ``NOW``. Returns the ids of the due rows and counts."""
    copy_db(seed_db, path)
    db = make_engine(f"sqlite:///{path}")
    try:
        with db.connect() as conn:
            seed_cases = conn.scalar(text("SELECT max(id) FROM cases"))
        per_case = pending(db) / seed_cases
        now = NOW.strftime(TS)
        # the rows are copied and moved without the secondary indexes, built once at the end
        # (a million index entries moved one by one took longer than the whole copy)
        with indexes_dropped(db, ("cases", "step_instances", "deadlines")):
            # one seed generation more than the average needs: the last, partial one varies
            multiply(db, math.ceil(n_pending / per_case) + seed_cases, pool, audit=False, indexes=False)
            due = _spread_and_choose(db, n_pending, n_due, now, move_due)
            trimmed = _trim(db, n_pending, now)
        if move_due:  # every case's due instants moved
            with db.connect() as conn:
                trimmed = list(conn.scalars(text("SELECT id FROM cases")))
        _recompute(db, trimmed)
        with db.connect() as conn:
            info = {"pending": pending(db), **_counts(conn, due)}
        checkpoint(db)
        return due, info
    finally:
        db.dispose()


def _counts(conn, due: list[int]) -> dict:
    """Cases, step instances and deadline rows of the file, and the kinds of the ``due`` rows."""
    return {"cases": conn.scalar(text("SELECT count(*) FROM cases")),
            "instances": conn.scalar(text("SELECT count(*) FROM step_instances")),
            "rows": conn.scalar(text("SELECT count(*) FROM deadlines")),
            "kinds": dict(conn.execute(text(
                "SELECT kind, count(*) FROM deadlines WHERE id IN "
                "(SELECT value FROM json_each(:ids)) GROUP BY kind"),
                {"ids": json.dumps(due)}).all())}


def reuse(path: Path) -> tuple[list[int], dict]:
    """The due rows and counts of a database :func:`build` made earlier (``--keep``)."""
    db = make_engine(f"sqlite:///{path}")
    try:
        with db.connect() as conn:
            due = list(conn.scalars(text("SELECT id FROM deadlines WHERE status = 'pending' "
                                         "AND fire_at <= :now ORDER BY id"),
                                    {"now": NOW.strftime(TS) + ".000000"}))
            info = {"pending": conn.scalar(text("SELECT count(*) FROM deadlines WHERE status = 'pending'")),
                    **_counts(conn, due)}
        return due, info
    finally:
        db.dispose()


# -- timing ------------------------------------------------------------------------------------------
class Statements:
    """Counts the SQL statements on an engine and keeps the claim query (the first one selecting
    from ``deadlines``) with its parameters. Installed for the warm-up sweep only: with a statement
    listener the engine's fast statements go through SQLAlchemy's ``Connection.execute`` (so the
    listener sees them, store/fastsql.py), which would slow the timed sweeps."""

    def __init__(self, db: Engine) -> None:
        self.n = 0
        self.claim: tuple[str, tuple] | None = None
        self.db = db
        event.listen(db, "before_cursor_execute", self._seen)

    def remove(self) -> None:
        event.remove(self.db, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, parameters, _context, _many) -> None:
        self.n += 1
        if self.claim is None and "FROM deadlines" in statement and statement.lstrip().startswith("SELECT"):
            self.claim = (statement, tuple(parameters))


def rearm(wf: WorkflowEngine, due: list[int], outbox_max: int) -> None:
    with wf.db.begin() as conn:
        conn.execute(text("DELETE FROM outbox WHERE id > :m"), {"m": outbox_max})
        conn.execute(text("UPDATE deadlines SET status = 'pending', fired_at = NULL, late = 0, note = NULL "
                          "WHERE id IN (SELECT value FROM json_each(:ids))"),
                     {"ids": json.dumps(due)})


def time_sweeps(path: Path, due: list[int], repeats: int) -> dict:
    """Median (and all) seconds of ``sweep`` over ``repeats`` after one warm-up, with what the
    sweep did, its statement count and the claim query's plan."""
    wf = new_engine(f"sqlite:///{path}")
    try:
        with wf.db.connect() as conn:
            outbox_max = conn.scalar(text("SELECT coalesce(max(id), 0) FROM outbox"))
        stmts = Statements(wf.db)
        times, cpu, reports = [], [], []
        with WalCheckpointer(wf.db) as wal:  # as `mno serve` and `mno remind` run (store/wal.py)
            for i in range(repeats + 1):
                gc.collect()
                c0, t0 = time.process_time(), time.perf_counter()
                report = sweep(wf, now=NOW)
                dt, dc = time.perf_counter() - t0, time.process_time() - c0
                if i == 0:  # the warm-up sweep, counted; the timed ones run without the listener
                    stmts.remove()
                with wf.db.connect() as conn:
                    messages = conn.scalar(text("SELECT count(*) FROM outbox WHERE id > :m"),
                                           {"m": outbox_max})
                if report.claimed != len(due) or report.skipped or report.failed or report.auto_fired:
                    raise RuntimeError(f"unexpected sweep: {len(due)} due, claimed {report.claimed}, "
                                       f"skipped {len(report.skipped)}, failed {len(report.failed)}, "
                                       f"auto-fired {len(report.auto_fired)}")
                reports.append((len(report.reminders), len(report.escalations), report.late, messages))
                if i:  # the first sweep warms caches up (compiled SOP, statements)
                    times.append(dt)
                    cpu.append(dc)
                rearm(wf, due, outbox_max)
        wal_checkpoint(wf.db)  # the log emptied, then one sweep's pages checkpointed, timed apart
        sweep(wf, now=NOW)
        t0 = time.perf_counter()
        _busy, log_pages, _copied = wal_checkpoint(wf.db)
        ck_ms = (time.perf_counter() - t0) * 1e3
        rearm(wf, due, outbox_max)
        assert stmts.claim is not None
        sql, params = stmts.claim
        with wf.db.connect() as conn:
            plan = [r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()]
        return {"median": statistics.median(times), "times": times, "cpu": statistics.median(cpu),
                "checkpoint_ms": ck_ms, "log_pages": log_pages, "checkpointer_runs": wal.runs,
                "report": reports[-1], "statements": stmts.n, "plan": plan, "sql": " ".join(sql.split())}
    finally:
        wf.db.dispose()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    ap.add_argument("--keep", metavar="DIR", help="build the databases in DIR and keep them")
    ap.add_argument("--fire-only", action="store_true",
                    help="build: move only fire_at, not due_at (the generator before 3 Dec 2026)")
    ap.add_argument("--reuse", action="store_true",
                    help="with --keep: time the databases an earlier --keep run left in DIR (no build)")
    args = ap.parse_args(argv)
    if args.reuse and not args.keep:
        ap.error("--reuse needs --keep DIR")
    quick = args.quick
    n_seed = 45 if quick else 300
    big_n, base_n, n_due = (20_000, 2_000, 100) if quick else (1_000_000, 10_000, 1000)
    repeats = 3 if quick else 7
    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="mno-bench-sweep-"))
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        if not args.reuse:
            wf = build_seed(tmp / "seed.db", n_seed)
            wf.db.dispose()
        t_seed = time.perf_counter() - t0
        results = {}
        for name, n in [("base", base_n), ("big", big_n)]:
            t1 = time.perf_counter()
            if args.reuse:
                due, info = reuse(tmp / f"{name}.db")
            else:
                due, info = build(tmp / "seed.db", tmp / f"{name}.db", n, n_due, pool=50,
                                  move_due=not args.fire_only)
            t_build = time.perf_counter() - t1
            results[name] = (info, time_sweeps(tmp / f"{name}.db", due, repeats))
            row(f"database {name}", f"{info['pending']:,} pending deadline rows",
                f"{info['rows']:,} rows in all, {info['cases']:,} cases, {info['instances']:,} instances",
                f"seed {n_seed} cases via fire {t_seed:.0f} s; copies {t_build:.0f} s")
        (binfo, b), (info, r) = results["base"], results["big"]
        reminders, escalations, late, messages = r["report"]
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(info["kinds"].items()))
        row(f"sweep, {info['pending']:,} pending rows, {n_due:,} due",
            f"median {r['median'] * 1e3:.0f} ms (CPU {r['cpu'] * 1e3:.0f} ms)",
            f"{binfo['pending']:,} pending, {n_due:,} due: median {b['median'] * 1e3:.0f} ms "
            f"(CPU {b['cpu'] * 1e3:.0f} ms); ×{r['median'] / b['median']:.2f} "
            f"(CPU ×{r['cpu'] / b['cpu']:.2f})",
            "≤ 100 ms (issue 15; DESIGN.md ≤ 200 ms) for 1,000,000 / 1,000")
        row("  each repeat", ", ".join(f"{t * 1e3:.0f}" for t in r["times"]) + " ms",
            "baseline: " + ", ".join(f"{t * 1e3:.0f}" for t in b["times"]) + " ms", "")
        row("  WAL checkpoint of one sweep",
            f"{r['checkpoint_ms']:.0f} ms for {r['log_pages']:,} pages, in the checkpointer thread "
            f"({r['checkpointer_runs']} passive checkpoints during the timed sweeps), not in the sweep",
            f"baseline {b['checkpoint_ms']:.0f} ms for {b['log_pages']:,} pages", "")
        row("  per due row", f"{r['median'] / n_due * 1e3:.3f} ms",
            f"baseline {b['median'] / n_due * 1e3:.3f} ms", "")
        row("  what one sweep did", f"{reminders:,} reminders, {escalations:,} escalations, {late} late",
            f"due rows: {kinds}; {messages:,} outbox messages; {r['statements']:,} SQL statements "
            f"(baseline {b['statements']:,})", "")
        uses = any(INDEX in line for line in r["plan"])
        row("  claim query plan", "; ".join(r["plan"]), "uses " + INDEX if uses else "DOES NOT USE " + INDEX,
            "index search, no full scan")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print_table(f"MNO Workflow reminder sweep benchmark ({'quick' if quick else 'full'})")
    print(f"claim query: {r['sql']}")
    print("EXPLAIN QUERY PLAN:")
    for line in r["plan"]:
        print(f"  {line}")
    return 0 if uses else 1


if __name__ == "__main__":
    sys.exit(main())
