"""``mno export dhis2`` and ``mno export tables`` (issue 20): the mapping validated with
file:line:col, dataValueSets JSON and ADX XML shapes, suppressed cells never sent, and ``--post``
(basic auth, ``dryRun=true``) against a fake DHIS2 server on loopback that checks the payload and
answers an import summary. Every export is in the export log."""

from __future__ import annotations

import base64
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse
from xml.etree import ElementTree as ET

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

import mno_workflow.directory.tables  # noqa: F401  (dir_* tables in the test database)
from mno_workflow.cli import app
from mno_workflow.i18n import ngettext
from mno_workflow.web.models import ExportLog

from ..engine.helpers import CW, referral, to_referrals
from .conftest import EXAMPLE

UID = re.compile(r"^[A-Za-z][A-Za-z0-9]{10}$")
runner = CliRunner()


def mno(db_url, *args, env=None):
    r = runner.invoke(app, ["--db", db_url, *args], env=env)
    assert "Traceback" not in r.output
    return r


def _cases(wf, n=6):
    for _ in range(n):
        ref = to_referrals(wf)
        wf.fire(ref, "send", CW, referral("org-a"), instance="referral:vocational_training")


class FakeDHIS2(BaseHTTPRequestHandler):
    """POST /api/dataValueSets: checks basic auth and the payload's shape, records the query."""

    seen: list = []

    def do_POST(self):  # noqa: N802
        q = urlparse(self.path)
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        auth = self.headers.get("authorization", "")
        ok_auth = auth == "Basic " + base64.b64encode(b"admin:district").decode()
        problems = []
        if q.path != "/api/dataValueSets":
            problems.append("path")
        for v in body.get("dataValues", []):
            if set(v) != {"dataElement", "period", "orgUnit", "categoryOptionCombo", "value"}:
                problems.append(f"keys {sorted(v)}")
            if not all(UID.match(v[k]) for k in ("dataElement", "orgUnit", "categoryOptionCombo")):
                problems.append("uid")
            if not re.fullmatch(r"\d{4}(Q[1-4]|\d{2})?", v["period"]) or not re.fullmatch(
                r"-?\d+(\.\d+)?", v["value"]
            ):
                problems.append("period/value")
        FakeDHIS2.seen.append((parse_qs(q.query), body, ok_auth, problems))
        status = 401 if not ok_auth else 409 if problems else 200
        summary = {
            "responseType": "ImportSummary",
            "status": "SUCCESS" if status == 200 else "ERROR",
            "importCount": {
                "imported": 0 if status != 200 else len(body["dataValues"]),
                "updated": 0,
                "ignored": 0,
                "deleted": 0,
            },
            "conflicts": problems,
        }
        data = json.dumps(summary).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def dhis2_server():
    FakeDHIS2.seen = []
    srv = ThreadingHTTPServer(("127.0.0.1", 0), FakeDHIS2)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_dhis2_json_adx_and_post(wf, db_url, tmp_path, dhis2_server, dhis2_export):
    _cases(wf)
    out = tmp_path / "values.json"
    r = dhis2_export(out=out)
    assert r.exit_code == 0, r.output
    body = json.loads(out.read_text())
    assert body["dataSet"] == "PLACEHOLDS1"
    vals = body["dataValues"]
    kadiogo = {v["dataElement"]: v for v in vals if v["orgUnit"] == "PLACEHOLR04" and v["period"] == "2025Q2"}
    assert kadiogo["PLACEHOLE02"]["value"] == "6"  # REFERRALS_MADE in Kadiogo
    assert all(UID.match(v[k]) for v in vals for k in ("dataElement", "orgUnit", "categoryOptionCombo"))
    sexes = {
        v["categoryOptionCombo"]: v["value"]
        for v in vals
        if v["dataElement"] == "PLACEHOLE01" and v["orgUnit"] == "PLACEHOLR04"
    }
    assert sexes == {"PLACEHOLC01": "6"}  # 6 women; no man: no value
    adx = tmp_path / "values.xml"
    r = dhis2_export(fmt="adx", out=adx)
    assert r.exit_code == 0, r.output
    root = ET.parse(adx).getroot()
    ns = "{urn:ihe:qrph:adx:2015}"
    assert root.tag == f"{ns}adx" and root.get("exported")
    groups = root.findall(f"{ns}group")
    assert groups and all(g.get("period") == "2025-04-01/P3M" and UID.match(g.get("orgUnit")) for g in groups)
    n_adx = sum(len(g.findall(f"{ns}dataValue")) for g in groups)
    assert n_adx == len(vals)
    # --post with dry run, basic auth from the environment
    env = {"MNO_DHIS2_PASSWORD": "district"}
    r = dhis2_export("--post", dhis2_server, "--user", "admin", "--dry-run", env=env)
    assert r.exit_code == 0, r.output
    assert "Réponse de DHIS2 (essai, dryRun) : SUCCESS" in r.stdout, r.stdout
    assert ngettext("{n} importée", "{n} importées", len(vals), "fr") in r.stdout, r.stdout
    query, sent, ok_auth, problems = FakeDHIS2.seen[-1]
    assert query["dryRun"] == ["true"] and ok_auth and problems == [] and sent == body
    r = dhis2_export("--post", dhis2_server, "--user", "admin", env={"MNO_DHIS2_PASSWORD": "wrong"})
    assert r.exit_code == 1 and "401" in r.output
    assert FakeDHIS2.seen[-1][0]["dryRun"] == ["false"]
    with wf.sessions() as s:
        logged = [(e.what, e.role) for e in s.scalars(select(ExportLog).order_by(ExportLog.id))]
    assert logged == [
        ("dhis2.json", "cli"),
        ("dhis2.adx", "cli"),
        ("dhis2.json", "cli"),
        ("dhis2.json", "cli"),
    ]


