"""Shared fixtures: a real database per test (SQLite file and PostgreSQL server), the reference SOP,
a simulated clock.

``db_url`` runs each test that uses it twice: on a fresh SQLite file and on a fresh database of a
PostgreSQL server started once per session (``pg_server``). Without PostgreSQL binaries those
runs are skipped, unless ``$CI`` is set: then they fail. ``-m "not postgresql"`` runs SQLite only.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.protection import AgreementStatus
from mno_workflow.sop.loader import load_file
from mno_workflow.store.base import Base, make_engine

from .store.pgserver import PostgresServer, find_bindir

ROOT = Path(__file__).resolve().parent.parent
BF_SOP = ROOT / "sops" / "burkina_faso" / "mnr.yaml"
#: The shipped BF SOP's version (tests that derive variants or name the current version follow it).
BF_VERSION = re.search(r'^version: "([^"]+)"', BF_SOP.read_text(encoding="utf-8"), re.M).group(1)


@pytest.fixture(autouse=True)
def _source_language():
    """Each test starts in French, the source language: ``mno --lang en`` run in-process (CliRunner)
    sets the current language (:data:`mno_workflow.i18n.current`), which messages without an
    explicit language read (issue 18)."""
    from mno_workflow.i18n import SOURCE, current
    token = current.set(SOURCE)
    yield
    current.reset(token)


_LOGGERS = ("mno", "mno_workflow", "uvicorn", "uvicorn.access", "uvicorn.error")


@pytest.fixture(autouse=True)
def _logging_restored():
    """Each test leaves logging as it found it: ``mno serve``/``mno remind`` run in-process
    configure the service log (:func:`mno_workflow.logs.configure`: INFO to the stderr of that
    moment), which would otherwise write into a later test's captured CLI output (run 22). The
    root logger keeps pytest's own capture handlers: only the service's handler and level go."""
    import logging

    from mno_workflow.logs import StderrHandler
    saved = []
    for name in _LOGGERS:
        log = logging.getLogger(name)
        saved.append((log, log.level, list(log.handlers), log.propagate, log.disabled))
    root = logging.getLogger()
    root_level = root.level
    yield
    for log, level, handlers, propagate, disabled in saved:
        log.setLevel(level)
        log.handlers[:] = handlers
        log.propagate, log.disabled = propagate, disabled
    for h in [h for h in root.handlers if isinstance(h, StderrHandler)]:
        root.removeHandler(h)
    root.setLevel(root_level)


@pytest.fixture(scope="session", autouse=True)
def _audit_key_dir(tmp_path_factory):
    """Audit keys of non-file databases (PostgreSQL) go to a temporary data directory, not $HOME."""
    saved = os.environ.get("MNO_DATA_DIR")
    os.environ["MNO_DATA_DIR"] = str(tmp_path_factory.mktemp("mno-data"))
    yield
    if saved is None:
        os.environ.pop("MNO_DATA_DIR", None)
    else:
        os.environ["MNO_DATA_DIR"] = saved


@pytest.fixture(scope="session")
def bf_loaded():
    return load_file(BF_SOP)


def pytest_configure(config):
    config.addinivalue_line("markers", "postgresql: needs a PostgreSQL server (started by the tests)")
    config.addinivalue_line("markers", "migrated: the test's first act migrates ``db_url`` to the newest "
                                       "Alembic revision (see ``db_url``)")


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server for the whole session, stopped at the end even when tests fail."""
    bindir = find_bindir()
    if bindir is None:
        reason = ("PostgreSQL binaries not found (initdb, pg_ctl): install postgresql or set "
                  "$MNO_PG_BIN")
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {reason}", pytrace=False)
        pytest.skip(reason)
    pytest.importorskip("psycopg", reason="psycopg 3 is not installed (pip install 'psycopg[binary]')")
    server = PostgresServer(bindir)
    try:
        server.start()
        server.create_database(PG_TEST_DB)
        yield server
    finally:
        server.stop()


PG_TEST_DB = "mno_tests"


@pytest.fixture
def pg_url(pg_server):
    """An empty PostgreSQL schema for one test (the URL's search_path), dropped afterwards.

    A schema instead of a database per test: CREATE DATABASE costs ~0.3 s each."""
    name, url = pg_server.create_schema(PG_TEST_DB)
    yield url
    pg_server.drop_schema(PG_TEST_DB, name)


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


