"""Fixtures of the web tests: a real uvicorn server on 127.0.0.1 (free port, temp SQLite file) in
a thread, with the Burkina Faso SOP, the sample directory and the demo users; HTTP clients that
log in like a browser (CSRF cookie + hidden field); one Chromium (Playwright) for the session."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import uvicorn

from mno_workflow import directory
from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.store.base import Base, make_engine
from mno_workflow.web.app import create_app
from mno_workflow.web.demo_data import DEMO_PASSWORD, create_users

from ..conftest import BACKENDS

ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-secret-key-0123456789abcdef"
PASSWORD = DEMO_PASSWORD
CHROMIUM = "/usr/bin/chromium"  # Debian's Chromium, driven by Playwright
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=fr-FR",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Live:
    url: str
    wf: WorkflowEngine
    clock: SimulatedClock
    server: uvicorn.Server
    thread: threading.Thread

    def client(self, user: str | None = None, password: str = PASSWORD) -> httpx.Client:
        c = httpx.Client(base_url=self.url, follow_redirects=False, timeout=60)
        if user:
            login(c, user, password)
        return c


def login(c: httpx.Client, user: str, password: str = PASSWORD) -> httpx.Response:
    c.get("/login")
    r = c.post(
        "/login", data={"username": user, "password": password, "csrftoken": c.cookies.get("csrftoken")}
    )
    return r


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrftoken" value="([^"]+)"', html)
    assert m, "no CSRF field in the page"
    return m.group(1)


def seed(url: str, clock: SimulatedClock, **engine_kwargs) -> WorkflowEngine:
    """The engine on ``url`` with what every live server starts with: the schema, the Burkina Faso
    SOP, the sample directory and the demo users."""
    from mno_workflow.sop.loader import load_file

    db = make_engine(url)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, clock, **engine_kwargs)
    wf.load_sop(load_file(ROOT / "sops" / "burkina_faso" / "mnr.yaml"))
    with wf.sessions.begin() as s:
        directory.load_sample(s)
        create_users(s)
    return wf


def seed_template(instant: datetime):
    """``build(url)`` for :meth:`PostgresServer.clone`: :func:`seed` at ``instant``, then closed."""
    return lambda url: seed(url, SimulatedClock(instant)).db.dispose()


def seeded(target: Path | str, clock: SimulatedClock, *, ready: bool = False,
           **engine_kwargs) -> WorkflowEngine:
    """:func:`seed` on ``target`` (a SQLite file or a database URL). A new SQLite file is a copy
    of a template :func:`seed` wrote once at the same instant (tests/dbtemplate.py); the SOP is
    then registered in this engine as on any restart (the stored version, found by its digest).
    ``ready``: ``target`` is such a copy already (a PostgreSQL clone of a :func:`seed_template`
    database written at ``clock.now()``)."""
    from mno_workflow.sop.loader import load_file

    from ..dbtemplate import seed_sqlite

    url = target if isinstance(target, str) else f"sqlite:///{target}"
    instant = clock.now()
    if not ready and not seed_sqlite(target, instant, "live", seed_template(instant)):
        return seed(url, clock, **engine_kwargs)
    wf = WorkflowEngine(make_engine(url), clock, **engine_kwargs)
    wf.load_sop(load_file(ROOT / "sops" / "burkina_faso" / "mnr.yaml"))
    return wf


def start_server(db_path: Path | str, clock: SimulatedClock, *, ready: bool = False) -> Live:
    """A server on a SQLite file ``db_path``, or on the database URL ``db_path`` (a str);
    ``ready``: see :func:`seeded`."""
    wf = seeded(db_path, clock, ready=ready)
    app = create_app(wf, secret_key=SECRET)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(600):  # wait for the server to listen (not a timed assertion)
        if server.started:
            break
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    else:
        raise RuntimeError("uvicorn did not start within 30 s")
    return Live(f"http://127.0.0.1:{port}", wf, clock, server, thread)


def stop_server(live: Live) -> None:
    live.server.should_exit = True
    live.thread.join(timeout=30)
    live.wf.db.dispose()


@pytest.fixture
def live(tmp_path):
    clock = SimulatedClock(datetime(2025, 6, 2, 10, 0, tzinfo=UTC))  # Monday 2 June 2025
    srv = start_server(tmp_path / "web.db", clock)
    yield srv
    stop_server(srv)


@pytest.fixture(autouse=True)
def _accounts_in_french(request):
    """A test on a server shared by its module starts with every account in French: the language
    a user chooses on the web is kept on the account across sign-ins (tryout 5, H2), so an
    earlier test's « English » would otherwise carry over."""
    if "live_module" in request.fixturenames:
        from sqlalchemy import update

        from mno_workflow.store.models import User
        live = request.getfixturevalue("live_module")
        with live.wf.sessions.begin() as s:
            s.execute(update(User).values(language="fr"))
    yield


