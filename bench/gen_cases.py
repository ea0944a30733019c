"""Data generator for the work-list benchmarks: a SQLite file with up to 1,000,000 cases, built in
minutes and kept for the next run.

    PYTHONPATH=. python bench/gen_cases.py --cases 1000000 --out /tmp/mno-1m.db

A few hundred real cases are driven through ``WorkflowEngine.fire`` by the demo driver
(:func:`bench.bench_case_page.build_seed`: every stage, referrals, deadlines, audit trails), then
copied in bulk with ``INSERT … SELECT`` (one statement per table, no Python per row) up to the
size wanted: new ids and references (``MNR-BF-%07d``), a name drawn from 40 × 40 first and last
names (with ``N’Diaye``, ``Ndiaye-Lefèvre``, ``Œuvray``, ``Yɛlbɛogo``…; folded in Python once per
name), the assignee from a pool of caseworkers per region (one copy in ``pool`` keeps the real
one). Audit events are not copied (no work list reads them). Indexes and the search index
(FTS5) are built once after the copies. The file is reused when it exists with the same size and
schema (``bench_meta``).
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from bench.bench_case_page import build_seed, checkpoint, copy_db  # noqa: E402
from bench.common import copy_cases, pragma  # noqa: E402
from mno_workflow.store.base import make_engine  # noqa: E402
from mno_workflow.store.migrate import head  # noqa: E402
from mno_workflow.store.search import fold  # noqa: E402

FIRST = ["Aminata", "Awa", "Fatou", "Mariam", "Salimata", "Zoé", "Aïcha", "Rasmata", "Bintou", "Kadiatou",
         "Issa", "Moussa", "Ousmane", "Boukary", "Adama", "Souleymane", "Hamidou", "Idrissa", "Rémi",
         "Noël", "Hélène", "Éloïse", "Safiatou", "Djénéba", "Assétou", "Abdoulaye", "Seydou", "Lassané",
         "Wendkouni", "Pengdwendé", "Tégawendé", "Yacouba", "Inoussa", "Ramata", "Habibou", "Oumou",
         "Chantal", "François", "Jérôme", "Gaëlle"]
LAST = ["Sawadogo", "Ouédraogo", "Kaboré", "Compaoré", "Zongo", "Traoré", "N’Diaye", "Ndiaye-Lefèvre",
        "Œuvray", "Yɛlbɛogo", "Ilboudo", "Kiemdé", "Nikièma", "Tapsoba", "Zoungrana", "Bationo", "Yaméogo",
        "Somé", "Dabiré", "Hien", "Koné", "Diallo", "Barry", "Sankara", "Bambara", "Konaté", "Kaboré-Zongo",
        "Dakuyo", "Kientéga", "Bélem", "Guigma", "Nébié", "Tiendrébéogo", "Yoda", "Sanou", "Millogo",
        "Ki-Zerbo", "D’Almeida", "Lefèvre", "Bougma"]


def _names(conn) -> None:
    conn.execute(text("DROP TABLE IF EXISTS bench_first"))
    conn.execute(text("DROP TABLE IF EXISTS bench_last"))
    conn.execute(text("CREATE TABLE bench_first (i INTEGER PRIMARY KEY, name TEXT, folded TEXT)"))
    conn.execute(text("CREATE TABLE bench_last (i INTEGER PRIMARY KEY, name TEXT, folded TEXT)"))
    conn.execute(text("INSERT INTO bench_first VALUES (:i, :n, :f)"),
                 [{"i": i, "n": n, "f": fold(n)} for i, n in enumerate(FIRST)])
    conn.execute(text("INSERT INTO bench_last VALUES (:i, :n, :f)"),
                 [{"i": i, "n": n, "f": fold(n)} for i, n in enumerate(LAST)])


def multiply_named(db: Engine, total: int, pool: int) -> None:
    """Copy the seed cases (ids 1..M) with their instances and deadlines until there are ``total``
    cases (copy ``g`` of case ``id``: id ``id + g*M``), each copy with a generated name.

    The secondary indexes and the search triggers are dropped first and made again at the end from
    today's models (one sorted build instead of millions of random index writes; a seed file of an
    older schema gets today's indexes), with a rollback journal."""
    from mno_workflow.store import search
    from mno_workflow.store.models import Case, Deadline, StepInstance

    pragma(db, "PRAGMA journal_mode=DELETE")
    with db.begin() as conn:
        indexes = conn.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('cases', 'step_instances', 'deadlines')")).all()
        for name, _sql in indexes:
            conn.execute(text(f'DROP INDEX "{name}"'))
        for ddl in search.SQLITE_DROP[:3]:  # the triggers; the FTS table is refilled below
            conn.execute(text(ddl))
    with db.begin() as conn:
        m = conn.scalar(text("SELECT max(id) FROM cases"))
        mi = conn.scalar(text("SELECT max(id) FROM step_instances"))
        gens = math.ceil(total / m) - 1
        if gens < 1:
            return
        _names(conn)
        p = {"m": m, "mi": mi, "gens": gens, "total": total, "pool": pool, "nf": len(FIRST), "nl": len(LAST)}
        copy_cases(conn, p, names=True, audit=False)
        conn.execute(text("DROP TABLE bench_first"))
        conn.execute(text("DROP TABLE bench_last"))
    with db.begin() as conn:
        for model in (Case, StepInstance, Deadline):  # the indexes of today's models
            for index in model.__table__.indexes:
                index.create(conn, checkfirst=True)
        search.install(conn)  # triggers again, and the names of the copies into the FTS table
    pragma(db, "PRAGMA journal_mode=WAL")
    db.dispose()


