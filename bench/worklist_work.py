"""How much SQLite work one work list costs on a generated database: the virtual-machine
instructions of each statement (``sqlite3``'s progress handler, counted every 1,000), the
statement's plan and its wall time. A count of instructions does not depend on the machine's
load, so it shows whether a list's work grows with the number of cases (issue 15).

    PYTHONPATH=. python bench/worklist_work.py /tmp/lists-bench/cases-1000000.db idrissa.sanou [--top 5]

The file comes from :mod:`bench.gen_cases` (any size); the user is one of its demo users
(``idrissa.sanou`` supervisor of kadiogo, ``mariam.kabore`` caseworker, ``coord.mnr``).
``--list``: ``work`` (« Mon travail », default), ``cases`` (« Mes dossiers »), ``overdue``
(its overdue filter). The SOP is loaded as :mod:`bench.bench_worklists` does; the lists only read.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bench.bench_case_page import NOW, new_engine  # noqa: E402

EVERY = 1000  # VM instructions between two calls of the progress handler


def measure(path: Path, user_id: str, which: str = "work") -> list[tuple[int, float, str, object]]:
    """``[(instructions, ms, statement, parameters)]`` of the SELECTs one run of the list sends."""
    from mno_workflow.store.models import User
    from mno_workflow.web import access, queries, worklists

    wf = new_engine(f"sqlite:///{path}")
    ticks = [0]

    def tick() -> int:
        ticks[0] += 1
        return 0

    event.listen(wf.db, "connect", lambda dbapi, _rec: dbapi.set_progress_handler(tick, EVERY))
    wf.db.dispose()  # the connections opened while loading the SOP have no handler
    seen: list[tuple[int, float, str, object]] = []

    def before(conn, _cur, _st, _params, _ctx, _many):
        conn.info["mark"] = (ticks[0], time.perf_counter())

    def after(conn, _cur, statement, parameters, _ctx, _many):
        t0, c0 = conn.info["mark"]
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(((ticks[0] - t0) * EVERY, (time.perf_counter() - c0) * 1e3, statement, parameters))

    event.listen(wf.db, "before_cursor_execute", before)
    event.listen(wf.db, "after_cursor_execute", after)
    try:
        with wf.sessions() as s:
            user = s.get(User, user_id)
            if user is None:
                raise SystemExit(f"no user {user_id!r} in {path}")
            if which == "work":
                queries.my_work(s, user, NOW, "Africa/Ouagadougou")
            else:
                worklists.case_page(s, access.case_clause(user),
                                    overdue_before=NOW if which == "overdue" else None)
    finally:
        wf.db.dispose()
    return seen


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("user")
    ap.add_argument("--list", dest="which", choices=("work", "cases", "overdue"), default="work")
    ap.add_argument("--top", type=int, default=5, help="statements shown with their plans")
    args = ap.parse_args(argv)
    seen = measure(args.db, args.user, args.which)
    print(f"{args.which} as {args.user}: {len(seen)} SELECTs, {sum(s[0] for s in seen):,} VM instructions "
          f"(±{EVERY} per statement), {sum(s[1] for s in seen):.0f} ms")
    import sqlite3

    conn = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    for n, ms, statement, params in sorted(seen, key=lambda x: -x[0])[:args.top]:
        print(f"\n{n:,} instructions, {ms:.1f} ms: {' '.join(statement.split())[:200]}")
        for row in conn.execute("EXPLAIN QUERY PLAN " + statement, params):
            print("    " + row[-1])
    conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
