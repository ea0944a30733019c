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

from ..web.conftest import SECRET, Live, free_port, seeded, stop_server


def start_on(url: str, uvicorn_kwargs: dict | None = None, **app_kwargs) -> Live:
    clock = SimulatedClock(datetime(2025, 6, 2, 10, 0, tzinfo=UTC))
    wf = seeded(url, clock, recipient_known=directory.organisation_known)  # a template copy on SQLite
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


@pytest.fixture
def live_any(db_url):
    """A live server, run once on SQLite and once on PostgreSQL."""
    srv = start_on(db_url)
    yield srv
    stop_server(srv)


@pytest.fixture
def live(tmp_path):
    """A live server on a SQLite file."""
    srv = start_on(f"sqlite:///{tmp_path / 'web.db'}")
    yield srv
    stop_server(srv)
