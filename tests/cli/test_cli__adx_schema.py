"""Issue 20: the ADX XML of ``mno export dhis2 --format adx`` is valid against the ADX schema of
the IHE profile (``urn:ihe:qrph:adx:2015``, loose schema vendored in ``tests/fixtures/adx`` with
its source), monthly and quarterly; the validator rejects a broken message (the test can fail)."""

from __future__ import annotations

import pytest
from lxml import etree

import mno_workflow.directory.tables  # noqa: F401  (dir_* tables in the test database)
import mno_workflow.web.models  # noqa: F401  (the export log table)

from ..conftest import ROOT
from ..engine.helpers import CW, referral, to_referrals
from .conftest import EXAMPLE

XSD = ROOT / "tests" / "fixtures" / "adx" / "adx_loose.xsd"


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(XSD)))


@pytest.mark.parametrize("monthly", [False, True])
def test_adx_output_is_valid(wf, tmp_path, schema, monthly, dhis2_export):
    for _ in range(6):
        ref = to_referrals(wf)
        wf.fire(ref, "send", CW, referral("org-a"), instance="referral:vocational_training")
    mapping = EXAMPLE
    if monthly:
        mapping = tmp_path / "monthly.yaml"
        mapping.write_text(
            EXAMPLE.read_text(encoding="utf-8").replace("period_type: quarterly", "period_type: monthly"),
            encoding="utf-8",
        )
    out = tmp_path / "values.xml"
    r = dhis2_export(mapping=mapping, fmt="adx", out=out)
    assert r.exit_code == 0, r.output
    doc = etree.parse(str(out))
    assert schema.validate(doc), schema.error_log
    periods = {g.get("period") for g in doc.getroot()}
    assert periods == (
        {"2025-04-01/P1M", "2025-05-01/P1M", "2025-06-01/P1M"} if monthly else {"2025-04-01/P3M"}
    )
    # the validator can fail: a value that is not a number, a group without period
    bad = etree.parse(str(out))
    bad.getroot()[0][0].set("value", "< 5")
    assert not schema.validate(bad)
    bad = etree.parse(str(out))
    del bad.getroot()[0].attrib["period"]
    assert not schema.validate(bad)