@pytest.fixture
def pg_clone(pg_server):
    """``clone(template, build) -> url``: a PostgreSQL database copied from the template database
    ``template`` that ``build(url)`` writes once per session (:meth:`PostgresServer.clone`);
    every database cloned for the test is dropped afterwards."""
    made = []

    def clone(template: str, build) -> str:
        name, url = pg_server.clone(template, build)
        made.append(name)
        return url

    yield clone
    for name in made:
        pg_server.drop_database(name)


def _create_tables(url: str) -> None:
    db = make_engine(url)
    Base.metadata.create_all(db)
    db.dispose()


#: Fixtures whose first act on ``db_url`` is ``Base.metadata.create_all`` (module:function): for
#: a test using one, ``db_url`` holds those tables already (see ``db_url``).
CREATE_ALL_FIRST = {
    "tests.conftest:wf",
    "tests.engine.test_time_rules:tw", "tests.reminders.test_auto_trigger_failure:tw",
    "tests.reminders.test_auto_trigger_refused_sharing:wf", "tests.engine.test_engine__spawn:wf",
    "tests.engine.test_engine__empty_for_each:doc_wf", "tests.engine.test_engine__empty_for_each:when_wf",
    "tests.engine.test_engine__migrate_new_steps:doc_wf", "tests.engine.test_engine__multiform:mwf",
    "tests.engine.test_engine__until:uwf", "tests.engine.test_engine__until_paths:uwf",
    "tests.engine.test_engine__notify:nwf", "tests.engine.test_engine__owner_by_field:owf",
    "tests.engine.test_engine__cel_types:dates_wf", "tests.engine.test_engine__service_levels:dwf",
    "tests.engine.test_engine__service_level_pause:pwf",
}


def _migrate(url: str) -> None:
    from mno_workflow.store import migrate

    migrate.upgrade(url)  # disposes its engines (a template database must have no connection left)


def _uses_shared_wf(request) -> bool:
    """Whether the test gets one of the fixtures of :data:`CREATE_ALL_FIRST` (the one in effect
    for that test, e.g. not a module's own ``wf``)."""
    for name in request.fixturenames:
        defs = request._fixturemanager.getfixturedefs(name, request.node) or ()
        if defs and f"{defs[-1].func.__module__}:{defs[-1].func.__name__}" in CREATE_ALL_FIRST:
            return True
    return False


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> str:
    """An empty database: a SQLite file, then (second run) a PostgreSQL database.

    For a test using the shared ``wf`` fixture, whose first act is ``create_all`` on it, the
    database already holds those (empty) tables: a copy of a file, or a clone of a template
    database, both written by ``create_all`` once per session (the DDL of the whole schema takes
    seconds on PostgreSQL). Likewise a test marked ``migrated`` (its first act is an Alembic
    upgrade to the newest revision, e.g. ``tests/cli/users.add_users``) gets a database that
    Alembic migrated once per session, so its own upgrade finds nothing to do; migrating an empty
    database stays tested by the store tests and by every unmarked test that creates its own."""
    if request.param == "sqlite":
        path = tmp_path / "mno.db"
        if request.node.get_closest_marker("migrated"):
            from .dbtemplate import seed_sqlite
            seed_sqlite(path, datetime.min, "migrated", _migrate)
        elif _uses_shared_wf(request):
            from .dbtemplate import seed_sqlite
            seed_sqlite(path, datetime.min, "tables", _create_tables)
        return f"sqlite:///{path}"
    if request.node.get_closest_marker("migrated"):
        return request.getfixturevalue("pg_clone")("tmpl_migrated", _migrate)
    if _uses_shared_wf(request):
        return request.getfixturevalue("pg_clone")("tmpl_tables", _create_tables)
    return request.getfixturevalue("pg_url")


# The engine tests address referrals to organisations (ong_a, cfp...) of no directory: each is
# an NGO with a data-sharing agreement in force (tests of the directory checks use the sample).
TEST_DIRECTORY = {
    "recipient_type": lambda session, org: "ngo",
    "recipient_agreement": lambda session, org, day: AgreementStatus(True, "agreement.in_force"),
}


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC))  # Monday 2 June 2025, 08:00 UTC


@pytest.fixture
def wf(db_url, clock, bf_loaded) -> WorkflowEngine:
    db = make_engine(db_url)
    Base.metadata.create_all(db)
    engine = WorkflowEngine(db, clock, **TEST_DIRECTORY)
    engine.load_sop(bf_loaded)
    yield engine
    db.dispose()


def snapshot(engine: WorkflowEngine) -> dict[str, list]:
    """Every row of every table, to assert that a refused action wrote nothing."""
    out = {}
    with engine.db.connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
            out[table] = sorted(tuple(map(str, r)) for r in rows)
    return out
