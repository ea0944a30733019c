"""The benchmarks written before the suite, as rows of its table: ``bench/run.py`` (engine without
a database, memory vs number of cases, SOP load + lint), ``bench/bench_sweep.py``,
``bench/bench_case_page.py`` and ``bench/cli_startup.py``.

Each older script keeps its own command line and table; here its ``main`` runs in this process
(its printed table silenced) and its collected rows are carried over as text. ``bench/run.py``'s
persisted section runs on SQLite only: ``bench.bench_fire`` measures both back ends against the
same-rows floor.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import statistics
import sys

from bench.common import ROOT, Row


def _older(module_name: str, argv: list[str], label: str) -> list[Row]:
    import importlib
    mod = importlib.import_module(module_name)
    mod.rows.clear()
    with contextlib.redirect_stdout(io.StringIO()):
        mod.main(argv)
    return [Row(f"{label}: {what}", None, "", text=measured, baseline_what=extra, bar=bar)
            for what, measured, extra, bar in mod.rows]


def _cli(quick: bool) -> list[Row]:
    from bench import cli_startup as cs
    n = 5 if quick else 15
    mno = shutil.which("mno", path=os.path.dirname(sys.executable)) or f"{sys.executable} -m mno_workflow"
    bare = statistics.median(cs.timings([sys.executable, "-c", "pass"], n))
    out = []
    bars = {"--help": 0.2, "--version": 0.2, "validate": 0.4}
    for c in cs.COMMANDS:
        t = statistics.median(cs.timings([*mno.split(), *c], n))
        shown = "mno " + " ".join(c).replace(str(ROOT) + "/", "")
        bar = bars[c[0]]
        out.append(Row(f"CLI: {shown} (whole process, s)", t, "s", bare, "bare `python -c pass`",
                       t / bare, f"≤ {bar} s", t <= bar))
    cold = statistics.median(cs.sop_load_ms(n, False))
    warm = statistics.median(cs.sop_load_ms(n, True))
    out.append(Row("SOP load, unchanged BF SOP, cached by content hash (ms)", warm, "ms", cold,
                   "parse + validate", warm / cold, "≤ 20 ms", warm <= 20))
    return out


def run(quick: bool) -> list[Row]:
    q = ["--quick"] if quick else []
    rows = _older("bench.run", [*q, "--no-pg"], "run.py")
    rows += _older("bench.bench_sweep", q, "sweep")
    rows += _older("bench.bench_case_page", q, "case page")
    rows += _cli(quick)
    return rows