def _meta(path: Path) -> tuple[int, str] | None:
    if not path.exists():
        return None
    db = make_engine(f"sqlite:///{path}")
    try:
        with db.connect() as conn:
            row = conn.execute(text("SELECT cases, schema FROM bench_meta")).first()
            return (row[0], row[1]) if row else None
    except Exception:  # noqa: BLE001 - not one of ours: rebuilt
        return None
    finally:
        db.dispose()


def generate(out: Path, cases: int, *, seed_cases: int = 300, pool: int = 50,
             seed_db: Path | None = None, log=print) -> Path:
    """The database file ``out`` with ``cases`` cases (see the module doc); reused when it exists
    with that size and the current schema. ``seed_db``: a seed file to reuse (built when absent)."""
    if _meta(out) == (cases, head()):
        log(f"  reusing {out} ({cases:,} cases)")
        return out
    seed_db = seed_db or out.with_name(f"seed-{seed_cases}.db")
    t0 = time.perf_counter()
    if _meta(seed_db) != (seed_cases, head()):
        seed_db.unlink(missing_ok=True)
        wf = build_seed(seed_db, seed_cases)
        with wf.db.begin() as conn:
            conn.execute(text("CREATE TABLE bench_meta (cases INTEGER, schema TEXT)"))
            conn.execute(text("INSERT INTO bench_meta VALUES (:n, :s)"), {"n": seed_cases, "s": head()})
        wf.db.dispose()
        log(f"  seed: {seed_cases} cases through the engine in {time.perf_counter() - t0:.0f} s")
    tmp = out.with_suffix(".building")
    copy_db(seed_db, tmp)
    t1 = time.perf_counter()
    db = make_engine(f"sqlite:///{tmp}")
    try:
        multiply_named(db, cases, pool)
        with db.begin() as conn:
            conn.execute(text("UPDATE bench_meta SET cases = :n"), {"n": cases})
        db.dispose()
        checkpoint(db)
    finally:
        db.dispose()
    for suffix in ("-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    shutil.move(tmp, out)
    log(f"  {out}: {cases:,} cases copied in {time.perf_counter() - t1:.0f} s")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, required=True, help="the SQLite file to write (kept)")
    ap.add_argument("--seed-cases", type=int, default=300)
    args = ap.parse_args(argv)
    generate(args.out, args.cases, seed_cases=args.seed_cases)
    return 0


if __name__ == "__main__":
    sys.exit(main())
