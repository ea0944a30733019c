"""Issue 20, small cells on every CLI path: with 2 referrals in the period, ``mno export tables``
(CSV, xlsx), ``mno report`` (HTML and PDF text) and ``mno export dhis2`` (JSON and ADX) never show
the count 2, nor a count from 1 to 4; they show « < 5 » or leave the value out."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree as ET

import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

import mno_workflow.directory.tables  # noqa: F401  (dir_* tables in the test database)
import mno_workflow.web.models  # noqa: F401  (the export log table)
from mno_workflow.cli import app

from ..engine.helpers import CW, referral, to_referrals

runner = CliRunner()
MADE = "REFERRALS_MADE"


@pytest.fixture
def two_referrals(wf, db_url):
    for _ in range(2):
        ref = to_referrals(wf)
        wf.fire(ref, "send", CW, referral("org-a"), instance="referral:vocational_training")
    return db_url


def _run(db_url, *args):
    r = runner.invoke(app, ["--db", db_url, *args])
    assert r.exit_code == 0 and "Traceback" not in r.output, r.output
    return r


def _small(v) -> bool:
    """A count a reader may not see: 1 to 4."""
    try:
        return 0 < float(str(v).replace("\u202f", "").replace(",", ".")) < 5
    except ValueError:
        return False


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_export_tables(two_referrals, tmp_path, ext):
    out = tmp_path / f"t.{ext}"
    _run(two_referrals, "export", "tables", "--period", "2025Q2", "-o", str(out))
    if ext == "csv":
        rows = [r.split(";") for r in out.read_text(encoding="utf-8-sig").splitlines()[1:]]
    else:
        rows = [list(r) for r in load_workbook(out)["Indicateurs"].iter_rows(min_row=2, values_only=True)]
    total = next(r for r in rows if r[1] == MADE and r[2] == "Total")
    assert total[6] == "< 5"
    counts = [r[6] for r in rows if r[7] in (None, "") and r[9] in (None, "")]  # counts only
    assert not [c for c in counts if _small(c)]


def test_report_html_and_pdf(two_referrals, tmp_path):
    _run(two_referrals, "report", "--period", "2025Q2", "--region", "all", "-o", str(tmp_path))
    html = (tmp_path / "rapport-2025Q2-all.html").read_text(encoding="utf-8")
    row = re.search(rf"<td>{MADE}</td><td class=\"num\">([^<]*)</td>", html)
    assert row and row.group(1) == "&lt; 5"
    doc = pdfium.PdfDocument((tmp_path / "rapport-2025Q2-all.pdf").read_bytes())
    text = "".join(doc[i].get_textpage().get_text_bounded() for i in range(len(doc)))
    line = next(ln for ln in text.splitlines() if MADE in ln)
    assert "< 5" in line and not re.search(r"\b2\b", line.replace(MADE, ""))


@pytest.mark.parametrize("fmt", ["json", "adx"])
def test_dhis2(two_referrals, tmp_path, fmt, dhis2_export):
    out = tmp_path / f"v.{fmt}"
    r = dhis2_export(fmt=fmt, out=out)
    assert r.exit_code == 0, r.output
    if fmt == "json":
        vals = [(v["dataElement"], v["value"]) for v in json.loads(out.read_text())["dataValues"]]
    else:
        ns = "{urn:ihe:qrph:adx:2015}"
        vals = [
            (d.get("dataElement"), d.get("value")) for d in ET.parse(out).getroot().iter(f"{ns}dataValue")
        ]
    assert vals  # zeros of other regions are sent
    counts = [v for de, v in vals if de not in ("PLACEHOLE05", "PLACEHOLE06")]  # a percentage, a median
    assert not [v for v in counts if _small(v)]
    assert f"{MADE} kadiogo" in r.output and "cellule masquée" in r.output
    # kadiogo hidden alone: another region's cell is withheld with it, so that a national total
    # shown elsewhere minus the regions sent cannot give kadiogo's count back
    assert f"{MADE} " in r.output and "pour protéger une autre région" in r.output
