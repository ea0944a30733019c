"""E038 at validate: time zones and holiday codes (country, or ISO 3166-2 subdivision) are checked
against zoneinfo and the ``holidays`` package, with a "did you mean" hint."""

from __future__ import annotations

import pytest

from mno_workflow.sop.checks.calendar import holiday_code_problem, timezone_problem


@pytest.mark.parametrize("code", ["BF", "FR", "NG", "GB-ENG", "AU-VIC", "US-MO", "DE-BY", "NG-LA"])
def test_supported_codes(code):
    assert holiday_code_problem(code) is None


@pytest.mark.parametrize("code, words", [
    ("XX", "knows no country 'XX'"),
    ("GB-XYZ", "'XYZ' is not a subdivision of GB"),
    ("US-ZZ", "'ZZ' is not a subdivision of US"),
    # no Nigerian states in the package: a real ISO 3166-2 code passes (national holidays), a fake one not
    ("NG-XX", "'NG-XX' is not an ISO 3166-2 subdivision of NG"),
])
def test_unsupported_codes(code, words):
    message, hint = holiday_code_problem(code)
    assert words in message and hint


def test_subdivision_hint_lists_the_country_subdivisions():
    _, hint = holiday_code_problem("GB-XYZ")
    assert "GB-ENG" in hint and "GB-SCT" in hint


@pytest.mark.parametrize("name, ok", [("Africa/Ouagadougou", True), ("Europe/Paris", True),
                                      ("Europe/Londres", False), ("UTC", True), ("Mars/Base", False)])
def test_time_zones(name, ok):
    problem = timezone_problem(name)
    assert (problem is None) is ok
    if name == "Europe/Londres":
        assert "Europe/London" in problem[1]
