"""Logging (issue 17): one dictConfig, UTC timestamps, levels, the request id (also sent back as
``X-Request-ID``) and the user id — never a name — on every line; JSON lines on demand; every
transition and login failure logged."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from mno_workflow.engine.engine import Actor


def test_request_id_user_id_transition_and_login_failure(live, captured):
    c = live.client()
    r = c.get("/login", headers={"X-Request-ID": "client-req-42"})
    assert r.headers["x-request-id"] == "client-req-42"
    r = c.post("/login", data={"username": "mariam.kabore", "password": "wrong-password!",
                               "csrftoken": c.cookies.get("csrftoken")},
               headers={"X-Request-ID": "bad login"})
    assert r.status_code == 401
    rid = r.headers["x-request-id"]
    assert rid != "bad login" and len(rid) == 16  # a malformed id is replaced
    r = c.post("/login", data={"username": "Aminata Sawadogo +22670", "password": "x" * 12,
                               "csrftoken": c.cookies.get("csrftoken")})
    failures = [e for e in captured() if e.get("event") == "login_failed"]
    assert [f["request_id"] for f in failures][:1] == [rid]
    assert failures[0]["level"] == "WARNING" and failures[0]["user_id"] == "mariam.kabore"
    assert failures[1]["user_id"] == "-"  # an unknown name typed is not logged
    assert "Aminata" not in json.dumps(captured())

    cw = Actor("mariam.kabore", "caseworker")
    ref = live.wf.create_case("mnr_bf", cw)
    live.wf.fire(ref, "register", cw, {"first_name": "Zoé", "last_name": "Kaboré", "sex": "female",
                                       "estimated_age": 30, "return_date": "2025-05-30",
                                       "region": "kadiogo"})
    transitions = [e for e in captured() if e.get("event") == "transition"]
    assert transitions and transitions[-1]["case"] == ref and transitions[-1]["to_state"]
    assert transitions[-1]["time"].endswith("Z")
    assert "Zoé" not in json.dumps(captured()) and "Kaboré" not in json.dumps(captured())


def test_cli_json_lines(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MNO_")} | {"MNO_LOG_LEVEL": "INFO"}
    r = subprocess.run([sys.executable, "-m", "mno_workflow", "demo", "--log-format", "json",
                        "--db", str(tmp_path / "d.db")],
                       capture_output=True, text=True, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    records = [json.loads(line) for line in r.stderr.splitlines()]
    assert records and all({"time", "level", "logger", "message", "request_id", "user_id"} <= set(x)
                           for x in records)
    assert sum(x.get("event") == "transition" for x in records) >= 20
    r = subprocess.run([sys.executable, "-m", "mno_workflow", "--db", str(tmp_path / "d.db"), "case", "list"],
                       capture_output=True, text=True, env={**env, "MNO_LOG_LEVEL": "INFO"}, cwd=tmp_path)
    assert r.returncode == 0 and r.stderr == ""  # no transition: nothing logged
