"""Seeded SQLite files for the live-server fixtures, built once per test session and copied.

Every live server of the web and security tests starts on the same content: the schema
(``create_all``), the Burkina Faso SOP registered at the clock's instant, the sample directory and
the demo users (one argon2 hash). Writing that costs ~2 s of CPU per server; :func:`seed_sqlite`
writes it once per clock instant into a template file with the very same code, then copies the
file (and its audit key) to the test's path, so each server starts from an identical database.
The template is built through ``build`` (the caller's own seeding function), never by a copy of
the code, and the test still registers the SOP in its own engine (in memory).
"""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable
from contextlib import closing
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

_dir: Path | None = None
_built: dict[tuple[str, datetime], Path] = {}
_lock = threading.Lock()


def sqlite_path(target: Path | str) -> Path | None:
    """The file of a SQLite ``target`` (a path, or a ``sqlite:///`` URL); None for other URLs."""
    if isinstance(target, Path):
        return target
    url = make_url(target)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def seed_sqlite(target: Path | str, instant: datetime, kind: str,
                build: Callable[[str], None]) -> bool:
    """Put at ``target`` a copy of the database ``build(url)`` writes at clock ``instant``.

    ``kind`` names the seeding (a template per kind and instant). Returns False, leaving
    ``target`` alone, when it is not a SQLite file or already exists (the caller seeds it)."""
    global _dir
    path = sqlite_path(target)
    if path is None or path.exists():
        return False
    with _lock:
        template = _built.get((kind, instant))
        if template is None:
            if _dir is None:
                _dir = Path(tempfile.mkdtemp(prefix="mno-seed-"))
                atexit.register(shutil.rmtree, _dir, ignore_errors=True)
            template = _dir / f"{kind}-{len(_built)}.db"
            build(f"sqlite:///{template}")  # disposes its engine
            with closing(sqlite3.connect(template)) as conn:  # everything in the main file
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                conn.execute("PRAGMA journal_mode=DELETE")  # as a new file: make_engine sets WAL
            _built[(kind, instant)] = template
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, path)
    key = Path(f"{template}.audit-key")
    if key.exists():
        shutil.copyfile(key, Path(f"{path}.audit-key"))
    return True
