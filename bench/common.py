"""Shared parts of the benchmark suite: the result row every bench module returns, medians, and a
throw-away PostgreSQL server that is always stopped (normal end, exception, Ctrl-C, SIGTERM, exit).

Every bench module listed in :data:`bench.suite.MODULES` exposes ``run(quick: bool) -> list[Row]``;
``python -m bench.suite`` (``make bench``) prints all rows as one table.
"""

from __future__ import annotations

import atexit
import contextlib
import signal
import statistics
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Row:
    """One line of the table: ``figure`` measured against ``baseline`` of the same run.

    ``ratio`` = figure / baseline for times (lower is better), None when there is no baseline;
    ``unit`` is the unit of figure and baseline (``ms``, ``/s``, ``MiB``…); ``bar`` the target
    (text, e.g. ``≤ 3×``); ``ok`` whether the bar is met (None: not judged)."""

    what: str
    figure: float | None
    unit: str
    baseline: float | None = None
    baseline_what: str = ""
    ratio: float | None = None
    bar: str = ""
    ok: bool | None = None
    note: str = ""
    text: str = ""  # a figure already written out (older benches report text), shown as is


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def percentile(xs: list[float], p: float) -> float:
    """The ``p``-th percentile (0–100) of ``xs``, nearest rank."""
    s = sorted(xs)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, round(p / 100 * len(s) + 0.5) - 1))
    return s[k]


_servers: list = []


def _stop_all() -> None:
    while _servers:
        server = _servers.pop()
        with contextlib.suppress(Exception):
            server.stop()


def _on_signal(signum: int, _frame: object) -> None:
    _stop_all()
    # Re-raise as the usual exceptions so finally blocks and the exit status stay normal.
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def postgres(database: str = "bench") -> Iterator[str | None]:
    """Start a throw-away PostgreSQL server (``tests/store/pgserver.py``, default durability
    settings) and yield the SQLAlchemy URL of an empty database ``database``; None when no
    PostgreSQL binaries or psycopg are installed. The server is stopped and its folder removed on
    leaving the block, on SIGINT/SIGTERM/SIGALRM (a timeout) and at interpreter exit."""
    try:
        import psycopg  # noqa: F401

        from tests.store.pgserver import PostgresServer, find_bindir
    except ImportError:
        yield None
        return
    bindir = find_bindir()
    if bindir is None:
        yield None
        return
    atexit.register(_stop_all)
    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM, signal.SIGHUP):
        with contextlib.suppress(ValueError):  # not the main thread: atexit still stops it
            previous[sig] = signal.signal(sig, _on_signal)
    server = PostgresServer(bindir, durable=True)
    _servers.append(server)
    try:
        server.start()
        server.create_database(database)
        yield server.url(database)
    finally:
        _stop_all()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
