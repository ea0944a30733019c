""""New case" is one transaction (create + register) with an idempotency key, on the engine, the
API, the page and the CLI; on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import httpx
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from mno_workflow.cli import app as cli_app
from mno_workflow.engine.errors import FormInvalid
from mno_workflow.engine.opening import open_case
from mno_workflow.store.models import AuditEvent, Case, CaseRequest
from tests.cli.users import add_users

from ..engine.helpers import CW, IDENT
from ..web.conftest import PASSWORD


def _counts(wf):
    with wf.sessions() as s:
        return (s.scalar(select(func.count()).select_from(Case)),
                s.scalar(select(func.count()).select_from(AuditEvent)),
                s.scalar(select(func.count()).select_from(CaseRequest)))


class Crash(Exception):
    pass


def test_a_crash_between_create_and_register_leaves_nothing_and_the_retry_gets_one_case(wf):
    def crash(_case):
        raise Crash("killed between the two former steps")

    with pytest.raises(Crash):
        open_case(wf, "mnr_bf", CW, IDENT, idempotency_key="k-1", _between=crash)
    assert _counts(wf) == (0, 0, 0)  # no empty case, no audit event, the key is free
    first = open_case(wf, "mnr_bf", CW, IDENT, idempotency_key="k-1")
    assert first.version == 2 and not first.replayed
    again = open_case(wf, "mnr_bf", CW, IDENT, idempotency_key="k-1")
    assert again.reference == first.reference and again.replayed
    assert _counts(wf) == (1, 2, 1)
    with wf.sessions() as s:
        case = s.scalar(select(Case))
        assert case.display_name and case.version == 2
    # The key is per user: another user's same key opens another case.
    other = open_case(wf, "mnr_bf", CW.__class__("awa.ouedraogo", "caseworker"), IDENT, idempotency_key="k-1")
    assert other.reference != first.reference


def test_an_invalid_form_writes_nothing_and_frees_the_key(wf):
    with pytest.raises(FormInvalid):
        open_case(wf, "mnr_bf", CW, {**IDENT, "last_name": ""}, idempotency_key="k-2")
    assert _counts(wf) == (0, 0, 0)
    assert open_case(wf, "mnr_bf", CW, IDENT, idempotency_key="k-2").version == 2


def test_parallel_requests_with_one_key_create_one_case(wf):
    refs, errors = [], []
    barrier = threading.Barrier(4)

    def go():
        barrier.wait()
        try:
            refs.append(open_case(wf, "mnr_bf", CW, IDENT, idempotency_key="same").reference)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(refs)) == 1 and len(refs) == 4
    assert _counts(wf)[0] == 1


def test_api_idempotency_key(live_any):
    tok = httpx.post(f"{live_any.url}/api/v1/auth/token",
                     json={"username": "mariam.kabore", "password": PASSWORD}).json()["token"]
    h = {"Authorization": f"Bearer {tok}", "Idempotency-Key": "req-42"}
    r1 = httpx.post(f"{live_any.url}/api/v1/cases", headers=h, json={"identification": IDENT})
    r2 = httpx.post(f"{live_any.url}/api/v1/cases", headers=h, json={"identification": IDENT})
    assert r1.status_code == r2.status_code == 201
    assert r1.json()["reference"] == r2.json()["reference"]
    assert (r1.json()["replayed"], r2.json()["replayed"]) == (False, True)
    bad = httpx.post(f"{live_any.url}/api/v1/cases", headers={**h, "Idempotency-Key": "req-43"},
                     json={"identification": {**IDENT, "sex": "?"}})
    assert bad.status_code == 422
    assert _counts(live_any.wf)[0] == 1
    long = httpx.post(f"{live_any.url}/api/v1/cases", headers={**h, "Idempotency-Key": "x" * 101},
                      json={"identification": IDENT})
    assert long.status_code == 422 and long.json()["code"] == "idempotency_key_invalid"


def test_cli_create_registers_in_the_same_transaction_with_a_key(tmp_path, bf_loaded):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    run = CliRunner().invoke
    assert run(cli_app, ["--db", url, "sop", "load", "sops/burkina_faso/mnr.yaml"]).exit_code == 0
    add_users(url)  # --as must name an existing account (the CLI checks it)
    args = ["--db", url, "case", "create", "--as", "mariam.kabore:caseworker", "--idempotency-key", "cli-1"]
    args += [x for k, v in IDENT.items() for x in ("--data", f"{k}={v}")]
    r1, r2 = run(cli_app, args), run(cli_app, args)
    assert r1.exit_code == 0 and r2.exit_code == 0, r1.output + r2.output
    assert r1.output == r2.output
    show = run(cli_app, ["--db", url, "case", "show", r1.output.strip(), "--format", "json"])
    assert '"version": 2' in show.output
    bad = run(cli_app, args[:-2] + ["--data", "last_name="] + ["--idempotency-key", "cli-2"])
    assert bad.exit_code != 0
    assert run(cli_app, ["--db", url, "case", "list"]).output.count("MNR-BF-") == 1


KILL_SCRIPT = """
import os, sys
from mno_workflow.engine.engine import Actor, WorkflowEngine
from mno_workflow.engine.opening import open_case
from mno_workflow.store.base import make_engine
wf = WorkflowEngine(make_engine(sys.argv[1]))
ident = {"first_name": "Aminata", "last_name": "Sawadogo", "sex": "female", "birth_date": "2001-03-14",
         "return_date": "2025-05-29", "region": "kadiogo"}
open_case(wf, "mnr_bf", Actor("mariam.kabore", "caseworker"), ident, idempotency_key="killed",
          _between=lambda case: os._exit(9))  # the process dies between create and register
"""


def test_a_process_killed_between_create_and_register_leaves_no_case(wf, db_url):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-c", KILL_SCRIPT, db_url], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 9, r.stderr
    assert _counts(wf) == (0, 0, 0)
    opened = open_case(wf, "mnr_bf", CW, IDENT, idempotency_key="killed")
    assert not opened.replayed and opened.version == 2
    assert open_case(wf, "mnr_bf", CW, IDENT, idempotency_key="killed").reference == opened.reference
    assert _counts(wf)[0] == 1
