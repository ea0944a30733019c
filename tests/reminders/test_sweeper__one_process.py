"""Several server processes on one PostgreSQL: exactly one runs the sweeper at a time (advisory
lock, tested with real processes); ``--workers`` > 1 is refused on SQLite with the reason."""

from __future__ import annotations

import multiprocessing as mp
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from mno_workflow.reminders.leader import exclusive
from mno_workflow.reminders.scheduler import run_once
from mno_workflow.store.base import make_engine
from mno_workflow.store.models import Deadline

from ..engine.helpers import to_referrals


def _hold(url: str, got, release) -> None:
    """In another process: take the sweeper lock, say whether it was had, hold it until told."""
    db = make_engine(url)
    try:
        with exclusive(db) as mine:
            got.put(mine)
            release.wait(30)
    finally:
        db.dispose()


def _try(url: str, got) -> None:
    db = make_engine(url)
    try:
        with exclusive(db) as mine:
            got.put(mine)
    finally:
        db.dispose()


@pytest.mark.postgresql
def test_one_process_holds_the_sweeper_lock_at_a_time(pg_url):
    ctx = mp.get_context("spawn")
    got, release = ctx.Queue(), ctx.Event()
    holder = ctx.Process(target=_hold, args=(pg_url, got, release))
    holder.start()
    try:
        assert got.get(timeout=60) is True
        other = ctx.Process(target=_try, args=(pg_url, got))
        other.start()
        other.join(60)
        assert got.get(timeout=5) is False  # a second process does not get it
    finally:
        release.set()
        holder.join(60)
    again = ctx.Process(target=_try, args=(pg_url, got))
    again.start()
    again.join(60)
    assert got.get(timeout=5) is True  # released with its holder


@pytest.mark.postgresql
def test_a_process_skips_the_sweep_while_another_holds_the_lock(pg_url, clock, bf_loaded):
    from mno_workflow.engine.engine import WorkflowEngine
    from mno_workflow.store.base import Base

    from ..conftest import TEST_DIRECTORY

    db = make_engine(pg_url)
    Base.metadata.create_all(db)
    wf = WorkflowEngine(db, clock, **TEST_DIRECTORY)
    wf.load_sop(bf_loaded)
    try:
        to_referrals(wf)
        clock.advance(timedelta(days=30))

        def pending() -> int:
            with wf.sessions() as s:
                return s.scalar(select(func.count()).select_from(Deadline).where(
                    Deadline.status == "pending", Deadline.fire_at <= clock.now()))

        due = pending()
        assert due > 0
        ctx = mp.get_context("spawn")
        got, release = ctx.Queue(), ctx.Event()
        holder = ctx.Process(target=_hold, args=(pg_url, got, release))
        holder.start()
        try:
            assert got.get(timeout=60) is True
            report = run_once(wf, deliver_outbox=False)
            assert report.claimed == 0 and pending() == due  # nothing done: the other one sweeps
        finally:
            release.set()
            holder.join(60)
        report = run_once(wf, deliver_outbox=False)
        assert report.claimed == due and pending() == 0
    finally:
        db.dispose()


def test_sqlite_always_holds_the_lock(tmp_path):
    db = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with exclusive(db) as mine, exclusive(db) as again:
            assert mine and again
    finally:
        db.dispose()


def test_serve_workers_refused_on_sqlite(tmp_path):
    from mno_workflow.cli import app

    r = CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path / 'mno.db'}", "serve", "--workers", "2"])
    assert r.exit_code == 1
    assert "--workers > 1 demande PostgreSQL" in r.stderr and "needs PostgreSQL" not in r.stderr
    assert not (tmp_path / "mno.db").exists()  # refused before anything was created
    r = CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path / 'mno.db'}", "--lang", "en", "serve",
                                 "--workers", "2"])
    assert r.exit_code == 1 and "--workers > 1 needs PostgreSQL" in r.stderr and "demande" not in r.stderr


@pytest.mark.postgresql
def test_serve_with_two_workers_answers_on_postgresql(pg_url, tmp_path):
    """``mno serve --workers 2`` on PostgreSQL: two uvicorn workers answer the login page."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import httpx

    from ..web.conftest import free_port

    port = free_port()
    env = {**os.environ, "MNO_DATA_DIR": str(tmp_path), "MNO_SECRET_KEY": "k" * 40}
    proc = subprocess.Popen([sys.executable, "-m", "mno_workflow", "--db", pg_url, "serve", "--workers", "2",
                             "--port", str(port), "--sweeper-interval", "0"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/login", timeout=5)
                break
            except httpx.HTTPError as e:
                if time.monotonic() > deadline or proc.poll() is not None:
                    said = proc.stdout.read().decode() if proc.poll() is not None else "no answer"
                    raise AssertionError(said) from e
                time.sleep(0.5)
        assert r.status_code == 200
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    text = out.decode()
    assert "2 processus (workers)" in text
    assert text.count("Started server process") >= 2, text
