"""A throw-away PostgreSQL server for tests and benchmarks: initdb + pg_ctl in a temp folder.

The server listens on 127.0.0.1 only, on a free port, with its Unix socket in the same folder,
and trusts the local user ``mno``. PostgreSQL refuses to run as root, so as root every command
runs as the ``postgres`` system user (``runuser``) in a folder that user owns.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

USER = "mno"


def find_bindir() -> Path | None:
    """Folder holding ``initdb`` and ``pg_ctl``: ``$MNO_PG_BIN``, Debian's, or the PATH."""
    candidates = [os.environ.get("MNO_PG_BIN", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    which = shutil.which("initdb")
    if which:
        candidates.append(str(Path(which).parent))
    for c in candidates:
        if c and (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """Start with :meth:`start`, stop with :meth:`stop` (idempotent; also removes the folder)."""

    def __init__(self, bindir: Path, *, durable: bool = False):
        self.bindir = bindir
        self.durable = durable  # False: fsync off, for tests; True: default settings (benchmarks)
        self.dir = Path(tempfile.mkdtemp(prefix="mno-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.running = False
        self.templates: set[str] = set()  # template databases written by clone()
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)

    def start(self) -> PostgresServer:
        if self._as_postgres:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        r = self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", USER, "-E", "UTF8",
                      "--locale=C", "--no-sync")
        if r.returncode:
            raise RuntimeError(f"initdb failed:\n{r.stdout}\n{r.stderr}")
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not self.durable:
            opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        r = self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.dir / "log"), "-w",
                      "start")
        if r.returncode:
            log = (self.dir / "log").read_text() if (self.dir / "log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed:\n{r.stdout}\n{r.stderr}\n{log}")
        self.running = True
        return self

    def stop(self) -> None:
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            self.running = False
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=USER, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self, name: str | None = None) -> tuple[str, str]:
        """Create an empty database; returns (name, SQLAlchemy URL)."""
        name = name or f"t_{uuid.uuid4().hex[:16]}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\'')
        return name, self.url(name)

    def clone(self, template: str, build, name: str | None = None) -> tuple[str, str]:
        """A new database copied from the template database ``template`` (CREATE DATABASE …
        TEMPLATE: ~0.2 s, against seconds for the DDL of the whole schema), which is created and
        written by ``build(url)`` on first use (``build`` must close its connections); returns
        (name, SQLAlchemy URL)."""
        if template not in self.templates:
            self.create_database(template)
            build(self.url(template))
            self.templates.add(template)
        name = name or f"t_{uuid.uuid4().hex[:16]}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name, self.url(name)

    def drop_database(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def create_schema(self, database: str, name: str | None = None) -> tuple[str, str]:
        """Create an empty schema in ``database``; returns (name, URL whose search_path is it).

        Much faster than a database per test (CREATE DATABASE takes ~0.3 s), and as isolated for
        code that never names a schema: tables, sequences and ``alembic_version`` land in it."""
        import psycopg

        name = name or f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(host="127.0.0.1", port=self.port, user=USER, dbname=database,
                             autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{name}"')
        return name, f"{self.url(database)}?options=-csearch_path%3D{name}"

    def drop_schema(self, database: str, name: str) -> None:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=USER, dbname=database,
                             autocommit=True) as conn:
            # End the test's own leftover sessions first (engines a test forgot to dispose).
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = %s AND pid <> pg_backend_pid()", (database,))
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
