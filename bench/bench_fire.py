"""Persisted ``fire`` against a raw-SQL floor writing the same rows to the same schema.

Each case goes through four transitions of the Burkina Faso SOP (register, record_consent,
submit_assessment, approve_plan: case update, step instances updated and started, deadlines
cancelled and armed, outbox messages, one hash-chained audit event each). The floor is measured
on an identical database: for every transition it locks and reads the case and its step instances,
then replays, with the DB-API cursor and no ORM, exactly the rows ``WorkflowEngine.fire`` wrote for
a sample case (captured by diffing the tables), ``executemany`` per table, the audit row signed
with HMAC-SHA256 chained to the case's head. One transaction per transition on both sides.

    python -m bench.bench_fire [--quick] [--no-pg]

Reported: median milliseconds per transition over several rounds (wall clock and this process's
CPU time), floor of the same run, ratio (bar: ≤ 3×), on SQLite and on a PostgreSQL server started
here (always stopped); ``--no-pg``: SQLite only. Full: 300 cases × 4 transitions, 3 rounds;
``--quick``: 30 cases, 1 round.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import ROOT, Row, median, postgres

TABLES = ("cases", "step_instances", "deadlines", "outbox", "audit_events")
BF_SOP = ROOT / "sops" / "burkina_faso" / "mnr.yaml"
NOW = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)


def _steps():
    from mno_workflow.engine.engine import Actor
    from tests.engine.helpers import CONSENT, IDENT, NEEDS
    cw, sup = Actor("mariam.kabore", "caseworker"), Actor("idrissa.sanou", "supervisor")
    return [("register", cw, IDENT), ("record_consent", cw, CONSENT),
            ("submit_assessment", cw, NEEDS), ("approve_plan", sup, {})]


def prepare(url: str, n: int):
    """A fresh schema with the BF SOP and ``n`` new cases; returns (engine, references)."""
    from mno_workflow.engine.clock import SimulatedClock
    from mno_workflow.engine.engine import Actor, WorkflowEngine
    from mno_workflow.sop.loader import load_file
    from mno_workflow.store.base import Base, make_engine
    db = make_engine(url)
    Base.metadata.drop_all(db)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, SimulatedClock(NOW))
    wf.load_sop(load_file(BF_SOP))
    cw = Actor("mariam.kabore", "caseworker")
    return wf, [wf.create_case("mnr_bf", cw) for _ in range(n)]


def run_engine(wf, refs: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds to fire the four transitions on every case of ``refs``."""
    steps = _steps()
    t0, c0 = time.perf_counter(), time.process_time()
    for ref in refs:
        for trigger, actor, payload in steps:
            wf.fire(ref, trigger, actor, payload)
    return time.perf_counter() - t0, time.process_time() - c0


# -- the floor ------------------------------------------------------------------------------------
def _q(column: str) -> str:
    return f'"{column}"'  # "offset" is a keyword on PostgreSQL


def _snapshot(cur, p: str, case_id: int) -> dict[str, dict[int, dict]]:
    out = {}
    for t in TABLES:
        col = "id" if t == "cases" else "case_id"
        cur.execute(f"SELECT * FROM {t} WHERE {col} = {p} ORDER BY id", (case_id,))
        names = [d[0] for d in cur.description]
        out[t] = {r[0]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}
    return out


def capture(wf, ref: str) -> tuple[dict[str, list[int]], list[dict[str, tuple[list[dict], list[dict]]]]]:
    """Fire the four transitions on ``ref`` and return the ids of the rows it had before (per
    table, in id order) and, per transition and table, the rows it inserted and the columns it
    changed in existing rows (as raw DB-API values)."""
    raw = wf.db.raw_connection()
    p = "?" if wf.db.dialect.name == "sqlite" else "%s"
    try:
        cur = raw.cursor()
        cur.execute(f"SELECT id FROM cases WHERE reference = {p}", (ref,))
        cid = cur.fetchone()[0]
        raw.commit()
        before = _snapshot(cur, p, cid)
        raw.commit()
        initial = {t: sorted(before[t]) for t in TABLES[1:]}
        diffs = []
        for trigger, actor, payload in _steps():
            wf.fire(ref, trigger, actor, payload)
            after = _snapshot(cur, p, cid)
            raw.commit()
            diff = {}
            for t in TABLES:
                inserted = [r for i, r in after[t].items() if i not in before[t]]
                updated = [{"id": i, **{k: v for k, v in r.items() if before[t][i][k] != v}}
                           for i, r in after[t].items() if i in before[t] and r != before[t][i]]
                diff[t] = (inserted, updated)
            diffs.append(diff)
            before = after
        return initial, diffs
    finally:
        raw.close()


