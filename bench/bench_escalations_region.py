"""Benchmark of a regional supervisor's « Escalades » list at 1,000,000 cases (issue 15): the
list read from the role's escalation index, every region's rows, each case's region checked
(before revision 0038), against the region's own index
(``ix_deadlines_region_escalate_kind_status_due``).

    PYTHONPATH=. python bench/bench_escalations_region.py /tmp/lists-bench/cases-1000000.db [-n 20000]

The generated files (:mod:`bench.gen_cases`) hold no escalated deadline (the sweeper never ran on
them): ``n`` running Kadiogo deadlines escalating to the supervisor are marked ``done`` as the
sweeper would, in a transaction that is rolled back (the file is left as it was). Then, for the
supervisor of Yaadga (none of these) and of Kadiogo (all of them): the list's first 25 rows and its
capped count, both ways, 7 times each, the process's CPU time. Timings are never asserted in tests.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from mno_workflow.store.base import make_engine  # noqa: E402
from mno_workflow.store.models import Case, Deadline, User  # noqa: E402
from mno_workflow.web import access, triage  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", type=Path, help="a SQLite file of bench/gen_cases.py (revision 0038 or later)")
    ap.add_argument("-n", type=int, default=20_000, help="Kadiogo deadlines marked escalated")
    args = ap.parse_args(argv)
    db = make_engine(f"sqlite:///{args.db}")
    with Session(db) as s:
        ids = s.scalars(text(
            "SELECT id FROM deadlines INDEXED BY ix_deadlines_region_owner_kind_status_due"
            " WHERE region = 'kadiogo' AND owner_role IN ('caseworker', 'supervisor', 'provider')"
            " AND kind = 'expiry' AND status = 'pending' AND escalate_to = 'supervisor' LIMIT :n"),
            {"n": args.n}).all()
        t0 = time.perf_counter()
        s.execute(text("UPDATE deadlines SET status = 'done'"
                       " WHERE id IN (SELECT value FROM json_each(:ids))"),
                  {"ids": "[" + ",".join(map(str, ids)) + "]"})
        print(f"{len(ids):,} Kadiogo deadlines marked escalated in {time.perf_counter() - t0:.1f} s "
              f"({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)", flush=True)
        for who, region in (("salif.zongo", "yaadga"), ("idrissa.sanou", "kadiogo")):
            user = User(id=who, display_name=who, role="supervisor", region=region)
            clause = access.case_clause(user)
            before = (select(Deadline.id, Deadline.due_at).join(Case, Case.id == Deadline.case_id)
                      .where(Deadline.kind == "expiry", Deadline.escalate_to == user.role, triage._live(),
                             Case.status == "open", clause))
            after = triage._escalations(user, clause)
            for name, base in (("every region's rows", before), ("the region's index", after)):
                ms = []
                for _ in range(7):
                    t0 = time.process_time()
                    rows = triage._ids(s, base, ("done",), [], triage.SHOW)
                    count = triage._count(s, base, ("done",), [])
                    ms.append((time.process_time() - t0) * 1e3)
                print(f"  {who} ({region}), {name}: {len(rows)} rows, count {count}; CPU median "
                      f"{statistics.median(ms):.1f} ms, max {max(ms):.1f} ms", flush=True)
        s.rollback()
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
