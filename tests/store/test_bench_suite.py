"""The benchmark suite's parts work (no timing is asserted, ever): the same-rows floor of the
persisted-fire bench writes exactly the rows the engine writes, the suite prints one table with a
failed module shown as such, and the PostgreSQL server a bench starts is stopped even when the
bench is interrupted (SIGINT, SIGTERM)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.common import Row
from tests.store.pgserver import find_bindir

ROOT = Path(__file__).resolve().parents[2]


def test_floor_writes_the_rows_the_engine_writes(tmp_path):
    from bench import bench_fire
    wf, refs = bench_fire.prepare(f"sqlite:///{tmp_path / 'f.db'}", 3)
    initial, diffs = bench_fire.capture(wf, refs[0])
    assert len(diffs) == 4
    # Every kind of row of the bar is in the replayed transitions.
    assert any(d["deadlines"][0] for d in diffs) and any(d["deadlines"][1] for d in diffs)
    assert any(d["outbox"][0] for d in diffs)
    assert all(len(d["audit_events"][0]) == 1 for d in diffs)
    bench_fire.run_floor(wf, refs[1:], (initial, diffs))
    for ref in refs[1:]:
        bench_fire.check_floor(wf, ref, refs[0])  # raises when the counts differ
    with wf.db.connect() as c:
        from sqlalchemy import text
        states = [sorted(c.execute(text("SELECT s.step, s.key, s.state FROM step_instances s JOIN cases c "
                                        "ON c.id = s.case_id WHERE c.reference = :r"), {"r": r}).all())
                  for r in refs]
        versions = [c.execute(text("SELECT version FROM cases WHERE reference = :r"), {"r": r}).scalar()
                    for r in refs]
    assert states[1] == states[0] == states[2]
    assert versions == [5, 5, 5]


def test_check_floor_fails_when_rows_differ(tmp_path):
    from bench import bench_fire
    wf, refs = bench_fire.prepare(f"sqlite:///{tmp_path / 'f.db'}", 2)
    bench_fire.capture(wf, refs[0])
    with pytest.raises(AssertionError, match="floor wrote"):
        bench_fire.check_floor(wf, refs[1], refs[0])


def test_suite_table_shows_failed_module(capsys, monkeypatch):
    from bench import suite
    mod = type(sys)("bench_fake_ok")
    mod.run = lambda quick: [Row("thing (ms)", 6.0, "ms", 2.0, "floor", 3.0, "≤ 3×", True)]
    bad = type(sys)("bench_fake_bad")

    def boom(quick):
        raise RuntimeError("no database here")
    bad.run = boom
    monkeypatch.setitem(sys.modules, "bench_fake_ok", mod)
    monkeypatch.setitem(sys.modules, "bench_fake_bad", bad)
    assert suite.main(["--quick", "--only", "bench_fake_ok", "bench_fake_bad"]) == 0
    out = capsys.readouterr().out
    assert "| thing (ms)" in out and "3.00×" in out and "2.00 ms (floor)" in out
    assert "FAILED: no database here" in out


CHILD = """
import sys, time
from bench import common
with common.postgres() as url:
    print(common._servers[0].dir, common._servers[0].port, flush=True)
    time.sleep(120)
"""


@pytest.mark.skipif(find_bindir() is None, reason="PostgreSQL binaries not installed")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_postgres_of_a_bench_is_stopped_when_interrupted(sig):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=env, cwd=ROOT)
    try:
        line = p.stdout.readline()
        assert line, p.stderr.read()
        folder, port = line.split()
        assert Path(folder).exists()
        with socket.create_connection(("127.0.0.1", int(port)), timeout=5):
            pass  # the server is up
        p.send_signal(sig)
        p.wait(timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode != 0  # interrupted, not a normal end
    assert not Path(folder).exists()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # pg_ctl stop -m immediate -w has returned: port closed
        try:
            socket.create_connection(("127.0.0.1", int(port)), timeout=1).close()
        except OSError:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the PostgreSQL server still accepts connections")