def run_floor(wf, refs: list[str], captured) -> tuple[float, float]:
    """Seconds for the raw DB-API floor to write, for every case of ``refs``, the rows ``diffs``
    describes: lock + read the case and its instances, UPDATEs, executemany INSERTs (ids of new
    rows mapped so that foreign keys point at this case's own rows), signed audit row."""
    sqlite = wf.db.dialect.name == "sqlite"
    p = "?" if sqlite else "%s"
    encode = json.dumps
    if not sqlite:
        from psycopg.types.json import Json as encode

    def wrap(v):
        return encode(v) if isinstance(v, dict | list) else v
    key = b"k" * 32
    raw = wf.db.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute(f"SELECT reference, id FROM cases WHERE reference IN ({', '.join([p] * len(refs))})",
                    refs)
        ids = dict(cur.fetchall())
        initial, diffs = captured
        # Rows created with each case (by the engine, identically for every case): map by order.
        own_initial: dict[str, dict[int, list[int]]] = {t: {} for t in initial}
        for t in initial:
            col = "case_id"
            cur.execute(f"SELECT {col}, id FROM {t} WHERE {col} IN ({', '.join([p] * len(refs))}) "
                        f"ORDER BY id", list(ids.values()))
            for c, i in cur.fetchall():
                own_initial[t].setdefault(c, []).append(i)
        raw.commit()
        t0, c0 = time.perf_counter(), time.process_time()
        for ref in refs:
            cid = ids[ref]
            idmap: dict[str, dict[int, int]] = {t: dict(zip(initial[t], own_initial[t].get(cid, []),
                                                             strict=True)) for t in initial}
            for diff in diffs:
                if sqlite:
                    cur.execute("BEGIN IMMEDIATE")
                lock = "" if sqlite else " FOR UPDATE"
                cur.execute(f"SELECT version, audit_head FROM cases WHERE id = {p}{lock}", (cid,))
                version, head = cur.fetchone()
                cur.execute(f"SELECT id, step, key, state, version FROM step_instances "
                            f"WHERE case_id = {p} ORDER BY id", (cid,))
                cur.fetchall()
                for t in TABLES:
                    inserted, updated = diff[t]
                    for r in updated:
                        cols = [k for k in r if k not in ("id", "hash", "audit_head", "version")]
                        if t == "cases":
                            target = cid
                        else:
                            target = idmap[t].get(r["id"])
                        if target is None:
                            raise LookupError(f"{t} row {r['id']} of the sample has no counterpart")
                        if not cols:
                            continue
                        sets = ", ".join(_q(c) + f" = {p}" for c in cols)
                        cur.execute(f"UPDATE {t} SET {sets} WHERE id = {p}",
                                    [wrap(r[c]) for c in cols] + [target])
                    if not inserted:
                        continue
                    rows = []
                    for r in inserted:
                        v = dict(r)
                        v.pop("id")
                        v["case_id"] = cid
                        if "instance_id" in v and v["instance_id"] is not None:
                            v["instance_id"] = idmap["step_instances"].get(v["instance_id"], v["instance_id"])
                        if t == "audit_events":
                            v["seq"], v["prev_hash"] = version + 1, head or "0" * 64
                            text = json.dumps({k: str(x) for k, x in v.items() if k != "hash"},
                                              sort_keys=True)
                            v["hash"] = head = hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
                        rows.append(v)
                    cols = list(rows[0])
                    names = ", ".join(map(_q, cols))
                    sql = f"INSERT INTO {t} ({names}) VALUES ({', '.join([p] * len(cols))})"
                    if t == "step_instances":  # their ids are needed for the deadlines' foreign key
                        for r, v in zip(inserted, rows, strict=True):
                            cur.execute(sql + " RETURNING id", [wrap(v[c]) for c in cols])
                            idmap[t][r["id"]] = cur.fetchone()[0]
                    elif t == "deadlines":  # later updates (cancel) need their ids
                        for r, v in zip(inserted, rows, strict=True):
                            cur.execute(sql + " RETURNING id", [wrap(v[c]) for c in cols])
                            idmap[t][r["id"]] = cur.fetchone()[0]
                    else:
                        cur.executemany(sql, [[wrap(v[c]) for c in cols] for v in rows])
                cur.execute(f"UPDATE cases SET version = {p}, audit_head = {p} WHERE id = {p}",
                            (version + 1, head, cid))
                raw.commit()
        return time.perf_counter() - t0, time.process_time() - c0
    finally:
        raw.close()


