"""Start-up time of the ``mno`` command line, whole process, like ``hyperfine``: each command is run
N times (after one warm-up run) and the median, min and max wall-clock times are printed.

    python bench/cli_startup.py [-n 15] [--mno PATH]

Bars of issue 15: ``mno --help`` ≤ 0.2 s, ``mno validate sops/burkina_faso/mnr.yaml`` ≤ 0.4 s,
loading an unchanged SOP after a start ≤ 20 ms (cached by content hash, ``sop/cache.py``): the
last table compares the load of the Burkina Faso SOP with an empty cache and with the cache file.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = [("--help",), ("--version",), ("validate", str(ROOT / "sops" / "burkina_faso" / "mnr.yaml"))]


def timings(cmd: list[str], n: int) -> list[float]:
    """Wall-clock seconds of ``n`` runs of ``cmd`` (after one warm-up run)."""
    subprocess.run(cmd, capture_output=True, check=False)
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=15, help="runs per command")
    ap.add_argument("--mno", default=shutil.which("mno", path=str(Path(sys.executable).parent)) or "mno",
                    help="the command to time, e.g. \"python -m mno_workflow\" (split like a shell)")
    args = ap.parse_args()
    print(f"{'command':60} {'median':>8} {'min':>8} {'max':>8}")
    for c in COMMANDS:
        t = timings([*shlex.split(args.mno), *c], args.n)
        shown = "mno " + " ".join(c).replace(str(ROOT) + "/", "")
        print(f"{shown:60} {statistics.median(t):8.3f} {min(t):8.3f} {max(t):8.3f}")
    print(f"\n{'load of the BF SOP in a new process (ms)':60} {'median':>8} {'min':>8} {'max':>8}")
    for label, keep in (("empty cache (parse and validate)", False), ("cached by content hash", True)):
        t = sop_load_ms(args.n, keep)
        print(f"{label:60} {statistics.median(t):8.1f} {min(t):8.1f} {max(t):8.1f}")


LOAD = """
import sys, time
from mno_workflow.sop.loader import load_text
text = open(sys.argv[1], encoding="utf-8").read()
t0 = time.perf_counter(); load_text(text, sys.argv[1]); print((time.perf_counter() - t0) * 1000)
"""


def sop_load_ms(n: int, keep_cache: bool) -> list[float]:
    """Milliseconds of one ``load_text`` of the BF SOP in each of ``n`` new processes."""
    import os
    import tempfile
    out = []
    with tempfile.TemporaryDirectory() as d:
        env = {**os.environ, "MNO_CACHE_DIR": d}
        sop = str(ROOT / "sops" / "burkina_faso" / "mnr.yaml")
        subprocess.run([sys.executable, "-c", LOAD, sop], env=env, capture_output=True, check=True)
        for _ in range(n):
            if not keep_cache:
                for f in Path(d).glob("*.pickle"):
                    f.unlink()
            r = subprocess.run([sys.executable, "-c", LOAD, sop], env=env, capture_output=True, text=True,
                               check=True)
            out.append(float(r.stdout))
    return out


if __name__ == "__main__":
    main()
