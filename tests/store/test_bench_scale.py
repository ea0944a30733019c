"""The scale benchmarks (case page, reminder sweep) run end to end at smoke size and print their
table. No timing is asserted, ever: the numbers are for people to judge."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_quick(script: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, str(ROOT / "bench" / script), "--quick"],
                       capture_output=True, text=True, timeout=600, env=env, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def test_bench_case_page_quick_prints_its_table():
    out = run_quick("bench_case_page.py")
    for label in ["bar (DESIGN.md)", "MNO Workflow case page benchmark (quick)", "2,000 cases",
                  "login page (no database work)",
                  "case page, caseworker", "case page, supervisor", "Mes dossiers + search, caseworker",
                  "Mon travail, supervisor", "p95 ≤ 100 ms", "median", "200 cases:"]:
        assert label in out, out


def test_bench_sweep_quick_prints_its_table_and_the_plan():
    out = run_quick("bench_sweep.py")
    for label in ["bar (DESIGN.md)", "MNO Workflow reminder sweep benchmark (quick)",
                  "20,000 pending deadline rows",
                  "sweep, 20,000 pending rows, 100 due", "2,000 pending, 100 due", "≤ 200 ms",
                  "EXPLAIN QUERY PLAN", "uses ix_deadlines_status_fire_at"]:
        assert label in out, out
