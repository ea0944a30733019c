"""PostgreSQL session settings for MNO's queries (issue 15, measured at 1,000,000 cases on the
file of ``bench/bench_worklists.py --pg``): every connection of :func:`~.base.make_engine` gets
:data:`PG_OPTIONS`; settings in the database URL's own ``?options=…`` come after them, so they win
(docs/deployment.md).

MNO's lists are short joins read in index order and stopped at a ``LIMIT``, whose row counts the
planner cannot estimate well: a deadline's case has the same assignee or region as the deadline's
own copy of it (two conditions it multiplies, a hundredfold underestimate), and deadlines tie on
their instant (the end of a day).

- ``jit=off``: those joins were rated far above ``jit_above_cost``, so each was compiled: ~100 ms
  of a caseworker's 140 ms « Mon travail ».
- ``random_page_cost=1.1`` (PostgreSQL's documented value for SSDs and cached data; default 4,
  for spinning disks): at 4, a caseworker's overdue deadlines after the 25th were all read
  (13,710) and sorted (46 ms) instead of the index read in order and stopped (0.5 ms); the
  « referrals sent » filter counted 200,001 index entries for a limit of 2,001 (26 ms).
  A case search is the exception (:func:`trigram_search`): the trigram index's guess of how many
  cases two words match is far too low when they come together (the benchmark's « ndiaye lefevre »:
  1,413 guessed, 13,328 in the region), and at 1.1 the newest 50 were then read from all of them
  (130 ms) instead of walking the region's cases newest first (2 ms); at 4 it walks when matches
  are many and reads the index when they are few.
- ``plan_cache_mode=force_custom_plan``: psycopg prepares a statement run five times on one
  connection, after which PostgreSQL may keep one generic plan for every value of its parameters
  (a search's pattern, a user's id, a region); planning each time costs a fraction of a
  millisecond.
"""

from __future__ import annotations

from typing import Any

PG_OPTIONS = "-c jit=off -c random_page_cost=1.1 -c plan_cache_mode=force_custom_plan"


def pg_options(url: Any) -> str:
    """The ``options`` of a connection to the PostgreSQL database at ``url`` (a SQLAlchemy
    ``URL``): :data:`PG_OPTIONS`, then the URL's own ``options`` (``-c name=value`` each; a
    setting given twice takes its last value, so the URL's win)."""
    own = url.query.get("options")
    if isinstance(own, tuple):  # the parameter written twice in the URL
        own = " ".join(own)
    return f"{PG_OPTIONS} {own}" if own else PG_OPTIONS


def trigram_search(session: Any) -> None:
    """PostgreSQL: ``SET LOCAL random_page_cost = 4`` (PostgreSQL's default) for the rest of
    ``session``'s transaction, a read of a case list with a search (see the module doc). No-op
    on SQLite (its search is the FTS5 index, store/search.py)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql("SET LOCAL random_page_cost = 4")
