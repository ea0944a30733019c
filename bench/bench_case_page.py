"""Benchmark of the case page at scale (DESIGN.md: "case page, 100,000 cases in the database: p95 ≤ 100 ms").

    PYTHONPATH=. python bench/bench_case_page.py            # 100,000 cases (baseline: 1,000)
    PYTHONPATH=. python bench/bench_case_page.py --quick    # 2,000 cases (baseline: 200), a smoke run

The database (SQLite file in a temporary folder, schema by the Alembic migrations) holds the
Burkina Faso SOP, the sample directory and the demo users. A few hundred real cases are driven
through ``WorkflowEngine.fire`` by the demo driver (every step and most states, referrals to
providers, deadlines, audit trails), then copied with ``INSERT ... SELECT`` (new ids and
references; same rows in ``cases``, ``step_instances``, ``audit_events`` and ``deadlines``) up to
the size wanted. Copies are assigned to a pool of caseworkers (one copy in ``--pool`` keeps the
real caseworker), so a caseworker sees about ``cases / pool`` cases and a regional supervisor about
two thirds of all cases. The seed database is copied before multiplying, so the baseline (1,000
cases) has the same seed.

The application runs in-process (``create_app`` + Starlette's ``TestClient``, no network). Timed:
GET of the case page of random cases visible to a caseworker and to a supervisor, "Mes dossiers"
with a search, "Mon travail", and the login page (no database work: the fixed cost of a request).
Each row gives the median and p95 in ms on the big database, and the same numbers on the baseline
database with their ratio. Timings are never asserted in tests: this script reports, people judge.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import math
import random
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from bench.common import copy_cases, indexes_dropped  # noqa: E402
from mno_workflow import directory  # noqa: E402
from mno_workflow.engine.clock import SimulatedClock  # noqa: E402
from mno_workflow.engine.engine import WorkflowEngine  # noqa: E402
from mno_workflow.sop.loader import load_file  # noqa: E402
from mno_workflow.store.base import make_engine  # noqa: E402
from mno_workflow.store.migrate import upgrade  # noqa: E402
from mno_workflow.web.demo_data import DEMO_PASSWORD, STAGES, _drive, create_users  # noqa: E402

BF_SOP = ROOT / "sops" / "burkina_faso" / "mnr.yaml"
NOW = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)  # Monday 1 September 2025, 08:00 in Ouagadougou
SECRET = "bench-secret-key-0123456789abcdef"
CASEWORKER, SUPERVISOR = "mariam.kabore", "idrissa.sanou"  # Kadiogo (demo users)
SEARCHES = ["sawadogo", "aminata", "MNR-BF-0012", "kabore", "zoe", "issa"]

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


# -- building the database -----------------------------------------------------------------------
def new_engine(url: str, now: datetime = NOW) -> WorkflowEngine:
    wf = WorkflowEngine(make_engine(url), SimulatedClock(now))
    wf.load_sop(load_file(BF_SOP))
    return wf


def build_seed(path: Path, n_seed: int, now: datetime = NOW, seed: int = 2025) -> WorkflowEngine:
    """A migrated database at ``path`` with SOP, directory, demo users and ``n_seed`` real cases
    driven through the engine by the demo driver (every stage of ``STAGES`` in turn), spread over
    the 120 days before ``now``; the last tenth in the last week. The engine's clock ends at
    ``now``."""
    url = f"sqlite:///{path}"
    upgrade(url)
    wf = new_engine(url, now)
    with wf.sessions.begin() as s:
        directory.load_sample(s)
        create_users(s)
    clock: SimulatedClock = wf.clock
    rng = random.Random(seed)
    n_recent = max(1, n_seed // 10)
    for i in range(n_seed):
        recent = i >= n_seed - n_recent
        if recent:
            k = i - (n_seed - n_recent)
            start = now - timedelta(days=8) + timedelta(days=5) * k / n_recent
        else:
            start = now - timedelta(days=120) + timedelta(days=85) * i / n_seed
        clock.set(start + timedelta(hours=rng.randint(0, 6)))
        _drive(wf, clock, rng, STAGES[i % len(STAGES)], i, recent)
    clock.set(now)
    return wf


def multiply(db: Engine, total: int, pool: int, *, audit: bool = True, indexes: bool = True) -> None:
    """Copy the cases of the database (ids 1..M, with their instances, deadlines and, when
    ``audit``, audit events) until there are ``total`` cases: copy ``g`` of case ``id`` gets id
    ``id + g*M`` and reference ``MNR-BF-%06d``; its instances get ``id + g*MI``. One copy in
    ``pool`` keeps the assignee, the others go to ``agent.<region>.<g % pool>``
    (:func:`bench.common.copy_cases`). The secondary indexes are dropped during the copy and built
    again after it (:func:`bench.common.indexes_dropped`); ``indexes=False``: the caller has
    dropped them already (and builds them after its own bulk changes)."""
    with db.connect() as conn:
        m = conn.scalar(text("SELECT max(id) FROM cases"))
        mi = conn.scalar(text("SELECT max(id) FROM step_instances"))
    gens = math.ceil(total / m) - 1
    if gens < 1:
        return
    p = {"m": m, "mi": mi, "gens": gens, "total": total, "pool": pool}
    tables = ("cases", "step_instances", "deadlines", *(("audit_events",) if audit else ()))
    with contextlib.ExitStack() as stack:
        if indexes:
            stack.enter_context(indexes_dropped(db, tables))  # indexes built once, after the copy
        with db.begin() as conn:
            copy_cases(conn, p, names=False, audit=audit)
    checkpoint(db)


def checkpoint(db: Engine) -> None:
    """Fold the write-ahead log into the database file (outside a transaction), as a quiet
    server's SQLite does, so reads do not go through a log of a gigabyte."""
    raw = db.raw_connection()
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


