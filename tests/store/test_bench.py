"""The benchmark script runs end to end at smoke size (no timing is asserted, ever)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_quick_prints_every_section():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--no-pg"],
                       capture_output=True, text=True, timeout=300, env=env, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    for label in ["(a) one transition, shared compiled machine", "(a) one transition, Machine(model=case)",
                  "(b) persisted transitions, SQLite", "(c) traced peak ratio",
                  "(d) load + lint sops/burkina_faso/mnr.yaml", "≤ 50 µs", "≥ 1,000/s"]:
        assert label in out, out
    assert "0 errors" in out  # the shipped SOP lints clean