@pytest.fixture(scope="module")
def live_module(tmp_path_factory):
    clock = SimulatedClock(datetime(2025, 6, 2, 10, 0, tzinfo=UTC))
    srv = start_server(tmp_path_factory.mktemp("web") / "web.db", clock)
    yield srv
    stop_server(srv)


@pytest.fixture(params=BACKENDS)
def live_any(request, tmp_path):
    """``live`` on a SQLite file, then (second run) on a PostgreSQL schema of the tests' server;
    a test module runs on both by defining ``live`` as this fixture."""
    clock = SimulatedClock(datetime(2025, 6, 2, 10, 0, tzinfo=UTC))
    if request.param == "sqlite":
        srv = start_server(tmp_path / "web.db", clock)
    else:  # a clone of a seeded template database (the seeding's DDL takes seconds per test)
        url = request.getfixturevalue("pg_clone")("tmpl_live", seed_template(clock.now()))
        srv = start_server(url, clock, ready=True)
    yield srv
    stop_server(srv)


@contextmanager
def _driving(loop: asyncio.AbstractEventLoop):
    """Mark Playwright's event ``loop`` as the main thread's running loop while a test drives
    Chromium, and unmark it afterwards.

    Playwright's sync API runs its loop in a greenlet and, after every call, marks that loop as
    the thread's running loop; left marked between tests, any later ``asyncio.run`` (or
    ``asyncio.new_event_loop().run_until_complete``) in the test process would fail with "cannot
    be called from a running event loop". Its next call needs the mark back: ``browser`` sets it."""
    asyncio._set_running_loop(loop)
    try:
        yield
    finally:
        asyncio._set_running_loop(None)


@pytest.fixture(scope="session")
def chromium():
    """One Chromium process for the whole test session (skipped without Playwright or Chromium).

    Tests drive it through ``browser``; between them the main thread has no running event loop
    (see :func:`_driving`), so ``asyncio.run`` works in any test, except while a page is driven."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium not installed")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        loop = asyncio._get_running_loop()
        assert loop is not None, "Playwright's sync API no longer marks its loop as running"
        b.playwright_loop = loop  # for ``browser``
        asyncio._set_running_loop(None)
        try:
            yield b
        finally:
            asyncio._set_running_loop(loop)  # close() and sync_playwright's exit run the loop again
            b.close()


@pytest.fixture
def browser(chromium):
    """The session's Chromium for one test: the browser contexts (cookies, pages) the test opens
    are closed after it, so tests stay as isolated as with a browser of their own."""
    with _driving(chromium.playwright_loop):
        before = set(chromium.contexts)
        yield chromium
        for ctx in chromium.contexts:
            if ctx not in before:
                ctx.close()


@contextmanager
def capturing(level: str = "INFO"):
    """Log records of the ``mno`` loggers at ``level`` and above, as JSON objects, through the
    application's configuration: yields a function returning the records so far."""
    import json
    import logging

    from mno_workflow import logs

    logs.configure("json", level)
    lines: list[str] = []
    handler = logging.StreamHandler()
    handler.emit = lambda record: lines.append(handler.format(record))  # type: ignore[method-assign]
    handler.setFormatter(logs.JSONFormatter())
    handler.addFilter(logs.ContextFilter())
    for name in ("mno", "mno_workflow"):
        logging.getLogger(name).addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in lines]
    finally:
        for name in ("mno", "mno_workflow"):
            logging.getLogger(name).removeHandler(handler)
        logs.configure("text", "WARNING")


@pytest.fixture
def captured():
    """Log records of the ``mno`` loggers as JSON objects, through the application's configuration."""
    with capturing("INFO") as records:
        yield records