def counts(db: Engine) -> dict[str, int]:
    with db.connect() as conn:
        return {t: conn.scalar(text(f"SELECT count(*) FROM {t}"))  # noqa: S608 - fixed names
                for t in ("cases", "step_instances", "audit_events", "deadlines")}


def copy_db(src: Path, dst: Path) -> None:
    """Copy a SQLite file whose engines are all disposed (WAL checkpointed on close)."""
    for suffix in ("-wal", "-shm"):
        Path(str(src) + suffix).unlink(missing_ok=True)
    shutil.copyfile(src, dst)


# -- timing ----------------------------------------------------------------------------------------
def p95(ms: list[float]) -> float:
    s = sorted(ms)
    return s[max(0, math.ceil(0.95 * len(s)) - 1)]


def time_gets(client, urls: list[str]) -> list[float]:
    """Milliseconds of each GET (every answer must be 200)."""
    out = []
    for url in urls:
        t0 = time.perf_counter()
        r = client.get(url)
        out.append((time.perf_counter() - t0) * 1e3)
        if r.status_code != 200:
            raise RuntimeError(f"GET {url}: HTTP {r.status_code}")
    return out


def login(client, user: str) -> None:
    client.get("/login")
    r = client.post("/login", data={"username": user, "password": DEMO_PASSWORD,
                                    "csrftoken": client.cookies.get("csrftoken")})
    if r.status_code != 303:
        raise RuntimeError(f"login of {user}: HTTP {r.status_code}")


