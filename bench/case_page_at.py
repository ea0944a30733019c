"""The case page on an existing work-list database (issue 15: « case page ≤ 100 ms at 1M cases »).

    PYTHONPATH=. python bench/case_page_at.py sqlite:///DIR/cases-1000000.db
    PYTHONPATH=. python bench/case_page_at.py postgresql+psycopg://…/wl   # a bench/pg_copy.py copy

The database is one :mod:`bench.gen_cases` made (``bench/bench_worklists.py --dir DIR``), or its
copy in PostgreSQL. 25 cases are drawn at random (fixed seed) among those of the caseworker
``mariam.kabore`` and 25 among the supervisor ``idrissa.sanou``'s region; each user opens three
of them to warm up, then the other 22 once each: p50 and p95 in ms. In-process (``create_app`` +
Starlette's ``TestClient``), as the other page benchmarks. Timings are never asserted in tests.
"""

from __future__ import annotations

import logging
import random
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from bench.bench_case_page import SECRET, login, new_engine  # noqa: E402

USERS = (("mariam.kabore", "assignee = 'mariam.kabore'"), ("idrissa.sanou", "region = 'kadiogo'"))


def main(url: str) -> None:
    from starlette.testclient import TestClient

    from mno_workflow.web.app import create_app

    logging.getLogger("mno.web").setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore", message=".*starlette.testclient.*")
    wf = new_engine(url)
    app = create_app(wf, secret_key=SECRET)
    rnd = random.Random(7)
    chosen = {}
    with wf.db.connect() as c:
        top = c.scalar(text("SELECT max(id) FROM cases"))
        for user, where in USERS:
            refs: list[str] = []
            while len(refs) < 25:
                q = f"SELECT reference FROM cases WHERE id >= :i AND {where} ORDER BY id LIMIT 1"
                r = c.execute(text(q), {"i": rnd.randint(1, top)}).scalar()
                if r:
                    refs.append(r)
            chosen[user] = refs
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        for user, refs in chosen.items():
            login(client, user)
            for r in refs[:3]:
                client.get(f"/dossiers/{r}")
            ms = []
            for r in refs[3:]:
                t0 = time.perf_counter()
                status = client.get(f"/dossiers/{r}").status_code
                ms.append((time.perf_counter() - t0) * 1e3)
                if status != 200:
                    raise RuntimeError(f"GET /dossiers/{r} as {user}: HTTP {status}")
            ms.sort()
            print(f"case page, {user}: p50 {statistics.median(ms):.1f} ms, "
                  f"p95 {ms[round(0.95 * (len(ms) - 1))]:.1f} ms ({len(ms)} cases)")
            client.cookies.clear()
    wf.db.dispose()


if __name__ == "__main__":
    main(sys.argv[1])
