"""Benchmark of the M&E figures (issue 20): one quarter's indicators of every case, computed from
the whole audit log (cache off, what every dashboard request did before the cache), from the
cache with nothing new, and after one new audit event (only that case is read again).

    PYTHONPATH=. python bench/bench_indicators.py [--quick] [--dir DIR]

The database comes from :mod:`bench.gen_cases` (10,000 cases, quick: 1,000; copied before the
new events are added, so the generated file stays reusable). ``run(quick)`` returns the rows for
``bench.suite``. Timings are never asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_case_page import new_engine  # noqa: E402
from bench.common import Row  # noqa: E402
from bench.gen_cases import generate  # noqa: E402


def _append_event(wf) -> None:
    """A new audit event on one case (a copy of its newest event with the next seq): enough to
    move the audit mark; this throw-away copy of the database is not verified."""
    from sqlalchemy import func, insert, select

    from mno_workflow.store.models import AuditEvent

    with wf.sessions.begin() as s:
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
        seq = s.scalar(select(func.max(AuditEvent.seq)).where(AuditEvent.case_id == last.case_id))
        cols = {c.key: getattr(last, c.key) for c in AuditEvent.__table__.columns if c.key != "id"}
        cols.update(seq=seq + 1, hash=f"bench{seq + 1:059d}")
        s.execute(insert(AuditEvent).values(**cols))


def measure(path: Path, n: int, log=print) -> dict[str, list[float]]:
    """Milliseconds of ``service.figures`` (quarter 2025Q2, all regions): cold, cached, after a
    new event; ``n`` times each."""
    from mno_workflow.indicators import cache, periods, service

    wf = new_engine(f"sqlite:///{path}")
    out: dict[str, list[float]] = {"cold": [], "cached": [], "new event": []}
    try:
        with wf.sessions() as s:
            sop = wf.registry.compiled(wf.registry.latest(s, "mnr_bf")).sop
        q, now = periods.parse("2025Q2"), wf.clock.now()

        def figures():
            with wf.sessions() as s:
                t0 = time.perf_counter()
                service.figures(s, sop, q, now, with_directory=False)
                return (time.perf_counter() - t0) * 1e3

        for _ in range(n):
            os.environ["MNO_INDICATOR_CACHE"] = "0"
            out["cold"].append(figures())
            os.environ["MNO_INDICATOR_CACHE"] = "1"
        cache.HISTORIES.clear()
        cache.RESULTS.clear()
        figures()  # fills the cache
        for _ in range(n):
            out["cached"].append(figures())
        for _ in range(n):
            _append_event(wf)
            out["new event"].append(figures())
        for k, v in out.items():
            log(f"    {k}: median {statistics.median(v):.1f} ms")
    finally:
        os.environ.pop("MNO_INDICATOR_CACHE", None)
        wf.db.dispose()
    return out


def run(quick: bool, directory: Path | None = None, log=print, size: int | None = None) -> list[Row]:
    directory = directory or Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / "mno-bench-worklists"
    directory.mkdir(parents=True, exist_ok=True)
    size = size or (1_000 if quick else 10_000)
    name = f"cases-{size}{'-q' if quick else ''}.db"
    src = generate(directory / name, size, seed_cases=45 if quick else 300, log=log)
    tmp = Path(tempfile.mkdtemp(prefix="mno-bench-ind-"))
    try:
        work = tmp / "cases.db"
        shutil.copy(src, work)
        res = measure(work, 3 if quick else 5, log)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    cold = statistics.median(res["cold"])
    rows = []
    for k in ("cached", "new event"):
        fig = statistics.median(res[k])
        rows.append(Row(f"M&E figures of a quarter, {size:,} cases, {k} (median)", fig, "ms", cold,
                        "whole audit log, no cache", fig / cold, "exact; faster than the whole log", None))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1,000 cases")
    ap.add_argument("--dir", type=Path, help="where the generated databases are kept")
    ap.add_argument("--size", type=int, help="number of cases (default 10,000; quick 1,000)")
    args = ap.parse_args(argv)
    for r in run(args.quick, args.dir, log=lambda m: print(m, file=sys.stderr, flush=True), size=args.size):
        print(f"| {r.what} | {r.figure:.1f} ms | {r.baseline:.1f} ms ({r.baseline_what}) | {r.ratio:.3f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
