"""Benchmark: read latency of the web application while a flood of wrong logins hits it (SQLite).

    PYTHONPATH=. python bench/bench_login_flood.py            # 300 reads, 8 flooding clients
    PYTHONPATH=. python bench/bench_login_flood.py --quick    # 60 reads, 4 flooding clients

A real server (``mno serve --demo`` in a subprocess, uvicorn on 127.0.0.1, a SQLite file in a
temporary folder, no sweeper) is started. A caseworker signed in through the page then reads "Mes
dossiers" (``GET /dossiers``) and the API's case list, first on an idle server, then while
``--flood`` clients post wrong passwords in a loop to ``/login`` and ``/api/v1/auth/token`` (a new
user name for each attempt, so every attempt runs argon2 and writes its failure). Printed: median
and p95 of the reads idle and under flood, their ratio, and how many wrong logins per second the
server absorbed, with the number of 5xx answers (must be 0). The quality bar of issue 16: the
median read under flood within 2× of idle. Timings are never asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MNO_SECRET_KEY": "bench-secret-0123456789abcdef"}
    cmd = [sys.executable, "-m", "mno_workflow", "--db", f"sqlite:///{folder / 'flood.db'}", "serve",
           "--demo", "--demo-password", PASSWORD, "--sweeper-interval", "0", "--port", str(port)]
    proc = subprocess.Popen(cmd, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(1200):  # the demo data takes a while to load
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode()[-2000:])
        try:
            if httpx.get(f"{url}/login", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    proc.terminate()
    raise RuntimeError("the server did not start")


def signed_in(url: str) -> httpx.Client:
    c = httpx.Client(base_url=url, timeout=120)
    page = c.get("/login").text
    token = re.search(r'name="csrftoken" value="([^"]+)"', page).group(1)
    r = c.post("/login", data={"username": "mariam.kabore", "password": PASSWORD, "csrftoken": token})
    assert r.status_code in (200, 303), r.status_code
    return c


def reads(c: httpx.Client, api: dict, n: int) -> tuple[list[float], int]:
    times, errors = [], 0
    for i in range(n):
        t0 = time.perf_counter()
        r = c.get("/dossiers") if i % 2 == 0 else c.get("/api/v1/cases", headers=api)
        times.append(time.perf_counter() - t0)
        errors += r.status_code >= 500
    return times, errors


def flood(url: str, stop: threading.Event, counts: dict, k: int) -> None:
    c = httpx.Client(base_url=url, timeout=120)
    page = c.get("/login").text
    token = re.search(r'name="csrftoken" value="([^"]+)"', page).group(1)
    i = 0
    while not stop.is_set():
        i += 1
        name = f"intrus{k}.{i}"
        try:
            if i % 2:
                r = c.post("/login", data={"username": name, "password": "x", "csrftoken": token})
            else:
                r = c.post("/api/v1/auth/token", json={"username": name, "password": "x"})
        except httpx.HTTPError:
            counts["errors"] += 1
            continue
        counts["attempts"] += 1
        counts["5xx"] += r.status_code >= 500


def ms(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return 1000 * xs[min(len(xs) - 1, int(q * len(xs)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--reads", type=int, default=None)
    ap.add_argument("--flood", type=int, default=None, help="flooding clients")
    args = ap.parse_args()
    n = args.reads or (60 if args.quick else 300)
    k = args.flood or (4 if args.quick else 8)
    folder = Path(tempfile.mkdtemp(prefix="mno-flood-"))
    proc, url = start(folder)
    try:
        c = signed_in(url)
        tok = httpx.post(f"{url}/api/v1/auth/token", json={"username": "mariam.kabore",
                                                          "password": PASSWORD}).json()["token"]
        api = {"Authorization": f"Bearer {tok}"}
        reads(c, api, 10)  # warm-up
        idle, idle_err = reads(c, api, n)
        stop, counts = threading.Event(), {"attempts": 0, "5xx": 0, "errors": 0}
        threads = [threading.Thread(target=flood, args=(url, stop, counts, j), daemon=True) for j in range(k)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        t0 = time.perf_counter()
        under, under_err = reads(c, api, n)
        elapsed = time.perf_counter() - t0
        stop.set()
        for t in threads:
            t.join(timeout=120)
        med_idle, med_flood = statistics.median(idle) * 1000, statistics.median(under) * 1000
        print(f"Login flood on SQLite ({n} reads, {k} flooding clients, {os.cpu_count()} CPU)")
        print(f"  reads idle        : median {med_idle:7.1f} ms, p95 {ms(idle, 0.95):7.1f} ms, "
              f"max {max(idle) * 1000:7.1f} ms, 5xx {idle_err}")
        print(f"  reads under flood : median {med_flood:7.1f} ms, p95 {ms(under, 0.95):7.1f} ms, "
              f"max {max(under) * 1000:7.1f} ms, 5xx {under_err}")
        print(f"  ratio (median)    : {med_flood / med_idle:.2f}×   (bar: ≤ 2×)")
        print(f"  wrong logins      : {counts['attempts']} in {elapsed:.1f} s "
              f"({counts['attempts'] / max(elapsed, 1e-9):.0f}/s), 5xx {counts['5xx']}, "
              f"client errors {counts['errors']}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
