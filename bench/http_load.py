"""HTTP load: 20 concurrent clients on loopback against ``mno serve``, then integrity checks.

    python -m bench.http_load [--quick] [--seconds 60] [--clients 20]

A fresh SQLite database with the demo data (``mno serve --demo``, one process) is served on a free
port of 127.0.0.1. Each client (a thread with its own ``httpx.Client``) logs in (a page session and
an API token) and, until the time is up, picks at random: a page read (a case page, « Mes
dossiers », « Mon travail »: 60 %), a case creation with its identification form (``POST
/api/v1/cases``: 15 %), or the next transition of one of its cases (``record_consent`` then
``submit_assessment`` through ``POST /api/v1/cases/{ref}/fire`` with the version it read: 25 %).
Reported: requests per second, p50/p95/p99 latency per kind, errors (any status other than the
expected, or a transport error). Afterwards: ``mno audit verify`` must succeed, and every
acknowledged transition must appear exactly once in the audit trail (and each created case once).

PostgreSQL with 4 workers is measured only when ``mno serve --help`` offers ``--workers``; else the
row says why it was skipped.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.common import Row, median, percentile

CW = ["mariam.kabore"]
IDENT = {"first_name": "Awa", "last_name": "Ouedraogo", "sex": "female", "birth_date": "1999-01-02",
         "return_date": "2025-05-29", "region": "kadiogo"}
CONSENT = {"given": True, "given_by": "self", "consent_date": "2025-06-02", "channel": "written",
           "data_categories": ["identity", "needs"], "share_with": ["service_provider"],
           "purposes": ["referral", "follow_up"]}
NEEDS = {"assessed_on": "2025-06-02", "risk_level": "high", "needs": [
    {"dimension": "economic", "need": "vocational_training", "referral_needed": True}]}
NEXT = {0: ("record_consent", CONSENT), 1: ("submit_assessment", NEEDS)}
PASSWORD = "bench-load-password-2026"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _mno() -> list[str]:
    exe = shutil.which("mno", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-m", "mno_workflow"]


class Server:
    """``mno serve`` in a child process; stopped on leaving (also on Ctrl-C / SIGTERM)."""

    def __init__(self, env: dict, port: int, extra: list[str], log: Path):
        self.env, self.port, self.extra, self.proc, self.log = env, port, extra, None, log

    def __enter__(self) -> Server:
        with open(self.log, "wb") as log:  # a file, not a pipe: a full pipe would stall the server
            self.proc = subprocess.Popen(
                [*_mno(), "serve", "--demo", "--demo-password", PASSWORD, "--port", str(self.port),
                 "--sweeper-interval", "0", *self.extra],
                env=self.env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mno serve exited: {self.log.read_text()[-500:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("mno serve did not start within 180 s")

    def rss_mib(self) -> list[float]:
        """Resident memory (MiB) of the server process and of each of its children (the workers),
        read from ``/proc`` once it listens; [] where ``/proc`` is missing."""
        pids = [self.proc.pid]
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
            pids += [int(x) for x in children]
            out = []
            for pid in pids:
                status = Path(f"/proc/{pid}/status").read_text()
                out.append(int(status.split("VmRSS:")[1].split()[0]) / 1024)
            return out
        except (OSError, IndexError, ValueError):
            return []

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


class Client(threading.Thread):
    def __init__(self, base: str, user: str, seconds: float, seed: int, ready: threading.Barrier):
        super().__init__(daemon=True)
        self.base, self.user, self.seconds, self.ready = base, user, seconds, ready
        self.stop_at = 0.0
        self.rng = random.Random(seed)
        self.lat: dict[str, list[float]] = {"page": [], "create": [], "fire": []}
        self.errors: list[str] = []
        self.created: list[str] = []
        self.acked: list[tuple[str, str]] = []
        self.cases: dict[str, int] = {}  # reference -> transitions done

    def _login(self, c) -> dict:
        c.get("/login")
        r = c.post("/login", data={"username": self.user, "password": PASSWORD,
                                   "csrftoken": c.cookies.get("csrftoken")})
        if r.status_code != 303:
            raise RuntimeError(f"login {self.user}: HTTP {r.status_code}")
        r = c.post("/api/v1/auth/token", json={"username": self.user, "password": PASSWORD})
        if r.status_code not in (200, 201):
            raise RuntimeError(f"token {self.user}: HTTP {r.status_code} {r.text[:200]}")
        return {"Authorization": f"Bearer {r.json()['token']}"}

    def _timed(self, kind: str, c, method: str, url: str, ok: tuple[int, ...], **kw):
        t0 = time.perf_counter()
        try:
            r = c.request(method, url, **kw)
        except Exception as e:  # noqa: BLE001 - a transport error is an error of the run
            self.errors.append(f"{kind}: {type(e).__name__}")
            return None
        self.lat[kind].append((time.perf_counter() - t0) * 1e3)
        if r.status_code not in ok:
            self.errors.append(f"{kind}: HTTP {r.status_code}")
            return None
        return r

    def run(self) -> None:
        import httpx
        with httpx.Client(base_url=self.base, timeout=60, follow_redirects=False) as c:
            try:
                api = self._login(c)  # logins (slow password hashing) are not part of the run
            except Exception as e:  # noqa: BLE001
                self.errors.append(f"login: {e}")
                self.ready.abort()
                return
            self.ready.wait()
            self.stop_at = time.monotonic() + self.seconds
            while time.monotonic() < self.stop_at:
                x = self.rng.random()
                open_cases = [r for r, n in self.cases.items() if n in NEXT]
                if x < 0.15 or (x >= 0.40 and not self.created and x < 0.45):
                    r = self._timed("create", c, "POST", "/api/v1/cases", (201,), headers=api,
                                    json={"identification": IDENT})
                    if r is not None:
                        ref = r.json()["reference"]
                        self.created.append(ref)
                        self.cases[ref] = 0
                elif x < 0.40 and open_cases:
                    ref = self.rng.choice(open_cases)
                    trigger, payload = NEXT[self.cases[ref]]
                    got = c.get(f"/api/v1/cases/{ref}", headers=api)
                    version = got.json().get("version") if got.status_code == 200 else None
                    body = {"trigger": trigger, "payload": payload, "expected_version": version}
                    r = self._timed("fire", c, "POST", f"/api/v1/cases/{ref}/fire", (200,), headers=api,
                                    json=body)
                    if r is not None:
                        self.acked.append((ref, trigger))
                        self.cases[ref] += 1
                else:
                    refs = self.created or []
                    url = self.rng.choice(["/dossiers", "/travail"] + [f"/dossiers/{x}" for x in refs[-5:]])
                    self._timed("page", c, "GET", url, (200,))


def check_integrity(env: dict, url: str, clients: list[Client]) -> tuple[bool, str]:
    """``mno audit verify`` exit status, and each acknowledged transition and created case exactly
    once in the audit trail of the database at ``url``. Returns (ok, text)."""
    from sqlalchemy import create_engine, text
    r = subprocess.run([*_mno(), "audit", "verify"], env=env, capture_output=True, text=True, timeout=600)
    db = create_engine(url)
    try:
        with db.connect() as con:
            fires = {(ref, trig): n for ref, trig, n in con.execute(text(
                "SELECT c.reference, a.trigger, count(*) FROM audit_events a "
                "JOIN cases c ON c.id = a.case_id WHERE a.action = 'fire' GROUP BY c.reference, a.trigger"))}
            creates = dict(con.execute(text(
                "SELECT c.reference, count(*) FROM audit_events a JOIN cases c "
                "ON c.id = a.case_id WHERE a.action = 'create' GROUP BY c.reference")).all())
    finally:
        db.dispose()
    acked = [a for c in clients for a in c.acked]
    created = [x for c in clients for x in c.created]
    twice = [a for a in acked if fires.get(a, 0) != 1]
    dup_ack = len(acked) - len(set(acked))
    lost = [x for x in created if creates.get(x, 0) != 1]
    ok = r.returncode == 0 and not twice and not dup_ack and not lost
    text_ = (f"audit verify exit {r.returncode}; {len(acked)} acknowledged transitions, "
             f"{len(twice)} not exactly once, {dup_ack} acknowledged twice; {len(created)} cases created, "
             f"{len(lost)} not exactly once")
    return ok, text_


def drive(env: dict, url: str, label: str, extra: list[str], seconds: float, n_clients: int,
          tmp: Path) -> list[Row]:
    """Serve ``url`` with ``mno serve --demo`` (+ ``extra``), run the clients, check, report."""
    port = _free_port()
    with Server(env, port, extra, tmp / "server.log") as server:
        rss = server.rss_mib()
        ready = threading.Barrier(n_clients + 1)
        clients = [Client(f"http://127.0.0.1:{port}", CW[i % len(CW)], seconds, i, ready)
                   for i in range(n_clients)]
        for c in clients:
            c.start()
        ready.wait(timeout=600)  # every client logged in
        t0 = time.monotonic()
        for c in clients:
            c.join(seconds + 120)
        elapsed = time.monotonic() - t0
    ok, text = check_integrity(env, url, clients)
    if any(c.errors for c in clients) and os.environ.get("MNO_BENCH_SHOW_LOG"):
        shutil.copy(tmp / "server.log", os.environ["MNO_BENCH_SHOW_LOG"])
    rows = []
    total = sum(len(v) for c in clients for v in c.lat.values())
    errors = [e for c in clients for e in c.errors]
    if rss:
        rows.append(Row(f"HTTP load, {label}: server RSS once listening (largest process)", max(rss), "MiB",
                        bar="≤ 60 MiB", ok=max(rss) <= 60,
                        note="processes: " + ", ".join(f"{x:.1f}" for x in rss) + " MiB"))
    rows.append(Row(f"HTTP load, {label}, {n_clients} clients, {seconds:.0f} s: throughput",
                    total / elapsed, "req/s", note=f"{len(errors)} errors"
                    + (f" ({', '.join(sorted(set(errors))[:4])})" if errors else "")))
    for kind in ("page", "create", "fire"):
        lat = [x for c in clients for x in c.lat[kind]]
        if lat:
            rows.append(Row(f"HTTP load, {label}: {kind} ({len(lat)} requests) p50 / p95 / p99", None, "",
                            text=f"{median(lat):.0f} / {percentile(lat, 95):.0f} / "
                                 f"{percentile(lat, 99):.0f} ms"))
    rows.append(Row(f"HTTP load, {label}: integrity after the run", None, "", text="ok" if ok else "FAILED",
                    bar="audit verify; each acknowledged transition once", ok=ok, note=text))
    return rows


def _env(url: str, tmp: Path) -> dict:
    env = {**os.environ, "MNO_DATABASE_URL": url, "MNO_DATA_DIR": str(tmp),
           "MNO_SECRET_KEY": "bench-secret-key-bench-secret-key-0001",
           "MNO_AUDIT_KEY_FILE": str(tmp / "audit.key")}
    env.pop("MNO_CONFIG", None)
    env.pop("MNO_AUDIT_KEY", None)
    (tmp / "audit.key").write_text("bench-audit-key-" + "0" * 48 + "\n")
    return env


def load_sqlite(seconds: float, n_clients: int) -> list[Row]:
    tmp = Path(tempfile.mkdtemp(prefix="mno-bench-http-"))
    try:
        url = f"sqlite:///{tmp / 'load.db'}"
        return drive(_env(url, tmp), url, "SQLite 1 process", [], seconds, n_clients, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def load_postgres_workers(seconds: float, n_clients: int, workers: int = 4) -> list[Row]:
    help_text = subprocess.run([*_mno(), "serve", "--help"], capture_output=True, text=True,
                               env={**os.environ, "COLUMNS": "200"}).stdout
    label = f"PostgreSQL {workers} workers"
    if "--workers" not in help_text:
        return [Row(f"HTTP load, {label}", None, "",
                    note="skipped: `mno serve --help` has no --workers option on this branch")]
    from bench.common import postgres
    tmp = Path(tempfile.mkdtemp(prefix="mno-bench-http-"))
    try:
        with postgres("load") as url:
            if url is None:
                return [Row(f"HTTP load, {label}", None, "", note="skipped: no PostgreSQL binaries/psycopg")]
            return drive(_env(url, tmp), url, label, ["--workers", str(workers)], seconds, n_clients, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(quick: bool) -> list[Row]:
    seconds, n = (8.0, 20) if quick else (60.0, 20)
    return load_sqlite(seconds, n) + load_postgres_workers(seconds, n)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seconds", type=float)
    ap.add_argument("--clients", type=int, default=20)
    args = ap.parse_args()
    from bench.suite import print_table
    seconds = args.seconds or (8.0 if args.quick else 60.0)
    print_table(load_sqlite(seconds, args.clients) + load_postgres_workers(seconds, args.clients))


if __name__ == "__main__":
    main()