def measure(path: Path, n_pages: int, n_lists: int, seed: int = 7) -> dict[str, tuple[list[float], str]]:
    """Time the pages on the database at ``path``: ``{label: (milliseconds, note)}``."""
    from starlette.testclient import TestClient

    from mno_workflow.web.app import create_app

    wf = new_engine(f"sqlite:///{path}")
    rng = random.Random(seed)
    with wf.db.connect() as conn:
        mine = list(conn.scalars(text("SELECT reference FROM cases WHERE assignee = :u ORDER BY id"),
                                 {"u": CASEWORKER}))
        region = list(conn.scalars(text("SELECT reference FROM cases WHERE region = 'kadiogo' ORDER BY id")))
    app = create_app(wf, secret_key=SECRET)
    out: dict[str, tuple[list[float], str]] = {}
    try:
        for user, refs, who in [(CASEWORKER, mine, "caseworker"), (SUPERVISOR, region, "supervisor")]:
            with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
                login(client, user)
                pages = [f"/dossiers/{rng.choice(refs)}" for _ in range(n_pages)]
                searches = [f"/dossiers?q={SEARCHES[i % len(SEARCHES)]}" for i in range(n_lists)]
                time_gets(client, pages[:5] + searches[:2] + ["/travail", "/login"])  # warm up
                gc.collect()
                if who == "caseworker":
                    out["login page (no database work)"] = (time_gets(client, ["/login"] * n_pages), "")
                out[f"case page, {who}"] = (time_gets(client, pages),
                                            f"{n_pages} random of {len(refs):,} visible")
                out[f"Mes dossiers + search, {who}"] = (time_gets(client, searches),
                                                        f"{n_lists} GET, {len(SEARCHES)} searches")
                out[f"Mon travail, {who}"] = (time_gets(client, ["/travail"] * n_lists),
                                              f"{n_lists} GET")
    finally:
        wf.db.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    ap.add_argument("--cases", type=int, help="cases in the big database (default 100,000; quick 2,000)")
    ap.add_argument("--keep", metavar="DIR", help="build the databases in DIR and keep them")
    args = ap.parse_args(argv)
    quick = args.quick
    n_seed, base_n = (45, 200) if quick else (300, 1000)
    big_n = args.cases or (2000 if quick else 100_000)
    pool = 10 if quick else 50
    n_pages, n_lists = (20, 6) if quick else (200, 30)
    logging.getLogger("mno.web").setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore", message=".*starlette.testclient.*")  # httpx still works
    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="mno-bench-page-"))
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        seed_db = tmp / "seed.db"
        wf = build_seed(seed_db, n_seed)
        wf.db.dispose()
        t_seed = time.perf_counter() - t0
        sizes = {}
        for name, n in [("base", base_n), ("big", big_n)]:
            copy_db(seed_db, tmp / f"{name}.db")
            t1 = time.perf_counter()
            db = make_engine(f"sqlite:///{tmp / f'{name}.db'}")
            multiply(db, n, pool)
            sizes[name] = (counts(db), time.perf_counter() - t1)
            db.dispose()
        c, t_big = sizes["big"]
        row("database", f"{c['cases']:,} cases", f"{c['step_instances']:,} instances, "
            f"{c['audit_events']:,} audit events, {c['deadlines']:,} deadline rows; baseline "
            f"{sizes['base'][0]['cases']:,} cases", f"built: seed {n_seed} cases via fire {t_seed:.0f} s, "
            f"copies {t_big:.0f} s")
        base = measure(tmp / "base.db", n_pages, n_lists)
        big = measure(tmp / "big.db", n_pages, n_lists)
        bn = sizes["base"][0]["cases"]
        login_med = statistics.median(big["login page (no database work)"][0])
        for label, (ms, note) in big.items():
            med, p = statistics.median(ms), p95(ms)
            bms = base[label][0]
            bmed, bp = statistics.median(bms), p95(bms)
            cmp = (f"{bn:,} cases: median {bmed:.1f}, p95 {bp:.1f} ms → median ×{med / bmed:.2f}, "
                   f"p95 ×{p / bp:.2f}")
            if not label.startswith("login"):
                cmp += f"; login page ×{med / login_med:.1f}"
            row(f"{label}{' (' + note + ')' if note else ''}", f"median {med:.1f} ms, p95 {p:.1f} ms", cmp,
                "p95 ≤ 100 ms" if label.startswith("case page") else "")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print_table(f"MNO Workflow case page benchmark ({'quick' if quick else 'full'}), "
                f"{big_n:,} cases vs {base_n:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
