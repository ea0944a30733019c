"""Copy a generated SQLite benchmark database (:mod:`bench.gen_cases`) into PostgreSQL, so that the
work-list benchmark measures the same rows on both back ends.

    PYTHONPATH=. python bench/pg_copy.py /tmp/cases-100000.db postgresql+psycopg://…/wl

The PostgreSQL schema is made by the application's own Alembic migrations (tables, indexes, the
trigram search indexes); the rows go in with ``COPY … FROM STDIN`` (psycopg), table by table in
foreign-key order, in the column order of the SQLite table; id sequences are moved past the copied
ids and the tables analysed. SQLite stores instants as naive UTC text and booleans as 0/1, which
PostgreSQL reads as they are with the session time zone set to UTC.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHUNK = 20_000  # rows read from SQLite at a time


def copy(sqlite_path: Path, url: str, log=print) -> dict[str, int]:
    """Copy every table of ``sqlite_path`` that the migrated PostgreSQL database at ``url`` also
    has; returns ``{table: rows}``. The PostgreSQL database must be empty."""
    import psycopg
    from sqlalchemy import create_engine, inspect

    from mno_workflow.store.migrate import upgrade

    upgrade(url)
    engine = create_engine(url)
    pg_tables = set(inspect(engine).get_table_names())
    from mno_workflow.store.base import Base

    order = [t.name for t in Base.metadata.sorted_tables]
    src = sqlite3.connect(str(sqlite_path))
    names = [r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    tables = [t for t in order if t in names and t in pg_tables]
    tables += [t for t in names if t in pg_tables and t not in tables and t != "alembic_version"]
    dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    engine.dispose()
    out: dict[str, int] = {}
    with psycopg.connect(dsn) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        pg_cols = {}
        for t in tables:
            pg_cols[t] = {r[0] for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s", (t,))}
        conn.execute("SET session_replication_role = replica")  # no FK checks or triggers while copying
        for t in tables:
            t0 = time.perf_counter()
            cols = [r[1] for r in src.execute(f'PRAGMA table_info("{t}")') if r[1] in pg_cols[t]]
            quoted = ", ".join(f'"{c}"' for c in cols)
            n = 0
            cur = src.execute(f'SELECT {quoted} FROM "{t}"')
            with conn.cursor().copy(f'COPY "{t}" ({quoted}) FROM STDIN') as cp:
                while rows := cur.fetchmany(CHUNK):
                    for row in rows:
                        cp.write_row(row)
                    n += len(rows)
            out[t] = n
            seq = conn.execute(f"SELECT pg_get_serial_sequence('\"{t}\"', 'id')").fetchone()[0] \
                if "id" in cols and n else None
            if seq:  # integer ids drawn from a sequence: move it past the copied ones
                conn.execute(f'SELECT setval(%s, (SELECT max(id) FROM "{t}"))', (seq,))
            if n:
                log(f"    {t}: {n:,} rows in {time.perf_counter() - t0:.0f} s")
        conn.execute("SET session_replication_role = DEFAULT")
        conn.commit()
        conn.autocommit = True
        conn.execute("ANALYZE")
    src.close()
    return out


if __name__ == "__main__":
    copy(Path(sys.argv[1]), sys.argv[2])