def test_suppressed_cells_are_not_sent(wf, tmp_path, dhis2_export):
    _cases(wf, 2)
    out = tmp_path / "v.json"
    r = dhis2_export(period="2025-06", out=out)
    assert r.exit_code == 0, r.output
    vals = json.loads(out.read_text())["dataValues"]
    assert all(
        v["value"] == "0" or int(float(v["value"])) >= 5 for v in vals if v["dataElement"] != "PLACEHOLE06"
    )
    assert not any(v["orgUnit"] == "PLACEHOLR04" and v["dataElement"] == "PLACEHOLE02" for v in vals)
    assert "cellule masquée" in r.output and "REFERRALS_MADE kadiogo" in r.output


def test_mapping_errors_have_positions(wf, tmp_path, dhis2_export):
    text = EXAMPLE.read_text(encoding="utf-8")
    bad = (
        text.replace("REFERRALS_MADE: {uid: PLACEHOLE02}", "REFERRALS_MAID: {uid: PLACEHOLE02}")
        .replace("  yaadga: {uid: PLACEHOLR16", "  yadga: {uid: PLACEHOLR16")
        .replace("PLACEHOLE03", "short")
    )
    path = tmp_path / "dhis2.yaml"
    path.write_text(bad, encoding="utf-8")
    r = dhis2_export(mapping=path, out=tmp_path / "x.json")
    assert r.exit_code == 1
    lines = bad.splitlines()
    found = re.findall(rf"{re.escape(str(path))}:(\d+):(\d+): erreur (D\d+) ([^\n]*)", r.output)
    assert found, r.output
    codes = {c for _l, _c, c, _m in found}
    assert "D001" in codes  # the short uid (schema errors come first, alone)
    line = int(found[0][0])
    assert "short" in lines[line - 1]
    path.write_text(bad.replace("short", "PLACEHOLE03"), encoding="utf-8")
    r = dhis2_export(mapping=path)
    found = re.findall(rf"{re.escape(str(path))}:(\d+):(\d+): erreur (D\d+) ([^\n]*)", r.output)
    by_code = {c: (int(ln), m) for ln, _c, c, m in found}
    assert "REFERRALS_MAID" in lines[by_code["D002"][0] - 1] and "unknown indicator" in by_code["D002"][1]
    assert "yadga" in lines[by_code["D005"][0] - 1]
    assert "yaadga" in by_code["D006"][1]
    assert not (tmp_path / "x.json").exists()
    r = dhis2_export(period="2025Q7")
    assert r.exit_code == 1 and "2025Q2" in r.output


def test_export_tables_csv_and_xlsx(wf, db_url, tmp_path):
    _cases(wf, 5)
    r = mno(db_url, "export", "tables", "--period", "2025Q2", "-o", str(tmp_path / "t.xlsx"))
    assert r.exit_code == 0, r.output
    ws = load_workbook(tmp_path / "t.xlsx")["Indicateurs"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("Indicateur", "Code indicateur", "Ventilation")
    assert ("REFERRALS_MADE", "Total", 5) in {(r[1], r[2], r[6]) for r in rows}
    r = mno(
        db_url, "export", "tables", "--period", "2025Q2", "--region", "yaadga", "-o", str(tmp_path / "t.csv")
    )
    assert r.exit_code == 0, r.output
    text = Path(tmp_path / "t.csv").read_text(encoding="utf-8-sig")
    assert "REFERRALS_MADE;Total;;;;0;" in text