def measure(url: str, n: int, rounds: int) -> tuple[float, float, float, float]:
    """(engine, floor, engine CPU, floor CPU): median milliseconds per transition over ``rounds``
    rounds of ``n`` cases (wall clock, then this process's CPU time: steadier on a shared
    machine, but on PostgreSQL it leaves out the server's work)."""
    eng, flo, eng_cpu, flo_cpu = [], [], [], []
    per = n * 4 / 1e3
    for _ in range(rounds):
        wf, refs = prepare(url, n + 1)
        captured = capture(wf, refs[0])
        wall, cpu = run_floor(wf, refs[1:], captured)
        flo.append(wall / per)
        flo_cpu.append(cpu / per)
        check_floor(wf, refs[1], refs[0])
        wf.db.dispose()
        wf, refs = prepare(url, n)
        wall, cpu = run_engine(wf, refs)
        eng.append(wall / per)
        eng_cpu.append(cpu / per)
        wf.db.dispose()
    return median(eng), median(flo), median(eng_cpu), median(flo_cpu)


def check_floor(wf, ref: str, sample: str) -> None:
    """The floor wrote as many rows of each table as the engine did for the sample case."""
    from sqlalchemy import text
    with wf.db.connect() as c:
        def counts(r: str) -> list[int]:
            cid = c.execute(text("SELECT id FROM cases WHERE reference = :r"), {"r": r}).scalar()
            return [c.execute(text(f"SELECT count(*) FROM {t} WHERE case_id = :c"), {"c": cid}).scalar()
                    for t in TABLES[1:]]
        a, b = counts(ref), counts(sample)
    if a != b:
        raise AssertionError(f"floor wrote {a} rows, engine {b} ({TABLES[1:]})")


def run(quick: bool, pg: bool = True) -> list[Row]:
    """Rows for the suite: persisted fire vs floor on SQLite and (``pg``) PostgreSQL."""
    n, rounds = (30, 1) if quick else (300, 3)
    out = []
    tmp = Path(tempfile.mkdtemp(prefix="mno-bench-fire-"))
    try:
        e, f, ec, fc = measure(f"sqlite:///{tmp / 'fire.db'}", n, rounds)
        out.append(Row("persisted fire, SQLite (ms per transition)", e, "ms", f, "raw-SQL floor",
                       e / f, "≤ 3×", e / f <= 3))
        out.append(Row("persisted fire, SQLite, CPU time (ms per transition)", ec, "ms", fc,
                       "raw-SQL floor", ec / fc, "≤ 3×", ec / fc <= 3))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not pg:
        return out
    with postgres() as url:
        if url is None:
            out.append(Row("persisted fire, PostgreSQL", None, "", note="no PostgreSQL binaries/psycopg"))
        else:
            e, f, ec, fc = measure(url, n, rounds)
            out.append(Row("persisted fire, PostgreSQL (ms per transition)", e, "ms", f, "raw-SQL floor",
                           e / f, "≤ 3×", e / f <= 3))
            out.append(Row("persisted fire, PostgreSQL, client CPU time (ms per transition)", ec, "ms",
                           fc, "raw-SQL floor", ec / fc, "(no bar)"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="30 cases, 1 round")
    ap.add_argument("--no-pg", action="store_true", help="SQLite only (no PostgreSQL server)")
    args = ap.parse_args()
    from bench.suite import print_table
    print_table(run(args.quick, pg=not args.no_pg))


if __name__ == "__main__":
    main()
