"""A live server (uvicorn on 127.0.0.1, in a thread) on a SQLite file or on the PostgreSQL server
of the tests, with the Burkina Faso SOP, the sample directory and the demo users."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
import uvicorn

from mno_workflow import directory
from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.web.app import create_app

from ..conftest import BACKENDS
from ..web.conftest import SECRET, Live, free_port, seed_template, seeded, stop_server

CLOCK_START = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)


def start_on(url: str, uvicorn_kwargs: dict | None = None, *, ready: bool = False, **app_kwargs) -> Live:
    """``ready``: ``url`` is a clone of ``seed_template(CLOCK_START)`` (see web/conftest.py)."""
    clock = SimulatedClock(CLOCK_START)
    wf = seeded(url, clock, ready=ready, recipient_known=directory.organisation_known)
    app = create_app(wf, secret_key=SECRET, **app_kwargs)
    port = free_port()
    from mno_workflow.web.server import uvicorn_config

    server = uvicorn.Server(uvicorn_config(app, "127.0.0.1", port, log_level="warning",
                                           **(uvicorn_kwargs or {})))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(600):  # wait for the server to listen (not a timed assertion)
        if server.started:
            break
        time.sleep(0.05)
    else:
        raise RuntimeError("uvicorn did not start")
    return Live(f"http://127.0.0.1:{port}", wf, clock, server, thread)


@pytest.fixture(params=BACKENDS)
def live_any(request, tmp_path):
    """A live server, run once on SQLite and once on PostgreSQL (a clone of a seeded template)."""
    if request.param == "sqlite":
        srv = start_on(f"sqlite:///{tmp_path / 'mno.db'}")
    else:
        srv = start_on(request.getfixturevalue("pg_clone")("tmpl_live", seed_template(CLOCK_START)),
                       ready=True)
    yield srv
    stop_server(srv)


@pytest.fixture
def live(tmp_path):
    """A live server on a SQLite file."""
    srv = start_on(f"sqlite:///{tmp_path / 'web.db'}")
    yield srv
    stop_server(srv)
