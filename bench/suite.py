"""The whole benchmark suite as one table: ``make bench`` (full) or ``make bench-quick`` (< 2 min).

    python -m bench.suite [--quick] [--only NAME ...]

Each module of :data:`MODULES` exposes ``run(quick: bool) -> list[bench.common.Row]``; its rows
(figure, baseline of the same run, ratio, bar) are printed together. To add a benchmark (e.g. the
work lists at 1k/100k/1M cases), write such a module and add its name here: one line.
A module that fails prints one FAILED row with the reason and the others still run.
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
import time
import traceback
from datetime import UTC, datetime

from bench.common import Row

MODULES = [
    "bench.bench_fire",        # persisted fire vs raw-SQL floor, SQLite and PostgreSQL
    "bench.suite_legacy",      # bench/run.py sections, bench_sweep, bench_case_page, cli_startup
    "bench.http_load",         # 20 clients against `mno serve` (SQLite), integrity checks after
    "bench.bench_worklists",   # work lists, search, sweep: 1k vs 100k (quick: 1k vs 10k) cases
    "bench.bench_indicators",  # M&E figures: whole audit log vs cache vs one new event
]


def _fmt(x: float | None, unit: str) -> str:
    if x is None:
        return "-"
    if unit in ("/s",) or abs(x) >= 100:
        return f"{x:,.0f} {unit}".strip()
    return f"{x:,.2f} {unit}".strip() if abs(x) < 10 else f"{x:,.1f} {unit}".strip()


def print_table(rows: list[Row], header: str = "") -> None:
    """Print ``rows`` as a Markdown table (what, figure, baseline, ratio, bar, met)."""
    if header:
        print(header)
    head = ("what", "figure", "baseline (same run)", "ratio", "bar", "met")
    body = []
    for r in rows:
        base = _fmt(r.baseline, r.unit) + (f" ({r.baseline_what})" if r.baseline_what else "")
        met = "" if r.ok is None else ("yes" if r.ok else "NO")
        fig = r.text or (_fmt(r.figure, r.unit) if r.figure is not None else (r.note or "-"))
        ratio = f"{r.ratio:.2f}×" if r.ratio is not None else ""
        base = base if r.baseline is not None else (r.baseline_what if r.text else "")
        body.append((r.what, fig, base, ratio, r.bar, met))
    w = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
    print("| " + " | ".join(h.ljust(n) for h, n in zip(head, w, strict=True)) + " |")
    print("|" + "|".join("-" * (n + 2) for n in w) + "|")
    for b in body:
        print("| " + " | ".join(c.ljust(n) for c, n in zip(b, w, strict=True)) + " |")
    notes = [r for r in rows if r.note and r.figure is not None]
    for r in notes:
        print(f"  - {r.what}: {r.note}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, under 2 minutes")
    ap.add_argument("--only", nargs="*", help="module names (e.g. bench.bench_fire)")
    args = ap.parse_args(argv)
    rows: list[Row] = []
    t0 = time.perf_counter()
    for name in args.only or MODULES:
        print(f"… {name}", file=sys.stderr, flush=True)
        try:
            rows += importlib.import_module(name).run(args.quick)
        except KeyboardInterrupt:
            raise
        except Exception as e:  # noqa: BLE001 - one failed bench must not hide the others
            traceback.print_exc()
            rows.append(Row(f"{name}", None, "", note=f"FAILED: {str(e).splitlines()[0][:80]}"))
    mode = "quick" if args.quick else "full"
    print_table(rows, f"MNO Workflow benchmarks ({mode}), {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
                      f"Python {platform.python_version()}, {platform.machine()}, "
                      f"{time.perf_counter() - t0:.0f} s\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
