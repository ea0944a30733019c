"""Benchmarks of the quality bars in DESIGN.md: prints one table of medians, ratios and bars.

    PYTHONPATH=. python bench/run.py            # full sizes (100,000 cases for memory)
    PYTHONPATH=. python bench/run.py --quick    # smoke sizes (run by tests/store/test_bench.py)
    PYTHONPATH=. python bench/run.py --pg postgresql+psycopg://user@host/db   # also PostgreSQL

Without ``--pg`` a throw-away PostgreSQL server is started when its binaries and psycopg are
available (``--no-pg`` to skip). Sections: (a) engine overhead of one transition without a
database, shared compiled machine vs a ``transitions.Machine`` built per case; (b) persisted
transitions per second through ``WorkflowEngine.fire`` vs raw SQL doing the same writes;
(c) memory while firing, with 1k vs 100k cases in the database; (d) load + lint of the SOP.
Timings are never asserted in tests: this script reports, people judge.
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from transitions import Machine  # noqa: E402  (the per-case baseline; the package never does this)

from mno_workflow.engine.clock import SimulatedClock  # noqa: E402
from mno_workflow.engine.compile import compile_sop  # noqa: E402
from mno_workflow.engine.engine import Actor, WorkflowEngine  # noqa: E402
from mno_workflow.sop.lint import lint  # noqa: E402
from mno_workflow.sop.loader import load_file  # noqa: E402
from mno_workflow.store.base import Base, make_engine  # noqa: E402

BF_SOP = ROOT / "sops" / "burkina_faso" / "mnr.yaml"
CW = Actor("mariam.kabore", "caseworker")
IDENT = {"first_name": "Aminata", "last_name": "Sawadogo", "sex": "female", "birth_date": "2001-03-14",
         "return_date": "2025-05-29", "region": "kadiogo"}
NOW = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)

rows: list[tuple[str, str, str, str]] = []  # (what, measured, ratio/extra, bar)


def row(what: str, measured: str, extra: str = "", bar: str = "") -> None:
    rows.append((what, measured, extra, bar))
    print(f"  {what}: {measured} {extra}", file=sys.stderr, flush=True)


def median_per_op(fn: Callable[[], None], n: int, rounds: int) -> float:
    """Median over ``rounds`` of the mean seconds per call of ``fn`` (``n`` calls per round)."""
    times = []
    for _ in range(rounds):
        gc.collect()
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        times.append((time.perf_counter() - t0) / n)
    return statistics.median(times)


# -- (a) engine overhead, no database ---------------------------------------------------------
def bench_machine(quick: bool) -> None:
    loaded = load_file(BF_SOP)
    compiled = compile_sop(loaded.model)
    cs = compiled.steps["referral"]
    idx = cs.by_trigger["send"][0][0]
    step = loaded.model.steps["referral"]

    def shared() -> None:
        assert cs.apply("draft", "send", idx) == "sent"

    class Light:
        pass

    trans = [{"trigger": t.trigger, "source": cs.sources(t), "dest": t.dest} for t in step.transitions]

    def per_case() -> None:
        case = Light()
        Machine(model=case, states=list(step.states), transitions=trans, initial="draft",
                auto_transitions=False, queued=True)
        case.send()
        assert case.state == "sent"

    n_shared, n_case = (2000, 50) if quick else (20000, 500)
    a = median_per_op(shared, n_shared, 5)
    b = median_per_op(per_case, n_case, 5)
    row("(a) one transition, shared compiled machine", f"{a * 1e6:.1f} µs", "", "≤ 50 µs")
    row("(a) one transition, Machine(model=case) per case", f"{b * 1e6:.1f} µs",
        f"{b / a:.0f}× the shared machine", "(DESIGN: ~13 ms for 30 states)")


# -- (b) persisted transitions -------------------------------------------------------------------
def _prepare(url: str, n: int) -> tuple[WorkflowEngine, list[str]]:
    db = make_engine(url)
    Base.metadata.drop_all(db)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, SimulatedClock(NOW))
    wf.load_sop(load_file(BF_SOP))
    refs = [wf.create_case("mnr_bf", CW) for _ in range(n)]
    return wf, refs


def _raw_sql_round(wf: WorkflowEngine, refs: list[str]) -> float:
    """The same writes as one fire, by hand: lock + read the case, update it and its instance,
    insert one audit row; one transaction per transition."""
    raw = wf.db.raw_connection()
    sqlite = wf.db.dialect.name == "sqlite"
    p = "?" if sqlite else "%s"
    lock = "" if sqlite else " FOR UPDATE"
    data = json.dumps({"identification": IDENT})
    now = NOW.replace(tzinfo=None).isoformat(" ") if sqlite else NOW
    try:
        cur = raw.cursor()
        t0 = time.perf_counter()
        for ref in refs:
            if sqlite:
                cur.execute("BEGIN IMMEDIATE")
            cur.execute(f"SELECT id, version FROM cases WHERE reference = {p}{lock}", (ref,))
            cid, version = cur.fetchone()
            cur.execute(f"UPDATE cases SET data = {p}, version = {p}, updated_at = {p}, "
                        f"display_name = {p}, name_folded = {p}, region = {p} WHERE id = {p}",
                        (data, version + 1, now, "Aminata Sawadogo", "aminata sawadogo", "kadiogo", cid))
            cur.execute(f"UPDATE step_instances SET state = {p}, final = {p}, entered_at = {p}, "
                        f"ended_at = {p}, version = version + 1 WHERE case_id = {p} AND step = {p}",
                        ("identified", True, now, now, cid, "identification"))
            cur.execute(f"INSERT INTO audit_events (case_id, seq, at, actor, role, action, trigger, step, "
                        f"instance_key, from_state, to_state, data, effects, sop_version, prev_hash, hash) "
                        f"VALUES ({', '.join([p] * 16)})",
                        (cid, version + 1, now, "raw", "caseworker", "fire", "register", "identification",
                         "1", "screening", "identified", data, "[]", "mnr_bf@2025.1", "0" * 64, "1" * 64))
            raw.commit()
        return time.perf_counter() - t0
    finally:
        raw.close()


def bench_persisted(url: str, label: str, n: int, rounds: int) -> None:
    engine_rates, raw_rates = [], []
    for _ in range(rounds):
        wf, refs = _prepare(url, n)
        t0 = time.perf_counter()
        for ref in refs:
            wf.fire(ref, "register", CW, IDENT)
        engine_rates.append(n / (time.perf_counter() - t0))
        wf.db.dispose()
        wf, refs = _prepare(url, n)
        raw_rates.append(n / _raw_sql_round(wf, refs))
        wf.db.dispose()
    e, r = statistics.median(engine_rates), statistics.median(raw_rates)
    row(f"(b) persisted transitions, {label}, WorkflowEngine.fire", f"{e:,.0f}/s",
        f"raw SQL {r:,.0f}/s; raw is {r / e:.1f}× faster", "≥ 1,000/s, within 3× of raw SQL"
        if label == "SQLite" else "(no bar)")


# -- (c) memory vs number of cases ---------------------------------------------------------------
def _clone_cases(wf: WorkflowEngine, total: int) -> None:
    """Copy case 1 (with its instances and events) until there are ``total`` cases."""
    with wf.db.begin() as conn:
        conn.execute(text(
            "WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < :total) "
            "INSERT INTO cases (id, reference, sop_version_id, status, assignee, display_name, name_folded, "
            "region, data, created_at, updated_at, closed_at, version) "
            "SELECT n.i, 'MNR-BF-' || n.i, c.sop_version_id, c.status, c.assignee, c.display_name, "
            "c.name_folded, c.region, c.data, c.created_at, c.updated_at, c.closed_at, c.version "
            "FROM n, cases c WHERE c.id = 1"), {"total": total})
        conn.execute(text(
            "INSERT INTO step_instances (case_id, step, key, state, final, item, data, recipient, "
            "started_at, entered_at, ended_at, version) "
            "SELECT c.id, s.step, s.key, s.state, s.final, s.item, s.data, s.recipient, s.started_at, "
            "s.entered_at, s.ended_at, s.version FROM cases c, step_instances s "
            "WHERE s.case_id = 1 AND c.id > 1"))
        conn.execute(text(
            "INSERT INTO audit_events (case_id, seq, at, actor, role, organisation, action, trigger, step, "
            "instance_key, from_state, to_state, data, effects, sop_version, prev_hash, hash) "
            "SELECT c.id, a.seq, a.at, a.actor, a.role, a.organisation, a.action, a.trigger, a.step, "
            "a.instance_key, a.from_state, a.to_state, a.data, a.effects, a.sop_version, a.prev_hash, "
            "a.hash FROM cases c, audit_events a WHERE a.case_id = 1 AND c.id > 1"))


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def bench_memory(tmp: Path, sizes: list[int], fires: int) -> None:
    results = []
    for size in sizes:
        url = f"sqlite:///{tmp / f'mem{size}.db'}"
        wf, refs = _prepare(url, 1)
        _clone_cases(wf, size)
        step = max(1, size // fires)
        targets = [f"MNR-BF-{i}" for i in range(2, size + 1, step)][:fires]
        wf.fire(refs[0], "register", CW, IDENT)  # warm up caches (compiled SOP, statements)
        gc.collect()
        tracemalloc.start()
        rss0 = _rss_kib()
        for ref in targets:
            wf.fire(ref, "register", CW, IDENT)
        gc.collect()
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        results.append((size, peak, current, _rss_kib() - rss0, _rss_kib()))
        wf.db.dispose()
    for size, peak, current, drss, rss in results:
        row(f"(c) {len(targets)} fires, {size:,} cases in the database",
            f"peak {peak / 1024:,.0f} KiB traced, {current / 1024:,.0f} KiB retained",
            f"RSS {rss / 1024:,.0f} MiB (+{drss:,} KiB)", "independent of the number of cases")
    (s0, p0, *_), (s1, p1, *_) = results[0], results[-1]
    row("(c) traced peak ratio", f"{p1 / p0:.2f}× for {s1 / s0:.0f}× the cases", "", "≈ 1×")


# -- (d) load + lint --------------------------------------------------------------------------
def bench_load_lint(rounds: int) -> None:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        diags = lint(load_file(BF_SOP))
        times.append(time.perf_counter() - t0)
    errors = [d for d in diags if getattr(d, "severity", "") == "error"]
    row("(d) load + lint sops/burkina_faso/mnr.yaml", f"{statistics.median(times) * 1e3:.0f} ms",
        f"{len(diags)} diagnostics, {len(errors)} errors", "≤ 200 ms")


def _start_pg():
    try:
        import psycopg  # noqa: F401

        from tests.store.pgserver import PostgresServer, find_bindir
    except ImportError:
        return None
    bindir = find_bindir()
    if bindir is None:
        return None
    server = PostgresServer(bindir, durable=True).start()
    server.create_database("bench")
    return server


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    ap.add_argument("--pg", metavar="URL",
                    help="also measure on this (empty, disposable) PostgreSQL database")
    ap.add_argument("--no-pg", action="store_true", help="do not start a PostgreSQL server")
    args = ap.parse_args(argv)
    quick = args.quick
    tmp = Path(tempfile.mkdtemp(prefix="mno-bench-"))
    server = None
    try:
        bench_machine(quick)
        n, rounds = (50, 1) if quick else (2000, 3)
        bench_persisted(f"sqlite:///{tmp / 'bench.db'}", "SQLite", n, rounds)
        pg_url = args.pg
        if not pg_url and not args.no_pg and not quick:
            server = _start_pg()
            pg_url = server.url("bench") if server else None
        if pg_url:
            try:
                bench_persisted(pg_url, "PostgreSQL", n, rounds)
            except Exception as e:  # noqa: BLE001 - report and go on with the other sections
                row("(b) persisted transitions, PostgreSQL", "FAILED", str(e).splitlines()[0][:90])
        else:
            row("(b) persisted transitions, PostgreSQL", "not measured", "give --pg URL", "")
        bench_memory(tmp, [200, 2000] if quick else [1000, 100_000], 50 if quick else 1000)
        bench_load_lint(3 if quick else 11)
    finally:
        if server:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    w = [max(len(r[i]) for r in rows + [("what", "measured", "compared", "bar (DESIGN.md)")])
         for i in range(4)]
    mode = "quick" if quick else "full"
    print(f"MNO Workflow benchmarks ({mode}), {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
          f"Python {sys.version.split()[0]}")
    for r in [("what", "measured", "compared", "bar (DESIGN.md)"), tuple("-" * x for x in w), *rows]:
        print(" | ".join(c.ljust(x) for c, x in zip(r, w, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
