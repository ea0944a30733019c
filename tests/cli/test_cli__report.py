"""``mno report`` and ``/rapport`` (issue 20): the quarterly report in HTML (print CSS) and PDF, in
French, with the indicator tables, charts, directory health and methods note; the PDF's pages are
rendered to PNG in ``artifacts/`` (pypdfium2) to be looked at."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
from sqlalchemy import select
from typer.testing import CliRunner

import mno_workflow.directory.tables  # noqa: F401  (dir_* tables in the test database)
from mno_workflow.cli import app
from mno_workflow.web.models import ExportLog

from ..conftest import ROOT
from ..engine.helpers import CW, referral, to_referrals

ARTIFACTS = ROOT / "artifacts"
runner = CliRunner()


def test_report_html_and_pdf(wf, db_url, tmp_path):
    for _ in range(6):
        ref = to_referrals(wf)
        wf.fire(ref, "send", CW, referral("org-a"), instance="referral:vocational_training")
    r = runner.invoke(
        app, ["--db", db_url, "report", "--period", "2025Q2", "--region", "all", "-o", str(tmp_path)]
    )
    assert r.exit_code == 0 and "Traceback" not in r.output, r.output
    html = (tmp_path / "rapport-2025Q2-all.html").read_text(encoding="utf-8")
    assert "Rapport trimestriel" in html and "2e trimestre 2025" in html and "@media print" in html
    assert "<svg" in html and "Note méthodologique" in html and "Confidentialité" in html
    row = re.search(
        r"<td>Référencements envoyés \(y compris re-référencements\)</td><td>REFERRALS_MADE</td>"
        r'<td class="num">(\d+)</td>',
        html,
    )
    assert row and row.group(1) == "6"
    pdf = (tmp_path / "rapport-2025Q2-all.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    doc = pdfium.PdfDocument(pdf)
    assert len(doc) >= 2
    text = doc[0].get_textpage().get_text_bounded()
    assert "Rapport trimestriel" in text and "Synthèse" in text and "REFERRALS_MADE" in text
    if db_url.startswith("sqlite"):  # one set of pictures is enough
        ARTIFACTS.mkdir(exist_ok=True)
        for i in range(min(2, len(doc))):
            doc[i].render(scale=1.5).to_pil().save(ARTIFACTS / f"me-report-page{i + 1}.png")
        assert (ARTIFACTS / "me-report-page1.png").stat().st_size > 10_000
    with wf.sessions() as s:
        assert [e.what for e in s.scalars(select(ExportLog))] == ["report"]
    bad = runner.invoke(
        app, ["--db", db_url, "report", "--period", "2025Q2", "--region", "atlantis", "-o", str(tmp_path)]
    )
    assert bad.exit_code == 1 and "atlantis" in bad.output and "Traceback" not in bad.output
